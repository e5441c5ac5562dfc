// The search space built from a validated ProblemSpec: membership checks (conditions, forbidden
// clauses, constraint functions), sampling, the unit-cube encoding searchers fit surrogates on
// (docs/architecture.md, The search space: categoricals one-hot, log ranges in log space, inactive
// hyperparameters apart from every real value), canonical keys for duplicate detection, and the
// table `spruce problem show` prints.
import { SpruceError, ValidationError } from "../errors.js";
import { Rng } from "../util/rng.js";
import {
  conditionHolds,
  dependencyOrder,
  describeCondition,
  describeForbidden,
  forbiddenMatches,
  validateConditions,
  validateDefaults,
  validateForbidden,
} from "./conditions.js";
import { countPoints } from "./enumerate.js";
import { canonicalJson, cloneJson, formatValue, isJsonValue, isPlainObject } from "./json.js";
import type { ArchitectureSpec, Condition, ConditionalHyperparameter, Forbidden, Hyperparameter, JsonValue, Point, ProblemSpec } from "./types.js";
import { validateHyperparameter } from "./validate.js";

type Range = Extract<Hyperparameter, { type: "int" | "float" }>;
type Choices = Extract<Hyperparameter, { type: "categorical" | "ordinal" }>;

/** A TS/JS problem's constraint: true when the point may be evaluated. */
export type ConstraintFunction = (point: Point) => boolean;

export interface SpaceOptions {
  /** The problem's constraint functions, as many as ProblemSpec.constraints.count says. */
  constraints?: readonly ConstraintFunction[];
}

/**
 * The encoding of an inactive int, float or ordinal hyperparameter: outside [0, 1], so a tree
 * separates "inactive" from every real value with one split. An inactive categorical has all its
 * one-hot columns 0, which no real value has either.
 */
export const INACTIVE = -0.5;

/** Draws sampling tries before it decides the forbidden clauses and constraints leave nothing. */
export const MAX_SAMPLE_TRIES = 10_000;

/** Per-hyperparameter facts computed once: where its columns start and how to find a value's index. */
interface Column {
  param: Hyperparameter;
  offset: number;
  /** canonicalJson(value) -> index, for categorical and ordinal. */
  index?: Map<string, number>;
  /** Its condition, for a conditional hyperparameter. */
  when?: Condition;
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

const STARTING_POINT_HINT =
  "give every active hyperparameter a value inside its range, no inactive one and no other name, and keep clear of the forbidden clauses";

export class Space {
  readonly params: readonly Hyperparameter[];
  readonly names: readonly string[];
  readonly startingPoints: readonly Point[];
  readonly dim: number;
  readonly conditions: readonly ConditionalHyperparameter[];
  readonly forbidden: readonly Forbidden[];
  readonly defaults: Readonly<Record<string, JsonValue>> | undefined;
  /** A NAS problem's architecture, carried along unread (src/nas validates it; its choices are hyperparameters here). */
  readonly architecture: ArchitectureSpec | undefined;
  /** Hyperparameters with every parent before its children (the declared order when there are no conditions). */
  readonly dependencyOrder: readonly Hyperparameter[];
  /** Some hyperparameter is active only under a condition. */
  readonly conditional: boolean;
  /** Forbidden clauses or constraint functions exclude some points. */
  readonly constrained: boolean;
  private readonly constraintFns: readonly ConstraintFunction[];
  /** How many constraint functions the space checks. */
  readonly constraintCount: number;
  private readonly constraintSource: ProblemSpec["constraints"];
  private readonly columns: readonly Column[];
  private readonly ordered: readonly Column[];
  private readonly byName: ReadonlyMap<string, Column>;
  private sized: { count: number; exact: boolean } | undefined;

