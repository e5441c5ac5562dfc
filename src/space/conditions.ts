// Conditions (a hyperparameter active only when its parents take certain values) and forbidden
// clauses (combinations no point may have), in the JSON shape of ProblemSpec: validation of that
// shape against the hyperparameters, the order in which a point's activity is decided (parents
// first), evaluation on a point's active values, and one-line renderings for messages.
// Semantics follow ConfigSpace: a term on an inactive parent is false, and a forbidden term on an
// inactive hyperparameter never matches.
import { ValidationError } from "../errors.js";
import { canonicalJson, cloneJson, formatValue, isJsonValue, isPlainObject } from "./json.js";
import type { Condition, ConditionalHyperparameter, Forbidden, Hyperparameter, JsonValue, Point } from "./types.js";

/** Why v is not a value param can take, or null. */
export function valueReason(param: Hyperparameter, v: unknown): string | null {
  switch (param.type) {
    case "int":
    case "float":
      if (typeof v !== "number" || !Number.isFinite(v)) return `${param.name}=${formatValue(v)} is not a number`;
      if (param.type === "int" && !Number.isInteger(v)) return `${param.name}=${v} is not an integer`;
      if (v < param.low || v > param.high) return `${param.name}=${v} is outside [${param.low}, ${param.high}]`;
      return null;
    case "categorical":
    case "ordinal": {
      if (isJsonValue(v)) {
        const k = canonicalJson(v);
        if (param.values.some((x) => canonicalJson(x) === k)) return null;
      }
      const list = param.values.map(formatValue).join(", ");
      return `${param.name}=${formatValue(v)} is not one of [${list.length > 80 ? list.slice(0, 77) + "..." : list}]`;
    }
    case "const":
      return isJsonValue(v) && canonicalJson(v) === canonicalJson(param.value)
        ? null
        : `${param.name}=${formatValue(v)} differs from its const value ${formatValue(param.value)}`;
  }
}

const CONDITION_HINT =
  "a condition is {op: 'eq'|'ne', parent, value}, {op: 'in', parent, values}, {op: 'gt'|'lt', parent, value} " +
  "or {op: 'and'|'or', terms: [...]}";
const FORBIDDEN_HINT = "a forbidden clause is {op: 'eq', name, value}, {op: 'in', name, values} or {op: 'and', terms: [...]}";

function known(byName: ReadonlyMap<string, Hyperparameter>): string {
  return [...byName.keys()].join(", ");
}

/** Checks one condition (untrusted JSON) against the hyperparameters; returns a normalised copy. */
function checkCondition(raw: unknown, where: string, byName: ReadonlyMap<string, Hyperparameter>): Condition {
  if (!isPlainObject(raw)) throw new ValidationError(`${where}: a condition must be an object (got ${formatValue(raw)})`, CONDITION_HINT);
  const op = raw.op;
  if (op === "and" || op === "or") {
    if (!Array.isArray(raw.terms) || raw.terms.length === 0) {
      throw new ValidationError(`${where}: '${op}' needs a non-empty list of terms`, CONDITION_HINT);
    }
    return { op, terms: raw.terms.map((t) => checkCondition(t, where, byName)) };
  }
  if (op !== "eq" && op !== "ne" && op !== "in" && op !== "gt" && op !== "lt") {
    throw new ValidationError(`${where}: unknown condition op ${formatValue(op)}`, CONDITION_HINT);
  }
  const parentName = raw.parent;
  if (typeof parentName !== "string") throw new ValidationError(`${where}: the condition names no parent`, CONDITION_HINT);
  const parent = byName.get(parentName);
  if (!parent) {
    throw new ValidationError(`${where}: parent '${parentName}' is not a hyperparameter`, `hyperparameters of this problem: ${known(byName)}`);
  }
  const legal = (v: unknown): JsonValue => {
    const reason = valueReason(parent, v);
    if (reason !== null) throw new ValidationError(`${where}: ${reason}`, `compare '${parentName}' with a value it can take`);
    return cloneJson(v as JsonValue);
  };
  if (op === "in") {
    if (!Array.isArray(raw.values) || raw.values.length === 0) {
      throw new ValidationError(`${where}: 'in' needs a non-empty list of values`, `list the values of '${parentName}' under which it is active`);
    }
    return { op, parent: parentName, values: raw.values.map(legal) };
  }
  if (!("value" in raw)) throw new ValidationError(`${where}: the condition has no value`, CONDITION_HINT);
  if (op === "gt" || op === "lt") {
    const numeric =
      parent.type === "int" || parent.type === "float" || (parent.type === "ordinal" && parent.values.every((v) => typeof v === "number"));
    if (!numeric) {
      throw new ValidationError(
        `${where}: '${op}' needs a numeric parent, and '${parentName}' is ${parent.type}`,
        "compare only int or float ranges, or ordinals of numbers; use 'in' for choices",
      );
    }
    return { op, parent: parentName, value: legal(raw.value) as number };
  }
  return { op, parent: parentName, value: legal(raw.value) };
}

