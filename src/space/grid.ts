// Grid expansion of a Space with Determined's rules (docs/architecture.md, ambs, random, grid):
// `count` points per numeric range, endpoints included, log ranges spaced in log space, `count: 1`
// the (log) midpoint, integer values rounded and their duplicates removed, categoricals and
// ordinals every value, a const its value.
// The grid is the Cartesian product with the FIRST hyperparameter varying SLOWEST (Determined's
// cartesianProduct nests the first name outermost), so point i is computed directly from i
// (mixed radix) and a searcher's state is a single index. With conditions or forbidden clauses the
// grid holds only allowed points whose inactive hyperparameters are left out, each once: it is
// enumerated (src/space/enumerate.ts), parents first, and point i is the i-th of that list.
import { ValidationError } from "../errors.js";
import { enumeratePoints } from "./enumerate.js";
import { cloneJson } from "./json.js";
import type { Space } from "./space.js";
import type { Hyperparameter, JsonValue, Point } from "./types.js";

/** Points per numeric range when neither the option nor the problem gives a count. */
export const DEFAULT_GRID_COUNT = 5;

export interface GridCounts {
  /** Points per numeric range without its own count. */
  count: number;
  /** Per-hyperparameter counts (Determined's `count` key), by name. */
  perName: Record<string, number>;
}

/** One axis of the grid: a hyperparameter and the values it takes, in grid order. */
export interface GridAxis {
  name: string;
  values: JsonValue[];
}

/** Determined (Go) rounds halves away from zero; Math.round rounds -2.5 to -2. */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** The values one hyperparameter takes on the grid. count applies to int and float ranges only. */
export function gridValues(param: Hyperparameter, count: number): JsonValue[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new ValidationError(`grid count for '${param.name}' must be a whole number of at least 1 (got ${count})`, `e.g. --grid-count ${DEFAULT_GRID_COUNT}`);
  }
  switch (param.type) {
    case "const":
      return [cloneJson(param.value)];
    case "categorical":
    case "ordinal":
      return param.values.map((v) => cloneJson(v));
    case "float":
      return rangeValues(param.low, param.high, param.log, count);
    case "int": {
      // Determined clamps the count to the number of integers, so a small range is enumerated whole.
      const n = param.log ? count : Math.min(count, param.high - param.low + 1);
      const rounded = rangeValues(param.low, param.high, param.log, n).map(roundHalfAway);
      // Log spacing packs points at the low end, where several round to the same integer.
      return [...new Set(rounded)];
    }
  }
}

function rangeValues(low: number, high: number, log: boolean, count: number): number[] {
  if (count === 1) return [log ? Math.sqrt(low * high) : (low + high) / 2];
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const u = i / (count - 1);
    // Endpoints are returned exactly: low + (high - low) and exp(log(x)) may miss by an ulp, and a
    // value outside [low, high] would fail the space's membership check.
    if (i === 0) values.push(low);
    else if (i === count - 1) values.push(high);
    else {
      const v = log ? Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))) : low + u * (high - low);
      values.push(Math.min(high, Math.max(low, v)));
    }
  }
  return values;
}

/** Checks the counts against the space (unknown names are a typo the user wants to hear about). */
export function checkGridCounts(space: Space, counts: GridCounts): void {
  if (!Number.isInteger(counts.count) || counts.count < 1) {
    throw new ValidationError(`--grid-count must be a whole number of at least 1 (got ${JSON.stringify(counts.count)})`, `e.g. --grid-count ${DEFAULT_GRID_COUNT} (points per numeric range)`);
  }
  for (const [name, n] of Object.entries(counts.perName)) {
    if (!space.names.includes(name)) {
      throw new ValidationError(
        `grid count given for unknown hyperparameter '${name}'`,
        `hyperparameters of this problem: ${space.names.join(", ")}`,
      );
    }
    if (!Number.isInteger(n) || n < 1) {
      throw new ValidationError(`grid count of '${name}' must be a whole number of at least 1 (got ${JSON.stringify(n)})`, `set its count to 1 or more in the problem file (YAML 'count: ${DEFAULT_GRID_COUNT}')`);
    }
  }
}

/** The axes of the grid, in the space's hyperparameter order. */
export function gridAxes(space: Space, counts: GridCounts): GridAxis[] {
  checkGridCounts(space, counts);
  return space.params.map((p) => ({ name: p.name, values: gridValues(p, counts.perName[p.name] ?? counts.count) }));
}

/** Points a conditional or constrained grid may have: it is held in memory. */
export const MAX_LISTED_GRID = 1_000_000;

/** A grid: its number of points and point number i (0-based). */
export interface Grid {
  size: number;
  point(index: number): Point;
}

/** The grid of a space: mixed radix over the axes, or the list of allowed points of a conditional or constrained space. */
export function buildGrid(space: Space, counts: GridCounts): Grid {
  const axes = gridAxes(space, counts);
  if (!space.conditional && !space.constrained) return { size: axesSize(axes), point: (i) => gridPoint(axes, i) };
  const byName = new Map(axes.map((a) => [a.name, a.values]));
  const points = enumeratePoints(space, (p) => byName.get(p.name)!, MAX_LISTED_GRID);
  if (points === null) {
    throw new ValidationError(
      `the grid has more than ${MAX_LISTED_GRID} allowed points`,
      "lower grid_count or the per-hyperparameter counts",
    );
  }
  if (points.length === 0) {
    throw new ValidationError("no point of the grid is allowed by the forbidden clauses and constraints", "raise grid_count, or narrow the forbidden clauses");
  }
  return { size: points.length, point: (i) => structuredClone(points[i]!) };
}

/** Number of points of the grid (what `--max-evals` defaults to for the grid searcher). */
export function gridSize(space: Space, counts: GridCounts): number {
  return buildGrid(space, counts).size;
}

export function axesSize(axes: readonly GridAxis[]): number {
  let n = 1;
  for (const axis of axes) n *= axis.values.length;
  if (!Number.isSafeInteger(n)) {
    throw new ValidationError(`the grid has too many points (${n})`, "lower --grid-count or the per-hyperparameter counts");
  }
  return n;
}

/** Point number `index` (0-based) of the grid: the last axis varies fastest. */
export function gridPoint(axes: readonly GridAxis[], index: number): Point {
  const p: Point = {};
  let rest = index;
  for (let a = axes.length - 1; a >= 0; a--) {
    const { name, values } = axes[a]!;
    p[name] = cloneJson(values[rest % values.length]!);
    rest = Math.floor(rest / values.length);
  }
  // Keys in the space's order, as every other point of the system.
  return Object.fromEntries(axes.map((a) => [a.name, p[a.name]!]));
}
