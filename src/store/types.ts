// Row shapes the store returns. Callers see plain objects with parsed JSON and Date-free numbers
// (epoch milliseconds), identical for SQLite and PostgreSQL.
import type { JsonValue, ObjectiveSpec, Point, ProblemSpec } from "../space/types.js";
import type { SchedulerName } from "../schedulers/types.js";
import type { BatchJobState, EvaluationState, WorkflowState } from "./states.js";

export type { BatchJobState, EvaluationState, WorkflowState } from "./states.js";

/** How an evaluation is run: a module exporting run(point, ctx), a Python run module, or a command template. */
export type RunSpec =
  | { kind: "module"; path: string }
  | PythonRunSpec
  | { kind: "command"; template: string; cwd: string };

/**
 * A Python run module (`run.py`, `pkg.module.run`), called by the companion package's runner in
 * the interpreter resolved at submit. Everything an evaluation needs to import the same module
 * on a compute node (which starts elsewhere, often in $HOME) is recorded here.
 */
export interface PythonRunSpec {
  kind: "python";
  /** An absolute .py path, or a dotted path. */
  ref: string;
  /** The interpreter's own sys.executable at submit. */
  python: string;
  /** The folder that holds the module's top-level package (put first on sys.path). */
  importRoot: string | null;
  /** PYTHONPATH at submit, entries absolute. */
  pythonPath: string[];
  /** What JSON turned from floats into integers (1.0 arrives as 1), for the runner to turn back. */
  floats: PythonFloats | null;
}

/** Float hyperparameters by name, and integral float choices by hyperparameter. */
export interface PythonFloats {
  names: string[];
  values: Record<string, number[]>;
}

/** The batch request a workflow was submitted with; kept so later launcher jobs repeat it. */
export interface JobRequest {
  scheduler: SchedulerName;
  nodes: number;
  walltimeMinutes: number;
  queue: string | null;
  project: string | null;
  mode: "serial" | "mpi";
  evalsPerNode: number;
  nodesPerEval: number;
  ranksPerNode: number;
  /** Optional keys: absent in rows written before they existed (and in short test rows). */
  threadsPerRank?: number | null;
  gpusPerNode?: number | null;
  gpusPerEval?: number | null;
  /** --mpi: the MPI launcher of mpi mode; null = detected on the node. */
  mpi?: string | null;
  /** The batch job's name; absent = the workflow's name. */
  jobName?: string | null;
  /** --env-script: sourced by the batch script before the launcher starts. */
  envScript?: string | null;
  /** --template: a user's batch script template instead of the built-in one. */
  template?: string | null;
  /** --sched-flags: extra scheduler directives, written as given. */
  schedFlags?: string[];
  /** --chain: each launcher job queues its successor behind itself. */
  chain?: boolean;
}

/**
 * Launcher settings saved on the workflow row, so every launcher and agent of a workflow behaves
 * the same. A key left out takes its default (src/store/settings.ts); tests shorten the intervals.
 */
export interface WorkflowSettings {
  /** --eval-timeout: per-evaluation limit; null = none. */
  evalTimeoutSeconds?: number | null;
  /** How often a launcher ticks its heartbeat row. */
  heartbeatSeconds?: number;
  /** A launcher whose heartbeat is older than this is dead and its evaluations are re-run. */
  staleAfterSeconds?: number;
  /** Attempts before an evaluation that keeps losing its launcher is marked FAILED. */
  maxAttempts?: number;
  /** SIGTERM -> SIGKILL grace for stopped evaluations. */
  killGraceSeconds?: number;
  /** --walltime-margin: dispatch stops this long before the batch job's walltime; absent = derived from it. */
  walltimeMarginSeconds?: number;
}

