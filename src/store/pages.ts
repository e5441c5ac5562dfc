// Read-only queries for the dashboard (docs/architecture.md, Dashboard): every workflow's counts in
// one statement, a page of a workflow's evaluations sorted and filtered by the database, and the
// narrow rows its charts are drawn from. Each is one short statement, so a reader never holds a
// snapshot open (on SQLite, a long read keeps the WAL from being checkpointed back).
import type { Store } from "./connection.js";
import { toBatchJob, toEvaluation } from "./rows.js";
import { retrying, type RawRow } from "./sql.js";
import type { BatchJobRow, EvaluationRow, EvaluationState } from "./types.js";
import { EVALUATION_STATES } from "./states.js";

/** Evaluation counts by state of every workflow, by workflow id (every state present). */
export async function countAllEvaluations(store: Store): Promise<Map<number, Record<EvaluationState, number>>> {
  // Grouped by the leading columns of the (workflow_id, state, id) index: an index-only scan.
  const rows: RawRow[] = await retrying(store, () => store.knex("evaluations").select("workflow_id", "state").count({ n: "*" }).groupBy("workflow_id", "state"));
  const out = new Map<number, Record<EvaluationState, number>>();
  for (const r of rows) {
    const id = Number(r.workflow_id);
    let counts = out.get(id);
    if (!counts) out.set(id, (counts = Object.fromEntries(EVALUATION_STATES.map((s) => [s, 0])) as Record<EvaluationState, number>));
    counts[r.state as EvaluationState] = Number(r.n);
  }
  return out;
}

/** The lowest and highest DONE objective of each of these workflows (absent: none DONE). */
export async function objectiveRanges(store: Store, workflowIds: readonly number[]): Promise<Map<number, { min: number; max: number }>> {
  const out = new Map<number, { min: number; max: number }>();
  if (workflowIds.length === 0) return out;
  const rows: RawRow[] = await retrying(store, () =>
    store.knex("evaluations").select("workflow_id").min({ lo: "objective" }).max({ hi: "objective" }).whereIn("workflow_id", [...workflowIds]).andWhere({ state: "DONE" }).groupBy("workflow_id"),
  );
  for (const r of rows) if (r.lo !== null && r.lo !== undefined) out.set(Number(r.workflow_id), { min: Number(r.lo), max: Number(r.hi) });
  return out;
}

/** Every batch job, oldest first (one statement for the overview of all workflows). */
export async function listAllBatchJobs(store: Store): Promise<BatchJobRow[]> {
  const rows: RawRow[] = await retrying(store, () => store.knex("batch_jobs").select("*").orderBy("id"));
  return rows.map(toBatchJob);
}

/** The columns a page of evaluations can be sorted by. */
export const EVALUATION_SORTS = ["id", "state", "objective", "attempt", "host", "created", "started", "finished", "duration"] as const;
export type EvaluationSort = (typeof EVALUATION_SORTS)[number];

export interface EvaluationPageQuery {
  workflowId: number;
  sort: EvaluationSort;
  descending: boolean;
  offset: number;
  limit: number;
  /** Only these states (none or undefined: all). */
  states?: readonly EvaluationState[];
  /** Case-insensitive substring of the point (as JSON), the hosts or the error. */
  text?: string;
}

export interface EvaluationPage {
  /** How many rows match the filter (the pages' total). */
  total: number;
  rows: EvaluationRow[];
}

/** SQL of each sort key; unknown keys never reach SQL (the type, and the caller's check). */
const SORT_SQL: Record<EvaluationSort, string> = {
  id: "id",
  state: "state",
  objective: "objective",
  attempt: "attempt",
  host: "hosts",
  created: "created_at",
  started: "started_at",
  finished: "finished_at",
  duration: "(finished_at - started_at)",
};

