// Candidate points for the acquisition, generated directly as unit-cube encodings: 10 000
// Point objects encoded through Space.encode (which validates each point) would cost more than
// the surrogate itself. Every generated vector lies on the space's lattice (ints and ordinals on
// encodings of real values, categoricals one-hot), so the vector that is scored is exactly the
// encoding of the point that Space.decode gives back for it. In a space with conditions or
// forbidden clauses, repair() then makes each vector the encoding of an allowed point (inactive
// columns set apart, newly active ones drawn) and drops the forbidden ones.
import { allValues, enumeratePoints } from "../../space/enumerate.js";
import { MAX_SAMPLE_TRIES, type Space } from "../../space/space.js";
import type { Point } from "../../space/types.js";
import type { Rng } from "../../util/rng.js";

/** Int ranges up to this many values are snapped to their lattice; wider ones are treated as continuous. */
const MAX_LATTICE = 10_000;

type Column =
  | { kind: "continuous"; offset: number }
  /** Sorted encodings of every value the column can take; log ints are drawn log-uniformly. */
  | { kind: "lattice"; offset: number; grid: Float64Array; log: boolean }
  | { kind: "onehot"; offset: number; width: number };

export class CandidateSampler {
  readonly dim: number;
  /** Vectors need repair(): the space has conditions or forbidden clauses. */
  readonly repairs: boolean;
  private readonly columns: Column[] = [];
  /** Every column a float (or a wide int) drawn uniformly: random() fills rows without dispatch. */
  private readonly allContinuous: boolean;
  /** The offsets of the columns that are axes (all but the categoricals' one-hot columns), ascending. */
  readonly axes: Int32Array;
  /** The categoricals' one-hot columns. */
  readonly onehots: { offset: number; width: number }[];
  /** The column of each hyperparameter that has one. */
  private readonly columnOf = new Map<string, Column>();
  private enumerated: { X: Float64Array; keys: string[]; points: Point[] } | null = null;

  constructor(private readonly space: Space) {
    this.dim = space.dim;
    this.repairs = space.conditional || space.constrained;
    // A valid point to vary one hyperparameter at a time when reading encodings off the space.
    const base = space.decode(new Float64Array(space.dim));
    let offset = 0;
    for (const param of space.params) {
      const before = this.columns.length;
      switch (param.type) {
        case "float":
          this.columns.push({ kind: "continuous", offset });
          offset += 1;
          break;
        case "int": {
          const count = param.high - param.low + 1;
          if (count > MAX_LATTICE) this.columns.push({ kind: "continuous", offset });
          else {
            const values = Array.from({ length: count }, (_, i) => param.low + i);
            const grid = this.encodings(base, param.name, offset, values);
            this.columns.push({ kind: "lattice", offset, grid, log: param.log });
          }
          offset += 1;
          break;
        }
        case "ordinal":
          this.columns.push({ kind: "lattice", offset, grid: this.encodings(base, param.name, offset, param.values), log: false });
          offset += 1;
          break;
        case "categorical":
          this.columns.push({ kind: "onehot", offset, width: param.values.length });
          offset += param.values.length;
          break;
        case "const":
          break;
      }
      if (this.columns.length > before) this.columnOf.set(param.name, this.columns[before]!);
    }
    this.onehots = this.columns.flatMap((c) => (c.kind === "onehot" ? [{ offset: c.offset, width: c.width }] : []));
    this.axes = Int32Array.from(this.columns.filter((c) => c.kind !== "onehot").map((c) => c.offset));
    this.allContinuous = this.columns.length === space.dim && this.columns.every((c, i) => c.kind === "continuous" && c.offset === i);
    if (offset !== space.dim) {
      throw new Error(`ambs: the space encodes ${space.dim} columns, its hyperparameters describe ${offset}`);
    }
  }

  /** Fills rows [from, from + n) of out with uniform draws (log ranges uniform in log space). */
  random(rng: Rng, out: Float64Array, from: number, n: number): void {
    const d = this.dim;
    if (this.allContinuous) {
      // Columns 0 .. d-1, each one draw: the same draws in the same order, without a call per value.
      for (let i = from * d; i < (from + n) * d; i++) out[i] = rng.next();
      return;
    }
    for (let r = from; r < from + n; r++) {
      const o = r * d;
      for (const col of this.columns) drawColumn(rng, col, out, o);
    }
  }

