// The forms users write conditions and forbidden clauses in (TS problems and YAML files), turned
// into the JSON shape of ProblemSpec, which the space then checks against the hyperparameters:
//
//   condition: {parent: "optimizer", equals: "sgd"}     notEquals / not_equals, in: [...],
//              {parent: "layers", greaterThan: 2}       greaterThan / greater_than, lessThan / less_than
//              {all: [cond, cond]}, {any: [cond, cond]} AND, OR
//   forbidden: {model: "large", batch: {in: [256, 512]}}  every entry must match (a conjunction);
//              a bare value means equals; {equals: v} spells it out
//
// The JSON shape itself ({op: "eq", parent, value} ...) is accepted as it is.
import { ValidationError } from "../errors.js";
import { formatValue, isPlainObject } from "../space/json.js";
import type { Condition, Forbidden, JsonValue } from "../space/types.js";

export const CONDITION_FORMS =
  "write {parent: NAME, equals: V} (or notEquals, in: [..], greaterThan, lessThan), or {all: [..]} / {any: [..]} of those";
export const FORBIDDEN_FORMS = "write {NAME: value, NAME: {in: [..]}, ...}: the point is forbidden when every entry matches";

const SIMPLE: Record<string, "eq" | "ne" | "in" | "gt" | "lt"> = {
  equals: "eq",
  notEquals: "ne",
  not_equals: "ne",
  in: "in",
  greaterThan: "gt",
  greater_than: "gt",
  lessThan: "lt",
  less_than: "lt",
};
const CONDITION_OPS = new Set(["eq", "ne", "in", "gt", "lt", "and", "or"]);

/** A condition in the user's form (or the JSON shape) as the JSON shape. Shape only: names and values are the space's to check. */
export function conditionFromForm(raw: unknown, where: string): Condition {
  if (!isPlainObject(raw)) throw new ValidationError(`${where}: a condition must be an object (got ${formatValue(raw)})`, CONDITION_FORMS);
  if (typeof raw.op === "string" && CONDITION_OPS.has(raw.op)) return structuredClone(raw) as unknown as Condition;
  const keys = Object.keys(raw);
  for (const [word, op] of [["all", "and"], ["any", "or"]] as const) {
    if (!(word in raw)) continue;
    if (keys.length !== 1) throw new ValidationError(`${where}: '${word}' stands alone (got ${keys.join(", ")})`, CONDITION_FORMS);
    const terms = raw[word];
    if (!Array.isArray(terms) || terms.length === 0) throw new ValidationError(`${where}: '${word}' needs a non-empty list of conditions`, CONDITION_FORMS);
    return { op, terms: terms.map((t, i) => conditionFromForm(t, `${where}, ${word}[${i}]`)) };
  }
  const tests = keys.filter((k) => k in SIMPLE);
  const other = keys.find((k) => k !== "parent" && !(k in SIMPLE));
  if (other !== undefined) throw new ValidationError(`${where}: unknown key '${other}'`, CONDITION_FORMS);
  if (typeof raw.parent !== "string") throw new ValidationError(`${where}: the condition names no parent`, CONDITION_FORMS);
  if (tests.length !== 1) {
    throw new ValidationError(`${where}: give exactly one test of '${raw.parent}' (got ${tests.length === 0 ? "none" : tests.join(", ")})`, CONDITION_FORMS);
  }
  const word = tests[0]!;
  const op = SIMPLE[word]!;
  const value = raw[word] as JsonValue;
  if (op === "in") {
    if (!Array.isArray(value)) throw new ValidationError(`${where}: 'in' needs a list of values (got ${formatValue(value)})`, CONDITION_FORMS);
    return { op, parent: raw.parent, values: structuredClone(value) };
  }
  if ((op === "gt" || op === "lt") && typeof value !== "number") {
    throw new ValidationError(`${where}: '${word}' needs a number (got ${formatValue(value)})`, CONDITION_FORMS);
  }
  return { op, parent: raw.parent, value: structuredClone(value) } as Condition;
}

const JSON_FORBIDDEN_KEYS = new Set(["op", "name", "value", "values", "terms"]);

/** A forbidden clause in the user's form (or the JSON shape) as the JSON shape. */
export function forbiddenFromForm(raw: unknown, where: string): Forbidden {
  if (!isPlainObject(raw)) throw new ValidationError(`${where}: a forbidden clause must be an object (got ${formatValue(raw)})`, FORBIDDEN_FORMS);
  const keys = Object.keys(raw);
  if (keys.length === 0) throw new ValidationError(`${where}: the clause names no hyperparameter`, FORBIDDEN_FORMS);
  if ((raw.op === "eq" || raw.op === "in" || raw.op === "and") && keys.every((k) => JSON_FORBIDDEN_KEYS.has(k))) {
    return structuredClone(raw) as unknown as Forbidden;
  }
  const terms: Forbidden[] = keys.map((name) => {
    const v = raw[name] as JsonValue;
    if (isPlainObject(v) && Object.keys(v).length === 1 && ("in" in v || "equals" in v)) {
      if ("equals" in v) return { op: "eq", name, value: structuredClone(v.equals as JsonValue) };
      if (!Array.isArray(v.in) || v.in.length === 0) throw new ValidationError(`${where}: '${name}': 'in' needs a non-empty list of values`, FORBIDDEN_FORMS);
      return { op: "in", name, values: structuredClone(v.in as JsonValue[]) };
    }
    return { op: "eq", name, value: structuredClone(v) };
  });
  return terms.length === 1 ? terms[0]! : { op: "and", terms };
}
