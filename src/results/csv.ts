// results.csv (docs/architecture.md, results.csv): one row per finished evaluation, appended as evaluations finish so the
// file is readable mid-search; RFC 4180 quoting; DeepHyper's column names (with several objectives,
// objective_0 ... objective_{k-1} in declared order, as DeepHyper 0.13 writes).
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import type { EvaluationRow } from "../store/types.js";
import type { JsonValue, ProblemSpec } from "../space/types.js";
import { isNas, recordPoint } from "../nas/sequence.js";

export const META_COLUMNS = [
  "objective",
  "eval_id",
  "status",
  "m:timestamp_submit",
  "m:timestamp_start",
  "m:timestamp_end",
  "m:duration",
  "m:host",
] as const;

/** The objective columns: `objective`, or objective_0 ... objective_{k-1} for k > 1 objectives. */
export function objectiveColumns(k: number): string[] {
  return k > 1 ? Array.from({ length: k }, (_, j) => `objective_${j}`) : ["objective"];
}

export function csvHeader(names: readonly string[], objectives = 1): string[] {
  return [...names.map((n) => `p:${n}`), ...objectiveColumns(objectives), ...META_COLUMNS.slice(1)];
}

export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function valueText(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** Seconds since the workflow was created: small, comparable numbers like DeepHyper's timestamps. */
function rel(t: number | null, origin: number): string {
  return t === null ? "" : ((t - origin) / 1000).toFixed(3);
}

export function csvRow(names: readonly string[], e: EvaluationRow, origin: number, objectives = 1): string[] {
  const duration = e.startedAt !== null && e.finishedAt !== null ? ((e.finishedAt - e.startedAt) / 1000).toFixed(3) : "";
  const values =
    objectives > 1
      ? Array.from({ length: objectives }, (_, j) => (e.objectives?.[j] === undefined ? "" : String(e.objectives[j])))
      : [e.objective === null ? "" : String(e.objective)];
  return [
    // An inactive hyperparameter is absent from the point: its cell is empty.
    ...names.map((n) => valueText(e.point[n])),
    ...values,
    String(e.id),
    e.state,
    rel(e.createdAt, origin),
    rel(e.startedAt, origin),
    rel(e.finishedAt, origin),
    duration,
    (e.hosts ?? []).join(" "),
  ];
}

/** Appends rows, writing the header first when the file is new. One write call per batch. `objectives`: how many. */
export function appendResults(file: string, names: readonly string[], rows: EvaluationRow[], origin: number, objectives = 1): void {
  if (rows.length === 0) return;
  let text = "";
  if (!existsSync(file)) text += csvHeader(names, objectives).map(csvField).join(",") + "\n";
  for (const r of rows) text += csvRow(names, r, origin, objectives).map(csvField).join(",") + "\n";
  appendFileSync(file, text);
}

/**
 * The rows as results show them: a NAS problem's architecture choices folded into `arch_seq`
 * (docs/architecture.md, Neural architecture search); the names to go with them are recordNames.
 */
export function recordedRows<R extends Pick<EvaluationRow, "point">>(problem: ProblemSpec, rows: readonly R[]): R[] {
  if (!isNas(problem)) return [...rows];
  return rows.map((r) => ({ ...r, point: recordPoint(problem, r.point) }));
}

/** Parses RFC 4180 CSV text into records (header row first). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export function readCsvRecords(file: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(file, "utf8"));
  if (!header) return [];
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ""])));
}
