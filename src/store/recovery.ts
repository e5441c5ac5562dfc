// Recovery of evaluations whose launcher is gone: finding dead launchers (stale heartbeat, or a dead
// pid on this host), putting their RUNNING rows back to READY with attempt+1 (or FAILED once out
// of attempts), and a launcher handing back its own rows when its walltime ends.
import type { Knex } from "knex";
import type { Store } from "./connection.js";
import { insertEvents, transition } from "./events.js";
import { toLauncher } from "./rows.js";
import { nowMs, retrying, writeTransaction, type RawRow } from "./sql.js";
import type { LauncherRow } from "./types.js";

/**
 * Launchers of a workflow, not ended, that are dead: their heartbeat is older than staleAfterMs, or
 * they ran on `host` (the caller's own) and isPidAlive says their pid is gone, which needs no wait.
 * Read-only; recoverEvaluations does the repair.
 */
export async function findDeadLaunchers(
  store: Store,
  args: { workflowId: number; host: string; isPidAlive: (pid: number) => boolean; staleAfterMs: number; now?: number },
): Promise<LauncherRow[]> {
  const now = args.now ?? nowMs();
  const rows: RawRow[] = await retrying(store, () => store.knex("launchers").where({ workflow_id: args.workflowId }).whereNull("ended_at").orderBy("id"));
  return rows
    .map(toLauncher)
    .filter((l) => now - l.heartbeatAt > args.staleAfterMs || (l.host === args.host && !args.isPidAlive(l.pid)));
}

/**
 * Recovery's events start with this: the attempts bound counts them, and not the hand-backs of
 * requeueRunning (the walltime, a signal), which are no fault of the evaluation.
 */
export const RECOVERED_NOTE = "recovered: ";

/** How many times an evaluation was recovered from a dead launcher before (SQL, on `evaluations`). */
const RECOVERIES = `(SELECT COUNT(*) FROM evaluation_events e WHERE e.evaluation_id = evaluations.id
  AND e.from_state = 'RUNNING' AND e.to_state = 'READY' AND e.note LIKE '${RECOVERED_NOTE}%')`;

/**
 * In one transaction: RUNNING rows claimed by the given (dead) launchers go back to READY with
 * attempt+1 and no owner, or to FAILED ("gave up after N attempts") when this is their
 * maxAttempts-th launcher lost (earlier recoveries + 1; hand-backs do not count); one event each,
 * its note starting with RECOVERED_NOTE; and those launchers are marked ended, so the next recovery
 * does not find them again. A launcher wrongly declared dead cannot finish the recovered rows
 * afterwards: finishEvaluations matches on the attempt, which has moved on, and its heartbeat
 * reports false. A retry after a lost COMMIT finds nothing left to do and reports zeros (the repair
 * itself is done).
 */
export async function recoverEvaluations(
  store: Store,
  args: { workflowId: number; launcherIds: readonly number[]; maxAttempts: number; note: string },
): Promise<{ requeued: number; failed: number }> {
  if (args.launcherIds.length === 0) return { requeued: 0, failed: 0 };
  return writeTransaction(store, async (trx) => {
    const at = nowMs();
    // First statement: an UPDATE (see writeTransaction). Rows out of attempts first, so the requeue
    // below only sees the others.
    const failed: RawRow[] = await ownedRunning(trx, args.workflowId, args.launcherIds)
      .andWhere(trx.raw(`${RECOVERIES} >= ?`, [args.maxAttempts - 1]))
      .update({
        state: "FAILED",
        finished_at: at,
        error: trx.raw(`'gave up after ' || CAST(${RECOVERIES} + 1 AS TEXT) || ' attempts; last: ' || ?`, [args.note]),
      })
      .returning("id");
    await insertEvents(trx, failed.map((r) => transition(Number(r.id), "RUNNING", "FAILED", at, args.note)));
    const requeued = await requeue(trx, args.workflowId, args.launcherIds, at, `${RECOVERED_NOTE}${args.note}`);
    await trx("launchers").whereIn("id", [...args.launcherIds]).whereNull("ended_at").update({ ended_at: at });
    return { requeued, failed: failed.length };
  });
}

/**
 * A launcher stopping at walltime hands its own RUNNING rows back: READY, attempt+1, no owner (no
 * failure bound: being cut by the walltime is not the evaluation's fault). Returns how many.
 */
export async function requeueRunning(store: Store, args: { workflowId: number; launcherId: number; note: string }): Promise<number> {
  return writeTransaction(store, (trx) => requeue(trx, args.workflowId, [args.launcherId], nowMs(), args.note));
}

function ownedRunning(trx: Knex.Transaction, workflowId: number, launcherIds: readonly number[]): Knex.QueryBuilder {
  return trx("evaluations").where({ workflow_id: workflowId, state: "RUNNING" }).whereIn("claimed_by", [...launcherIds]);
}

async function requeue(trx: Knex.Transaction, workflowId: number, launcherIds: readonly number[], at: number, note: string): Promise<number> {
  const rows: RawRow[] = await ownedRunning(trx, workflowId, launcherIds)
    .update({ state: "READY", attempt: trx.raw("attempt + 1"), claimed_by: null, started_at: null, hosts: null })
    .returning("id");
  await insertEvents(trx, rows.map((r) => transition(Number(r.id), "RUNNING", "READY", at, note)));
  return rows.length;
}
