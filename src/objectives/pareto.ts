// Pareto ranking and hypervolume of results with several objectives. Everything here works on
// losses (smaller is better): toLosses negates the objectives to maximize, so one dominance rule
// and one hypervolume serve every mix of directions.
import type { ObjectiveSpec } from "../space/types.js";

/** The values in declared order as losses: maximized objectives negated. */
export function toLosses(values: readonly number[], objectives: readonly ObjectiveSpec[]): number[] {
  return values.map((v, j) => (objectives[j]!.direction === "maximize" ? -v : v));
}

/** a dominates b: no worse in every objective and better in one (losses). */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let j = 0; j < a.length; j++) {
    if (a[j]! > b[j]!) return false;
    if (a[j]! < b[j]!) better = true;
  }
  return better;
}

/**
 * Indices of the non-dominated points (losses), in their given order. Points sorted by their first
 * loss can only be dominated by points before them, so each is checked against the front so far:
 * O(n x front size), not O(n^2).
 */
export function paretoFront(points: readonly (readonly number[])[], among?: readonly number[]): number[] {
  const idx = among ? [...among] : points.map((_, i) => i);
  idx.sort((a, b) => lexicographic(points[a]!, points[b]!) || a - b);
  const front: number[] = [];
  for (const i of idx) {
    if (!front.some((f) => dominates(points[f]!, points[i]!))) front.push(i);
  }
  return front.sort((a, b) => a - b);
}

function lexicographic(a: readonly number[], b: readonly number[]): number {
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return a[j]! - b[j]!;
  return 0;
}

/**
 * The Pareto rank of each point (losses): 1 for the non-dominated front, 2 for the front once the
 * first is removed, and so on (non-dominated sorting, as NSGA-II's). Equal points share a rank.
 * With `limit`, ranking stops once that many points are ranked; the rest get Infinity.
 */
export function paretoRanks(points: readonly (readonly number[])[], limit = Infinity): number[] {
  const ranks = new Array<number>(points.length).fill(Infinity);
  let left = points.map((_, i) => i);
  let ranked = 0;
  for (let rank = 1; left.length > 0 && ranked < limit; rank++) {
    const front = paretoFront(points, left);
    for (const i of front) ranks[i] = rank;
    ranked += front.length;
    const inFront = new Set(front);
    left = left.filter((i) => !inFront.has(i));
  }
  return ranks;
}

/**
 * The hypervolume dominated by the points (losses) and bounded by the reference point: the volume
 * of the union of the boxes [p, ref]. Points not strictly better than ref in every objective add
 * nothing. Exact: a sweep in 2-D, and in more dimensions slicing along the last objective (HSO),
 * which is fine for the fronts of a search (hundreds of points in 3-D).
 */
export function hypervolume(points: readonly (readonly number[])[], ref: readonly number[]): number {
  const inside = points.filter((p) => p.every((v, j) => v < ref[j]!));
  return volume(nonDominated(inside), ref);
}

function nonDominated(points: readonly (readonly number[])[]): (readonly number[])[] {
  const out: (readonly number[])[] = [];
  const keys = new Set<string>();
  for (const i of paretoFront(points)) {
    const key = points[i]!.join(",");
    if (!keys.has(key)) out.push(points[i]!);
    keys.add(key);
  }
  return out;
}

function volume(points: readonly (readonly number[])[], ref: readonly number[]): number {
  const k = ref.length;
  if (points.length === 0) return 0;
  if (k === 1) return ref[0]! - Math.min(...points.map((p) => p[0]!));
  if (k === 2) {
    // Sorted by the first loss, a front's second losses descend: a staircase of rectangles.
    const sorted = [...points].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    let total = 0;
    let ceiling = ref[1]!;
    for (const p of sorted) {
      if (p[1]! >= ceiling) continue;
      total += (ref[0]! - p[0]!) * (ceiling - p[1]!);
      ceiling = p[1]!;
    }
    return total;
  }
  // Slices between consecutive values of the last objective: in each, the points at or below
  // it form a (k-1)-dimensional front whose volume times the slice's depth is its share.
  const last = k - 1;
  const sorted = [...points].sort((a, b) => a[last]! - b[last]!);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const top = i + 1 < sorted.length ? sorted[i + 1]![last]! : ref[last]!;
    const depth = top - sorted[i]![last]!;
    if (depth <= 0) continue;
    const slice = nonDominated(sorted.slice(0, i + 1).map((p) => p.slice(0, last)));
    total += depth * volume(slice, ref.slice(0, last));
  }
  return total;
}

/**
 * The reference point (losses): each objective's declared reference, else the worst loss observed
 * for it. `declared` when every objective declares one (then the hypervolume of a search only grows).
 */
export function referencePoint(losses: readonly (readonly number[])[], objectives: readonly ObjectiveSpec[]): { point: number[]; declared: boolean } {
  const point = objectives.map((o, j) => {
    if (o.reference !== undefined) return o.direction === "maximize" ? -o.reference : o.reference;
    return losses.length === 0 ? NaN : Math.max(...losses.map((l) => l[j]!));
  });
  return { point, declared: objectives.every((o) => o.reference !== undefined) };
}
