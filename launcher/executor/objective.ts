// The objective protocol (docs/architecture.md, Objective protocol): a JSON object in $SPRUCE_RESULT_FILE wins; else the last
// stdout line `objective: <number>` (or DeepHyper's `DH-OUTPUT: <number>`). With several declared
// objectives: `"objectives": {name: value}` or a list in declared order in the file, or the line
// `objective: v1, v2`. A missing or non-finite objective is a failure with a reason, never a fake
// value handed to the searcher.
import type { JsonValue } from "../../src/space/types.js";

export type ParsedObjective =
  /** objectives: with several declared objectives, every value in declared order (objective is the first). */
  | { objective: number; objectives?: number[]; metadata: Record<string, JsonValue> | null }
  | { error: string };

const NUMBER = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf(?:inity)?|nan)`;
const WHOLE_NUMBER = new RegExp(String.raw`^\s*(?:${NUMBER})\s*$`, "i");
const LINE = new RegExp(String.raw`^\s*(?:objective|DH-OUTPUT)\s*:\s*(${NUMBER})\s*$`, "i");
/** Python's json.dumps writes these bare tokens, which JSON.parse rejects. */
const BARE_NON_FINITE = /:\s*(-?Infinity|NaN)(\s*[,}])/g;

/** A number as the various languages print it: 1.5, -2e-3, inf, -Infinity, nan, NaN. */
function toNumber(text: string): number {
  const t = text.toLowerCase();
  const sign = t.startsWith("-") ? -1 : 1;
  const bare = t.replace(/^[+-]/, "");
  if (bare === "nan") return NaN;
  if (bare === "inf" || bare === "infinity") return sign * Infinity;
  return Number(t);
}

function nonFinite(value: number): string {
  return Number.isNaN(value) ? "objective is NaN" : `objective is ${value > 0 ? "" : "-"}Infinity`;
}

function fromResultFile(text: string, names: readonly string[] | null): ParsedObjective {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    try {
      parsed = JSON.parse(text.replace(BARE_NON_FINITE, ': "$1"$2'));
    } catch (e) {
      return { error: `$SPRUCE_RESULT_FILE is not valid JSON: ${(e as Error).message}` };
    }
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return { error: `$SPRUCE_RESULT_FILE must hold a JSON object like {"objective": 1.5}` };
  }
  if (names !== null) return severalFromFile(parsed as Record<string, JsonValue>, names);
  const { objective, ...rest } = parsed as Record<string, JsonValue>;
  if (objective === undefined) return { error: `$SPRUCE_RESULT_FILE has no "objective" field` };
  // Non-finite values arrive as strings ("NaN" from our module entry; Python's bare NaN rewritten
  // above), and some writers quote numbers: accept a string only when it is a whole number.
  const value = typeof objective === "string" && WHOLE_NUMBER.test(objective) ? toNumber(objective.trim()) : objective;
  if (typeof value !== "number") {
    return { error: `"objective" in $SPRUCE_RESULT_FILE is not a number: ${JSON.stringify(objective)}` };
  }
  if (!Number.isFinite(value)) return { error: nonFinite(value) };
  return { objective: value, metadata: Object.keys(rest).length > 0 ? rest : null };
}

/** A value of the result file as a number: non-finite ones arrive as strings ("NaN"). */
function fileNumber(v: JsonValue | undefined): number | undefined {
  const value = typeof v === "string" && WHOLE_NUMBER.test(v) ? toNumber(v.trim()) : v;
  return typeof value === "number" ? value : undefined;
}

function several(values: readonly number[], names: readonly string[], metadata: Record<string, JsonValue> | null): ParsedObjective {
  for (const [j, v] of values.entries()) {
    if (!Number.isFinite(v)) return { error: `objective '${names[j]}' is ${Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity"}` };
  }
  return { objective: values[0]!, objectives: [...values], metadata };
}

function expected(names: readonly string[]): string {
  return `${names.length} objectives (${names.join(", ")})`;
}

