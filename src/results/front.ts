// The Pareto front of a workflow with several objectives, as status, topk and the report show it:
// the DONE evaluations with every objective, their Pareto ranks, and the front's hypervolume from
// the recorded reference point (declared, else the worst value observed per objective).
import { hypervolume, paretoFront, paretoRanks, referencePoint, toLosses } from "../objectives/pareto.js";
import type { ObjectiveSpec } from "../space/types.js";
import type { EvaluationRow } from "../store/types.js";

export interface Scored {
  row: EvaluationRow;
  /** The objectives in declared order. */
  values: number[];
}

export interface FrontSummary {
  /** The non-dominated evaluations, in evaluation order. */
  front: Scored[];
  hypervolume: number | null;
  /** The reference point in the objectives' own units, by name; null before any result. */
  reference: { point: Record<string, number>; declared: boolean } | null;
}

/** DONE evaluations that carry every objective (a run stopped early carries one value only). */
export function scoredEvaluations(rows: readonly EvaluationRow[], objectives: readonly ObjectiveSpec[]): Scored[] {
  const k = objectives.length;
  return rows
    .filter((r) => r.state === "DONE" && r.objectives !== null && r.objectives.length === k)
    .map((row) => ({ row, values: row.objectives! }))
    .sort((a, b) => a.row.id - b.row.id);
}

export function frontSummary(scored: readonly Scored[], objectives: readonly ObjectiveSpec[]): FrontSummary {
  if (scored.length === 0) return { front: [], hypervolume: null, reference: null };
  const losses = scored.map((s) => toLosses(s.values, objectives));
  const front = paretoFront(losses);
  const ref = referencePoint(losses, objectives);
  const point = Object.fromEntries(objectives.map((o, j) => [o.name, o.direction === "maximize" ? -ref.point[j]! : ref.point[j]!]));
  return {
    front: front.map((i) => scored[i]!),
    hypervolume: hypervolume(front.map((i) => losses[i]!), ref.point),
    reference: { point, declared: ref.declared },
  };
}

/** The evaluations by Pareto rank (front first), evaluation order within a rank; the first `limit` at least whole ranks. */
export function rankedEvaluations(scored: readonly Scored[], objectives: readonly ObjectiveSpec[], limit = Infinity): (Scored & { rank: number })[] {
  const ranks = paretoRanks(scored.map((s) => toLosses(s.values, objectives)), limit);
  return scored
    .map((s, i) => ({ ...s, rank: ranks[i]! }))
    .filter((s) => s.rank !== Infinity)
    .sort((a, b) => a.rank - b.rank || a.row.id - b.row.id);
}
