// Ranking helpers of the ambs searcher (docs/architecture.md, ambs, random, grid): the best
// candidates by acquisition without sorting them all, the screening of a large candidate set and
// the refinement of its best, and the Gaussian copula of the losses.
import type { Point } from "../../space/types.js";
import type { Rng } from "../../util/rng.js";
import { normalQuantile, utility, type Acquisition } from "./acquisition.js";
import type { CandidateSampler } from "./candidates.js";
import type { Forest } from "./forest.js";
import type { ScoredCandidates } from "./scored.js";
import { REFINE_PER, REFINE_SCALE_MAX, REFINE_SCALE_MIN, REFINE_TOP, SCREEN_KEEP, SCREEN_TREES } from "./tuning.js";

/**
 * Candidate encodings: the first nLocal are local, the next nTrust in the trust region, the rest
 * uniform; points/keys when they come from an enumeration.
 */
export interface CandidateSet {
  X: Float64Array;
  n: number;
  nLocal: number;
  nTrust: number;
  points?: Point[] | undefined;
  keys?: string[] | undefined;
}

/**
 * Scoring 10 000 candidates with every tree costs more than the fit once the trees are deep;
 * a fifth of the trees rank them well enough to keep the best tenth (of each pool, uniform and
 * local) for the full forest. Small candidate sets go through whole. `distance`: each
 * candidate's distance term (ScoredCandidates.distance), or null.
 */
export function screenCandidates(
  forest: Forest,
  cands: CandidateSet,
  acq: Acquisition,
  best: number,
  distance: Float64Array | null,
): { cands: CandidateSet; sc: ScoredCandidates } {
  if (cands.n <= 2 * SCREEN_KEEP || forest.nTrees <= SCREEN_TREES) {
    const sc = forest.score(cands.X, cands.n);
    sc.distance = distance;
    return { cands, sc };
  }
  const d = forest.d;
  const rough = forest.score(cands.X, cands.n, SCREEN_TREES);
  rough.distance = distance;
  const keepLocal = Math.round((SCREEN_KEEP * cands.nLocal) / cands.n);
  const keepTrust = Math.round((SCREEN_KEEP * cands.nTrust) / cands.n);
  const uniform = cands.nLocal + cands.nTrust;
  const kept = [
    ...topByUtility(rough, acq, best, 0, cands.nLocal, keepLocal),
    ...topByUtility(rough, acq, best, cands.nLocal, uniform, keepTrust),
    ...topByUtility(rough, acq, best, uniform, cands.n, SCREEN_KEEP - keepLocal - keepTrust),
  ];
  const X = new Float64Array(kept.length * d);
  for (let r = 0; r < kept.length; r++) for (let j = 0, c = kept[r]! * d; j < d; j++) X[r * d + j] = cands.X[c + j]!;
  const narrowed: CandidateSet = {
    X,
    n: kept.length,
    nLocal: keepLocal,
    nTrust: Math.min(keepTrust, cands.nTrust),
    points: cands.points && kept.map((c) => cands.points![c]!),
    keys: cands.keys && kept.map((c) => cands.keys![c]!),
  };
  // The kept ones went through the screening trees already: only the others route them.
  const sc = forest.rescore(rough, kept, X);
  sc.distance = distance && Float64Array.from(kept, (c) => distance[c]!);
  return { cands: narrowed, sc };
}

/**
 * A step of local search on the acquisition: neighbours of the best uniform candidates join
 * the uniform pool. Perturbing the best observations instead (more local candidates) stalls
 * the search in Ackley's ripples; perturbing the acquisition's optimum keeps its balance of
 * exploration and only finds that optimum more exactly. `count`: the space's hyperparameters.
 */
export function refineCandidates(
  forest: Forest,
  cands: CandidateSet,
  sc: ScoredCandidates,
  acq: Acquisition,
  best: number,
  sampler: CandidateSampler,
  rng: Rng,
  count: number,
): { cands: CandidateSet; sc: ScoredCandidates } {
  const d = sampler.dim;
  const top = topByUtility(sc, acq, best, cands.nLocal + cands.nTrust, cands.n, REFINE_TOP);
  const X = new Float64Array(top.length * REFINE_PER * d);
  const pMove = Math.min(1, 2 / Math.max(1, count));
  let r = 0;
  for (const c of top) {
    const centre = cands.X.subarray(c * d, c * d + d);
    for (let m = 0; m < REFINE_PER; m++) {
      const scale = REFINE_SCALE_MIN * Math.pow(REFINE_SCALE_MAX / REFINE_SCALE_MIN, rng.next());
      sampler.perturb(rng, centre, scale, pMove, X, r++);
    }
  }
  if (sampler.repairs) r = sampler.repair(rng, X, 0, r);
  const all = forest.extend(sc, X, r);
  return { cands: { X: all.X, n: all.n, nLocal: cands.nLocal, nTrust: cands.nTrust }, sc: all };
}

