// Enumeration of a discrete space's allowed points, respecting conditions and forbidden clauses:
// a depth-first walk over the hyperparameters, parents first, that branches only on active ones,
// so two points never differ only in an inactive value. Used to count a space (Space.size), to
// walk a conditional grid, and by AMBS on small finite spaces.
import { conditionHolds, forbiddenMatches, namesOf, parentsOf } from "./conditions.js";
import { cloneJson } from "./json.js";
import type { Condition, ConditionalHyperparameter, Forbidden, Hyperparameter, JsonValue, Point } from "./types.js";

/** What the walk reads of a Space (an interface, so that space.ts can count itself without an import cycle). */
export interface WalkableSpace {
  readonly names: readonly string[];
  readonly dependencyOrder: readonly Hyperparameter[];
  readonly conditions: readonly ConditionalHyperparameter[];
  readonly forbidden: readonly Forbidden[];
  readonly conditional: boolean;
  readonly constrained: boolean;
  readonly constraintCount: number;
  conditionOf(name: string): Condition | undefined;
  isForbidden(p: Point): boolean;
}

/** Walk leaves visited before a count gives up on exactness (see countPoints). */
const COUNT_LIMIT = 1_000_000;

/** How many values a hyperparameter takes (a float: infinitely many). */
export function choiceCount(param: Hyperparameter): number {
  switch (param.type) {
    case "float":
      return Infinity;
    case "int":
      return param.high - param.low + 1;
    case "categorical":
    case "ordinal":
      return param.values.length;
    case "const":
      return 1;
  }
}

/** Every value a discrete hyperparameter takes (ints: each integer). */
export function allValues(param: Hyperparameter): JsonValue[] {
  switch (param.type) {
    case "float":
      throw new RangeError(`allValues: '${param.name}' is continuous`);
    case "int":
      return Array.from({ length: param.high - param.low + 1 }, (_, i) => param.low + i);
    case "categorical":
    case "ordinal":
      return param.values.map((v) => cloneJson(v));
    case "const":
      return [cloneJson(param.value)];
  }
}

/**
 * The allowed points whose values come from valuesOf(param), the first hyperparameter of the
 * dependency order varying slowest (the space's order when there are no conditions); null as soon
 * as there are more than `limit`.
 */
export function enumeratePoints(space: WalkableSpace, valuesOf: (param: Hyperparameter) => readonly JsonValue[], limit: number): Point[] | null {
  const order = space.dependencyOrder;
  const values = order.map((p) => valuesOf(p));
  const when = order.map((p) => space.conditionOf(p.name));
  const out: Point[] = [];
  const partial: Point = {};
  const walk = (i: number): boolean => {
    if (i === order.length) {
      const p: Point = {};
      for (const n of space.names) if (n in partial) p[n] = cloneJson(partial[n] as JsonValue);
      if (space.isForbidden(p)) return true;
      out.push(p);
      return out.length <= limit;
    }
    const name = order[i]!.name;
    const c = when[i];
    if (c && !conditionHolds(c, partial)) return walk(i + 1);
    for (const v of values[i]!) {
      partial[name] = v;
      if (!walk(i + 1)) return false;
    }
    delete partial[name];
    return true;
  };
  return walk(0) ? out : null;
}

/**
 * The number of allowed points: Infinity when a float can be active. Only the hyperparameters
 * conditions or forbidden clauses read are branched on (all of them when constraint functions
 * exist, which may read anything); the others multiply. Beyond COUNT_LIMIT walk leaves the count is
 * the plain product, an upper bound (exact: false).
 */
export function countPoints(space: WalkableSpace, limit = COUNT_LIMIT): { count: number; exact: boolean } {
  const order = space.dependencyOrder;
  const when = order.map((p) => space.conditionOf(p.name));
  let product = 1;
  for (const p of order) product *= choiceCount(p);
  if (!space.conditional && !space.constrained) return { count: product, exact: true };
  const read = new Set<string>();
  for (const c of space.conditions) parentsOf(c.when).forEach((n) => read.add(n));
  for (const f of space.forbidden) namesOf(f).forEach((n) => read.add(n));
  const everything = space.constraintCount > 0;
  const branches = order.map((p) => everything || read.has(p.name));
  // A float that can be active makes the space continuous; one that is read is refused by no rule,
  // but cannot be branched on: count as continuous whenever any float may be active.
  if (order.some((p) => p.type === "float")) return { count: Infinity, exact: true };
  let leaves = 0;
  const partial: Point = {};
  const walk = (i: number, mult: number): number => {
    if (i === order.length) {
      if (++leaves > limit) throw LIMIT;
      if (space.forbidden.some((f) => forbiddenMatches(f, partial))) return 0;
      if (everything && space.isForbidden(ordered(space, partial))) return 0;
      return mult;
    }
    const param = order[i]!;
    const c = when[i];
    if (c && !conditionHolds(c, partial)) return walk(i + 1, mult);
    if (!branches[i]) return walk(i + 1, mult * choiceCount(param));
    let total = 0;
    for (const v of allValues(param)) {
      partial[param.name] = v;
      total += walk(i + 1, mult);
    }
    delete partial[param.name];
    return total;
  };
  try {
    return { count: walk(0, 1), exact: true };
  } catch (e) {
    if (e === LIMIT) return { count: product, exact: false };
    throw e;
  }
}

const LIMIT = Symbol("count limit");

function ordered(space: WalkableSpace, partial: Point): Point {
  const p: Point = {};
  for (const n of space.names) if (n in partial) p[n] = partial[n] as JsonValue;
  return p;
}