  /**
   * Draws again (up to `tries` times) each of rows [from, from + n) of out that lies within `gap` of
   * `centre` in every column (a categorical: the same value).
   */
  redrawNear(rng: Rng, out: Float64Array, from: number, n: number, centre: ArrayLike<number>, gap: number, tries: number): void {
    const d = this.dim;
    for (let r = from; r < from + n; r++) {
      const o = r * d;
      for (let t = 0; t < tries; t++) {
        let inside = true;
        for (let j = 0; j < d && inside; j++) inside = Math.abs(out[o + j]! - centre[j]!) <= gap;
        if (!inside) break;
        this.random(rng, out, r, 1);
      }
    }
  }

  /**
   * CMA-ES's recombination of the best points (`centres`, best first) for `count` hyperparameters:
   * of its default population 4 + floor(3 ln count), the better half (at most the centres there
   * are), weighted ln(mu + 1/2) - ln(i). The weighted mean on the continuous columns; the first
   * centre's value on the others and where a centre is inactive (INACTIVE lies outside [0, 1]).
   */
  recombine(centres: readonly ArrayLike<number>[], count: number): Float64Array {
    const mu = Math.min(centres.length, Math.floor((4 + Math.floor(3 * Math.log(count))) / 2));
    const raw: number[] = [];
    for (let i = 1; i <= mu; i++) raw.push(Math.log(mu + 0.5) - Math.log(i));
    const sum = raw.reduce((a, b) => a + b, 0);
    const weights = raw.map((v) => v / sum);
    const out = Float64Array.from(centres[0]!);
    for (const col of this.columns) {
      if (col.kind !== "continuous") continue;
      let v = 0;
      for (let i = 0; i < weights.length; i++) v += weights[i]! * centres[i]![col.offset]!;
      let active = true;
      for (let i = 0; i < weights.length && active; i++) active = centres[i]![col.offset]! >= 0;
      if (active) out[col.offset] = v;
    }
    return out;
  }

  /**
   * For a space with conditions or forbidden clauses: turns rows [from, from + n) of X into
   * encodings of allowed points, moved to the front of that range, and returns how many there are.
   * A row is decoded (which settles which hyperparameters are active); an active one whose column
   * holds the inactive encoding (a perturbed parent woke it up) gets a uniform draw; the point is
   * encoded back, so inactive columns read as inactive; a forbidden point is dropped. Also counts
   * the forbidden rows into `stats` when given.
   */
  repair(rng: Rng, X: Float64Array, from: number, n: number, stats?: { forbidden: number }): number {
    const d = this.dim;
    let kept = from;
    for (let r = from; r < from + n; r++) {
      const o = r * d;
      let p = this.space.decode(X.subarray(o, o + d));
      // Each pass can wake a child of a child: at most one pass per level.
      for (let pass = 0; pass < this.space.params.length; pass++) {
        let woke = false;
        for (const c of this.space.conditions) {
          const col = this.columnOf.get(c.child);
          if (col === undefined || !(c.child in p) || !isInactive(col, X, o)) continue;
          drawColumn(rng, col, X, o);
          woke = true;
        }
        if (!woke) break;
        p = this.space.decode(X.subarray(o, o + d));
      }
      if (this.space.isForbidden(p)) {
        if (stats) stats.forbidden++;
        continue;
      }
      this.space.encodeTrusted(p, X, kept * d);
      kept++;
    }
    return kept - from;
  }

  /**
   * Writes into row r of out a neighbour of x: each hyperparameter moves with probability
   * `pMove` (at least one does), numeric ones by a gaussian step of `scale` in the unit cube
   * (snapped to the lattice, and at least one lattice step so ints do move), categoricals to
   * another value. With `trust` (a trust region's candidate, docs/architecture.md, ambs) an int
   * may stay (a small region refines the floats around it) and a categorical moves with
   * probability `scale` only.
   */
  perturb(rng: Rng, x: ArrayLike<number>, scale: number, pMove: number, out: Float64Array, r: number, trust = false): void {
    const d = this.dim;
    const o = r * d;
    for (let j = 0; j < d; j++) out[o + j] = x[j]!;
    const cols = this.columns;
    if (cols.length === 0) return;
    const forced = Math.floor(rng.next() * cols.length);
    for (let i = 0; i < cols.length; i++) {
      if (i !== forced && rng.next() >= pMove) continue;
      const col = cols[i]!;
      const at = o + col.offset;
      if (col.kind === "onehot") {
        // In a trust region a categorical changes with probability its length, so most
        // candidates refine the incumbent's category rather than leave it.
        if (col.width < 2 || (trust && rng.next() >= scale)) continue;
        let cur = 0;
        for (let j = 1; j < col.width; j++) if (out[at + j]! > out[at + cur]!) cur = j;
        const next = (cur + 1 + Math.floor(rng.next() * (col.width - 1))) % col.width;
        out[at + cur] = 0;
        out[at + next] = 1;
      } else if (col.kind === "lattice") {
        const grid = col.grid;
        if (grid.length < 2) continue;
        const cur = nearest(grid, out[at]!);
        let k = nearest(grid, clamp01(out[at]! + scale * rng.normal()));
        if (k === cur && !trust) k = cur === 0 ? 1 : cur === grid.length - 1 ? cur - 1 : cur + (rng.next() < 0.5 ? -1 : 1);
        out[at] = grid[k]!;
      } else out[at] = clamp01(out[at]! + scale * rng.normal());
    }
  }