function severalFromFile(parsed: Record<string, JsonValue>, names: readonly string[]): ParsedObjective {
  const key = "objectives" in parsed ? "objectives" : "objective";
  const { [key]: given, ...rest } = parsed;
  const metadata = Object.keys(rest).length > 0 ? rest : null;
  if (given === undefined) return { error: `$SPRUCE_RESULT_FILE has no "objectives" field (expected ${expected(names)})` };
  let raw: (JsonValue | undefined)[];
  if (Array.isArray(given)) {
    if (given.length !== names.length) return { error: `"${key}" in $SPRUCE_RESULT_FILE has ${given.length} value(s), expected ${expected(names)}` };
    raw = given;
  } else if (given !== null && typeof given === "object") {
    const unknown = Object.keys(given).find((k) => !names.includes(k));
    if (unknown !== undefined) return { error: `"${key}" in $SPRUCE_RESULT_FILE has '${unknown}', which is not a declared objective (${names.join(", ")})` };
    const missing = names.find((n) => !(n in given));
    if (missing !== undefined) return { error: `objective '${missing}' is missing from $SPRUCE_RESULT_FILE` };
    raw = names.map((n) => given[n]);
  } else {
    return { error: `"${key}" in $SPRUCE_RESULT_FILE is ${JSON.stringify(given)}, expected ${expected(names)}` };
  }
  const values: number[] = [];
  for (const [j, v] of raw.entries()) {
    const n = fileNumber(v);
    if (n === undefined) return { error: `objective '${names[j]}' in $SPRUCE_RESULT_FILE is not a number: ${JSON.stringify(v)}` };
    values.push(n);
  }
  return several(values, names, metadata);
}

const LIST_LINE = new RegExp(String.raw`^\s*(?:objective|DH-OUTPUT)\s*:\s*((?:${NUMBER})(?:\s*,\s*(?:${NUMBER}))*)\s*$`, "i");

function severalFromStdout(stdout: string, names: readonly string[]): ParsedObjective {
  const lines = stdout.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = LIST_LINE.exec(lines[i]!);
    if (!m) continue;
    const values = m[1]!.split(",").map((t) => toNumber(t.trim()));
    if (values.length !== names.length) return { error: `the objective line has ${values.length} value(s), expected ${expected(names)}` };
    return several(values, names, null);
  }
  return { error: `no 'objective: <v1>, <v2>, ...' line in stdout (expected ${expected(names)})` };
}

function fromStdout(stdout: string): ParsedObjective {
  const lines = stdout.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = LINE.exec(lines[i]!);
    if (!m) continue;
    const value = toNumber(m[1]!);
    return Number.isFinite(value) ? { objective: value, metadata: null } : { error: nonFinite(value) };
  }
  return { error: "no 'objective: <number>' line in stdout" };
}

/**
 * The reason a failed run wrote for its failure: a one-line "error" string in its result file
 * (the Python runner writes the exception's line there; its traceback is in stderr.txt). Null when
 * there is none, so the executor falls back on the exit code and the stderr tail.
 */
export function parseRunError(resultFileText: string | null): string | null {
  if (resultFileText === null) return null;
  try {
    const parsed = JSON.parse(resultFileText) as unknown;
    const error = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as { error?: unknown }).error : undefined;
    return typeof error === "string" && error.trim() !== "" ? error.trim() : null;
  } catch {
    return null;
  }
}

/**
 * The objective of a finished evaluation from its stdout (or its tail) and the text of its result
 * file (null when the run did not write one). `names`: the declared objectives when there are
 * several (then every one must be there, finite).
 */
export function parseObjective(stdout: string, resultFileText: string | null, names?: readonly string[] | null): ParsedObjective {
  const multi = names && names.length > 1 ? names : null;
  if (resultFileText !== null) return fromResultFile(resultFileText, multi);
  return multi ? severalFromStdout(stdout, multi) : fromStdout(stdout);
}

const REPORT = new RegExp(String.raw`^\s*report\s*:\s*step\s*=\s*(${NUMBER})\s+value\s*=\s*(${NUMBER})\s*$`, "i");

export interface ParsedProgress {
  step: number;
  value: number;
}

/**
 * An intermediate result line, `report: step=<n> value=<x>`; null for any other line. A report
 * whose step or value is not finite (a diverged training) is not a report the searcher can rank:
 * it is skipped, and the run's final objective decides.
 */
export function parseProgressLine(line: string): ParsedProgress | null {
  const m = REPORT.exec(line);
  if (!m) return null;
  const step = toNumber(m[1]!);
  const value = toNumber(m[2]!);
  return Number.isFinite(step) && Number.isFinite(value) ? { step, value } : null;
}

/** Every report line of a stdout text, in order. */
export function parseProgress(stdout: string): ParsedProgress[] {
  if (!/report\s*:/i.test(stdout)) return [];
  const out: ParsedProgress[] = [];
  for (const line of stdout.split("\n")) {
    const r = parseProgressLine(line);
    if (r) out.push(r);
  }
  return out;
}
