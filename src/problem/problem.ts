// The user-facing problem builder (DeepHyper's HpProblem, in TypeScript): a problem module does
// `export const problem = new Problem().add("lr", [1e-4, 1, "log-uniform"]) ...`. Each call is
// validated at once, so an error names the hyperparameter while the user's stack points at the call.
import { ValidationError } from "../errors.js";
import { formatValue, isPlainObject } from "../space/json.js";
import { Space } from "../space/space.js";
import type { Hyperparameter, JsonValue, Point, ProblemSpec } from "../space/types.js";
import { checkConstValue, checkName, checkRange, checkValues, validateHyperparameter } from "../space/validate.js";

/** The object form of add(): the same fields as a Hyperparameter, without the name. */
export type HyperparameterObject =
  | { type: "int" | "float"; low: number; high: number; log?: boolean }
  | { type: "categorical" | "ordinal"; values: JsonValue[] }
  | { type: "const"; value: JsonValue };

/**
 * What add() accepts (DeepHyper's shorthand): `[lo, hi]` a range (int when both are integers),
 * `[lo, hi, "log-uniform" | "uniform"]`, a list of 3+ numbers an ordinal, any other list a
 * categorical, an object with a `type` key the object form, anything else a const.
 */
export type HyperparameterShorthand = JsonValue | HyperparameterObject;

export interface AddOptions {
  /** Sample and encode a numeric range in log space (same as a "log-uniform" third element). */
  log?: boolean;
}

const DISTRIBUTIONS = ["uniform", "log-uniform"] as const;

/** Turns add()'s arguments into a validated Hyperparameter. */
export function parseShorthand(name: string, spec: HyperparameterShorthand, opts: AddOptions = {}): Hyperparameter {
  checkName(name, `problem.add(${formatValue(name)})`);
  const where = `hyperparameter '${name}'`;
  if (opts.log !== undefined && typeof opts.log !== "boolean") {
    throw new ValidationError(`${where}: the log option must be true or false (got ${formatValue(opts.log)})`, "write { log: true } for a log-scaled range, or leave it out");
  }
  if (isPlainObject(spec) && "type" in spec) {
    if (opts.log !== undefined) {
      throw new ValidationError(`${where}: give log inside the object form, not as an option`, `write {type: ..., log: ${opts.log}}`);
    }
    return validateHyperparameter({ ...spec, name }, 0);
  }
  if (!Array.isArray(spec)) {
    rejectLog(where, opts);
    return { type: "const", name, value: checkConstValue(where, spec) };
  }
  if (spec.length === 0) {
    throw new ValidationError(`${where}: empty list of values`, "list the choices, or give a range [low, high]");
  }
  const [a, b, dist] = spec;
  const twoNumbers = typeof a === "number" && typeof b === "number";
  if (twoNumbers && (spec.length === 2 || (spec.length === 3 && typeof dist === "string"))) {
    if (dist !== undefined && !(DISTRIBUTIONS as readonly string[]).includes(dist as string)) {
      throw new ValidationError(
        `${where}: unknown distribution ${formatValue(dist)}`,
        `use "uniform" or "log-uniform"; for a list of choices use problem.categorical(${JSON.stringify(name)}, [...])`,
      );
    }
    const distLog = dist === undefined ? undefined : dist === "log-uniform";
    if (distLog !== undefined && opts.log !== undefined && distLog !== opts.log) {
      throw new ValidationError(`${where}: "${dist}" contradicts the option log: ${opts.log}`, "keep one of the two");
    }
    const log = distLog ?? opts.log ?? false;
    const type = Number.isInteger(a) && Number.isInteger(b) ? "int" : "float";
    return { type, name, ...checkRange(where, type, a, b, log) };
  }
  rejectLog(where, opts);
  if (spec.length >= 3 && spec.every((v) => typeof v === "number")) {
    return { type: "ordinal", name, values: checkValues(where, "ordinal", spec) };
  }
  return { type: "categorical", name, values: checkValues(where, "categorical", spec) };
}

/** Validates the object built by an explicit builder method; a bad name is reported against that method. */
function checked(method: string, raw: Record<string, unknown>): Hyperparameter {
  checkName(raw.name, `problem.${method}(${formatValue(raw.name)})`);
  return validateHyperparameter(raw, 0);
}