  constructor(spec: ProblemSpec, opts: SpaceOptions = {}) {
    if (!isPlainObject(spec) || !Array.isArray(spec.hyperparameters)) {
      throw new ValidationError(
        "the problem has no 'hyperparameters' list",
        "export a Problem instance, or an object {hyperparameters: [...], startingPoints: [...]}",
      );
    }
    if (spec.hyperparameters.length === 0) {
      throw new ValidationError("the problem defines no hyperparameters", "add at least one, e.g. problem.add('x', [0, 1])");
    }
    const params = spec.hyperparameters.map((raw, i) => validateHyperparameter(raw, i));
    const byName = new Map<string, Column>();
    const columns: Column[] = [];
    let offset = 0;
    for (const param of params) {
      if (byName.has(param.name)) {
        throw new ValidationError(`hyperparameter '${param.name}' is defined twice`, "give each hyperparameter a unique name");
      }
      const column: Column = { param, offset };
      if (param.type === "categorical" || param.type === "ordinal") {
        column.index = new Map(param.values.map((v, i) => [canonicalJson(v), i]));
      }
      offset += param.type === "categorical" ? param.values.length : param.type === "const" ? 0 : 1;
      columns.push(column);
      byName.set(param.name, column);
    }
    this.params = Object.freeze(params);
    this.names = Object.freeze(params.map((p) => p.name));
    this.columns = columns;
    this.byName = byName;
    this.dim = offset;

    const paramByName = new Map(params.map((p) => [p.name, p]));
    this.conditions = Object.freeze(validateConditions(spec.conditions, paramByName));
    for (const c of this.conditions) byName.get(c.child)!.when = c.when;
    this.ordered = dependencyOrder(this.names, this.conditions).map((n) => byName.get(n)!);
    this.dependencyOrder = Object.freeze(this.ordered.map((c) => c.param));
    this.forbidden = Object.freeze(validateForbidden(spec.forbidden, paramByName));
    this.defaults = validateDefaults(spec.defaults, paramByName);
    this.architecture = spec.architecture === undefined ? undefined : structuredClone(spec.architecture);
    this.constraintSource = spec.constraints;
    this.constraintFns = Object.freeze(checkConstraints(spec.constraints, opts.constraints));
    this.constraintCount = this.constraintFns.length;
    this.conditional = this.conditions.length > 0;
    this.constrained = this.forbidden.length > 0 || this.constraintFns.length > 0;
    if (this.constrained) this.checkNotEmpty();

    const rawStarts: unknown = (spec as { startingPoints?: unknown }).startingPoints ?? [];
    if (!Array.isArray(rawStarts)) {
      throw new ValidationError("startingPoints must be a list of points", "give a list such as [{lr: 0.01, units: 32}]");
    }
    this.startingPoints = Object.freeze(
      rawStarts.map((p: unknown, i) => {
        const reason = this.contains(p as Point);
        if (reason !== null) throw new ValidationError(`starting point ${i + 1}: ${reason}`, STARTING_POINT_HINT);
        return this.inOrder(p as Point);
      }),
    );
  }

  /** The spec this space was built from, normalised (what a workflow row stores). */
  toSpec(extra: Pick<ProblemSpec, "gridCounts"> = {}): ProblemSpec {
    const spec: ProblemSpec = { hyperparameters: [...this.params], startingPoints: [...this.startingPoints] };
    if (this.conditions.length > 0) spec.conditions = structuredClone([...this.conditions]);
    if (this.forbidden.length > 0) spec.forbidden = structuredClone([...this.forbidden]);
    if (this.defaults) spec.defaults = structuredClone({ ...this.defaults });
    if (this.constraintSource) spec.constraints = { ...this.constraintSource };
    if (extra.gridCounts) spec.gridCounts = extra.gridCounts;
    if (this.architecture) spec.architecture = structuredClone(this.architecture);
    return spec;
  }

  /** The condition under which `name` is active; undefined when it always is. */
  conditionOf(name: string): Condition | undefined {
    return this.byName.get(name)?.when;
  }

  /**
   * The active values of an assignment (a point, or values for every name), decided parents first:
   * a hyperparameter whose condition does not hold is left out, whatever value it was given.
   */
  activeValues(p: Point): Point {
    if (!this.conditional) return p;
    return this.activity(p).values;
  }