/**
 * One page of a workflow's evaluations, sorted and filtered in the database (100 000 rows are never
 * read to show 50). Rows without a value in the sort column come last in both directions, ties by
 * id; the error is cut to its first 2000 characters (a stderr tail can be long).
 */
export async function pageEvaluations(store: Store, q: EvaluationPageQuery): Promise<EvaluationPage> {
  const sortSql = SORT_SQL[q.sort];
  if (sortSql === undefined) throw new Error(`pageEvaluations: unknown sort '${String(q.sort)}'`);
  const filtered = () => {
    const b = store.knex("evaluations").where({ workflow_id: q.workflowId });
    if (q.states && q.states.length > 0) b.whereIn("state", [...q.states]);
    const text = q.text?.trim();
    if (text) {
      // LIKE is case-insensitive for ASCII on SQLite; PostgreSQL needs ILIKE. The user's text is
      // a bound value with its wildcards escaped, never SQL.
      const like = store.dialect === "postgres" ? "ILIKE" : "LIKE";
      const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      b.andWhere((w) =>
        w.whereRaw(`point ${like} ? ESCAPE '\\'`, [pattern])
          .orWhereRaw(`hosts ${like} ? ESCAPE '\\'`, [pattern])
          .orWhereRaw(`error ${like} ? ESCAPE '\\'`, [pattern]),
      );
    }
    return b;
  };
  const [countRow, rows] = await Promise.all([
    retrying(store, () => filtered().count({ n: "*" }).first()) as Promise<RawRow | undefined>,
    retrying(store, () =>
      filtered()
        .select("id", "workflow_id", "state", "point", "objective", "objectives", "attempt", "created_at", "started_at", "finished_at", "exit_code", "hosts", "fidelity")
        .select(store.knex.raw("substr(error, 1, 2000) as error"))
        .orderByRaw(`CASE WHEN ${sortSql} IS NULL THEN 1 ELSE 0 END, ${sortSql} ${q.descending ? "DESC" : "ASC"}, id ${q.descending ? "DESC" : "ASC"}`)
        .limit(q.limit)
        .offset(q.offset),
    ) as Promise<RawRow[]>,
  ]);
  return { total: Number(countRow?.n ?? 0), rows: rows.map(toEvaluation) };
}

/** The columns charts draw, besides the point and the error. */
const CHART_COLUMNS = ["id", "workflow_id", "state", "objective", "objectives", "attempt", "created_at", "started_at", "finished_at", "hosts", "fidelity"];

/**
 * A workflow's evaluations with what the charts draw and nothing else (no metrics, tokens or
 * controls; the error's first 300 characters), by id. Without `points`, the point is left out too
 * (read as {}) and so is the error: the numbers of a 100 000-row workflow, read and converted in a
 * fraction of the time, for charts that draw the points of a sample only (listChartRowsById).
 */
export async function listChartRows(store: Store, workflowId: number, opts: { points?: boolean } = {}): Promise<EvaluationRow[]> {
  const points = opts.points !== false;
  const rows: RawRow[] = await retrying(store, () => {
    const q = store.knex("evaluations").select(CHART_COLUMNS).where({ workflow_id: workflowId }).orderBy("id");
    if (points) q.select("point", store.knex.raw("substr(error, 1, 300) as error"));
    return q;
  });
  if (!points) for (const r of rows) r.point = "{}";
  return rows.map(toEvaluation);
}

/** The chart rows of these evaluations (with their points), by id. */
export async function listChartRowsById(store: Store, ids: readonly number[]): Promise<EvaluationRow[]> {
  const out: EvaluationRow[] = [];
  // Chunks keep the IN list under SQLite's bound-variable limit.
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows: RawRow[] = await retrying(store, () =>
      store.knex("evaluations").select(CHART_COLUMNS).select("point", store.knex.raw("substr(error, 1, 300) as error")).whereIn("id", chunk),
    );
    out.push(...rows.map(toEvaluation));
  }
  return out.sort((a, b) => a.id - b.id);
}
