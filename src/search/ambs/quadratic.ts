// The local quadratic step of the ambs searcher (docs/architecture.md, ambs, random, grid): a
// quadratic model of the loss fitted by least squares on the results nearest the incumbent, judged
// by its leave-one-out fit, and its minimiser over the trust region. Trees model a smooth valley
// as steps, flat within each leaf: where the loss is locally quadratic (the conditioned and valley
// problems of bench/suite) the model's minimiser is a step the forest never ranks first. The
// model's axes are the numeric columns; categoricals are held at the incumbent's values, or, once
// the best result has stood for a while (trust.ts, staleness), at another group's (staleGroup).
import type { Rng } from "../../util/rng.js";
import type { CandidateSampler } from "./candidates.js";

/** Leave-one-out R² below which the model is not used. */
const QUAD_MIN_R2 = 0.5;
/** The Newton point is clamped to this many region lengths around the incumbent. */
const QUAD_BOX = 2;
/** Gaussian steps of the region's length around the incumbent, scored by the model beside the Newton point. */
const QUAD_DRAWS = 500;
/** A step within this many region lengths of a pending point (max norm) is not taken again. */
const QUAD_GAP = 0.1;
/** Draws of gaussianStep before it gives up on finding one away from the pending points. */
const GAUSSIAN_TRIES = 20;

export interface Quadratic {
  d: number;
  /** Full (every product z_i z_j) or diagonal (z_i² only). */
  full: boolean;
  centre: Float64Array;
  scale: number;
  coef: Float64Array;
  /** Leave-one-out R² of the fit, on the loss standardised over the rows it was fitted on. */
  r2: number;
  /** The best loss among the rows, on the model's scale. */
  best: number;
}

function features(d: number, full: boolean, z: ArrayLike<number>, out: Float64Array): void {
  out[0] = 1;
  for (let i = 0; i < d; i++) out[1 + i] = z[i]!;
  let k = 1 + d;
  if (full) {
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) out[k++] = z[i]! * z[j]!;
  } else for (let i = 0; i < d; i++) out[k++] = z[i]! * z[i]!;
}

function width(d: number, full: boolean): number {
  return full ? 1 + d + (d * (d + 1)) / 2 : 1 + 2 * d;
}

/** Cholesky factor (lower, in place) of an n x n symmetric matrix; false when not positive definite. */
function cholesky(A: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let s = A[j * n + j]!;
    for (let k = 0; k < j; k++) s -= A[j * n + k]! * A[j * n + k]!;
    if (!(s > 0)) return false;
    const l = Math.sqrt(s);
    A[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let t = A[i * n + j]!;
      for (let k = 0; k < j; k++) t -= A[i * n + k]! * A[j * n + k]!;
      A[i * n + j] = t / l;
    }
  }
  return true;
}

/** Solves L L^T x = b in place (L from cholesky). */
function cholSolve(L: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * b[k]!;
    b[i] = s / L[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * b[k]!;
    b[i] = s / L[i * n + i]!;
  }
}

/**
 * The k rows nearest `centre`, nearest first (ties: the earlier row first), by insertion into a
 * sorted list of k: a search of 20 000 results sorts none of them.
 */
function nearest(xs: readonly ArrayLike<number>[], centre: ArrayLike<number>, d: number, k: number): { i: number; s: number }[] {
  const out: { i: number; s: number }[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    let s = 0;
    for (let j = 0; j < d; j++) s += (x[j]! - centre[j]!) ** 2;
    if (out.length === k && s >= out[k - 1]!.s) continue;
    let at = out.length;
    while (at > 0 && out[at - 1]!.s > s) at--;
    out.splice(at, 0, { i, s });
    if (out.length > k) out.pop();
  }
  return out;
}

/**
 * Fits the quadratic on the rows nearest `centre` (2 x its coefficients, or all there are): full
 * when there are 1.5 x its coefficients, else diagonal, else null.
 */