function rejectLog(where: string, opts: AddOptions): void {
  if (opts.log === true) {
    throw new ValidationError(`${where}: log applies only to a numeric range [low, high]`, "drop the log option");
  }
}

/** A shorthand int range with at most this many more values than one gets a warning (see below). */
const SMALL_INT_RANGE = 10;

/**
 * DeepHyper reads `[0.0, 1.0]` as reals because Python keeps 1.0 apart from 1; JavaScript cannot,
 * so the same text here is the integer range {0, 1}. A small int range made by the shorthand is
 * where a real range was most likely meant: it gets a warning naming both explicit forms (a large
 * one such as [1, 100] is nearly always meant as integers). Null when there is nothing to say.
 */
export function shorthandWarning(spec: HyperparameterShorthand, hp: Hyperparameter): string | null {
  if (!Array.isArray(spec) || hp.type !== "int" || hp.high - hp.low > SMALL_INT_RANGE) return null;
  const args = `${JSON.stringify(hp.name)}, ${hp.low}, ${hp.high}${hp.log ? ", { log: true }" : ""}`;
  return (
    `hyperparameter '${hp.name}': [${spec.map((v) => formatValue(v)).join(", ")}] is the integer range ${hp.low}..${hp.high} ` +
    `(two whole numbers make an int range, and JavaScript cannot tell 1.0 from 1): ` +
    `write .float(${args}) for real values, or .int(${args}) to keep integers without this warning`
  );
}

export class Problem {
  private readonly hyperparameters: Hyperparameter[] = [];
  private readonly startingPoints: Point[] = [];
  private readonly notes: string[] = [];

  /** Adds a hyperparameter from DeepHyper's shorthand or the object form (see HyperparameterShorthand). */
  add(name: string, spec: HyperparameterShorthand, opts?: AddOptions): this {
    const hp = parseShorthand(name, spec, opts);
    const note = shorthandWarning(spec, hp);
    if (note) this.notes.push(note);
    return this.push(hp);
  }

  /** What the shorthand read in a way the author may not have meant (printed by submit and `problem show`). */
  warnings(): string[] {
    return [...this.notes];
  }

  /** Integers in [low, high], both inclusive. */
  int(name: string, low: number, high: number, opts: { log?: boolean } = {}): this {
    return this.push(checked("int", { type: "int", name, low, high, log: opts.log ?? false }));
  }

  /** Reals in [low, high]. */
  float(name: string, low: number, high: number, opts: { log?: boolean } = {}): this {
    return this.push(checked("float", { type: "float", name, low, high, log: opts.log ?? false }));
  }

  /** Unordered choices. */
  categorical(name: string, values: JsonValue[]): this {
    return this.push(checked("categorical", { type: "categorical", name, values }));
  }

  /** Ordered choices (the surrogate sees their order). */
  ordinal(name: string, values: JsonValue[]): this {
    return this.push(checked("ordinal", { type: "ordinal", name, values }));
  }

  /** A fixed value passed to every evaluation. */
  const(name: string, value: JsonValue): this {
    return this.push(checked("const", { type: "const", name, value }));
  }

  /** A point evaluated first (DeepHyper's add_starting_point); checked against the space in toSpec(). */
  addStartingPoint(point: Point): this {
    if (!isPlainObject(point)) {
      throw new ValidationError(`starting point must be an object of name: value (got ${formatValue(point)})`, "e.g. problem.addStartingPoint({ units: 10, lr: 0.01 })");
    }
    this.startingPoints.push(structuredClone(point));
    return this;
  }

  /** The validated, JSON-serialisable description of this problem. */
  toSpec(): ProblemSpec {
    const spec: ProblemSpec = {
      hyperparameters: structuredClone(this.hyperparameters),
      startingPoints: structuredClone(this.startingPoints),
    };
    // Building the space checks the starting points against the complete set of hyperparameters.
    const space = new Space(spec);
    return { hyperparameters: [...space.params], startingPoints: [...space.startingPoints] };
  }

  private push(hp: Hyperparameter): this {
    if (this.hyperparameters.some((h) => h.name === hp.name)) {
      throw new ValidationError(`hyperparameter '${hp.name}' is defined twice`, "give each hyperparameter a unique name");
    }
    this.hyperparameters.push(hp);
    return this;
  }
}
