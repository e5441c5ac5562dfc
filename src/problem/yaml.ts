// Problem files in Determined's YAML syntax: a top-level `hyperparameters:` map of
// `name: {type: int|double|log|categorical|const, ...}` (or a bare scalar, a const), plus an optional
// `starting_points:` list. Spruce adds `when:` to an entry (active only under that condition, in
// the forms of space-forms.ts) and a top-level `forbidden:` list of clauses. Errors name the file
// and the key path (hyperparameters.lr.maxval).
import { parseDocument } from "yaml";
import { ValidationError } from "../errors.js";
import { formatValue, isPlainObject } from "../space/json.js";
import { Space } from "../space/space.js";
import type { ConditionalHyperparameter, Forbidden, Hyperparameter, ObjectiveSpec, Point, ProblemSpec } from "../space/types.js";
import { checkObjectives } from "../objectives/declare.js";
import { checkConstValue, checkName, checkRange, checkValues } from "../space/validate.js";
import { conditionFromForm, forbiddenFromForm } from "./space-forms.js";

const TOP_KEYS = ["hyperparameters", "starting_points", "forbidden", "objectives"];

// `count` is the grid searcher's number of points per range (docs/architecture.md, ambs, random, grid): it is returned in the
// spec's gridCounts, which submit passes to the grid searcher as its grid_counts option.
const KEYS: Record<string, readonly string[]> = {
  int: ["type", "minval", "maxval", "count", "when"],
  double: ["type", "minval", "maxval", "count", "when"],
  log: ["type", "minval", "maxval", "base", "count", "when"],
  categorical: ["type", "vals", "when"],
  const: ["type", "val", "when"],
};

/** Parses and validates a Determined-style problem file. `source` names the file in messages. */
export function parseProblemYaml(text: string, source: string): ProblemSpec {
  const fail = (message: string, hint?: string): never => {
    throw new ValidationError(`${source}: ${message}`, hint);
  };
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = text.slice(0, err.pos[0]).split("\n").length;
    fail(`YAML syntax error at line ${line}: ${firstLine(err.message)}`, "fix the YAML syntax at that line");
  }
  const root: unknown = doc.toJS();
  if (!isPlainObject(root)) {
    fail("expected a mapping with a 'hyperparameters:' key", "start the file with 'hyperparameters:'");
  }
  const top = root as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (!TOP_KEYS.includes(key)) fail(`${key}: unknown key`, `allowed top-level keys: ${TOP_KEYS.join(", ")}`);
  }
  if (!isPlainObject(top.hyperparameters)) {
    fail("hyperparameters: expected a mapping of name: definition", "write 'hyperparameters:' then one indented entry per name");
  }
  const hyperparameters: Hyperparameter[] = [];
  const gridCounts: Record<string, number> = {};
  const conditions: ConditionalHyperparameter[] = [];
  for (const [name, def] of Object.entries(top.hyperparameters as Record<string, unknown>)) {
    try {
      hyperparameters.push(parseEntry(name, def));
      // parseEntry has checked count: a positive integer, only on int, double and log.
      if (isPlainObject(def) && def.count !== undefined) gridCounts[name] = def.count as number;
      if (isPlainObject(def) && def.when !== undefined) conditions.push({ child: name, when: conditionFromForm(def.when, `hyperparameters.${name}.when`) });
    } catch (e) {
      if (e instanceof ValidationError) fail(e.message, e.hint);
      throw e;
    }
  }
  let forbidden: Forbidden[] = [];
  if (top.forbidden !== undefined && top.forbidden !== null) {
    if (!Array.isArray(top.forbidden)) fail("forbidden: expected a list of clauses", "write '- {name: value, other: {in: [a, b]}}' per forbidden combination");
    try {
      forbidden = (top.forbidden as unknown[]).map((c, i) => forbiddenFromForm(c, `forbidden[${i}]`));
    } catch (e) {
      if (e instanceof ValidationError) fail(e.message, e.hint);
      throw e;
    }
  }
  let startingPoints: Point[] = [];
  if (top.starting_points !== undefined && top.starting_points !== null) {
    if (!Array.isArray(top.starting_points)) {
      fail("starting_points: expected a list of mappings", "write '- {name: value, ...}' per point");
    }
    startingPoints = top.starting_points as Point[];
  }
  const spec: ProblemSpec = { hyperparameters, startingPoints };
  const objectives = top.objectives === undefined || top.objectives === null ? undefined : parseObjectives(top.objectives, fail);
  if (conditions.length > 0) spec.conditions = conditions;
  if (forbidden.length > 0) spec.forbidden = forbidden;
  try {
    // The space checks conditions, clauses and starting points against the hyperparameters just parsed.
    const parsed = new Space(spec).toSpec(Object.keys(gridCounts).length > 0 ? { gridCounts } : {});
    if (objectives) parsed.objectives = objectives;
    return parsed;
  } catch (e) {
    if (e instanceof ValidationError) fail(e.message.replace(/^starting point /, "starting_points: point "), e.hint);
    throw e;
  }
}

