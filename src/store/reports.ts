// Intermediate results of running evaluations (evaluation_reports, migration 005). A multi-fidelity
// searcher decides on them (stop, promote), so they are saved in one transaction with the searcher
// state those decisions produced: a relaunched launcher neither forgets a decision nor makes it twice.
import type { JsonValue } from "../space/types.js";
import type { Store } from "./connection.js";
import { upsertSearcherState } from "./searcher-state.js";
import { chunks, retrying, writeTransaction, type RawRow } from "./sql.js";
import type { EvaluationReport } from "./types.js";

/** Appends reports (in order) of a workflow's evaluations, with the searcher state, atomically. */
export async function recordReports(
  store: Store,
  workflowId: number,
  reports: readonly EvaluationReport[],
  opts: { searcherState?: JsonValue } = {},
): Promise<void> {
  if (reports.length === 0 && opts.searcherState === undefined) return;
  await writeTransaction(store, async (trx) => {
    // First statement a write (SQLite takes the write lock at once; see writeTransaction).
    for (const chunk of chunks(reports)) {
      await trx("evaluation_reports").insert(
        chunk.map((r) => ({ evaluation_id: r.evaluationId, workflow_id: workflowId, step: r.step, value: r.value, at: r.at })),
      );
    }
    if (opts.searcherState !== undefined) await upsertSearcherState(trx, workflowId, opts.searcherState);
  });
}

/** A workflow's reports in arrival order. */
export async function listReports(store: Store, workflowId: number, opts: { evaluationIds?: readonly number[] } = {}): Promise<EvaluationReport[]> {
  const rows: RawRow[] = await retrying(store, () => {
    const q = store.knex("evaluation_reports").where({ workflow_id: workflowId });
    if (opts.evaluationIds) q.whereIn("evaluation_id", [...opts.evaluationIds]);
    return q.orderBy("id");
  });
  return rows.map((r) => ({ evaluationId: Number(r.evaluation_id), step: Number(r.step), value: Number(r.value), at: Number(r.at) }));
}
