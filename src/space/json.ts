// JSON helpers for hyperparameter values: checking that a value is plain JSON, a canonical
// (key-sorted) serialisation so that equal values compare equal whatever their key order, and
// short display strings for error messages and tables.
import type { JsonValue } from "./types.js";

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** True for values that survive a JSON round trip unchanged (finite numbers, no cycles, no classes). */
export function isJsonValue(v: unknown, seen: Set<object> = new Set()): v is JsonValue {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v) || isPlainObject(v)) {
    if (seen.has(v)) return false;
    seen.add(v);
    const items = Array.isArray(v) ? v : Object.values(v);
    const ok = items.every((item) => isJsonValue(item, seen));
    seen.delete(v);
    return ok;
  }
  return false;
}

/** JSON with object keys sorted, so deep-equal values give the same string. */
export function canonicalJson(v: JsonValue): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(canonicalJson).join(",") + "]";
  const keys = Object.keys(v).sort();
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonicalJson(v[k] as JsonValue)).join(",") + "}";
}

/** A short rendering for messages: numbers bare, strings quoted, the rest as (truncated) JSON. */
export function formatValue(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (v === undefined) return "undefined";
  if (typeof v === "function") return "a function";
  if (typeof v === "bigint") return `${v}n`;
  let text: string;
  try {
    text = isJsonValue(v) ? canonicalJson(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    text = String(v);
  }
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

/** A deep copy of a JSON value (primitives are returned as they are). */
export function cloneJson<T extends JsonValue>(v: T): T {
  return v === null || typeof v !== "object" ? v : structuredClone(v);
}
