// Scalarizations of several objectives for searchers that model one value (AMBS): ParEGO's
// augmented Chebyshev function of min-max scaled losses, with weights drawn anew per proposal so
// that successive proposals aim at different parts of the Pareto front.
import type { Rng } from "../util/rng.js";

/** ParEGO's augmentation: a small weighted sum keeps weakly dominated points from tying. */
export const CHEBYSHEV_RHO = 0.05;

/** Weights drawn uniformly from the simplex (a flat Dirichlet: normalised exponentials). */
export function simplexWeights(rng: Rng, k: number): number[] {
  const e = Array.from({ length: k }, () => -Math.log(1 - rng.next()));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/**
 * A function of one point's losses: max_j w_j s_j + rho * sum_j w_j s_j, where s_j is loss j scaled
 * to [0, 1] by the smallest and largest loss j among `losses` (a constant objective scales to 0).
 */
export function chebyshev(losses: readonly (readonly number[])[], weights: readonly number[]): (loss: readonly number[]) => number {
  const k = weights.length;
  const lo = Array.from({ length: k }, (_, j) => Math.min(...losses.map((l) => l[j]!)));
  const hi = Array.from({ length: k }, (_, j) => Math.max(...losses.map((l) => l[j]!)));
  return (loss) => {
    let max = -Infinity;
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const span = hi[j]! - lo[j]!;
      const s = span > 0 ? (loss[j]! - lo[j]!) / span : 0;
      const ws = weights[j]! * s;
      if (ws > max) max = ws;
      sum += ws;
    }
    return max + CHEBYSHEV_RHO * sum;
  };
}
