// The distance term of the acquisition's spread in low dimension (docs/architecture.md, ambs:
// "Spread that grows with the distance"). A tree ensemble's spread does not grow away from the
// points it learnt from: where the first draws were poor, the upper bound never picks again, and
// on Gallagher's peaks in 2-D the search put none of 200 points near the global peak. With three
// hyperparameters or fewer each candidate's variance gains DISTANCE_SPREAD² times its squared
// distance to the nearest point tried or pending, as a Gaussian process's grows away from its data
// (bench/suite/RESULTS.md, "Spread that grows with the distance").
import { lowerBound } from "./ranking.js";

/** Spread per unit of the cube's distance, in the units of the Gaussian-ranked losses (sd 1). */
export const DISTANCE_SPREAD = 5;

/**
 * DISTANCE_SPREAD² x the squared distance from each of the n rows of X (d columns) to the
 * nearest of `points`. The points are sorted on their first column, and each row's scan walks
 * out from its own first coordinate until that coordinate alone is farther than the nearest so far.
 */
export function distanceVariance(X: Float64Array, n: number, d: number, points: readonly ArrayLike<number>[]): Float64Array {
  const m = points.length;
  const order = Array.from(points.keys()).sort((a, b) => points[a]![0]! - points[b]![0]! || a - b);
  const P = new Float64Array(m * d);
  const first = new Float64Array(m);
  order.forEach((i, r) => {
    for (let j = 0; j < d; j++) P[r * d + j] = points[i]![j]!;
    first[r] = points[i]![0]!;
  });
  const out = new Float64Array(n);
  for (let c = 0; c < n; c++) out[c] = DISTANCE_SPREAD * DISTANCE_SPREAD * nearest(X, c * d, d, P, first);
  return out;
}

/** The squared distance from X's row at `off` to the nearest row of P (sorted on `first`). */
function nearest(X: Float64Array, off: number, d: number, P: Float64Array, first: Float64Array): number {
  const x0 = X[off]!;
  const lo = lowerBound(first, x0);
  let best = Infinity;
  for (let a = lo - 1, b = lo; a >= 0 || b < first.length; ) {
    const da = a >= 0 ? (x0 - first[a]!) ** 2 : Infinity;
    const db = b < first.length ? (first[b]! - x0) ** 2 : Infinity;
    if (da >= best && db >= best) break;
    const r = da <= db ? a-- : b++;
    let s = 0;
    for (let j = 0; j < d; j++) s += (X[off + j]! - P[r * d + j]!) ** 2;
    if (s < best) best = s;
  }
  return best;
}

/** After a pick at x, each row's term lowered to DISTANCE_SPREAD² x its squared distance to x where that is less. */
export function shrinkDistance(variance: Float64Array, X: Float64Array, n: number, d: number, x: ArrayLike<number>): void {
  const k = DISTANCE_SPREAD * DISTANCE_SPREAD;
  for (let c = 0; c < n; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (X[c * d + j]! - x[j]!) ** 2;
    if (k * s < variance[c]!) variance[c] = k * s;
  }
}
