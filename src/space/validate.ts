// Validation of hyperparameter definitions that arrive as untrusted data (a problem module's export,
// a parsed YAML file, a database row). Every failure is a one-line ValidationError naming the
// hyperparameter and the field, with a hint that names the fix.
import { ValidationError } from "../errors.js";
import { canonicalJson, formatValue, isJsonValue, isPlainObject } from "./json.js";
import type { Hyperparameter, JsonValue } from "./types.js";

export const HYPERPARAMETER_TYPES = ["int", "float", "categorical", "ordinal", "const"] as const;
export type HyperparameterType = (typeof HYPERPARAMETER_TYPES)[number];

const ALLOWED_KEYS: Record<HyperparameterType, readonly string[]> = {
  int: ["type", "name", "low", "high", "log"],
  float: ["type", "name", "low", "high", "log"],
  categorical: ["type", "name", "values"],
  ordinal: ["type", "name", "values"],
  const: ["type", "name", "value"],
};

// Names end up in command templates ({{lr}}), CSV columns (p:lr) and --hp lr=... flags, so they are
// restricted to characters that are safe and unambiguous in all three.
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function isHyperparameterType(v: unknown): v is HyperparameterType {
  return typeof v === "string" && (HYPERPARAMETER_TYPES as readonly string[]).includes(v);
}

/** Throws unless name is usable as a hyperparameter name. `where` says where the name came from. */
export function checkName(name: unknown, where: string): string {
  if (typeof name !== "string" || name === "") {
    throw new ValidationError(`${where}: the name must be a non-empty string (got ${formatValue(name)})`, "name each hyperparameter with a string, e.g. \"lr\"");
  }
  if (!NAME_PATTERN.test(name)) {
    throw new ValidationError(
      `${where}: invalid hyperparameter name ${JSON.stringify(name)}`,
      "use letters, digits, '_' and '-', starting with a letter or '_'",
    );
  }
  return name;
}

function checkBound(where: string, field: "low" | "high", v: unknown, integer: boolean): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new ValidationError(`${where}: ${field} must be a finite number (got ${formatValue(v)})`, `give ${field} as a number, e.g. 0`);
  }
  if (integer && !Number.isInteger(v)) {
    throw new ValidationError(
      `${where}: ${field}=${v} is not an integer`,
      "an int range needs integer bounds; use a float range for real values",
    );
  }
  return v;
}

/** Checks low < high and the log constraints for a numeric range; returns the normalised fields. */
export function checkRange(
  where: string,
  type: "int" | "float",
  lowRaw: unknown,
  highRaw: unknown,
  logRaw: unknown,
): { low: number; high: number; log: boolean } {
  const low = checkBound(where, "low", lowRaw, type === "int");
  const high = checkBound(where, "high", highRaw, type === "int");
  if (logRaw !== undefined && typeof logRaw !== "boolean") {
    throw new ValidationError(`${where}: log must be true or false (got ${formatValue(logRaw)})`, "write log: true for a log-scaled range, or leave it out");
  }
  const log = logRaw === true;
  if (!(low < high)) {
    throw new ValidationError(
      `${where}: low (${low}) must be less than high (${high})`,
      "fix the bounds; for a fixed value use a const hyperparameter",
    );
  }
  if (log && type === "float" && low <= 0) {
    throw new ValidationError(
      `${where}: a log range needs low > 0 (got low=${low})`,
      "use a positive lower bound, or a uniform (non-log) range",
    );
  }
  if (log && type === "int" && low < 1) {
    throw new ValidationError(
      `${where}: a log int range needs low >= 1 (got low=${low})`,
      "use a lower bound of at least 1, or a uniform (non-log) range",
    );
  }
  return { low, high, log };
}

/** Checks a list of choices: non-empty, JSON values, no value twice. Returns a copy. */
export function checkValues(where: string, type: "categorical" | "ordinal", raw: unknown): JsonValue[] {
  if (!Array.isArray(raw)) {
    throw new ValidationError(`${where}: values must be a list (got ${formatValue(raw)})`, "give the choices as a list, e.g. [\"relu\", \"tanh\"]");
  }
  if (raw.length === 0) {
    throw new ValidationError(`${where}: ${type} needs at least one value (got an empty list)`, "list the choices");
  }
  const seen = new Set<string>();
  for (const [i, v] of raw.entries()) {
    if (!isJsonValue(v)) {
      throw new ValidationError(
        `${where}: value ${i + 1} (${formatValue(v)}) is not a JSON value`,
        "use strings, finite numbers, booleans, null, or arrays/objects of those",
      );
    }
    const key = canonicalJson(v);
    if (seen.has(key)) {
      throw new ValidationError(`${where}: value ${formatValue(v)} is listed twice`, "list each choice once");
    }
    seen.add(key);
  }
  return structuredClone(raw as JsonValue[]);
}

export function checkConstValue(where: string, raw: unknown): JsonValue {
  if (!isJsonValue(raw)) {
    throw new ValidationError(
      `${where}: the const value ${formatValue(raw)} is not a JSON value`,
      "use a string, finite number, boolean, null, or an array/object of those",
    );
  }
  return structuredClone(raw);
}

/**
 * Validates one entry of ProblemSpec.hyperparameters (index is 0-based, for messages about entries
 * without a usable name) and returns a normalised copy.
 */
export function validateHyperparameter(raw: unknown, index: number): Hyperparameter {
  if (!isPlainObject(raw)) {
    throw new ValidationError(
      `hyperparameters[${index}] is not an object (got ${formatValue(raw)})`,
      "each hyperparameter is an object such as {type: 'float', name: 'lr', low: 0.001, high: 1, log: true}",
    );
  }
  const name = checkName(raw.name, `hyperparameters[${index}]`);
  const where = `hyperparameter '${name}'`;
  const type = raw.type;
  if (!isHyperparameterType(type)) {
    throw new ValidationError(
      `${where}: unknown type ${formatValue(type)}`,
      `use one of ${HYPERPARAMETER_TYPES.join(", ")}`,
    );
  }
  for (const key of Object.keys(raw)) {
    if (!ALLOWED_KEYS[type].includes(key)) {
      throw new ValidationError(
        `${where}: unknown key '${key}' for type ${type}`,
        `allowed keys: ${ALLOWED_KEYS[type].join(", ")}`,
      );
    }
  }
  switch (type) {
    case "int":
    case "float":
      return { type, name, ...checkRange(where, type, raw.low, raw.high, raw.log) };
    case "categorical":
    case "ordinal":
      return { type, name, values: checkValues(where, type, raw.values) };
    case "const":
      if (!("value" in raw)) throw new ValidationError(`${where}: missing 'value'`, "give the const a value");
      return { type, name, value: checkConstValue(where, raw.value) };
  }
}
