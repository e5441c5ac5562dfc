// The status of a workflow as one object: the `spruce status --json` contract (docs/architecture.md, The status JSON contract). Later
// issues add fields; these names never change.
import type { JsonValue, Point } from "../space/types.js";
import type { BatchJobRow, EvaluationRow, EvaluationState, WorkflowRow } from "../store/types.js";

export interface WorkflowStatus {
  workflow: string;
  state: string;
  max_evals: number;
  counts: Record<EvaluationState, number>;
  best: { objective: number; point: Point; eval_id: number } | null;
  batch_jobs: { scheduler: string; id: string | null; state: string; nodes: number; queue: string | null; submitted_at: string }[];
  /** Why the workflow is FAILED; null in every other state. */
  error: string | null;
  [extra: string]: JsonValue | unknown;
}

export function bestEvaluation(rows: EvaluationRow[], direction: "maximize" | "minimize"): EvaluationRow | null {
  let best: EvaluationRow | null = null;
  for (const r of rows) {
    if (r.state !== "DONE" || r.objective === null) continue;
    if (!best || (direction === "maximize" ? r.objective > (best.objective as number) : r.objective < (best.objective as number))) best = r;
  }
  return best;
}

export function workflowStatus(
  wf: WorkflowRow,
  counts: Record<EvaluationState, number>,
  evaluations: EvaluationRow[],
  jobs: BatchJobRow[],
): WorkflowStatus {
  const best = bestEvaluation(evaluations, wf.direction);
  return {
    workflow: wf.name,
    state: wf.state,
    max_evals: wf.maxEvals,
    counts,
    best: best ? { objective: best.objective as number, point: best.point, eval_id: best.id } : null,
    batch_jobs: jobs.map((j) => ({
      scheduler: j.scheduler,
      id: j.schedulerId,
      state: j.state,
      nodes: j.nodes,
      queue: j.queue,
      submitted_at: new Date(j.submittedAt).toISOString(),
    })),
    error: wf.error ?? null,
  };
}
