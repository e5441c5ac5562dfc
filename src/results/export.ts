// The whole history of a workflow as plain records (`spruce export`): every evaluation with state,
// attempt, point, objective, error, ISO timestamps, hosts and workdir, and optionally every state
// change. Unlike results.csv (finished evaluations only, seconds since submission) nothing is left out.
import type { JsonValue } from "../space/types.js";
import type { EvaluationEventRow, EvaluationRow } from "../store/types.js";
import { csvField, objectiveColumns } from "./csv.js";
import { resultsLayout } from "./layout.js";

export interface ExportedEvaluation {
  eval_id: number;
  state: string;
  attempt: number;
  objective: number | null;
  /** With several objectives, every value in declared order (absent with one). */
  objectives?: number[] | null;
  exit_code: number | null;
  error: string | null;
  point: Record<string, JsonValue>;
  metrics: Record<string, JsonValue> | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_s: number | null;
  hosts: string[];
  workdir: string | null;
}

export interface ExportedEvent {
  event_id: number;
  eval_id: number;
  from_state: string | null;
  to_state: string;
  at: string;
  note: string | null;
}

function iso(t: number | null): string | null {
  return t === null ? null : new Date(t).toISOString();
}

/** An evaluation's record; its workdir only once it has started (before that none exists). */
export function exportEvaluation(e: EvaluationRow, resultsDir: string): ExportedEvaluation {
  return {
    eval_id: e.id,
    state: e.state,
    attempt: e.attempt,
    objective: e.objective,
    ...(e.objectives ? { objectives: e.objectives } : {}),
    exit_code: e.exitCode,
    error: e.error,
    point: e.point,
    metrics: e.metrics,
    created_at: new Date(e.createdAt).toISOString(),
    started_at: iso(e.startedAt),
    finished_at: iso(e.finishedAt),
    duration_s: e.startedAt !== null && e.finishedAt !== null ? (e.finishedAt - e.startedAt) / 1000 : null,
    hosts: e.hosts ?? [],
    workdir: e.startedAt === null ? null : resultsLayout(resultsDir).evaluation(e.id),
  };
}

export function exportEvent(ev: EvaluationEventRow): ExportedEvent {
  return { event_id: ev.id, eval_id: ev.evaluationId, from_state: ev.fromState, to_state: ev.toState, at: new Date(ev.at).toISOString(), note: ev.note };
}

function cell(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function csvText(header: string[], rows: string[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(",") + "\n").join("");
}

/**
 * One row per evaluation; the point as `p:<name>` columns (results.csv style) for the problem's
 * hyperparameters in order, then any other point keys; metrics as one JSON column.
 */
export function evaluationsCsv(rows: readonly ExportedEvaluation[], names: readonly string[], objectives = 1): string {
  const all = [...names];
  for (const r of rows) for (const k of Object.keys(r.point)) if (!all.includes(k)) all.push(k);
  // Several objectives: objective_0 ... as in results.csv, in place of objective.
  const columns = objectiveColumns(objectives);
  const values = (r: ExportedEvaluation): string[] => (objectives > 1 ? columns.map((_, j) => cell(r.objectives?.[j])) : [cell(r.objective)]);
  const header = ["eval_id", "state", "attempt", ...columns, "exit_code", "error", "created_at", "started_at", "finished_at", "duration_s", "hosts", "workdir", ...all.map((n) => `p:${n}`), "metrics"];
  return csvText(header, rows.map((r) => [
    String(r.eval_id), r.state, String(r.attempt), ...values(r), cell(r.exit_code), cell(r.error),
    r.created_at, cell(r.started_at), cell(r.finished_at), cell(r.duration_s), r.hosts.join(" "), cell(r.workdir),
    ...all.map((n) => cell(r.point[n])), cell(r.metrics),
  ]));
}

export function eventsCsv(rows: readonly ExportedEvent[]): string {
  return csvText(["event_id", "eval_id", "from_state", "to_state", "at", "note"], rows.map((e) => [String(e.event_id), String(e.eval_id), cell(e.from_state), e.to_state, e.at, cell(e.note)]));
}
