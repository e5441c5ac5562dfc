// The status of a workflow as one object: the `spruce status --json` contract (docs/architecture.md, The status JSON contract). Later
// issues add fields; these names never change. With several objectives `best` is the Pareto front.
import { isMultiObjective, objectivesOf } from "../objectives/declare.js";
import type { JsonValue, ObjectiveSpec, Point } from "../space/types.js";
import type { BatchJobRow, EvaluationRow, EvaluationState, WorkflowRow } from "../store/types.js";
import { frontSummary, scoredEvaluations } from "./front.js";
import { recordPoint } from "../nas/sequence.js";

/** One point of the Pareto front: its objectives by name. */
export interface FrontEntry {
  objectives: Record<string, number>;
  point: Point;
  eval_id: number;
}

/** The front's summary (several objectives only). */
export interface ParetoStatus {
  front_size: number;
  hypervolume: number | null;
  /** The point the hypervolume is measured from, by objective; how it was chosen. */
  reference_point: Record<string, number> | null;
  reference: "declared" | "worst observed";
}

export interface WorkflowStatus {
  workflow: string;
  state: string;
  max_evals: number;
  counts: Record<EvaluationState, number>;
  /** The best evaluation; with several objectives, the Pareto front (in evaluation order). */
  best: { objective: number; point: Point; eval_id: number } | FrontEntry[] | null;
  batch_jobs: { scheduler: string; id: string | null; state: string; nodes: number; queue: string | null; submitted_at: string }[];
  /** Why the workflow is FAILED; null in every other state. */
  error: string | null;
  /** The objectives' names and directions, in declared order. */
  objectives: ObjectiveSpec[];
  /** Several objectives: the front's size and hypervolume; null with one. */
  pareto: ParetoStatus | null;
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
  const objectives = objectivesOf(wf);
  let best: WorkflowStatus["best"];
  let pareto: ParetoStatus | null = null;
  if (isMultiObjective(wf)) {
    const summary = frontSummary(scoredEvaluations(evaluations, objectives), objectives);
    best = summary.front.map((s) => ({ objectives: Object.fromEntries(objectives.map((o, j) => [o.name, s.values[j]!])), point: recordPoint(wf.problem, s.row.point), eval_id: s.row.id }));
    pareto = {
      front_size: summary.front.length,
      hypervolume: summary.hypervolume,
      reference_point: summary.reference?.point ?? null,
      reference: objectives.every((o) => o.reference !== undefined) ? "declared" : "worst observed",
    };
  } else {
    const one = bestEvaluation(evaluations, wf.direction);
    best = one ? { objective: one.objective as number, point: recordPoint(wf.problem, one.point), eval_id: one.id } : null;
  }
  return {
    workflow: wf.name,
    state: wf.state,
    max_evals: wf.maxEvals,
    counts,
    best,
    batch_jobs: jobs.map((j) => ({
      scheduler: j.scheduler,
      id: j.schedulerId,
      state: j.state,
      nodes: j.nodes,
      queue: j.queue,
      submitted_at: new Date(j.submittedAt).toISOString(),
    })),
    error: wf.error ?? null,
    objectives: objectives.map((o) => ({ name: o.name, direction: o.direction, ...(o.reference !== undefined ? { reference: o.reference } : {}) })),
    pareto,
  };
}
