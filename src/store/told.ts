// Results the leader's searcher has not been told yet: those finished by per-node agents (or by
// anyone while no leader ran). The leader tells them and marks them, with its new state, in one
// transaction, so each result reaches the searcher exactly once across restarts.
import type { JsonValue } from "../space/types.js";
import type { Store } from "./connection.js";
import { toEvaluation } from "./rows.js";
import { upsertSearcherState } from "./searcher-state.js";
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

/** Marks results as told and saves the searcher state that includes them, atomically. Idempotent. */
export async function markTold(store: Store, workflowId: number, ids: readonly number[], searcherState: JsonValue): Promise<void> {
  await writeTransaction(store, async (trx) => {
    // First statement a write (SQLite takes the write lock at once; see writeTransaction).
    if (ids.length > 0) await trx("evaluations").whereIn("id", [...ids]).whereNull("told_at").update({ told_at: nowMs() });
    await upsertSearcherState(trx, workflowId, searcherState);
  });
}