export function fitQuadratic(xs: readonly ArrayLike<number>[], losses: readonly number[], centre: ArrayLike<number>, d: number): Quadratic | null {
  const n = xs.length;
  let full = true;
  if (n < 1.5 * width(d, true)) full = false;
  if (!full && n < 1.5 * width(d, false)) return null;
  const p = width(d, full);
  const rows = nearest(xs, centre, d, Math.min(n, 2 * p));
  const scale = Math.sqrt(rows[rows.length - 1]!.s) || 1;
  const K = rows.length;
  let mean = 0;
  for (const r of rows) mean += losses[r.i]!;
  mean /= K;
  let sst = 0;
  for (const r of rows) sst += (losses[r.i]! - mean) ** 2;
  const sd = Math.sqrt(sst / K);
  if (!(sd > 0) || !Number.isFinite(sd)) return null;
  const Phi = new Float64Array(K * p);
  const y = new Float64Array(K);
  const z = new Float64Array(d);
  rows.forEach((r, k) => {
    for (let j = 0; j < d; j++) z[j] = (xs[r.i]![j]! - centre[j]!) / scale;
    features(d, full, z, Phi.subarray(k * p, k * p + p));
    y[k] = (losses[r.i]! - mean) / sd;
  });
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let k = 0; k < K; k++) {
    const f = Phi.subarray(k * p, k * p + p);
    for (let i = 0; i < p; i++) {
      b[i] += f[i]! * y[k]!;
      for (let j = 0; j <= i; j++) A[i * p + j] += f[i]! * f[j]!;
    }
  }
  let trace = 0;
  for (let i = 0; i < p; i++) trace += A[i * p + i]!;
  for (let i = 0; i < p; i++) {
    A[i * p + i] += 1e-6 * (trace / p) + 1e-12;
    for (let j = 0; j < i; j++) A[j * p + i] = A[i * p + j]!;
  }
  if (!cholesky(A, p)) return null;
  const coef = Float64Array.from(b);
  cholSolve(A, p, coef);
  // Leave-one-out residuals through the hat matrix's diagonal.
  let press = 0;
  const v = new Float64Array(p);
  let best = Infinity;
  for (let k = 0; k < K; k++) {
    const f = Phi.subarray(k * p, k * p + p);
    v.set(f);
    cholSolve(A, p, v);
    let h = 0;
    let fit = 0;
    for (let i = 0; i < p; i++) {
      h += f[i]! * v[i]!;
      fit += f[i]! * coef[i]!;
    }
    const e = (y[k]! - fit) / Math.max(1e-6, 1 - h);
    press += e * e;
    best = Math.min(best, y[k]!);
  }
  const r2 = 1 - press / K;
  return { d, full, centre: Float64Array.from(centre as ArrayLike<number>), scale, coef, r2, best };
}

/** A quadratic model and the best result it is centred on (its full encoding). */
export interface LocalModel {
  q: Quadratic;
  centre: Float64Array;
}

/**
 * The model of `rows` (encodings and losses, best first) on the columns `axes`: the best row is the
 * centre, and only the rows with its values off the axes (its categoricals) are fitted.
 */
export function fitLocalModel(rows: readonly { x: Float64Array; loss: number }[], axes: Int32Array): LocalModel | null {
  if (rows.length === 0) return null;
  const centre = rows[0]!.x;
  const all = axes.length === centre.length;
  const xs: Float64Array[] = [];
  const losses: number[] = [];
  for (const r of rows) {
    if (!all && !sameOffAxes(r.x, centre, axes)) continue;
    xs.push(all ? r.x : Float64Array.from(axes, (c) => r.x[c]!));
    losses.push(r.loss);
  }
  const q = fitQuadratic(xs, losses, xs[0]!, axes.length);
  return q ? { q, centre } : null;
}

/** What the step works on in one ask: a model (or none yet), the best row it is centred on, the trust region's length. */
export interface LocalTarget {
  model: LocalModel | null;
  centre: Float64Array;
  length: number;
  /** Another group's than the incumbent's (staleGroup). */
  other: boolean;
}

/**
 * What the step works on this ask: the model of the incumbent's categorical values (fitLocalModel
 * on `rows`, best first), or, with categoricals once the best has stood (trust.ts, staleness:
 * `level` >= 1 since the result at index `at`), another group's (staleGroup): centred on that
 * group's best row, its model null while it has too few results. Null when there is nothing.
 */
export function localTarget(
  rows: readonly { x: Float64Array; loss: number; i: number }[],
  axes: Int32Array,
  at: number,
  level: number,
): Omit<LocalTarget, "length"> | null {
  const g = rows.length > 0 && axes.length < rows[0]!.x.length ? staleGroup(rows, axes, at, level) : 0;
  if (g > 0) return { model: fitLocalModel([rows[g]!, ...rows.slice(0, g), ...rows.slice(g + 1)], axes), centre: rows[g]!.x, other: true };
  const model = fitLocalModel(rows, axes);
  return model && { model, centre: model.centre, other: false };
}

/**
 * The step's point for `t`: a category probe (`seen`: results and pending points; empty without
 * categoricals), else the model's step, else a gaussian one; null when none is away from `pending`.
 */