export interface NewWorkflow {
  name: string;
  problem: ProblemSpec;
  /** Where the problem came from (file path), for display. */
  problemSource: string;
  run: RunSpec;
  searcher: string;
  searcherOptions: Record<string, JsonValue>;
  direction: "maximize" | "minimize";
  /**
   * The declared objectives, in order; absent or null: one unnamed objective of `direction`. With
   * several, `direction` is the first one's.
   */
  objectives?: ObjectiveSpec[] | null;
  maxEvals: number;
  seed: number;
  settings: WorkflowSettings;
  request: JobRequest;
  resultsDir: string;
}

export interface WorkflowRow extends NewWorkflow {
  id: number;
  state: WorkflowState;
  createdAt: number;
  /** Why the workflow is FAILED (a setting the launcher refused, the searcher's error); null otherwise. */
  error: string | null;
}

export interface EvaluationRow {
  id: number;
  workflowId: number;
  state: EvaluationState;
  point: Point;
  objective: number | null;
  /** With several objectives, a DONE row's values in declared order (objective is the first); else null. */
  objectives: number[] | null;
  metrics: Record<string, JsonValue> | null;
  attempt: number;
  claimedBy: number | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  exitCode: number | null;
  error: string | null;
  hosts: string[] | null;
  /** Multi-fidelity searchers (asha): the trial this row trains and how far; null otherwise. */
  fidelity: Fidelity | null;
}

/**
 * One stretch of training of a multi-fidelity trial. A trial's first row trains from 0; a promoted
 * trial continues in a new row from the length it had reached (its checkpoint), up to `length`,
 * the next point where the searcher decides. A run that reports may go on while told to continue,
 * up to maxLength.
 */
export interface Fidelity {
  trial: number;
  /** The length (in the run's own units) at which the searcher next decides. */
  length: number;
  /** The length already trained by earlier rows of the trial (0 for a new trial). */
  fromLength: number;
  /** The searcher's ceiling: no run trains past it. */
  maxLength: number;
}

/** An intermediate result of a running evaluation (`report: step=N value=X`, ctx.report). */
export interface ProgressPoint {
  evaluationId: number;
  step: number;
  value: number;
  at: number;
  /** The run's own count of its reports, from 1 (what an answer refers to); 0 when unknown. */
  seq?: number;
  /** The launcher or agent that read it from the run. */
  launcherId?: number | null;
  /** Its row id, in arrival order (set when read back). */
  id?: number;
}

/** The leader's word to a run an agent executes: its answer to a report, and/or a stop. */
export interface EvaluationControl {
  evaluationId: number;
  answer?: { seq: number; action: "continue" | "stop"; length: number };
  /** early: the searcher stopped it (its reports stand as its result); searcher: a custom method's stop (KILLED). */
  stop?: "early" | "searcher";
}

export interface EvaluationEventRow {
  id: number;
  evaluationId: number;
  fromState: EvaluationState | null;
  toState: EvaluationState;
  at: number;
  note: string | null;
}

/** What a launcher reports when an evaluation ends. */
export interface FinishedEvaluation {
  id: number;
  /** Only RUNNING rows claimed by this launcher (and this attempt) are finished: idempotent. */
  attempt: number;
  state: "DONE" | "FAILED" | "TIMEOUT" | "KILLED";
  objective: number | null;
  /** Several objectives: every value, in declared order (objective is the first). */
  objectives?: number[] | null;
  metrics?: Record<string, JsonValue> | null;
  exitCode?: number | null;
  error?: string | null;
  finishedAt?: number;
}

export interface LauncherRow {
  id: number;
  workflowId: number;
  batchJobId: number | null;
  host: string;
  pid: number;
  startedAt: number;
  heartbeatAt: number;
  endedAt: number | null;
}

export interface NewBatchJob {
  workflowId: number;
  scheduler: string;
  schedulerId: string | null;
  state: BatchJobState;
  nodes: number;
  queue: string | null;
  project: string | null;
  walltimeMinutes: number;
  scriptPath: string | null;
}

export interface BatchJobRow extends NewBatchJob {
  id: number;
  submittedAt: number;
  startedAt: number | null;
  endedAt: number | null;
}
