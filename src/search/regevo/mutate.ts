// Mutation for aging evolution (docs/architecture.md, regevo and agebo): a child is its parent with
// one choice changed. DeepHyper's regevo draws a different value of one architecture choice; a
// float has no "other value", so it is drawn anew (as DeepHyper's mixed variant resamples a
// hyperparameter). With conditions, a child whose change activates a hyperparameter draws it, and
// one it deactivates is left out; a forbidden child is no child.
import type { Space } from "../../space/space.js";
import { drawValue } from "../../space/space.js";
import { canonicalJson } from "../../space/json.js";
import { choiceCount } from "../../space/enumerate.js";
import type { Hyperparameter, JsonValue, Point } from "../../space/types.js";
import type { Rng } from "../../util/rng.js";

/** Draws of a log range tried for a value other than the parent's before giving up on it. */
const OTHER_VALUE_TRIES = 20;

/** The hyperparameters of p a mutation may change: active, among `names`, with more than one value. */
export function mutable(space: Space, p: Point, names?: ReadonlySet<string>): Hyperparameter[] {
  return space.params.filter((h) => h.name in p && (!names || names.has(h.name)) && choiceCount(h) > 1);
}

/** A value of h other than `current`, uniform among the others (a float or log int: its distribution, redrawn until different). */
export function otherValue(h: Hyperparameter, current: JsonValue, rng: Rng): JsonValue {
  switch (h.type) {
    case "int":
      if (!h.log) {
        const v = rng.int(h.low, h.high - 1);
        return v >= (current as number) ? v + 1 : v;
      }
      for (let t = 0; t < OTHER_VALUE_TRIES; t++) {
        const v = drawValue(h, rng);
        if (v !== current) return v;
      }
      return current === h.low ? h.low + 1 : h.low;
    case "float":
      return drawValue(h, rng);
    case "categorical":
    case "ordinal": {
      const at = h.values.findIndex((v) => canonicalJson(v) === canonicalJson(current));
      const j = rng.int(0, h.values.length - 2);
      return structuredClone(h.values[at < 0 || j < at ? j : j + 1] as JsonValue);
    }
    case "const":
      return structuredClone(h.value);
  }
}

/**
 * The parent with one of `names` (default: any hyperparameter) changed, activity settled, keys in
 * the space's order; null when nothing can change or the child is forbidden.
 */
export function mutate(space: Space, parent: Point, rng: Rng, names?: ReadonlySet<string>): Point | null {
  const candidates = mutable(space, parent, names);
  if (candidates.length === 0) return null;
  const h = candidates[Math.floor(rng.next() * candidates.length)]!;
  let child: Point = { ...parent, [h.name]: otherValue(h, parent[h.name] as JsonValue, rng) };
  if (space.conditional) child = settle(space, child, rng);
  if (space.isForbidden(child)) return null;
  const ordered: Point = {};
  for (const n of space.names) if (n in child) ordered[n] = structuredClone(child[n] as JsonValue);
  return ordered;
}

/** Draws the hyperparameters the change made active and drops those it made inactive, parents first. */
function settle(space: Space, p: Point, rng: Rng): Point {
  let child = p;
  // Each pass activates at least one more level of the dependency order, so this ends.
  for (let pass = 0; pass <= space.params.length; pass++) {
    const missing = space.activeNames(child).filter((n) => !(n in child));
    if (missing.length === 0) break;
    child = { ...child };
    for (const n of missing) child[n] = drawValue(space.params.find((h) => h.name === n)!, rng);
  }
  return space.activeValues(child);
}