/**
 * Indices of the k candidates in [from, to) with the best acquisition, best first (ties: lower
 * index first). The k-th best value is found by selection on a copy; only the k kept are sorted
 * with a comparator (sorting all 9 000 of a screen that way took a tenth of an ask).
 */
export function topByUtility(sc: ScoredCandidates, acq: Acquisition, best: number, from: number, to: number, k: number): number[] {
  const m = to - from;
  if (k <= 0 || m <= 0) return [];
  const value = new Float64Array(m);
  for (let c = from; c < to; c++) value[c - from] = utility(acq, sc.mean(c), sc.std(c), best);
  const kth = selectKth(value.slice(), m - Math.min(k, m));
  const kept: number[] = [];
  for (let i = 0; i < m; i++) if (value[i]! > kth) kept.push(i);
  for (let i = 0; i < m && kept.length < k; i++) if (value[i] === kth) kept.push(i);
  // Comparisons rather than a difference: the comparator then returns small integers (see gaussianRankValues).
  kept.sort((a, b) => {
    const va = value[a]!;
    const vb = value[b]!;
    return vb < va ? -1 : vb > va ? 1 : a - b;
  });
  return kept.map((i) => from + i);
}

/** The value at index j of a in ascending order (a is reordered): Hoare's quickselect. */
function selectKth(a: Float64Array, j: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let k = hi;
    while (i <= k) {
      while (a[i]! < pivot) i++;
      while (a[k]! > pivot) k--;
      if (i <= k) {
        const t = a[i]!;
        a[i] = a[k]!;
        a[k] = t;
        i++;
        k--;
      }
    }
    if (j <= k) hi = k;
    else if (j >= i) lo = i;
    else return a[j]!;
  }
  return a[j]!;
}

/**
 * The loss's mid-rank among the observed losses, mapped through the normal quantile (a
 * Gaussian copula). Only the order of the losses matters, so a few very bad evaluations do not
 * squash the differences among the good ones that the search must resolve.
 */
export function gaussianRanks(losses: number[]): (loss: number) => number {
  const sorted = Float64Array.from(losses).sort();
  const n = sorted.length;
  return (loss) => {
    const less = lowerBound(sorted, loss);
    let equal = 0;
    while (less + equal < n && sorted[less + equal] === loss) equal++;
    return midRankQuantile(less, equal, n);
  };
}

/**
 * gaussianRanks' value for each of `losses` at once, and their order from the lowest (ties by
 * position): one sort, then each run of equal losses gets the value of its mid-rank, instead of
 * a search and a quantile per loss (at 20 000 evaluations a sixth of an ask). The same counts go
 * into the same arithmetic, so the values are the same.
 */
export function gaussianRankValues(losses: readonly number[]): { z: Float64Array; order: number[] } {
  const n = losses.length;
  const order: number[] = [];
  for (let i = 0; i < n; i++) order.push(i);
  // The order of (loss, position) pairs, a total order: any sort gives the same. Comparisons, not
  // a difference, so the comparator returns small integers (V8 boxes a double it returns).
  order.sort((a, b) => {
    const la = losses[a]!;
    const lb = losses[b]!;
    return la < lb ? -1 : la > lb ? 1 : a - b;
  });
  const z = new Float64Array(n);
  for (let g = 0; g < n; ) {
    const loss = losses[order[g]!]!;
    let equal = 1;
    while (g + equal < n && losses[order[g + equal]!] === loss) equal++;
    const v = midRankQuantile(g, equal, n);
    for (let t = g; t < g + equal; t++) z[order[t]!] = v;
    g += equal;
  }
  return { z, order };
}

/** The normal quantile of the mid-rank of a loss with `less` losses below it and `equal` equal to it, among n. */
function midRankQuantile(less: number, equal: number, n: number): number {
  const u = Math.min(1 - 0.5 / n, Math.max(0.5 / n, (less + equal / 2) / n));
  return normalQuantile(u);
}

/** The first index of `sorted` (ascending) whose value is not below v. */
export function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
