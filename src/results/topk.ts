// The k best evaluations (deephyper-analytics `topk` parity): keys '0', '1', ... by rank, each the
// point's hyperparameters plus objective and eval_id. From the database or from a results.csv.
import type { JsonValue } from "../space/types.js";
import type { EvaluationRow } from "../store/types.js";

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