  /**
   * Every point of a finite space as encodings, keys and points, computed once; null when the
   * space has more than `limit` points (or is continuous).
   */
  enumerate(limit: number): { X: Float64Array; keys: string[]; points: Point[] } | null {
    const size = this.space.size();
    if (size > limit || !this.space.sizeIsExact()) return null;
    if (this.enumerated) return this.enumerated;
    if (this.repairs) {
      const points = enumeratePoints(this.space, allValues, limit) ?? [];
      const X = new Float64Array(points.length * this.dim);
      points.forEach((p, r) => this.space.encodeTrusted(p, X, r * this.dim));
      this.enumerated = { X, keys: points.map((p) => this.space.key(p)), points };
      return this.enumerated;
    }
    const d = this.dim;
    const X = new Float64Array(size * d);
    // Mixed-radix counting over each column's choices.
    const radix = this.columns.map((c) => (c.kind === "onehot" ? c.width : c.kind === "lattice" ? c.grid.length : 1));
    const digit = new Array<number>(radix.length).fill(0);
    for (let r = 0; r < size; r++) {
      this.columns.forEach((col, i) => {
        const k = digit[i]!;
        if (col.kind === "onehot") X[r * d + col.offset + k] = 1;
        else if (col.kind === "lattice") X[r * d + col.offset] = col.grid[k]!;
      });
      for (let i = 0; i < radix.length; i++) {
        if (++digit[i]! < radix[i]!) break;
        digit[i] = 0;
      }
    }
    const points: Point[] = [];
    const keys: string[] = [];
    for (let r = 0; r < size; r++) {
      const p = this.space.decode(X.subarray(r * d, r * d + d));
      points.push(p);
      keys.push(this.space.key(p));
    }
    this.enumerated = { X, keys, points };
    return this.enumerated;
  }

  private encodings(base: Point, name: string, offset: number, values: Point[string][]): Float64Array {
    // Trusted: in a conditional space `name` may be inactive in base, which encode() would refuse.
    const grid = Float64Array.from(values, (v) => this.space.encodeTrusted({ ...base, [name]: v })[offset]!);
    return grid.sort();
  }
}

/** Tries at which a space whose draws are all forbidden stops the search (as Space.sample does). */
export const MAX_REPAIR_TRIES = MAX_SAMPLE_TRIES;

/** A uniform draw of one column into row o of out. */
function drawColumn(rng: Rng, col: Column, out: Float64Array, o: number): void {
  if (col.kind === "onehot") {
    for (let j = 0; j < col.width; j++) out[o + col.offset + j] = 0;
    out[o + col.offset + Math.floor(rng.next() * col.width)] = 1;
  } else if (col.kind === "lattice") {
    // As Space.sample: choices and linear ints uniform over values, log ints uniform in log space.
    const g = col.grid;
    out[o + col.offset] = col.log ? g[nearest(g, rng.next())]! : g[Math.floor(rng.next() * g.length)]!;
  } else out[o + col.offset] = rng.next();
}

/** Whether the column of row o holds the inactive encoding (below the cube, or no one-hot set). */
function isInactive(col: Column, X: Float64Array, o: number): boolean {
  if (col.kind !== "onehot") return X[o + col.offset]! < 0;
  for (let j = 0; j < col.width; j++) if (X[o + col.offset + j]! > 0) return false;
  return true;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Index of the grid value nearest to v (grid sorted ascending). */
function nearest(grid: Float64Array, v: number): number {
  let lo = 0;
  let hi = grid.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (grid[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && v - grid[lo - 1]! < grid[lo]! - v ? lo - 1 : lo;
}
