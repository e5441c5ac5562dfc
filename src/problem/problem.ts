// The user-facing problem builder (DeepHyper's HpProblem, in TypeScript): a problem module does
// `export const problem = new Problem().add("lr", [1e-4, 1, "log-uniform"]) ...`. Each call is
// validated at once, so an error names the hyperparameter while the user's stack points at the call.
import { ValidationError } from "../errors.js";
import { formatValue, isPlainObject } from "../space/json.js";
import { Space, type ConstraintFunction } from "../space/space.js";
import type { Condition, ConditionalHyperparameter, Forbidden, Hyperparameter, JsonValue, ObjectiveSpec, Point, ProblemSpec } from "../space/types.js";
import { checkConstValue, checkName, checkRange, checkValues, validateHyperparameter } from "../space/validate.js";
import { checkObjectives } from "../objectives/declare.js";
import { conditionFromForm, forbiddenFromForm } from "./space-forms.js";

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

/**
 * A condition as problems write it: `{ parent: "optimizer", equals: "sgd" }` (or notEquals, in,
 * greaterThan, lessThan), `{ all: [...] }`, `{ any: [...] }`, or the JSON shape `{ op, ... }`.
 */
export type ConditionForm =
  | { parent: string; equals: JsonValue }
  | { parent: string; notEquals: JsonValue }
  | { parent: string; in: JsonValue[] }
  | { parent: string; greaterThan: number }
  | { parent: string; lessThan: number }
  | { all: ConditionForm[] }
  | { any: ConditionForm[] }
  | Condition;

/**
 * A forbidden combination: `{ model: "large", batch: { in: [256, 512] } }` forbids every point
 * where all entries match (a bare value means equals); or the JSON shape `{ op, ... }`.
 */
export type ForbiddenForm = Record<string, JsonValue> | Forbidden;

export interface AddOptions {
  /** Sample and encode a numeric range in log space (same as a "log-uniform" third element). */
  log?: boolean;
  /** Active only under this condition (same as addCondition(name, when)). */
  when?: ConditionForm;
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
  protected readonly hyperparameters: Hyperparameter[] = [];
  protected readonly startingPoints: Point[] = [];
  private readonly notes: string[] = [];
  private readonly conditions: ConditionalHyperparameter[] = [];
  private readonly forbidden: Forbidden[] = [];
  private readonly constraints: ConstraintFunction[] = [];
  private readonly objectives: ObjectiveSpec[] = [];

  /** Adds a hyperparameter from DeepHyper's shorthand or the object form (see HyperparameterShorthand). */
  add(name: string, spec: HyperparameterShorthand, opts: AddOptions = {}): this {
    const { when, ...rest } = opts;
    const hp = parseShorthand(name, spec, rest);
    const note = shorthandWarning(spec, hp);
    if (note) this.notes.push(note);
    return this.push(hp, when);
  }

  /** What the shorthand read in a way the author may not have meant (printed by submit and `problem show`). */
  warnings(): string[] {
    return [...this.notes];
  }

  /** Integers in [low, high], both inclusive. */
  int(name: string, low: number, high: number, opts: { log?: boolean; when?: ConditionForm } = {}): this {
    return this.push(checked("int", { type: "int", name, low, high, log: opts.log ?? false }), opts.when);
  }

  /** Reals in [low, high]. */
  float(name: string, low: number, high: number, opts: { log?: boolean; when?: ConditionForm } = {}): this {
    return this.push(checked("float", { type: "float", name, low, high, log: opts.log ?? false }), opts.when);
  }

  /** Unordered choices. */
  categorical(name: string, values: JsonValue[], opts: { when?: ConditionForm } = {}): this {
    return this.push(checked("categorical", { type: "categorical", name, values }), opts.when);
  }

  /** Ordered choices (the surrogate sees their order). */
  ordinal(name: string, values: JsonValue[], opts: { when?: ConditionForm } = {}): this {
    return this.push(checked("ordinal", { type: "ordinal", name, values }), opts.when);
  }

  /** A fixed value passed to every evaluation (while active). */
  const(name: string, value: JsonValue, opts: { when?: ConditionForm } = {}): this {
    return this.push(checked("const", { type: "const", name, value }), opts.when);
  }

