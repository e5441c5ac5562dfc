// The trust region and kappa schedule of the ambs searcher (docs/architecture.md, ambs, random,
// grid). Both are functions of the results in the order they were told (and of the count of
// points proposed), so a searcher rebuilt from the rows has the same region and kappa: no state.

/**
 * The trust region (trustLength): TRUST_SHARE of the candidates are gaussian steps of the
 * region's length around the best point (in 4-D and up, around the recombination of the best
 * points, CandidateSampler.recombine), each hyperparameter moving with probability
 * min(1, 20 / count) (TuRBO's perturbation mask). The length starts at TRUST_INIT, doubles after
 * TRUST_SUCCESSES improvements in a row, halves after max(TRUST_FAILURES, 2 x count) results
 * without one, and starts again at TRUST_INIT below TRUST_MIN.
 */
export const TRUST_SHARE = 0.1;
export const TRUST_INIT = 0.2;
const TRUST_MAX = 0.4;
const TRUST_MIN = 0.005;
const TRUST_SUCCESSES = 3;
const TRUST_FAILURES = 8;

/**
 * The trust region's length in the unit cube after these losses (in the order told): the first
 * nInitial only set the best; then TRUST_SUCCESSES improvements in a row double it (at most
 * TRUST_MAX), max(TRUST_FAILURES, 2 x count) results without one halve it, and below TRUST_MIN
 * it starts again at TRUST_INIT. `count`: the hyperparameters that vary.
 */
export function trustLength(losses: readonly number[], nInitial: number, count: number): number {
  const failTol = Math.max(TRUST_FAILURES, 2 * count);
  let length = TRUST_INIT;
  let best = Infinity;
  let successes = 0;
  let failures = 0;
  losses.forEach((loss, i) => {
    if (i < nInitial) {
      best = Math.min(best, loss);
      return;
    }
    if (loss < best - 1e-9 * Math.abs(best)) {
      best = loss;
      failures = 0;
      if (++successes >= TRUST_SUCCESSES) {
        length = Math.min(TRUST_MAX, 2 * length);
        successes = 0;
      }
    } else {
      successes = 0;
      if (++failures >= failTol) {
        length /= 2;
        failures = 0;
        if (length < TRUST_MIN) length = TRUST_INIT;
      }
    }
  });
  return length;
}

/**
 * How long the best result has stood, read by the quadratic step with categoricals (quadratic.ts,
 * staleGroup): `level` counts the spans of STALE_SPANS x max(TRUST_FAILURES, 2 x count) results
 * (as long as STALE_SPANS halvings of the region) since the last improvement of the best by more
 * than STALE_TOL of the gap between the median and best loss, and `at` is the index of the result
 * that ended the first span (-1 at level 0). Smaller improvements do not count: a smooth valley
 * improves by ever smaller steps while the step refines it, and counting every improvement, as
 * the region's length does, its basin would never be worked out.
 */
export interface Staleness {
  level: number;
  at: number;
}

const STALE_SPANS = 2;
const STALE_TOL = 1e-3;

/** The Staleness of these losses (in the order told; the first nInitial only set the best). */
export function staleness(losses: readonly number[], nInitial: number, count: number): Staleness {
  const n = losses.length;
  if (n <= nInitial) return { level: 0, at: -1 };
  const sorted = Float64Array.from(losses).sort();
  const tol = STALE_TOL * (sorted[n >> 1]! - sorted[0]!);
  // Improvements are measured from the best at the last counted one, so small steps add up.
  let ref = Infinity;
  let last = nInitial - 1;
  losses.forEach((loss, i) => {
    if (!(loss < ref - tol)) return;
    ref = loss;
    if (i >= nInitial) last = i;
  });
  const span = STALE_SPANS * Math.max(TRUST_FAILURES, 2 * count);
  const level = Math.floor((n - 1 - last) / span);
  return { level, at: level > 0 ? last + span : -1 };
}

/**
 * DeepHyper's periodic exponential decay: kappa·(kappaFinal/kappa)^((i mod period)/period) for
 * the i-th point proposed; a constant kappa when period is 0.
 */
export function scheduledKappa(kappa: number, kappaFinal: number, period: number, i: number): number {
  if (period <= 0 || kappa <= 0 || kappaFinal <= 0) return kappa;
  return kappa * Math.pow(kappaFinal / kappa, (i % period) / period);
}

/**
 * With several objectives a result "improves" when it dominates a point of the Pareto front of the
 * results before it: progress toward the front, not only spread along it (with three objectives
 * most results enter the front, and counting those kept the region at its largest; bench/moo,
 * median hypervolume of 10 seeds at 200, DTLZ2-12 41.115 -> 41.187, ZDT1-30 9.612 -> 9.650).
 * frontProgress turns that into a loss sequence for trustLength: minus the number of such results
 * so far, which falls exactly at each. It takes only the results `added` after those `from` holds,
 * so a long search pays only for its new results, each checked against the front.
 */
export interface FrontProgress {
  count: number;
  front: number[][];
  /** Results so far that dominated a point of the front before them. */
  entries: number;
  seq: number[];
}

export function frontProgress(added: readonly (readonly number[])[], from: FrontProgress): FrontProgress {
  const front = from.front.slice();
  const seq = from.seq.slice();
  let entries = from.entries;
  for (const p of added) {
    const covered = front.some((q) => q.every((v, j) => v <= p[j]!));
    if (!covered) {
      const before = front.length;
      for (let f = front.length - 1; f >= 0; f--) if (front[f]!.every((v, j) => p[j]! <= v)) front.splice(f, 1);
      if (front.length < before) entries++;
      front.push([...p]);
    }
    seq.push(entries > 0 ? -entries : 0);
  }
  return { count: from.count + added.length, front, entries, seq };
}