  /** The names active for these values (given a value or not), in the space's order. */
  activeNames(p: Point): string[] {
    if (!this.conditional) return [...this.names];
    const { names } = this.activity(p);
    return this.names.filter((n) => names.has(n));
  }

  isActive(name: string, p: Point): boolean {
    return !this.conditional || this.activity(p).names.has(name);
  }

  private activity(p: Point): { values: Point; names: Set<string> } {
    const values: Point = {};
    const names = new Set<string>();
    for (const { param, when } of this.ordered) {
      if (when && !conditionHolds(when, values)) continue;
      names.add(param.name);
      if (param.name in p) values[param.name] = p[param.name] as JsonValue;
    }
    return { values, names };
  }

  /** null when p is a point of this space (and allowed), else a one-line reason naming the hyperparameter. */
  contains(p: Point): string | null {
    return this.check(p) ?? this.forbiddenReason(p);
  }

  /** Whether a point of this space falls under a forbidden clause or fails a constraint function. */
  isForbidden(p: Point): boolean {
    if (!this.constrained) return false;
    for (const f of this.forbidden) if (forbiddenMatches(f, p)) return true;
    for (let i = 0; i < this.constraintFns.length; i++) if (!this.allows(i, p)) return true;
    return false;
  }

  /** Why a point of this space is not allowed, or null. */
  forbiddenReason(p: Point): string | null {
    if (!this.constrained) return null;
    for (const f of this.forbidden) if (forbiddenMatches(f, p)) return `it is forbidden by ${describeForbidden(f)}`;
    for (let i = 0; i < this.constraintFns.length; i++) {
      if (!this.allows(i, p)) return `constraint function ${i + 1} rejects it`;
    }
    return null;
  }

  /**
   * One uniformly drawn allowed point: parents first, inactive hyperparameters left out (log ranges
   * uniform in log space, ints over every integer). Gives up with a SpruceError after
   * MAX_SAMPLE_TRIES draws that are all forbidden, rather than spin.
   */
  sample(rng: Rng): Point {
    if (!this.conditional && !this.constrained) return this.draw(rng);
    for (let t = 0; t < MAX_SAMPLE_TRIES; t++) {
      const p = this.draw(rng);
      if (!this.isForbidden(p)) return p;
    }
    throw noAllowedPoint(MAX_SAMPLE_TRIES);
  }

  sampleMany(rng: Rng, n: number): Point[] {
    const points: Point[] = [];
    for (let i = 0; i < n; i++) points.push(this.sample(rng));
    return points;
  }

  /** The point as a vector (INACTIVE or zero one-hot for inactive ones). Throws a ValidationError for a point outside the space. */
  encode(p: Point): Float64Array {
    const reason = this.check(p);
    if (reason !== null) throw new ValidationError(`cannot encode point: ${reason}`, "a point must give every active hyperparameter of the space a value inside it");
    return this.encodeTrusted(p);
  }

  /** encode() without the membership check, for points this space produced. */
  encodeTrusted(p: Point, out: Float64Array = new Float64Array(this.dim), at = 0): Float64Array {
    for (const { param, offset, index } of this.columns) {
      const o = at + offset;
      if (!(param.name in p)) {
        if (param.type === "categorical") for (let j = 0; j < param.values.length; j++) out[o + j] = 0;
        else if (param.type !== "const") out[o] = INACTIVE;
        continue;
      }
      const v = p[param.name] as JsonValue;
      switch (param.type) {
        case "int":
        case "float":
          out[o] = clamp01(toUnit(param, v as number));
          break;
        case "ordinal": {
          const k = param.values.length;
          out[o] = k === 1 ? 0.5 : (index!.get(canonicalJson(v)) as number) / (k - 1);
          break;
        }
        case "categorical": {
          const hot = index!.get(canonicalJson(v)) as number;
          for (let j = 0; j < param.values.length; j++) out[o + j] = j === hot ? 1 : 0;
          break;
        }
        case "const":
          break;
      }
    }
    return out;
  }