/** Every parent name a condition reads, in order, once each. */
export function parentsOf(c: Condition, out: string[] = []): string[] {
  if ("terms" in c) for (const t of c.terms) parentsOf(t, out);
  else if (!out.includes(c.parent)) out.push(c.parent);
  return out;
}

/**
 * Validates ProblemSpec.conditions (untrusted JSON): known children and parents, values the parents
 * can take, one condition per child, no child its own parent, no cycle. Returns normalised copies.
 */
export function validateConditions(raw: unknown, byName: ReadonlyMap<string, Hyperparameter>): ConditionalHyperparameter[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ValidationError("conditions must be a list of {child, when}", CONDITION_HINT);
  const seen = new Set<string>();
  const out = raw.map((entry: unknown, i): ConditionalHyperparameter => {
    if (!isPlainObject(entry) || typeof entry.child !== "string") {
      throw new ValidationError(`conditions[${i}]: expected {child: name, when: condition} (got ${formatValue(entry)})`, CONDITION_HINT);
    }
    const child = entry.child;
    const where = `condition of '${child}'`;
    if (!byName.has(child)) throw new ValidationError(`${where}: '${child}' is not a hyperparameter`, `hyperparameters of this problem: ${known(byName)}`);
    if (seen.has(child)) {
      throw new ValidationError(`${where}: '${child}' has two conditions`, "combine them into one with {op: 'and' | 'or', terms: [...]}");
    }
    seen.add(child);
    const when = checkCondition(entry.when, where, byName);
    if (parentsOf(when).includes(child)) throw new ValidationError(`${where}: '${child}' cannot be its own parent`, "condition a hyperparameter on another one");
    return { child, when };
  });
  // Throws on a cycle.
  dependencyOrder([...byName.keys()], out);
  return out;
}

/**
 * The names with every parent before its children, otherwise in the given order (so a space
 * without conditions keeps its order). A cycle is a ValidationError naming it.
 */
export function dependencyOrder(names: readonly string[], conditions: readonly ConditionalHyperparameter[]): string[] {
  const parents = new Map(conditions.map((c) => [c.child, parentsOf(c.when)]));
  const placed = new Set<string>();
  const order: string[] = [];
  while (order.length < names.length) {
    const next = names.find((n) => !placed.has(n) && (parents.get(n) ?? []).every((p) => placed.has(p)));
    if (next === undefined) {
      throw new ValidationError(
        `the conditions form a cycle: ${findCycle(names.filter((n) => !placed.has(n)), parents).join(" -> ")}`,
        "a hyperparameter cannot depend, even through others, on itself; remove one of these conditions",
      );
    }
    placed.add(next);
    order.push(next);
  }
  return order;
}

/** A cycle among the unplaced names (each has an unplaced parent), child -> parent -> ... -> child. */
function findCycle(unplaced: string[], parents: Map<string, string[]>): string[] {
  const left = new Set(unplaced);
  const path: string[] = [];
  let at = unplaced[0]!;
  while (!path.includes(at)) {
    path.push(at);
    at = (parents.get(at) ?? []).find((p) => left.has(p))!;
  }
  return [...path.slice(path.indexOf(at)), at];
}

/** Whether c holds for a point's active values (a term on an inactive parent is false). */
export function conditionHolds(c: Condition, active: Point): boolean {
  switch (c.op) {
    case "and":
      return c.terms.every((t) => conditionHolds(t, active));
    case "or":
      return c.terms.some((t) => conditionHolds(t, active));
  }
  if (!(c.parent in active)) return false;
  const v = active[c.parent] as JsonValue;
  switch (c.op) {
    case "eq":
      return canonicalJson(v) === canonicalJson(c.value);
    case "ne":
      return canonicalJson(v) !== canonicalJson(c.value);
    case "in": {
      const k = canonicalJson(v);
      return c.values.some((x) => canonicalJson(x) === k);
    }
    case "gt":
      return (v as number) > c.value;
    case "lt":
      return (v as number) < c.value;
  }
}

