// Intermediate results of running evaluations (evaluation_reports, migration 005), and the leader's
// answers to them for runs its agents execute (evaluations.control / stop_request). A searcher that
// decides on progress (asha, a custom onReport) has its state saved in the same transaction as the
// progress and answers it decided on: a relaunched launcher neither forgets a decision nor makes it twice.
import type { JsonValue } from "../space/types.js";
import type { Store } from "./connection.js";
import { toJson } from "./rows.js";
import { upsertSearcherState } from "./searcher-state.js";
import type { SearcherJournal } from "../search/searcher.js";
import { chunks, retrying, writeTransaction, type RawRow } from "./sql.js";
import type { EvaluationControl, ProgressPoint } from "./types.js";

/**
 * Appends progress (in order) of a workflow's evaluations, sets controls for runs elsewhere (only on
 * rows still RUNNING), and saves the searcher state, atomically.
 */
export async function recordProgress(
  store: Store,
  workflowId: number,
  progress: readonly ProgressPoint[],
  opts: { searcherState?: JsonValue; searcherJournal?: SearcherJournal; controls?: readonly EvaluationControl[] } = {},
): Promise<void> {
  const controls = opts.controls ?? [];
  if (progress.length === 0 && controls.length === 0 && opts.searcherState === undefined) return;
  await writeTransaction(store, async (trx) => {
    // First statement a write (SQLite takes the write lock at once; see writeTransaction).
    for (const chunk of chunks(progress)) {
      await trx("evaluation_reports").insert(
        chunk.map((r) => ({ evaluation_id: r.evaluationId, workflow_id: workflowId, seq: r.seq ?? 0, launcher_id: r.launcherId ?? null, step: r.step, value: r.value, at: r.at })),
      );
    }
    for (const c of controls) {
      const patch: Record<string, unknown> = {};
      if (c.answer) patch.control = toJson(c.answer);
      if (c.stop) patch.stop_request = c.stop;
      if (Object.keys(patch).length > 0) await trx("evaluations").where({ id: c.evaluationId, state: "RUNNING" }).update(patch);
    }
    if (opts.searcherState !== undefined) await upsertSearcherState(trx, workflowId, opts.searcherState, opts.searcherJournal);
  });
}

/**
 * A workflow's progress in arrival order: all, those of some evaluations, or those after report id
 * `afterId` read by other launchers than `notBy` (a leader reading its agents' progress).
 */
export async function listProgress(
  store: Store,
  workflowId: number,
  opts: { evaluationIds?: readonly number[]; afterId?: number; notBy?: number } = {},
): Promise<ProgressPoint[]> {
  const rows: RawRow[] = await retrying(store, () => {
    const q = store.knex("evaluation_reports").where({ workflow_id: workflowId });
    if (opts.evaluationIds) q.whereIn("evaluation_id", [...opts.evaluationIds]);
    if (opts.afterId !== undefined) q.andWhere("id", ">", opts.afterId);
    if (opts.notBy !== undefined) q.andWhere((w) => w.whereNull("launcher_id").orWhereNot("launcher_id", opts.notBy!));
    return q.orderBy("id");
  });
  return rows.map((r) => ({
    id: Number(r.id),
    evaluationId: Number(r.evaluation_id),
    seq: Number(r.seq),
    launcherId: r.launcher_id === null || r.launcher_id === undefined ? null : Number(r.launcher_id),
    step: Number(r.step),
    value: Number(r.value),
    at: Number(r.at),
  }));
}

/** What the leader said to these (running) evaluations: for an agent to carry out. */
export async function readControls(store: Store, ids: readonly number[]): Promise<EvaluationControl[]> {
  if (ids.length === 0) return [];
  const rows: RawRow[] = await retrying(store, () =>
    store.knex("evaluations").select("id", "control", "stop_request").whereIn("id", [...ids]).andWhere((w) => w.whereNotNull("control").orWhereNotNull("stop_request")),
  );
  return rows.map((r) => ({
    evaluationId: Number(r.id),
    answer: r.control ? (JSON.parse(String(r.control)) as EvaluationControl["answer"]) : undefined,
    stop: r.stop_request ? (String(r.stop_request) as EvaluationControl["stop"]) : undefined,
  }));
}

/** The id of a workflow's newest report (0 when none): a new leader reads agents' progress after it. */
export async function lastProgressId(store: Store, workflowId: number): Promise<number> {
  const row: RawRow | undefined = await retrying(store, () => store.knex("evaluation_reports").where({ workflow_id: workflowId }).max({ id: "id" }).first());
  return row?.id === null || row?.id === undefined ? 0 : Number(row.id);
}