  /**
   * Makes `child` active only when the condition holds, e.g.
   * `addCondition("momentum", { parent: "optimizer", equals: "sgd" })`. An inactive hyperparameter
   * is absent from the point a run gets. Names and values are checked once the space is complete.
   */
  addCondition(child: string, when: ConditionForm): this {
    checkName(child, `problem.addCondition(${formatValue(child)})`);
    const where = `condition of '${child}'`;
    if (this.conditions.some((c) => c.child === child)) {
      throw new ValidationError(`${where}: '${child}' has a condition already`, "combine both in one { all: [...] } or { any: [...] }");
    }
    this.conditions.push({ child, when: conditionFromForm(when, where) });
    return this;
  }

  /**
   * Forbids a combination: `addForbidden({ model: "large", batch: { in: [256, 512] } })` (every
   * entry must match). No searcher proposes a forbidden point.
   */
  addForbidden(clause: ForbiddenForm): this {
    this.forbidden.push(forbiddenFromForm(clause, `forbidden clause ${this.forbidden.length + 1}`));
    return this;
  }

  /**
   * A function that says whether a point may be evaluated (true) or not (false), for rules the
   * declarative clauses cannot express. Functions are not JSON: the launcher imports this problem
   * module again to get them, so the module must still be there when the batch job starts.
   */
  addConstraint(fn: ConstraintFunction): this {
    if (typeof fn !== "function") {
      throw new ValidationError(`problem.addConstraint: ${formatValue(fn)} is not a function`, "pass a function point => boolean");
    }
    this.constraints.push(fn);
    return this;
  }

  /**
   * Declares an objective the run returns: `addObjective("acc", "max").addObjective("time", "min")`.
   * With several, run() returns their values in this order (or `{ objectives: { acc, time } }`).
   * `reference`: the value the hypervolume is measured from (default: the worst observed).
   */
  addObjective(name: string, direction: "max" | "min" | "maximize" | "minimize", opts: { reference?: number } = {}): this {
    const next = [...this.objectives, { name, direction, ...opts }];
    this.objectives.splice(0, this.objectives.length, ...checkObjectives(next, `problem.addObjective(${formatValue(name)})`));
    return this;
  }

  /** The constraint functions, in the order added (loadSpace gives them to the space). */
  constraintFunctions(): ConstraintFunction[] {
    return [...this.constraints];
  }

  /** A point evaluated first (DeepHyper's add_starting_point); checked against the space in toSpec(). */
  addStartingPoint(point: Point): this {
    if (!isPlainObject(point)) {
      throw new ValidationError(`starting point must be an object of name: value (got ${formatValue(point)})`, "e.g. problem.addStartingPoint({ units: 10, lr: 0.01 })");
    }
    this.startingPoints.push(structuredClone(point));
    return this;
  }

  /**
   * The validated, JSON-serialisable description of this problem. With constraint functions it
   * records their count; the problem loader records the module they live in.
   */
  toSpec(): ProblemSpec {
    return this.checkedSpec({ hyperparameters: structuredClone(this.hyperparameters), startingPoints: structuredClone(this.startingPoints) });
  }

  /** `base` with this problem's conditions, clauses, constraints and objectives, validated as a whole. */
  protected checkedSpec(base: ProblemSpec): ProblemSpec {
    const spec: ProblemSpec = base;
    if (this.conditions.length > 0) spec.conditions = structuredClone(this.conditions);
    if (this.forbidden.length > 0) spec.forbidden = structuredClone(this.forbidden);
    if (this.constraints.length > 0) spec.constraints = { source: "the problem module", count: this.constraints.length };
    // Building the space checks conditions, clauses and starting points against the complete set of hyperparameters.
    const checked = new Space(spec, { constraints: this.constraints }).toSpec();
    if (this.objectives.length > 0) checked.objectives = structuredClone(this.objectives);
    return checked;
  }

  private push(hp: Hyperparameter, when?: ConditionForm): this {
    if (this.hyperparameters.some((h) => h.name === hp.name)) {
      throw new ValidationError(`hyperparameter '${hp.name}' is defined twice`, "give each hyperparameter a unique name");
    }
    this.hyperparameters.push(hp);
    if (when !== undefined) this.addCondition(hp.name, when);
    return this;
  }
}
