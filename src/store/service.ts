// The service's rows (docs/architecture.md, Ticks): the one-per-database lock with its heartbeat, the last tick, the
// actions it took (service_events), the workflows it holds back (service_holds), and the launcher
// queries a tick needs. The lock is a compare-and-set on a token, never a read-then-write: two
// services racing for a stale lock both read the old token, only one UPDATE matches it.
import { randomUUID } from "node:crypto";
import type { Store } from "./connection.js";
import { toLauncher } from "./rows.js";
import { nowMs, retrying, type RawRow } from "./sql.js";
import type { LauncherRow } from "./types.js";

/** The single lock row's key: one service per database. */
const LOCK_NAME = "service";

export interface ServiceLock {
  holderHost: string | null;
  holderPid: number | null;
  /** Null while nobody holds the lock (never held, or released by a clean stop). */
  token: string | null;
  acquiredAt: number | null;
  heartbeatAt: number | null;
  releasedAt: number | null;
  lastTickAt: number | null;
  lastTickSummary: string | null;
}

export interface ServiceEvent {
  id: number;
  at: number;
  workflowId: number | null;
  action: string;
}

export interface ServiceHold {
  workflowId: number;
  at: number;
  reason: string;
}

const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toLock(r: RawRow): ServiceLock {
  return {
    holderHost: strOrNull(r.holder_host),
    holderPid: numOrNull(r.holder_pid),
    token: strOrNull(r.token),
    acquiredAt: numOrNull(r.acquired_at),
    heartbeatAt: numOrNull(r.heartbeat_at),
    releasedAt: numOrNull(r.released_at),
    lastTickAt: numOrNull(r.last_tick_at),
    lastTickSummary: strOrNull(r.last_tick_summary),
  };
}

export async function readServiceLock(store: Store): Promise<ServiceLock | undefined> {
  const row: RawRow | undefined = await retrying(store, () => store.knex("service_lock").where({ name: LOCK_NAME }).first());
  return row ? toLock(row) : undefined;
}

/**
 * Whether a held lock's holder is gone: its heartbeat is older than staleAfterMs, or it ran on
 * `host` (the caller's) and its pid is dead, which needs no wait (as for launchers, docs/architecture.md, Heartbeats and recovery).
 */
export function isLockAbandoned(lock: ServiceLock, args: { host: string; isPidAlive: (pid: number) => boolean; staleAfterMs: number; now?: number }): boolean {
  if (lock.token === null) return true;
  const now = args.now ?? nowMs();
  if (lock.heartbeatAt === null || now - lock.heartbeatAt > args.staleAfterMs) return true;
  return lock.holderHost === args.host && lock.holderPid !== null && !args.isPidAlive(lock.holderPid);
}

export type LockResult = { acquired: true; token: string; previous: ServiceLock } | { acquired: false; holder: ServiceLock };

/**
 * Takes the service lock if it is free, released, or abandoned (isLockAbandoned). The row is
 * created on first use (an insert that ignores a conflict, so two first services cannot both
 * create it). A retry after a lost COMMIT finds the row carrying our own token: acquired.
 */
export async function acquireServiceLock(
  store: Store,
  args: { host: string; pid: number; isPidAlive: (pid: number) => boolean; staleAfterMs: number },
): Promise<LockResult> {
  const token = randomUUID();
  return retrying(store, async () => {
    await store.knex("service_lock").insert({ name: LOCK_NAME }).onConflict("name").ignore();
    const current = toLock(await store.knex("service_lock").where({ name: LOCK_NAME }).first());
    if (current.token === token) return { acquired: true, token, previous: current };
    if (!isLockAbandoned(current, args)) return { acquired: false, holder: current };
    const now = nowMs();
    const matchToken = current.token === null ? { token: null } : { token: current.token };
    const changed = await store
      .knex("service_lock")
      .where({ name: LOCK_NAME })
      .andWhere((q) => (matchToken.token === null ? q.whereNull("token") : q.where("token", matchToken.token)))
      .update({ holder_host: args.host, holder_pid: args.pid, token, acquired_at: now, heartbeat_at: now, released_at: null });
    if (changed > 0) return { acquired: true, token, previous: current };
    // Another service won the compare-and-set between our read and our write.
    return { acquired: false, holder: toLock(await store.knex("service_lock").where({ name: LOCK_NAME }).first()) };
  });
}

