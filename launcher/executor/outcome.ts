// What an ended evaluation's process amounts to: DONE, FAILED, TIMEOUT, KILLED, INTERRUPTED or
// STOPPED_EARLY, with its reason. Pure: the caller passes how the process ended and readers of its output
// files, so every case is testable without running anything.
import { constants } from "node:os";
import type { JsonValue } from "../../src/space/types.js";
import { parseObjective, parseProgress, parseRunError, type ParsedProgress } from "./objective.js";

export type EvaluationStatus = "DONE" | "FAILED" | "TIMEOUT" | "KILLED" | "INTERRUPTED" | "STOPPED_EARLY";

export interface EvaluationOutcome {
  /**
   * INTERRUPTED: stopped for the walltime, to be re-run; KILLED: stopped by the user (spruce cancel)
   * or by the search method; STOPPED_EARLY: stopped early by the searcher (asha), which records
   * what the run reported before. None of these words is a workflow state (STOPPED is one).
   */
  status: EvaluationStatus;
  objective: number | null;
  /** With several objectives, DONE's values in declared order (objective is the first); else null. */
  objectives: number[] | null;
  metadata: Record<string, JsonValue> | null;
  exitCode: number | null;
  signal: string | null;
  /** Why it did not finish DONE, followed by the tail of stderr when there is one. */
  error: string | null;
  /** `report: step=N value=X` lines found in the stdout tail of a run that ended by itself. */
  progress: ParsedProgress[];
  startedAt: number;
  finishedAt: number;
}

/** walltime: re-run later; cancel: spruce cancel; searcher: a search method's stop; early: asha stopped it. */
export type StopReason = "walltime" | "cancel" | "searcher" | "early";

/** How the process ended, and why the launcher ended it if it did. */
export interface ProcessEnd {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The launcher's reason for terminating it (its timeout, or a stop); null: it ended by itself. */
  stoppedFor: "timeout" | StopReason | null;
  /** The per-evaluation limit, for the TIMEOUT reason. */
  timeoutSeconds: number | null;
  startedAt: number;
  finishedAt: number;
}

/**
 * The ended run's output, read only when needed: a DONE run does not pay for its stderr, a failed
 * one not for its stdout.
 */
export interface RunOutput {
  /** The tail of stdout. */
  stdout(): string;
  /** The tail of stderr. */
  stderr(): string;
  /** The result file's text; null when the run wrote none. */
  result(): string | null;
}

const STDERR_TAIL_LINES = 20;
const signalNames = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/** `objectives`: the declared objective names when there are several, else null. */
export function classifyOutcome(end: ProcessEnd, output: RunOutput, objectives: readonly string[] | null = null): EvaluationOutcome {
  const base = { exitCode: end.exitCode, signal: end.signal, startedAt: end.startedAt, finishedAt: end.finishedAt };
  switch (end.stoppedFor) {
    case "timeout":
      return makeOutcome("TIMEOUT", { ...base, error: withTail(`timed out after ${end.timeoutSeconds}s`, output.stderr()) });
    case "walltime":
      return makeOutcome("INTERRUPTED", { ...base, error: "stopped: the batch job's walltime is running out" });
    case "cancel":
      return makeOutcome("KILLED", { ...base, error: "stopped by the user" });
    case "searcher":
      return makeOutcome("KILLED", { ...base, error: "stopped by the search method" });
    case "early":
      return makeOutcome("STOPPED_EARLY", { ...base, error: "stopped early by the searcher" });
  }
  if (end.signal !== null) return makeOutcome("FAILED", { ...base, error: withTail(`killed by signal ${end.signal}`, output.stderr()) });
  if (end.exitCode !== 0) {
    // A run that named its own failure (the Python runner: the exception's line) is recorded with
    // that line alone; its traceback stays in stderr.txt. Other runs: the exit code and stderr's tail.
    const reason = parseRunError(output.result());
    return makeOutcome("FAILED", { ...base, error: reason ?? withTail(describeExitCode(end.exitCode), output.stderr()) });
  }
  const stdout = output.stdout();
  const progress = parseProgress(stdout);
  const parsed = parseObjective(stdout, output.result(), objectives);
  if ("error" in parsed) return makeOutcome("FAILED", { ...base, progress, error: withTail(parsed.error, output.stderr()) });
  return makeOutcome("DONE", { ...base, progress, objective: parsed.objective, objectives: parsed.objectives ?? null, metadata: parsed.metadata });
}

/** An outcome with every field not given empty. */
export function makeOutcome(
  status: EvaluationStatus,
  fields: Partial<EvaluationOutcome> & { startedAt: number; finishedAt: number },
): EvaluationOutcome {
  return { status, objective: null, objectives: null, metadata: null, exitCode: null, signal: null, error: null, progress: [], ...fields };
}

/** A shell progress a child killed by signal N as exit code 128 + N: say which signal that was. */
function describeExitCode(code: number | null): string {
  const name = code !== null && code > 128 ? signalNames.get(code - 128) : undefined;
  return name ? `exit code ${code} (128 + ${name})` : `exit code ${code}`;
}

function withTail(reason: string, stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  const tail = lines.slice(-STDERR_TAIL_LINES).join("\n");
  return tail.length > 0 ? `${reason}\n${tail}` : reason;
}
