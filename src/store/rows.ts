// Conversion between database rows (snake_case, JSON as text, bigints that pg returns as strings)
// and the row types of ./types.ts (camelCase, parsed JSON, JS numbers). The same on both dialects.
import type { JsonValue, ObjectiveSpec, Point, ProblemSpec } from "../space/types.js";
import type { RawRow } from "./sql.js";
import type {
  BatchJobRow,
  BatchJobState,
  EvaluationEventRow,
  EvaluationRow,
  EvaluationState,
  Fidelity,
  JobRequest,
  LauncherRow,
  RunSpec,
  WorkflowRow,
  WorkflowState,
} from "./types.js";

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function toJsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

function parse<T>(value: unknown): T {
  return JSON.parse(String(value)) as T;
}

export function parseOrNull<T>(value: unknown): T | null {
  return value === null || value === undefined ? null : parse<T>(value);
}

/** pg returns bigint columns as strings; epoch milliseconds fit a JS number exactly. */
function num(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function toWorkflow(r: RawRow): WorkflowRow {
  return {
    id: num(r.id),
    name: String(r.name),
    problem: parse<ProblemSpec>(r.problem),
    problemSource: String(r.problem_source),
    run: parse<RunSpec>(r.run),
    searcher: String(r.searcher),
    searcherOptions: parse<Record<string, JsonValue>>(r.searcher_options),
    direction: r.direction as WorkflowRow["direction"],
    maxEvals: num(r.max_evals),
    seed: num(r.seed),
    settings: parse<Record<string, JsonValue>>(r.settings),
    request: parse<JobRequest>(r.request),
    resultsDir: String(r.results_dir),
    state: r.state as WorkflowState,
    createdAt: num(r.created_at),
    error: strOrNull(r.error),
    // Absent, as in a NewWorkflow that declares none, when the workflow has one unnamed objective.
    ...(r.objectives === null || r.objectives === undefined ? {} : { objectives: parseOrNull<ObjectiveSpec[]>(r.objectives) }),
  };
}

export function toEvaluation(r: RawRow): EvaluationRow {
  return {
    id: num(r.id),
    workflowId: num(r.workflow_id),
    state: r.state as EvaluationState,
    point: parse<Point>(r.point),
    objective: numOrNull(r.objective),
    objectives: parseOrNull<number[]>(r.objectives),
    metrics: parseOrNull<Record<string, JsonValue>>(r.metrics),
    attempt: num(r.attempt),
    claimedBy: numOrNull(r.claimed_by),
    createdAt: num(r.created_at),
    startedAt: numOrNull(r.started_at),
    finishedAt: numOrNull(r.finished_at),
    exitCode: numOrNull(r.exit_code),
    error: strOrNull(r.error),
    hosts: parseOrNull<string[]>(r.hosts),
    fidelity: parseOrNull<Fidelity>(r.fidelity),
  };
}

/** Rows from RETURNING come back in no guaranteed order: callers get them by id. */
export function toEvaluationsById(rows: RawRow[]): EvaluationRow[] {
  return rows.map(toEvaluation).sort((a, b) => a.id - b.id);
}

export function toEvent(r: RawRow): EvaluationEventRow {
  return {
    id: num(r.id),
    evaluationId: num(r.evaluation_id),
    fromState: (r.from_state ?? null) as EvaluationState | null,
    toState: r.to_state as EvaluationState,
    at: num(r.at),
    note: strOrNull(r.note),
  };
}

export function toLauncher(r: RawRow): LauncherRow {
  return {
    id: num(r.id),
    workflowId: num(r.workflow_id),
    batchJobId: numOrNull(r.batch_job_id),
    host: String(r.host),
    pid: num(r.pid),
    startedAt: num(r.started_at),
    heartbeatAt: num(r.heartbeat_at),
    endedAt: numOrNull(r.ended_at),
  };
}

export function toBatchJob(r: RawRow): BatchJobRow {
  return {
    id: num(r.id),
    workflowId: num(r.workflow_id),
    scheduler: String(r.scheduler),
    schedulerId: strOrNull(r.scheduler_id),
    state: r.state as BatchJobState,
    nodes: num(r.nodes),
    queue: strOrNull(r.queue),
    project: strOrNull(r.project),
    walltimeMinutes: num(r.walltime_minutes),
    scriptPath: strOrNull(r.script_path),
    submittedAt: num(r.submitted_at),
    startedAt: numOrNull(r.started_at),
    endedAt: numOrNull(r.ended_at),
  };
}
