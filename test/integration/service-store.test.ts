// The service's store functions on both dialects: the one-per-database lock (compare-and-set on a
// token, taken over when stale or when its holder's pid died on this host), the tick record, the
// event log and holds, and the launchers of ended batch jobs that a tick recovers.
import { describe, expect, it } from "vitest";
import {
  acquireServiceLock,
  addServiceEvent,
  batchJobsWithLaunchers,
  clearServiceHold,
  createBatchJob,
  createWorkflow,
  heartbeatServiceLock,
  listOrphanedLaunchers,
  listServiceEvents,
  listServiceHolds,
  readServiceLock,
  recordServiceTick,
  registerLauncher,
  releaseServiceLock,
  setServiceHold,
  type Store,
} from "../../src/store/index.js";
import { ACTIVE_JOB_STATES } from "../../src/jobs/index.js";
import { DIALECTS } from "../helpers/pg.js";
import { makeTempStore, sampleWorkflow } from "../helpers/db.js";

const alive = (): boolean => true;
const lockArgs = (pid: number, over: Partial<{ host: string; isPidAlive: (pid: number) => boolean; staleAfterMs: number }> = {}) => ({
  host: "login1",
  pid,
  isPidAlive: alive,
  staleAfterMs: 60_000,
  ...over,
});

async function job(store: Store, workflowId: number, state: "RUNNING" | "FINISHED") {
  return createBatchJob(store, { workflowId, scheduler: "slurm", schedulerId: "1", state, nodes: 1, queue: null, project: null, walltimeMinutes: 1, scriptPath: null });
}

describe.each(DIALECTS)("service store (%s)", (dialect) => {
  it("one holder at a time: a second service is refused, even when both race for a free lock", async () => {
    const { store } = await makeTempStore(dialect);
    const results = await Promise.all([1, 2, 3, 4].map((pid) => acquireServiceLock(store, lockArgs(pid))));
    const winners = results.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    const holder = await readServiceLock(store);
    for (const r of results.filter((x) => !x.acquired)) expect(r).toMatchObject({ acquired: false, holder: { holderHost: "login1", holderPid: holder!.holderPid } });

    const again = await acquireServiceLock(store, lockArgs(99));
    expect(again.acquired).toBe(false);
  });

  it("a released lock is free; its last holder and tick stay readable", async () => {
    const { store } = await makeTempStore(dialect);
    const first = await acquireServiceLock(store, lockArgs(10));
    if (!first.acquired) throw new Error("not acquired");
    expect(await recordServiceTick(store, first.token, "1 job(s) submitted")).toBe(true);
    await releaseServiceLock(store, first.token);
    expect(await readServiceLock(store)).toMatchObject({ token: null, holderPid: 10, lastTickSummary: "1 job(s) submitted" });
    expect((await acquireServiceLock(store, lockArgs(11))).acquired).toBe(true);
  });

  it("is taken over when its heartbeat is stale, or at once when its pid died on this host; the old holder learns it lost", async () => {
    const { store } = await makeTempStore(dialect);
    const old = await acquireServiceLock(store, lockArgs(20));
    if (!old.acquired) throw new Error("not acquired");
    // Same host, pid alive, fresh heartbeat: refused. Another host cannot judge the pid: refused.
    expect((await acquireServiceLock(store, lockArgs(21))).acquired).toBe(false);
    expect((await acquireServiceLock(store, lockArgs(21, { host: "login2", isPidAlive: () => false }))).acquired).toBe(false);
    // Same host, pid dead: taken over without waiting.
    const next = await acquireServiceLock(store, lockArgs(21, { isPidAlive: (pid) => pid !== 20 }));
    expect(next).toMatchObject({ acquired: true, previous: { holderPid: 20 } });
    expect(await heartbeatServiceLock(store, old.token)).toBe(false);
    expect(await recordServiceTick(store, old.token, "late")).toBe(false);
    // Another host, once the heartbeat is older than the threshold.
    await new Promise((r) => setTimeout(r, 30));
    expect((await acquireServiceLock(store, lockArgs(22, { host: "login2", staleAfterMs: 10 }))).acquired).toBe(true);
    expect(await readServiceLock(store)).toMatchObject({ holderHost: "login2", holderPid: 22 });
  });

  it("events newest first, per workflow; holds set, replaced and cleared", async () => {
    const { store } = await makeTempStore(dialect);
    const wf = await createWorkflow(store, sampleWorkflow({ name: "a" }));
    await addServiceEvent(store, { workflowId: wf.id, action: "submitted launcher job 1" });
    await addServiceEvent(store, { workflowId: null, action: "global" });
    await addServiceEvent(store, { workflowId: wf.id, action: "submitted launcher job 2" });
    expect((await listServiceEvents(store, { workflowId: wf.id, limit: 1 })).map((e) => e.action)).toEqual(["submitted launcher job 2"]);
    expect((await listServiceEvents(store, { limit: 10 })).map((e) => e.action)).toEqual(["submitted launcher job 2", "global", "submitted launcher job 1"]);

    await setServiceHold(store, wf.id, "first");
    await setServiceHold(store, wf.id, "second");
    expect(await listServiceHolds(store)).toEqual([expect.objectContaining({ workflowId: wf.id, reason: "second" })]);
    await clearServiceHold(store, wf.id);
    expect(await listServiceHolds(store)).toEqual([]);
  });

  it("finds the open launchers of ended batch jobs, and which jobs ever had a launcher", async () => {
    const { store } = await makeTempStore(dialect);
    const wf = await createWorkflow(store, sampleWorkflow({ name: "b" }));
    const ended = await job(store, wf.id, "FINISHED");
    const live = await job(store, wf.id, "RUNNING");
    const never = await job(store, wf.id, "FINISHED");
    const orphan = await registerLauncher(store, { workflowId: wf.id, batchJobId: ended.id, host: "n1", pid: 1 });
    await registerLauncher(store, { workflowId: wf.id, batchJobId: live.id, host: "n2", pid: 2 });
    expect((await listOrphanedLaunchers(store, [...ACTIVE_JOB_STATES])).map((l) => l.id)).toEqual([orphan.id]);
    expect(await batchJobsWithLaunchers(store, [ended.id, live.id, never.id])).toEqual(new Set([ended.id, live.id]));
  });
});