  /**
   * The point nearest to x (clamped to the cube), with only the hyperparameters active for the
   * decoded values of their parents; decode(encode(p)) gives p back.
   */
  decode(x: ArrayLike<number>): Point {
    if (x.length !== this.dim) {
      throw new RangeError(`decode: expected a vector of length ${this.dim}, got ${x.length}`);
    }
    for (let i = 0; i < x.length; i++) {
      if (Number.isNaN(x[i])) throw new RangeError(`decode: component ${i} is NaN`);
    }
    const p: Point = {};
    for (const { param, offset, when } of this.ordered) {
      if (when && !conditionHolds(when, p)) continue;
      p[param.name] = decodeValue(param, x, offset);
    }
    return this.conditional ? this.inOrder(p) : p;
  }

  /** Canonical string of a point of this space: equal points (deep equality) give equal keys. */
  key(p: Point): string {
    return "[" + this.names.map((n) => (n in p ? canonicalJson(p[n] as JsonValue) : "-")).join(",") + "]";
  }

  /**
   * Number of distinct allowed points when every hyperparameter is discrete, else Infinity. When
   * constraint functions make an exact count too costly (sizeIsExact() false), an upper bound.
   */
  size(): number {
    this.sized ??= countPoints(this);
    return this.sized.count;
  }

  sizeIsExact(): boolean {
    this.size();
    return this.sized!.exact;
  }

  /**
   * A readable table of the hyperparameters, the conditions, the forbidden clauses and the starting
   * points, each shown through `shown` (a NAS problem's as arch_seq and hyperparameters).
   */
  describe(shown: (p: Point) => Point = (p) => p): string {
    const rows = this.params.map((p) => [p.name, p.type, describeDomain(p), isLog(p) ? "log" : "", this.conditionText(p.name)]);
    const header = ["name", "type", "range / values", "log", this.conditional ? "active when" : ""];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
    const line = (cells: string[]): string => cells.map((s, c) => s.padEnd(widths[c] as number)).join("  ").trimEnd();
    const size = this.size();
    const count = size === Infinity ? "continuous space" : `${this.sizeIsExact() ? "" : "at most "}${size} distinct points`;
    const out = [
      line(header),
      line(widths.map((w, c) => (header[c] === "" ? "" : "-".repeat(w)))),
      ...rows.map(line),
      "",
      `${plural(this.params.length, "hyperparameter")}, ${plural(this.dim, "encoded dimension")}, ${count}`,
      ...(this.forbidden.length > 0 ? ["forbidden:", ...this.forbidden.map((f) => `  ${describeForbidden(f)}`)] : []),
      ...(this.constraintFns.length > 0 ? [`constraint functions: ${this.constraintFns.length}`] : []),
      `starting points: ${this.startingPoints.length === 0 ? "none" : this.startingPoints.length}`,
      ...this.startingPoints.map((p, i) => `  ${i + 1}. ${JSON.stringify(shown(p))}`),
    ];
    return out.join("\n") + "\n";
  }

  private conditionText(name: string): string {
    const when = this.conditionOf(name);
    return when ? describeCondition(when) : "";
  }

  /** The membership check without the forbidden clauses: keys, activity, values. */
  private check(p: Point): string | null {
    if (!isPlainObject(p)) return `a point must be an object of name: value (got ${formatValue(p)})`;
    for (const name of Object.keys(p)) {
      if (!this.byName.has(name)) return `unknown hyperparameter '${name}'`;
    }
    const active: Point | null = this.conditional ? {} : null;
    for (const { param, index, when } of this.ordered) {
      if (when && !conditionHolds(when, active!)) {
        if (param.name in p) return `'${param.name}' is given but inactive (its condition ${describeCondition(when)} does not hold)`;
        continue;
      }
      if (!(param.name in p)) return `missing '${param.name}'` + (when ? ` (active since ${describeCondition(when)})` : "");
      const v = p[param.name];
      const reason = index ? choiceReason(param as Choices, index, v) : rangeOrConstReason(param, v);
      if (reason !== null) return reason;
      if (active) active[param.name] = v as JsonValue;
    }
    return null;
  }