/** `objectives: {acc: max, time: {direction: min, reference: 60}}`, in the file's order. */
function parseObjectives(raw: unknown, fail: (message: string, hint?: string) => never): ObjectiveSpec[] {
  if (!isPlainObject(raw)) fail("objectives: expected a mapping of name: max | min", "e.g. objectives: {acc: max, time: min}");
  const list = Object.entries(raw as Record<string, unknown>).map(([name, v]) => (isPlainObject(v) ? { name, ...v } : { name, direction: v }));
  try {
    return checkObjectives(list, "objectives");
  } catch (e) {
    if (e instanceof ValidationError) fail(e.message, e.hint);
    throw e;
  }
}

function firstLine(message: string): string {
  return message.split("\n", 1)[0]!.trim();
}

function parseEntry(name: string, def: unknown): Hyperparameter {
  const path = `hyperparameters.${name}`;
  checkName(name, path);
  // Determined accepts a bare value as a const hyperparameter.
  if (!isPlainObject(def)) {
    if (Array.isArray(def)) {
      throw new ValidationError(
        `${path}: a list is not a hyperparameter definition`,
        "write {type: categorical, vals: [...]} for a list of choices",
      );
    }
    return { type: "const", name, value: checkConstValue(path, def) };
  }
  const type = def.type;
  if (type === undefined) {
    // A misspelt key is the likelier mistake than a missing type: name it first.
    const known = new Set(Object.values(KEYS).flat());
    const unknown = Object.keys(def).find((k) => !known.has(k));
    if (unknown !== undefined) {
      throw new ValidationError(`${path}.${unknown}: unknown key`, `allowed keys: ${[...known].join(", ")}`);
    }
    throw new ValidationError(`${path}: missing 'type'`, "use type: int, double, log, categorical or const (nested hyperparameters are not supported)");
  }
  if (typeof type !== "string" || !(type in KEYS)) {
    throw new ValidationError(`${path}.type: unknown type ${formatValue(type)}`, "use int, double, log, categorical or const");
  }
  const allowed = KEYS[type]!;
  for (const key of Object.keys(def)) {
    if (!allowed.includes(key)) {
      throw new ValidationError(`${path}.${key}: unknown key for type ${type}`, `allowed keys: ${allowed.join(", ")}`);
    }
  }
  const required = (key: string): unknown => {
    if (!(key in def)) throw new ValidationError(`${path}: missing '${key}'`, `type ${type} needs ${allowed.filter((k) => k !== "type" && k !== "count" && k !== "base" && k !== "when").join(" and ")}`);
    return def[key];
  };
  if (def.count !== undefined && !(Number.isInteger(def.count) && (def.count as number) >= 1)) {
    throw new ValidationError(`${path}.count: must be a positive integer (got ${formatValue(def.count)})`, "e.g. count: 5 (grid points of this range)");
  }
  switch (type) {
    case "int":
    case "double": {
      const t = type === "int" ? "int" : "float";
      const { low, high, log } = checkRange(path, t, required("minval"), required("maxval"), false);
      return { type: t, name, low, high, log };
    }
    case "log":
      return parseLog(path, name, def, required("minval"), required("maxval"));
    case "categorical":
      return { type: "categorical", name, values: checkValues(path, "categorical", required("vals")) };
    default:
      return { type: "const", name, value: checkConstValue(path, required("val")) };
  }
}

// Determined's log type: minval and maxval are exponents of base, so {base: 10, minval: -4,
// maxval: -1} is the real range [1e-4, 1e-1] sampled in log space.
function parseLog(path: string, name: string, def: Record<string, unknown>, minval: unknown, maxval: unknown): Hyperparameter {
  const base = def.base ?? 10;
  if (typeof base !== "number" || !Number.isFinite(base) || base <= 0 || base === 1) {
    throw new ValidationError(`${path}.base: must be a positive number other than 1 (got ${formatValue(base)})`, "e.g. base: 10 (minval and maxval are then powers of 10)");
  }
  for (const [key, v] of [["minval", minval], ["maxval", maxval]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ValidationError(`${path}.${key}: must be a finite number, an exponent of base ${base} (got ${formatValue(v)})`, `e.g. ${key}: -4 for ${base}^-4`);
    }
  }
  const lo = minval as number;
  const hi = maxval as number;
  if (!(lo < hi)) {
    throw new ValidationError(`${path}: minval (${lo}) must be less than maxval (${hi})`, "minval and maxval are exponents of base");
  }
  return { type: "float", name, ...checkRange(path, "float", power(base, lo), power(base, hi), true) };
}

/** base ** exp, exact for powers of ten with integer exponents (10 ** -5 is not 1e-5 in floating point). */
function power(base: number, exp: number): number {
  return base === 10 && Number.isInteger(exp) ? Number(`1e${exp}`) : base ** exp;
}
