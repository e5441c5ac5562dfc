// The k best evaluations (deephyper-analytics `topk` parity): keys '0', '1', ... by rank, each the
// point's hyperparameters plus objective and eval_id. From the database or from a results.csv.
// With several objectives, the evaluations in Pareto order instead: the front first (pareto_rank
// 1), with objective_0 ... objective_{k-1} as results.csv names them.
import type { JsonValue, ObjectiveSpec } from "../space/types.js";
import type { EvaluationRow } from "../store/types.js";
import { objectiveColumns } from "./csv.js";
import { rankedEvaluations, scoredEvaluations } from "./front.js";

export type TopkTable = Record<string, Record<string, JsonValue>>;

export function topkFromEvaluations(rows: EvaluationRow[], direction: "maximize" | "minimize", k: number): TopkTable {
  const done = rows.filter((r) => r.state === "DONE" && r.objective !== null);
  return rank(
    done.map((r) => ({ objective: r.objective as number, entry: { ...r.point, objective: r.objective, eval_id: r.id } })),
    direction,
    k,
  );
}

/** From results.csv records: `p:<name>` columns become the point; numeric text becomes numbers. */
export function topkFromCsv(records: Record<string, string>[], direction: "maximize" | "minimize", k: number): TopkTable {
  const scored: { objective: number; entry: Record<string, JsonValue> }[] = [];
  for (const rec of records) {
    if (rec.objective === undefined || rec.objective === "" || (rec.status !== undefined && rec.status !== "DONE")) continue;
    const objective = Number(rec.objective);
    if (!Number.isFinite(objective)) continue;
    const entry: Record<string, JsonValue> = {};
    for (const [col, text] of Object.entries(rec)) {
      if (col.startsWith("p:")) entry[col.slice(2)] = parseCell(text);
    }
    entry.objective = objective;
    if (rec.eval_id !== undefined) entry.eval_id = parseCell(rec.eval_id);
    scored.push({ objective, entry });
  }
  return rank(scored, direction, k);
}

/**
 * Several objectives: the front (every point of it when k is undefined), else the first k points in
 * Pareto order, each with its pareto_rank.
 */
export function paretoTopkFromEvaluations(rows: EvaluationRow[], objectives: readonly ObjectiveSpec[], k?: number): TopkTable {
  const ranked = rankedEvaluations(scoredEvaluations(rows, objectives), objectives, k ?? 1);
  return paretoTable(
    ranked.map((s) => ({ point: s.row.point, values: s.values, evalId: s.row.id, rank: s.rank })),
    k,
  );
}

/** From a results.csv with objective_0 ... columns; every objective in `direction` (a file does not record them). */
export function paretoTopkFromCsv(records: Record<string, string>[], direction: "maximize" | "minimize", k?: number): TopkTable {
  const columns = Object.keys(records[0] ?? {}).filter((c) => /^objective_\d+$/.test(c));
  const objectives: ObjectiveSpec[] = columns.map((name) => ({ name, direction }));
  const entries: { point: Record<string, JsonValue>; values: number[]; evalId: JsonValue }[] = [];
  for (const rec of records) {
    if (rec.status !== undefined && rec.status !== "DONE") continue;
    const values = columns.map((c) => (rec[c] === "" || rec[c] === undefined ? NaN : Number(rec[c])));
    if (!values.every(Number.isFinite)) continue;
    const point: Record<string, JsonValue> = {};
    for (const [col, text] of Object.entries(rec)) if (col.startsWith("p:") && text !== "") point[col.slice(2)] = parseCell(text);
    entries.push({ point, values, evalId: rec.eval_id === undefined ? null : parseCell(rec.eval_id) });
  }
  const rows = entries.map((e, i) => ({ id: i, state: "DONE", point: e.point, objectives: e.values }) as unknown as EvaluationRow);
  const ranked = rankedEvaluations(scoredEvaluations(rows, objectives), objectives, k ?? 1);
  return paretoTable(ranked.map((s) => ({ ...entries[s.row.id]!, rank: s.rank })), k);
}

function paretoTable(ranked: { point: Record<string, JsonValue>; values: number[]; evalId: JsonValue; rank: number }[], k: number | undefined): TopkTable {
  const out: TopkTable = {};
  const shown = k === undefined ? ranked.filter((s) => s.rank === 1) : ranked.slice(0, k);
  shown.forEach((s, i) => {
    const entry: Record<string, JsonValue> = { ...s.point };
    objectiveColumns(s.values.length).forEach((c, j) => (entry[c] = s.values[j]!));
    entry.eval_id = s.evalId;
    entry.pareto_rank = s.rank;
    out[String(i)] = entry;
  });
  return out;
}

function rank(scored: { objective: number; entry: Record<string, JsonValue> }[], direction: "maximize" | "minimize", k: number): TopkTable {
  const sign = direction === "maximize" ? -1 : 1;
  // Ties keep evaluation order (stable sort), so the earliest evaluation of a best value ranks first.
  const sorted = [...scored].sort((a, b) => sign * (a.objective - b.objective));
  const out: TopkTable = {};
  sorted.slice(0, k).forEach((s, i) => {
    out[String(i)] = s.entry;
  });
  return out;
}

function parseCell(text: string): JsonValue {
  if (text === "") return null;
  if (text === "true" || text === "false") return text === "true";
  const n = Number(text);
  if (Number.isFinite(n) && /^[-+]?(\d|\.\d)/.test(text.trim())) return n;
  if (text.startsWith("[") || text.startsWith("{")) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      return text;
    }
  }
  return text;
}