  /** One draw, parents first, inactive ones left out; keys in the space's order. */
  private draw(rng: Rng): Point {
    const p: Point = {};
    for (const { param, when } of this.ordered) {
      if (when && !conditionHolds(when, p)) continue;
      p[param.name] = drawValue(param, rng);
    }
    return this.conditional ? this.inOrder(p) : p;
  }

  private allows(i: number, p: Point): boolean {
    let verdict: unknown;
    try {
      verdict = this.constraintFns[i]!(p);
    } catch (e) {
      // The problem's own bug, as a bad definition would be: exit 2 at submit, the workflow FAILED in a launcher.
      throw new ValidationError(
        `constraint function ${i + 1} threw on ${formatValue(p)}: ${e instanceof Error ? e.message : String(e)}`,
        "a constraint function must return true (allowed) or false for every point of the space",
      );
    }
    if (typeof verdict !== "boolean") {
      throw new ValidationError(
        `constraint function ${i + 1} returned ${formatValue(verdict)} for ${formatValue(p)}, not true or false`,
        "return true when the point may be evaluated, false when not",
      );
    }
    return verdict;
  }

  /**
   * A space the forbidden clauses and constraints leave empty is a problem error, found now rather
   * than by a searcher that cannot propose anything: counted exactly when the space is small and
   * finite, else by MAX_SAMPLE_TRIES draws.
   */
  private checkNotEmpty(): void {
    const what = this.constraintFns.length === 0 ? "the forbidden clauses" : this.forbidden.length === 0 ? "the constraint functions" : "the forbidden clauses and constraint functions";
    if (this.sizeIsExact() && this.size() !== Infinity) {
      if (this.size() === 0) {
        throw new ValidationError(`no point of the space is allowed: ${what} exclude every combination`, "remove or narrow a forbidden clause or constraint");
      }
      return;
    }
    const rng = new Rng(0);
    for (let t = 0; t < MAX_SAMPLE_TRIES; t++) if (!this.isForbidden(this.draw(rng))) return;
    throw new ValidationError(
      `no point of the space is allowed: ${what} rejected all of ${MAX_SAMPLE_TRIES} random points`,
      "remove or narrow a forbidden clause or constraint",
    );
  }

