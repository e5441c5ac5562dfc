// Results the leader's searcher has not been told yet: those finished by per-node agents (or by
// anyone while no leader ran). The leader tells them and marks them, with its new state, in one
// transaction, so each result reaches the searcher exactly once across restarts. told_at also
// orders what was told (docs/architecture.md, Searcher state from the rows): the leader stamps each
// tell with a time after every earlier stamp, and tells a batch in id order, so the rows ordered
// by (told_at, id) replay the results in the order the searcher learnt them.
import type { JsonValue } from "../space/types.js";
import type { Store } from "./connection.js";
import { toEvaluation } from "./rows.js";
import { loadSearcherJournal, upsertSearcherState } from "./searcher-state.js";
import type { SearcherJournal } from "../search/searcher.js";
import { nowMs, retrying, writeTransaction, type RawRow } from "./sql.js";
import type { EvaluationRow } from "./types.js";
import { FINISHED_STATES } from "./states.js";

/** Finished (DONE, FAILED, TIMEOUT, or KILLED at the searcher's request) evaluations of a workflow
 * not yet told to its searcher, by id. */
export async function listUntold(store: Store, workflowId: number): Promise<EvaluationRow[]> {
  const rows: RawRow[] = await retrying(store, () =>
    store
      .knex("evaluations")
      .where({ workflow_id: workflowId })
      .whereNull("told_at")
      // A run a custom method stopped ends KILLED on its agent: the method hears of it too.
      .andWhere((w) => w.whereIn("state", FINISHED_STATES).orWhere((k) => k.where({ state: "KILLED", stop_request: "searcher" })))
      .orderBy("id"),
  );
  return rows.map(toEvaluation);
}

/**
 * Marks results as told at `toldAt` (a tell stamp, see nextToldStamp) and saves the searcher state
 * that includes them, atomically. Idempotent.
 */
export async function markTold(
  store: Store,
  workflowId: number,
  ids: readonly number[],
  searcherState: JsonValue,
  toldAt: number = nowMs(),
  searcherJournal?: SearcherJournal,
): Promise<void> {
  await writeTransaction(store, async (trx) => {
    // First statement a write (SQLite takes the write lock at once; see writeTransaction).
    if (ids.length > 0) await trx("evaluations").whereIn("id", [...ids]).whereNull("told_at").update({ told_at: toldAt });
    await upsertSearcherState(trx, workflowId, searcherState, searcherJournal);
  });
}

/** The latest tell stamp of a workflow's rows (0 when nothing was told): a new leader's stamps follow it. */
export async function lastToldAt(store: Store, workflowId: number): Promise<number> {
  const row: RawRow | undefined = await retrying(store, () => store.knex("evaluations").max({ at: "told_at" }).where({ workflow_id: workflowId }).first());
  return row?.at === null || row?.at === undefined ? 0 : Number(row.at);
}

/**
 * What a searcher that keeps its results in the rows needs back to restore: the rows told to it,
 * in the order it was told them, every other row (its pending points, untold results included),
 * in proposal order, and its journal (searcher_journal).
 */
export async function listSearcherHistory(store: Store, workflowId: number): Promise<{ told: EvaluationRow[]; pending: EvaluationRow[]; journal: JsonValue[] }> {
  const rows: RawRow[] = await retrying(store, () =>
    store.knex("evaluations").where({ workflow_id: workflowId }).orderByRaw("CASE WHEN told_at IS NULL THEN 1 ELSE 0 END").orderBy("told_at").orderBy("id"),
  );
  const all = rows.map((r) => ({ row: toEvaluation(r), told: r.told_at !== null && r.told_at !== undefined }));
  return { told: all.filter((r) => r.told).map((r) => r.row), pending: all.filter((r) => !r.told).map((r) => r.row), journal: await loadSearcherJournal(store, workflowId) };
}
