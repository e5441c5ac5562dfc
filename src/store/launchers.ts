// Launcher rows: one per launcher process, with host, pid and a heartbeat that recovery reads
// (docs/architecture.md, Heartbeats and recovery).
import { NotFoundError } from "../errors.js";
import type { Store } from "./connection.js";
import { toLauncher } from "./rows.js";
import { nowMs, retrying, type RawRow } from "./sql.js";
import type { LauncherRow } from "./types.js";

/**
 * Registers a launcher. An insert whose COMMIT was lost in flight and then retried leaves one
 * extra row that never ticks: it owns no evaluation and is ended by the next recovery pass.
 */
export async function registerLauncher(
  store: Store,
  args: { workflowId: number; batchJobId: number | null; host: string; pid: number },
): Promise<LauncherRow> {
  const at = nowMs();
  const rows: RawRow[] = await retrying(store, () =>
    store
      .knex("launchers")
      .insert({ workflow_id: args.workflowId, batch_job_id: args.batchJobId, host: args.host, pid: args.pid, started_at: at, heartbeat_at: at })
      .returning("*"),
  );
  return toLauncher(rows[0]!);
}

/**
 * Ticks the heartbeat. Returns false when the launcher has been ended, e.g. declared dead and
 * recovered by another launcher: it no longer owns its evaluations and should stop.
 */
export async function heartbeatLauncher(store: Store, id: number): Promise<boolean> {
  const changed = await retrying(store, () => store.knex("launchers").where({ id }).whereNull("ended_at").update({ heartbeat_at: nowMs() }));
  return changed > 0;
}

/** Marks a launcher ended (a clean exit); ending an ended launcher keeps the first end time. */
export async function endLauncher(store: Store, id: number): Promise<void> {
  const exists = await retrying(store, async () => {
    const changed = await store.knex("launchers").where({ id }).whereNull("ended_at").update({ ended_at: nowMs() });
    return changed > 0 || (await store.knex("launchers").where({ id }).first()) !== undefined;
  });
  if (!exists) throw new NotFoundError(`no launcher with id ${id}`, "was its workflow deleted ('spruce rm') meanwhile? list the workflows with 'spruce ls'");
}

export async function listLaunchers(store: Store, workflowId: number): Promise<LauncherRow[]> {
  const rows: RawRow[] = await retrying(store, () => store.knex("launchers").where({ workflow_id: workflowId }).orderBy("id"));
  return rows.map(toLauncher);
}