/** Ticks the heartbeat; false when the lock is no longer ours (taken over): the service must stop. */
export async function heartbeatServiceLock(store: Store, token: string): Promise<boolean> {
  const changed = await retrying(store, () => store.knex("service_lock").where({ name: LOCK_NAME, token }).update({ heartbeat_at: nowMs() }));
  return changed > 0;
}

/** Releases the lock if still ours; holder host and pid stay, for `service status`. */
export async function releaseServiceLock(store: Store, token: string): Promise<void> {
  await retrying(store, () => store.knex("service_lock").where({ name: LOCK_NAME, token }).update({ token: null, released_at: nowMs() }));
}

/** Records a finished tick (and heartbeats); false when the lock is no longer ours. */
export async function recordServiceTick(store: Store, token: string, summary: string): Promise<boolean> {
  const now = nowMs();
  const changed = await retrying(store, () =>
    store.knex("service_lock").where({ name: LOCK_NAME, token }).update({ last_tick_at: now, last_tick_summary: summary, heartbeat_at: now }),
  );
  return changed > 0;
}

export async function addServiceEvent(store: Store, event: { workflowId: number | null; action: string }): Promise<void> {
  await retrying(store, () => store.knex("service_events").insert({ at: nowMs(), workflow_id: event.workflowId, action: event.action }));
}

/** The latest service events, newest first; of one workflow when workflowId is given. */
export async function listServiceEvents(store: Store, opts: { workflowId?: number; limit: number }): Promise<ServiceEvent[]> {
  const rows: RawRow[] = await retrying(store, () => {
    const q = store.knex("service_events").orderBy("id", "desc").limit(opts.limit);
    return opts.workflowId === undefined ? q : q.where({ workflow_id: opts.workflowId });
  });
  return rows.map((r) => ({ id: Number(r.id), at: Number(r.at), workflowId: numOrNull(r.workflow_id), action: String(r.action) }));
}

/** Holds a workflow back from resubmission (replacing an earlier reason). */
export async function setServiceHold(store: Store, workflowId: number, reason: string): Promise<void> {
  await retrying(store, () =>
    store.knex("service_holds").insert({ workflow_id: workflowId, at: nowMs(), reason }).onConflict("workflow_id").merge(["at", "reason"]),
  );
}

export async function clearServiceHold(store: Store, workflowId: number): Promise<void> {
  await retrying(store, () => store.knex("service_holds").where({ workflow_id: workflowId }).delete());
}

export async function listServiceHolds(store: Store): Promise<ServiceHold[]> {
  const rows: RawRow[] = await retrying(store, () => store.knex("service_holds").orderBy("workflow_id"));
  return rows.map((r) => ({ workflowId: Number(r.workflow_id), at: Number(r.at), reason: String(r.reason) }));
}

/**
 * Launchers not ended whose batch job has ended: killed with their job (walltime, node failure,
 * SIGKILL), they never ended their row. Their RUNNING evaluations are to be recovered.
 */
export async function listOrphanedLaunchers(store: Store, activeJobStates: readonly string[]): Promise<LauncherRow[]> {
  const rows: RawRow[] = await retrying(store, () =>
    store
      .knex("launchers")
      .whereNull("ended_at")
      .whereIn("batch_job_id", store.knex("batch_jobs").select("id").whereNotIn("state", [...activeJobStates]))
      .orderBy("id"),
  );
  return rows.map(toLauncher);
}

/** Which of these batch jobs ever had a launcher register (a job whose launcher started). */
export async function batchJobsWithLaunchers(store: Store, batchJobIds: readonly number[]): Promise<Set<number>> {
  if (batchJobIds.length === 0) return new Set();
  const rows: RawRow[] = await retrying(store, () => store.knex("launchers").distinct("batch_job_id").whereIn("batch_job_id", [...batchJobIds]));
  return new Set(rows.map((r) => Number(r.batch_job_id)));
}
