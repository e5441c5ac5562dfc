// The state vocabulary of the rows: the states of evaluations, workflows and batch jobs, and which
// of them are over. Every count of "finished" evaluations and every "is the workflow over" test
// reads these, so that the CLI, the service, the leader and its agents never disagree.

export type EvaluationState = "READY" | "RUNNING" | "DONE" | "FAILED" | "TIMEOUT" | "KILLED";
export type WorkflowState = "CREATED" | "RUNNING" | "FINISHED" | "STOPPED" | "FAILED";
export type BatchJobState = "SUBMITTED" | "QUEUED" | "RUNNING" | "FINISHED" | "FAILED" | "CANCELLED";

/** Every evaluation state, in the order tables show them. */
export const EVALUATION_STATES: readonly EvaluationState[] = ["READY", "RUNNING", "DONE", "FAILED", "TIMEOUT", "KILLED"];

/**
 * Evaluations that ran to an end of their own: they use up max_evals and their results are told to
 * the searcher. KILLED (stopped by the user, or by a custom method) is not among them.
 */
export const FINISHED_STATES: readonly EvaluationState[] = ["DONE", "FAILED", "TIMEOUT"];

export function isFinished(state: EvaluationState): boolean {
  return FINISHED_STATES.includes(state);
}

/** How many evaluations have finished, from counts by state (countEvaluations). */
export function finishedCount(counts: Readonly<Record<EvaluationState, number>>): number {
  return counts.DONE + counts.FAILED + counts.TIMEOUT;
}

/** Workflows no launcher works for any more: finished, cancelled by the user, or failed (their searcher threw). */
export const OVER_WORKFLOW_STATES: readonly WorkflowState[] = ["FINISHED", "STOPPED", "FAILED"];

export function isWorkflowOver(state: WorkflowState): boolean {
  return OVER_WORKFLOW_STATES.includes(state);
}

/** Batch jobs that may still run a launcher: submitted, queued or running. */
export const ACTIVE_JOB_STATES: ReadonlySet<BatchJobState> = new Set(["SUBMITTED", "QUEUED", "RUNNING"]);

export function isActiveJob(job: { state: BatchJobState }): boolean {
  return ACTIVE_JOB_STATES.has(job.state);
}

/**
 * Every legal move of an evaluation (docs/architecture.md, Evaluation states), by the state it
 * leaves; "new" is its creation. A finished state leads nowhere: a result is recorded once.
 */
export const EVALUATION_TRANSITIONS: Readonly<Record<EvaluationState | "new", readonly EvaluationState[]>> = {
  new: ["READY"],
  READY: ["RUNNING", "KILLED"],
  RUNNING: ["DONE", "FAILED", "TIMEOUT", "KILLED", "READY"],
  DONE: [],
  FAILED: [],
  TIMEOUT: [],
  KILLED: [],
};

/**
 * Why an evaluation's history (its events, oldest first) is not a legal path of the state machine
 * ending in its row's state and attempt, or null when it is: created READY, each event leaving the
 * state the previous one reached, and one RUNNING -> READY per attempt.
 */
export function illegalPath(
  events: readonly { fromState: EvaluationState | null; toState: EvaluationState }[],
  row: { state: EvaluationState; attempt: number },
): string | null {
  let at: EvaluationState | "new" = "new";
  let backs = 0;
  for (const [i, e] of events.entries()) {
    if ((e.fromState ?? "new") !== at) return `event ${i + 1} leaves ${e.fromState ?? "(creation)"}, but the evaluation was ${at === "new" ? "not created" : at}`;
    if (!EVALUATION_TRANSITIONS[at].includes(e.toState)) return `event ${i + 1}: ${at === "new" ? "(creation)" : at} -> ${e.toState} is not a legal move`;
    if (at === "RUNNING" && e.toState === "READY") backs += 1;
    at = e.toState;
  }
  if (at !== row.state) return `its events end in ${at === "new" ? "nothing" : at}, its row says ${row.state}`;
  if (backs !== row.attempt) return `${backs} hand-back(s) or recoveries in its events, its row says attempt ${row.attempt}`;
  return null;
}