export function localStep(
  t: LocalTarget,
  sampler: CandidateSampler,
  rng: Rng,
  pending: readonly ArrayLike<number>[],
  seen: readonly ArrayLike<number>[],
): Float64Array | null {
  const { axes } = sampler;
  const probe = seen.length > 0 ? categoryProbe(t.centre, axes, sampler.onehots, t.length, seen) : null;
  if (probe) return probe;
  const step = t.model && quadraticStep(t.model.q, t.model.centre, axes, t.length, sampler, rng, pending);
  // The forest's picks stay around the incumbent: another group's results come from these steps.
  return step || !t.other ? step : gaussianStep(t.centre, axes, t.length, sampler, rng, pending);
}

/** Whether x has centre's values off the axes. */
function sameOffAxes(x: Float64Array, centre: Float64Array, axes: Int32Array): boolean {
  for (let c = 0, a = 0; c < x.length; c++) {
    if (a < axes.length && axes[a] === c) a++;
    else if (x[c] !== centre[c]) return false;
  }
  return true;
}

/** The model's (standardised) loss at x. */
export function quadValue(q: Quadratic, x: ArrayLike<number>): number {
  const d = q.d;
  let s = q.coef[0]!;
  let k = 1 + d;
  for (let i = 0; i < d; i++) {
    const zi = (x[i]! - q.centre[i]!) / q.scale;
    s += q.coef[1 + i]! * zi;
    if (q.full) {
      for (let j = i; j < d; j++) s += q.coef[k++]! * zi * ((x[j]! - q.centre[j]!) / q.scale);
    } else s += q.coef[k++]! * zi * zi;
  }
  return s;
}

/** The model's stationary point when its Hessian is positive definite (in x), else null. */
export function quadNewton(q: Quadratic): Float64Array | null {
  const d = q.d;
  const H = new Float64Array(d * d);
  const g = new Float64Array(d);
  for (let i = 0; i < d; i++) g[i] = -q.coef[1 + i]!;
  let k = 1 + d;
  if (q.full) {
    for (let i = 0; i < d; i++)
      for (let j = i; j < d; j++) {
        const c = q.coef[k++]!;
        if (i === j) H[i * d + i] = 2 * c;
        else {
          H[i * d + j] = c;
          H[j * d + i] = c;
        }
      }
  } else for (let i = 0; i < d; i++) H[i * d + i] = 2 * q.coef[k++]!;
  if (!cholesky(H, d)) return null;
  cholSolve(H, d, g);
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) out[i] = q.centre[i]! + q.scale * g[i]!;
  return out;
}

/**
 * The local quadratic step: the point, among the model's Newton point (clamped to the box of
 * QUAD_BOX region lengths around `centre`, the incumbent) and QUAD_DRAWS gaussian steps of the
 * region's `length` (on the axes: the categoricals stay the incumbent's), with the lowest modelled
 * loss below the best result's, away from the pending points; null when the fit is poor
 * (QUAD_MIN_R2) or no such point exists.
 */
export function quadraticStep(
  q: Quadratic,
  centre: Float64Array,
  axes: Int32Array,
  length: number,
  sampler: CandidateSampler,
  rng: Rng,
  pending: Iterable<ArrayLike<number>>,
): Float64Array | null {
  if (q.r2 < QUAD_MIN_R2) return null;
  const D = centre.length;
  const d = q.d;
  const hw = QUAD_BOX * length;
  const X = new Float64Array((QUAD_DRAWS + 1) * D);
  const newton = quadNewton(q);
  let first = 0;
  if (newton) {
    X.set(centre);
    for (let j = 0; j < d; j++) {
      const c = centre[axes[j]!]!;
      X[axes[j]!] = Math.min(1, Math.max(0, Math.min(c + hw, Math.max(c - hw, newton[j]!))));
    }
    first = 1;
  }
  const fixed = offAxisColumns(D, axes);
  for (let r = first; r < QUAD_DRAWS + 1; r++) {
    sampler.perturb(rng, centre, length, 1, X, r, true);
    for (const c of fixed) X[r * D + c] = centre[c]!;
  }
  const gap = QUAD_GAP * length;
  const held = [...pending];
  const z = new Float64Array(d);
  let arg = -1;
  let top = q.best;
  for (let r = 0; r < QUAD_DRAWS + 1; r++) {
    const x = X.subarray(r * D, r * D + D);
    for (let j = 0; j < d; j++) z[j] = x[axes[j]!]!;
    const v = quadValue(q, z);
    if (!(v < top) || nearAny(held, x, gap)) continue;
    top = v;
    arg = r;
  }
  return arg < 0 ? null : X.slice(arg * D, arg * D + D);
}

