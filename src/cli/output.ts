// Console conventions (docs/architecture.md, Console output): step lines and progress on stderr,
// the product (tables, JSON, scripts) on stdout so it can be piped.
import type { Logger } from "../jobs/index.js";
import { holdWarnings } from "../util/warnings.js";

export function info(line: string): void {
  process.stderr.write(line + "\n");
}

/** Something that works but is probably not what the user meant (on stderr, never fatal). */
export function warn(line: string): void {
  process.stderr.write(`warning: ${line}\n`);
}

/**
 * Prints "Label..." then "OK" after fn succeeds; on failure the line ends with "FAILED". Warnings
 * raised meanwhile come on the lines after it.
 */
export async function step<T>(label: string, fn: () => Promise<T> | T): Promise<T> {
  process.stderr.write(label + "...");
  const release = holdWarnings();
  try {
    const value = await fn();
    process.stderr.write("OK\n");
    return value;
  } catch (e) {
    process.stderr.write("FAILED\n");
    throw e;
  } finally {
    release();
  }
}

/** The jobs module's progress as console step lines (only the CLI prints them). */
export const consoleLogger: Logger = { step, info };

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}

/** A plain left-aligned text table (no colour codes, so it is also fine in logs). */
export function formatTable(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? "" : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells.map((r) => r.map((c, i) => (c ?? "").padEnd(widths[i] ?? 0)).join("  ").trimEnd()).join("\n") + "\n";
}

export function formatNumber(v: number | null | undefined, digits = 6): string {
  if (v === null || v === undefined) return "";
  if (Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(digits)).toString();
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : m > 0 ? `${m}m${String(sec).padStart(2, "0")}s` : `${sec}s`;
}