function checkForbidden(raw: unknown, where: string, byName: ReadonlyMap<string, Hyperparameter>): Forbidden {
  if (!isPlainObject(raw)) throw new ValidationError(`${where}: a forbidden clause must be an object (got ${formatValue(raw)})`, FORBIDDEN_HINT);
  const op = raw.op;
  if (op === "and") {
    if (!Array.isArray(raw.terms) || raw.terms.length === 0) throw new ValidationError(`${where}: 'and' needs a non-empty list of terms`, FORBIDDEN_HINT);
    return { op, terms: raw.terms.map((t) => checkForbidden(t, where, byName)) };
  }
  if (op !== "eq" && op !== "in") throw new ValidationError(`${where}: unknown forbidden op ${formatValue(op)}`, FORBIDDEN_HINT);
  const name = raw.name;
  if (typeof name !== "string") throw new ValidationError(`${where}: the clause names no hyperparameter`, FORBIDDEN_HINT);
  const param = byName.get(name);
  if (!param) throw new ValidationError(`${where}: '${name}' is not a hyperparameter`, `hyperparameters of this problem: ${known(byName)}`);
  const legal = (v: unknown): JsonValue => {
    const reason = valueReason(param, v);
    if (reason !== null) throw new ValidationError(`${where}: ${reason}`, `forbid only values '${name}' can take`);
    return cloneJson(v as JsonValue);
  };
  if (op === "in") {
    if (!Array.isArray(raw.values) || raw.values.length === 0) throw new ValidationError(`${where}: 'in' needs a non-empty list of values`, "list the forbidden values");
    return { op, name, values: raw.values.map(legal) };
  }
  if (!("value" in raw)) throw new ValidationError(`${where}: the clause has no value`, FORBIDDEN_HINT);
  return { op, name, value: legal(raw.value) };
}

/** Validates ProblemSpec.forbidden (untrusted JSON) against the hyperparameters. */
export function validateForbidden(raw: unknown, byName: ReadonlyMap<string, Hyperparameter>): Forbidden[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ValidationError("forbidden must be a list of clauses", FORBIDDEN_HINT);
  return raw.map((c: unknown, i) => checkForbidden(c, `forbidden clause ${i + 1}`, byName));
}

/** Every hyperparameter name a clause reads. */
export function namesOf(f: Forbidden, out: string[] = []): string[] {
  if (f.op === "and") for (const t of f.terms) namesOf(t, out);
  else if (!out.includes(f.name)) out.push(f.name);
  return out;
}

/** Whether the clause matches a point's active values (a term on an absent name never does). */
export function forbiddenMatches(f: Forbidden, active: Point): boolean {
  if (f.op === "and") return f.terms.every((t) => forbiddenMatches(t, active));
  if (!(f.name in active)) return false;
  const k = canonicalJson(active[f.name] as JsonValue);
  return f.op === "eq" ? k === canonicalJson(f.value) : f.values.some((x) => canonicalJson(x) === k);
}

/** `optimizer == "sgd"`, `(a in [1, 2] && b > 3)`: for messages and `problem show`. */
export function describeCondition(c: Condition): string {
  switch (c.op) {
    case "and":
    case "or":
      return "(" + c.terms.map(describeCondition).join(c.op === "and" ? " && " : " || ") + ")";
    case "in":
      return `${c.parent} in [${c.values.map(formatValue).join(", ")}]`;
    default:
      return `${c.parent} ${{ eq: "==", ne: "!=", gt: ">", lt: "<" }[c.op]} ${formatValue(c.value)}`;
  }
}

export function describeForbidden(f: Forbidden): string {
  if (f.op === "and") return f.terms.map(describeForbidden).join(" && ");
  return f.op === "eq" ? `${f.name} == ${formatValue(f.value)}` : `${f.name} in [${f.values.map(formatValue).join(", ")}]`;
}

/** Validates ProblemSpec.defaults: known names, values they can take. */
export function validateDefaults(raw: unknown, byName: ReadonlyMap<string, Hyperparameter>): Record<string, JsonValue> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw)) throw new ValidationError("defaults must be an object of name: value", "e.g. {lr: 0.01}");
  const out: Record<string, JsonValue> = {};
  for (const [name, v] of Object.entries(raw)) {
    const param = byName.get(name);
    if (!param) throw new ValidationError(`default for '${name}', which is not a hyperparameter`, `hyperparameters of this problem: ${known(byName)}`);
    const reason = valueReason(param, v);
    if (reason !== null) throw new ValidationError(`default of '${name}': ${reason}`, "give a default inside the range");
    out[name] = cloneJson(v as JsonValue);
  }
  return out;
}