/**
 * A categorical probe: the incumbent `centre` with one categorical set to another value, when no
 * point `seen` (results and pending) has that value within `length` of the incumbent on the axes.
 * The step refines the incumbent's category only; a category tried only with random values of the
 * numeric hyperparameters never looks better to the forest, so each is tried once near the
 * incumbent per region. Null when every value has been.
 */
export function categoryProbe(
  centre: Float64Array,
  axes: Int32Array,
  onehots: readonly { offset: number; width: number }[],
  length: number,
  seen: readonly ArrayLike<number>[],
): Float64Array | null {
  for (const g of onehots) {
    for (let v = 0; v < g.width; v++) {
      if (centre[g.offset + v] === 1) continue;
      const near = seen.some((x) => {
        if (x[g.offset + v] !== 1) return false;
        for (let a = 0; a < axes.length; a++) if (Math.abs(x[axes[a]!]! - centre[axes[a]!]!) > length) return false;
        return true;
      });
      if (near) continue;
      const probe = Float64Array.from(centre);
      for (let j = 0; j < g.width; j++) probe[g.offset + j] = j === v ? 1 : 0;
      return probe;
    }
  }
  return null;
}

/** The values of x off the axes (its categoricals), as a key. */
function offAxesKey(x: Float64Array, axes: Int32Array): string {
  let k = "";
  for (let c = 0, a = 0; c < x.length; c++) {
    if (a < axes.length && axes[a] === c) a++;
    else k += x[c]! + ",";
  }
  return k;
}

/**
 * The categorical values the step works on at staleness `level` (trust.ts, staleness): the
 * incumbent's are worked out, and each level moves to the next of the other groups of categorical
 * values that had fewer results than a diagonal model needs when the best went stale (the
 * observations up to index `at`), best result first. A category whose optimum lies elsewhere
 * (bench/suite's cat-offset) was otherwise only tried at the incumbent's floats. Returns the index
 * in `rows` (best first) of that group's best row now, or 0 (the incumbent) when none.
 */
export function staleGroup(rows: readonly { x: Float64Array; i: number }[], axes: Int32Array, at: number, level: number): number {
  if (level < 1 || rows.length === 0) return 0;
  const min = Math.ceil(1.5 * width(axes.length, false));
  const keys = rows.map((r) => offAxesKey(r.x, axes));
  const counts = new Map<string, number>();
  rows.forEach((r, n) => {
    if (r.i <= at) counts.set(keys[n]!, (counts.get(keys[n]!) ?? 0) + 1);
  });
  // Map keys keep their first insertion: the groups ranked by their best result.
  const open = [...counts].filter(([k, n]) => k !== keys[0] && n < min).map(([k]) => k);
  if (open.length === 0) return 0;
  return keys.indexOf(open[(level - 1) % open.length]!);
}

/**
 * A gaussian step of the region's `length` around `centre` on the axes (its categoricals kept),
 * away from the pending points, or null: the step in a group with too few results for a model.
 */
export function gaussianStep(
  centre: Float64Array,
  axes: Int32Array,
  length: number,
  sampler: CandidateSampler,
  rng: Rng,
  pending: readonly ArrayLike<number>[],
): Float64Array | null {
  const X = new Float64Array(centre.length);
  const fixed = offAxisColumns(centre.length, axes);
  for (let t = 0; t < GAUSSIAN_TRIES; t++) {
    sampler.perturb(rng, centre, length, 1, X, 0, true);
    for (const c of fixed) X[c] = centre[c]!;
    if (!nearAny(pending, X, QUAD_GAP * length)) return X;
  }
  return null;
}

/** The columns of a D-column encoding that are not axes (the categoricals' one-hot columns). */
function offAxisColumns(D: number, axes: Int32Array): number[] {
  const fixed: number[] = [];
  if (D !== axes.length) for (let c = 0; c < D; c++) if (!axes.includes(c)) fixed.push(c);
  return fixed;
}

/** Whether x is within `gap` of one of `points` on every column (max norm). */
function nearAny(points: readonly ArrayLike<number>[], x: ArrayLike<number>, gap: number): boolean {
  return points.some((p) => {
    for (let j = 0; j < x.length; j++) if (Math.abs(p[j]! - x[j]!) > gap) return false;
    return true;
  });
}
