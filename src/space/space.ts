// The search space built from a validated ProblemSpec: membership checks, uniform sampling, the
// unit-cube encoding searchers fit surrogates on (docs/architecture.md, ambs, random, grid: categoricals one-hot, log ranges in log
// space), canonical keys for duplicate detection, and the table `spruce problem show` prints.
import { ValidationError } from "../errors.js";
import type { Rng } from "../util/rng.js";
import { canonicalJson, cloneJson, formatValue, isJsonValue, isPlainObject } from "./json.js";
import type { Hyperparameter, JsonValue, Point, ProblemSpec } from "./types.js";
import { validateHyperparameter } from "./validate.js";

type Range = Extract<Hyperparameter, { type: "int" | "float" }>;
type Choices = Extract<Hyperparameter, { type: "categorical" | "ordinal" }>;

/** Per-hyperparameter facts computed once: where its columns start and how to find a value's index. */
interface Column {
  param: Hyperparameter;
  offset: number;
  /** canonicalJson(value) -> index, for categorical and ordinal. */
  index?: Map<string, number>;
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

export class Space {
  readonly params: readonly Hyperparameter[];
  readonly names: readonly string[];
  readonly startingPoints: readonly Point[];
  readonly dim: number;
  private readonly columns: readonly Column[];
  private readonly byName: ReadonlyMap<string, Column>;

  constructor(spec: ProblemSpec) {
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

    const rawStarts: unknown = (spec as { startingPoints?: unknown }).startingPoints ?? [];
    if (!Array.isArray(rawStarts)) {
      throw new ValidationError("startingPoints must be a list of points", "give a list such as [{lr: 0.01, units: 32}]");
    }
    this.startingPoints = Object.freeze(
      rawStarts.map((p: unknown, i) => {
        const reason = this.contains(p as Point);
        if (reason !== null) {
          throw new ValidationError(
            `starting point ${i + 1}: ${reason}`,
            "give every hyperparameter of the space a value inside its range, and no other names",
          );
        }
        return this.ordered(p as Point);
      }),
    );
  }

  /** null when p is a point of this space, else a one-line reason naming the hyperparameter. */
  contains(p: Point): string | null {
    if (!isPlainObject(p)) return `a point must be an object of name: value (got ${formatValue(p)})`;
    for (const name of Object.keys(p)) {
      if (!this.byName.has(name)) return `unknown hyperparameter '${name}'`;
    }
    for (const { param, index } of this.columns) {
      if (!(param.name in p)) return `missing '${param.name}'`;
      const v = p[param.name];
      const reason = index ? choiceReason(param as Choices, index, v) : rangeOrConstReason(param, v);
      if (reason !== null) return reason;
    }
    return null;
  }

  /** One uniformly drawn point (log ranges uniform in log space, ints over every integer). */
  sample(rng: Rng): Point {
    const p: Point = {};
    for (const param of this.params) {
      switch (param.type) {
        case "int":
        case "float":
          p[param.name] = sampleRange(param, rng);
          break;
        case "categorical":
        case "ordinal":
          p[param.name] = cloneJson(rng.pick(param.values));
          break;
        case "const":
          p[param.name] = cloneJson(param.value);
          break;
      }
    }
    return p;
  }

  sampleMany(rng: Rng, n: number): Point[] {
    const points: Point[] = [];
    for (let i = 0; i < n; i++) points.push(this.sample(rng));
    return points;
  }

  /** The point as a vector in [0,1]^dim. Throws a ValidationError for a point outside the space. */
  encode(p: Point): Float64Array {
    const reason = this.contains(p);
    if (reason !== null) throw new ValidationError(`cannot encode point: ${reason}`, "a point must give every hyperparameter of the space a value inside it");
    const x = new Float64Array(this.dim);
    for (const { param, offset, index } of this.columns) {
      const v = p[param.name] as JsonValue;
      switch (param.type) {
        case "int":
        case "float":
          x[offset] = clamp01(toUnit(param, v as number));
          break;
        case "ordinal": {
          const k = param.values.length;
          x[offset] = k === 1 ? 0.5 : (index!.get(canonicalJson(v)) as number) / (k - 1);
          break;
        }
        case "categorical":
          x[offset + (index!.get(canonicalJson(v)) as number)] = 1;
          break;
        case "const":
          break;
      }
    }
    return x;
  }

  /** The point nearest to x (clamped to the cube); decode(encode(p)) gives p back. */
  decode(x: ArrayLike<number>): Point {
    if (x.length !== this.dim) {
      throw new RangeError(`decode: expected a vector of length ${this.dim}, got ${x.length}`);
    }
    for (let i = 0; i < x.length; i++) {
      if (Number.isNaN(x[i])) throw new RangeError(`decode: component ${i} is NaN`);
    }
    const p: Point = {};
    for (const { param, offset } of this.columns) {
      switch (param.type) {
        case "int":
        case "float":
          p[param.name] = fromUnit(param, x[offset] as number);
          break;
        case "ordinal": {
          const k = param.values.length;
          p[param.name] = cloneJson(param.values[Math.round(clamp01(x[offset] as number) * (k - 1))] as JsonValue);
          break;
        }
        case "categorical": {
          let best = 0;
          for (let j = 1; j < param.values.length; j++) {
            if ((x[offset + j] as number) > (x[offset + best] as number)) best = j;
          }
          p[param.name] = cloneJson(param.values[best] as JsonValue);
          break;
        }
        case "const":
          p[param.name] = cloneJson(param.value);
          break;
      }
    }
    return p;
  }

  /** Canonical string of a point of this space: equal points (deep equality) give equal keys. */
  key(p: Point): string {
    return "[" + this.names.map((n) => canonicalJson(p[n] as JsonValue)).join(",") + "]";
  }

  /** Number of distinct points when every hyperparameter is discrete, else Infinity. */
  size(): number {
    let n = 1;
    for (const param of this.params) {
      switch (param.type) {
        case "float":
          return Infinity;
        case "int":
          n *= param.high - param.low + 1;
          break;
        case "categorical":
        case "ordinal":
          n *= param.values.length;
          break;
        case "const":
          break;
      }
    }
    return n;
  }

  /** A readable table of the hyperparameters and the starting points. */
  describe(): string {
    const rows = this.params.map((p) => [p.name, p.type, describeDomain(p), isLog(p) ? "log" : ""]);
    const header = ["name", "type", "range / values", "log"];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
    const line = (cells: string[]): string => cells.map((s, c) => s.padEnd(widths[c] as number)).join("  ").trimEnd();
    const size = this.size();
    const out = [
      line(header),
      line(widths.map((w) => "-".repeat(w))),
      ...rows.map(line),
      "",
      `${plural(this.params.length, "hyperparameter")}, ${plural(this.dim, "encoded dimension")}, ` +
        (size === Infinity ? "continuous space" : `${size} distinct points`),
      `starting points: ${this.startingPoints.length === 0 ? "none" : this.startingPoints.length}`,
      ...this.startingPoints.map((p, i) => `  ${i + 1}. ${JSON.stringify(p)}`),
    ];
    return out.join("\n") + "\n";
  }

  /** A copy of p with its keys in the space's order. */
  private ordered(p: Point): Point {
    return Object.fromEntries(this.names.map((n) => [n, cloneJson(p[n] as JsonValue)]));
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