  /** A copy of p with its keys in the space's order. */
  private inOrder(p: Point): Point {
    const out: Point = {};
    for (const n of this.names) if (n in p) out[n] = cloneJson(p[n] as JsonValue);
    return out;
  }
}

function noAllowedPoint(tries: number): SpruceError {
  return new SpruceError(`no allowed point in ${tries} random draws: the forbidden clauses and constraints leave (almost) nothing of the space`, {
    hint: "loosen the forbidden clauses or constraint functions of the problem",
  });
}

function checkConstraints(declared: ProblemSpec["constraints"], given: readonly ConstraintFunction[] | undefined): ConstraintFunction[] {
  const fns = [...(given ?? [])];
  for (const [i, fn] of fns.entries()) {
    if (typeof fn !== "function") throw new ValidationError(`constraint ${i + 1} is ${formatValue(fn)}, not a function`, "pass a function point => boolean");
  }
  if (declared !== undefined && declared !== null) {
    if (!isPlainObject(declared) || typeof declared.source !== "string" || !Number.isInteger(declared.count)) {
      throw new ValidationError(`constraints must be {source, count} (got ${formatValue(declared)})`);
    }
    if (fns.length !== declared.count) {
      throw new SpruceError(
        `the problem has ${declared.count} constraint function(s) defined in ${declared.source}, and ${fns.length} were loaded`,
        { hint: "build the space through loadSpace (src/problem/load.ts), which imports the problem module again" },
      );
    }
  }
  return fns;
}

/** One value of a hyperparameter drawn as sample() draws it (log ranges uniform in log space). */
export function drawValue(param: Hyperparameter, rng: Rng): JsonValue {
  switch (param.type) {
    case "int":
    case "float":
      return sampleRange(param, rng);
    case "categorical":
    case "ordinal":
      return cloneJson(rng.pick(param.values));
    case "const":
      return cloneJson(param.value);
  }
}

function decodeValue(param: Hyperparameter, x: ArrayLike<number>, offset: number): JsonValue {
  switch (param.type) {
    case "int":
    case "float":
      return fromUnit(param, x[offset] as number);
    case "ordinal": {
      const k = param.values.length;
      return cloneJson(param.values[Math.round(clamp01(x[offset] as number) * (k - 1))] as JsonValue);
    }
    case "categorical": {
      let best = 0;
      for (let j = 1; j < param.values.length; j++) {
        if ((x[offset + j] as number) > (x[offset + best] as number)) best = j;
      }
      return cloneJson(param.values[best] as JsonValue);
    }
    case "const":
      return cloneJson(param.value);
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function isLog(p: Hyperparameter): boolean {
  return (p.type === "int" || p.type === "float") && p.log;
}

function describeDomain(p: Hyperparameter): string {
  switch (p.type) {
    case "int":
    case "float":
      return `[${p.low}, ${p.high}]`;
    case "categorical":
    case "ordinal": {
      const list = p.values.map(formatValue).join(", ");
      return list.length > 60 ? list.slice(0, 57) + "..." : list;
    }
    case "const":
      return formatValue(p.value);
  }
}

// Points come from users (starting points, --hp flags): a value may be any JavaScript value, so it
// is checked to be JSON before it is serialised for comparison.
function choiceReason(param: Choices, index: Map<string, number>, v: unknown): string | null {
  if (isJsonValue(v) && index.has(canonicalJson(v))) return null;
  const list = param.values.map(formatValue).join(", ");
  return `${param.name}=${formatValue(v)} is not one of [${list.length > 80 ? list.slice(0, 77) + "..." : list}]`;
}

function rangeOrConstReason(param: Hyperparameter, v: unknown): string | null {
  if (param.type === "const") {
    return isJsonValue(v) && canonicalJson(v) === canonicalJson(param.value)
      ? null
      : `${param.name}=${formatValue(v)} differs from its const value ${formatValue(param.value)}`;
  }
  if (param.type !== "int" && param.type !== "float") return null;
  if (typeof v !== "number" || !Number.isFinite(v)) return `${param.name}=${formatValue(v)} is not a number`;
  if (param.type === "int" && !Number.isInteger(v)) return `${param.name}=${v} is not an integer`;
  if (v < param.low || v > param.high) return `${param.name}=${v} is outside [${param.low}, ${param.high}]`;
  return null;
}

// Ranges map to [0,1] linearly, or linearly in log space for log ranges. Ints share the mapping
// and are rounded on the way back, so every integer in [low, high] is reachable from the cube.
function toUnit(param: Range, v: number): number {
  if (param.log) return (Math.log(v) - Math.log(param.low)) / (Math.log(param.high) - Math.log(param.low));
  return (v - param.low) / (param.high - param.low);
}

function fromUnit(param: Range, u: number): number {
  // The endpoints are returned exactly: exp(log(x)) may miss x by an ulp.
  if (u <= 0) return param.low;
  if (u >= 1) return param.high;
  const v = param.log
    ? Math.exp(Math.log(param.low) + u * (Math.log(param.high) - Math.log(param.low)))
    : param.low + u * (param.high - param.low);
  const r = param.type === "int" ? Math.round(v) : v;
  return Math.min(param.high, Math.max(param.low, r));
}

function sampleRange(param: Range, rng: Rng): number {
  // Non-log ints are drawn over the integers directly, so both ends have the same chance as the rest.
  if (param.type === "int" && !param.log) return rng.int(param.low, param.high);
  return fromUnit(param, rng.next());
}
