// The objective protocol (docs/architecture.md, Objective protocol): a JSON object in $SPRUCE_RESULT_FILE wins; else the last
// stdout line `objective: <number>` (or DeepHyper's `DH-OUTPUT: <number>`). A missing or non-finite
// objective is a failure with a reason, never a fake value handed to the searcher.
import type { JsonValue } from "../../src/space/types.js";

export type ParsedObjective =
  | { objective: number; metadata: Record<string, JsonValue> | null }
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

function fromResultFile(text: string): ParsedObjective {
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
 * file (null when the run did not write one).
 */
export function parseObjective(stdout: string, resultFileText: string | null): ParsedObjective {
  return resultFileText !== null ? fromResultFile(resultFileText) : fromStdout(stdout);
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
