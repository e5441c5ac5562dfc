// Store integration: launcher rows and heartbeats, dead-launcher detection (stale heartbeat; dead
// pid on the same host), recovery of their RUNNING evaluations (requeue vs give up), and the
// walltime hand-back of a launcher's own rows.
import { describe, expect, it } from "vitest";
import { NotFoundError } from "../../src/errors.js";
import {
  claimEvaluations,
  createEvaluations,
  createWorkflow,
  endLauncher,
  findDeadLaunchers,
  finishEvaluations,
  getEvaluation,
  heartbeatLauncher,
  listEvaluations,
  listEvents,
  listLaunchers,
  RECOVERED_NOTE,
  recoverEvaluations,
  registerLauncher,
  requeueRunning,
  type Dialect,
  type Store,
} from "../../src/store/index.js";
import { makeTempStore, sampleWorkflow } from "../helpers/db.js";
import { DIALECTS } from "../helpers/pg.js";

async function setup(dialect: Dialect): Promise<{ store: Store; workflowId: number }> {
  const { store } = await makeTempStore(dialect);
  const wf = await createWorkflow(store, sampleWorkflow());
  return { store, workflowId: wf.id };
}

describe.each(DIALECTS)("%s", (dialect) => {
  describe("launchers", () => {
    it("registers, ticks and ends launchers", async () => {
      const { store, workflowId } = await setup(dialect);
      const before = Date.now();
      const l = await registerLauncher(store, { workflowId, batchJobId: null, host: "nid001", pid: 4242 });
      expect(l).toMatchObject({ workflowId, batchJobId: null, host: "nid001", pid: 4242, endedAt: null });
      expect(l.heartbeatAt).toBe(l.startedAt);
      expect(l.startedAt).toBeGreaterThanOrEqual(before);

      await store.knex("launchers").where({ id: l.id }).update({ heartbeat_at: 5 });
      expect(await heartbeatLauncher(store, l.id)).toBe(true);
      const [ticked] = await listLaunchers(store, workflowId);
      expect(ticked!.heartbeatAt).toBeGreaterThanOrEqual(before);

      await endLauncher(store, l.id);
      const [ended] = await listLaunchers(store, workflowId);
      expect(ended!.endedAt).toBeGreaterThanOrEqual(before);
      expect(await heartbeatLauncher(store, l.id)).toBe(false);
      await endLauncher(store, l.id);
      expect((await listLaunchers(store, workflowId))[0]!.endedAt).toBe(ended!.endedAt);
      await expect(endLauncher(store, 9999)).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe("findDeadLaunchers", () => {
    it("finds stale heartbeats on any host and dead pids on this host at once", async () => {
      const { store, workflowId } = await setup(dialect);
      const now = 1_000_000;
      const add = async (host: string, pid: number, heartbeatAt: number) => {
        const l = await registerLauncher(store, { workflowId, batchJobId: null, host, pid });
        await store.knex("launchers").where({ id: l.id }).update({ heartbeat_at: heartbeatAt });
        return l.id;
      };
      await add("here", 100, now - 1_000); // fresh, pid alive
      const deadPidHere = await add("here", 200, now - 1_000);
      const staleElsewhere = await add("there", 300, now - 60_001);
      await add("there", 200, now - 1_000); // fresh; its pid is dead HERE, which says nothing about 'there'
      const endedStale = await add("there", 400, 0);
      await endLauncher(store, endedStale);
      const otherWf = await createWorkflow(store, sampleWorkflow({ name: "other" }));
      await registerLauncher(store, { workflowId: otherWf.id, batchJobId: null, host: "here", pid: 200 });

      const dead = await findDeadLaunchers(store, {
        workflowId,
        host: "here",
        isPidAlive: (pid) => pid !== 200,
        staleAfterMs: 60_000,
        now,
      });
      expect(dead.map((l) => l.id)).toEqual([deadPidHere, staleElsewhere]);
    });
  });

  describe("recoverEvaluations", () => {
    it("requeues a dead launcher's RUNNING rows with attempt+1, gives up at maxAttempts, ends the launcher", async () => {
      const { store, workflowId } = await setup(dialect);
      const dead = await registerLauncher(store, { workflowId, batchJobId: null, host: "a", pid: 1 });
      const alive = await registerLauncher(store, { workflowId, batchJobId: null, host: "b", pid: 2 });
      const rows = await createEvaluations(store, workflowId, [{ x: 1 }, { x: 2 }, { x: 3 }, { x: 4 }]);
      await claimEvaluations(store, { workflowId, launcherId: dead.id, n: 2, hosts: ["a"] });
      await claimEvaluations(store, { workflowId, launcherId: alive.id, n: 1 });
      // rows[1] already lost two launchers: with maxAttempts 3 this death is its last chance.
      await store.knex("evaluations").where({ id: rows[1]!.id }).update({ attempt: 2 });
      await store.knex("evaluation_events").insert([1, 2].map((n) => ({ evaluation_id: rows[1]!.id, from_state: "RUNNING", to_state: "READY", at: n, note: `${RECOVERED_NOTE}launcher 0 died` })));

      const outcome = await recoverEvaluations(store, { workflowId, launcherIds: [dead.id], maxAttempts: 3, note: "launcher 1 died" });
      expect(outcome).toEqual({ requeued: 1, failed: 1 });

      expect(await getEvaluation(store, rows[0]!.id)).toMatchObject({ state: "READY", attempt: 1, claimedBy: null, startedAt: null, hosts: null });
      expect(await getEvaluation(store, rows[1]!.id)).toMatchObject({ state: "FAILED", attempt: 2, error: "gave up after 3 attempts; last: launcher 1 died" });
      expect(await getEvaluation(store, rows[2]!.id)).toMatchObject({ state: "RUNNING", claimedBy: alive.id });
      expect(await getEvaluation(store, rows[3]!.id)).toMatchObject({ state: "READY", attempt: 0 });
      expect((await listEvents(store, rows[0]!.id)).map((e) => [e.fromState, e.toState, e.note])).toEqual([
        [null, "READY", null],
        ["READY", "RUNNING", `claimed by launcher ${dead.id}`],
        ["RUNNING", "READY", "recovered: launcher 1 died"],
      ]);
      expect((await listEvents(store, rows[1]!.id)).at(-1)).toMatchObject({ fromState: "RUNNING", toState: "FAILED" });
      expect((await listLaunchers(store, workflowId)).map((l) => l.endedAt === null)).toEqual([false, true]);

      // The "dead" launcher was only slow: its late result and heartbeat change nothing.
      expect(await finishEvaluations(store, [{ id: rows[0]!.id, attempt: 0, state: "DONE", objective: 1 }], { launcherId: dead.id })).toEqual([]);
      expect(await heartbeatLauncher(store, dead.id)).toBe(false);
      expect(await recoverEvaluations(store, { workflowId, launcherIds: [dead.id], maxAttempts: 3, note: "again" })).toEqual({ requeued: 0, failed: 0 });

      // The requeued row runs again at attempt 1 and is finished under that attempt.
      const [again] = await claimEvaluations(store, { workflowId, launcherId: alive.id, n: 1 });
      expect(again).toMatchObject({ id: rows[0]!.id, attempt: 1 });
      expect(await finishEvaluations(store, [{ id: rows[0]!.id, attempt: 1, state: "DONE", objective: 2 }], { launcherId: alive.id })).toHaveLength(1);
    });

    it("counts only launchers lost, not hand-backs, towards maxAttempts", async () => {
      const { store, workflowId } = await setup(dialect);
      const [row] = await createEvaluations(store, workflowId, [{ x: 1 }]);
      // Three launchers in a row cut it at their walltime or on a signal: no fault of the evaluation.
      for (let i = 0; i < 3; i++) {
        const l = await registerLauncher(store, { workflowId, batchJobId: null, host: "a", pid: 10 + i });
        await claimEvaluations(store, { workflowId, launcherId: l.id, n: 1 });
        expect(await requeueRunning(store, { workflowId, launcherId: l.id, note: "launcher stopped (walltime)" })).toBe(1);
      }
      const crashed = await registerLauncher(store, { workflowId, batchJobId: null, host: "a", pid: 20 });
      await claimEvaluations(store, { workflowId, launcherId: crashed.id, n: 1 });
      expect(await recoverEvaluations(store, { workflowId, launcherIds: [crashed.id], maxAttempts: 3, note: "launcher 20 died" })).toEqual({ requeued: 1, failed: 0 });
      expect(await getEvaluation(store, row!.id)).toMatchObject({ state: "READY", attempt: 4 });
      // Two more launchers lost: the third loss is its last.
      for (const [pid, outcome] of [[21, { requeued: 1, failed: 0 }], [22, { requeued: 0, failed: 1 }]] as const) {
        const l = await registerLauncher(store, { workflowId, batchJobId: null, host: "a", pid });
        await claimEvaluations(store, { workflowId, launcherId: l.id, n: 1 });
        expect(await recoverEvaluations(store, { workflowId, launcherIds: [l.id], maxAttempts: 3, note: `launcher ${pid} died` })).toEqual(outcome);
      }
      expect(await getEvaluation(store, row!.id)).toMatchObject({ state: "FAILED", attempt: 5, error: "gave up after 3 attempts; last: launcher 22 died" });
    });

    it("fails every row at once when maxAttempts is 1", async () => {
      const { store, workflowId } = await setup(dialect);
      const dead = await registerLauncher(store, { workflowId, batchJobId: null, host: "a", pid: 1 });
      await createEvaluations(store, workflowId, [{ x: 1 }, { x: 2 }]);
      await claimEvaluations(store, { workflowId, launcherId: dead.id, n: 2 });
      expect(await recoverEvaluations(store, { workflowId, launcherIds: [dead.id], maxAttempts: 1, note: "x" })).toEqual({ requeued: 0, failed: 2 });
      expect((await listEvaluations(store, workflowId)).map((e) => e.error)).toEqual([
        "gave up after 1 attempts; last: x",
        "gave up after 1 attempts; last: x",
      ]);
      expect(await recoverEvaluations(store, { workflowId, launcherIds: [], maxAttempts: 1, note: "x" })).toEqual({ requeued: 0, failed: 0 });
    });
  });

  describe("requeueRunning", () => {
    it("hands a launcher's own RUNNING rows back with attempt+1 and no failure bound", async () => {
      const { store, workflowId } = await setup(dialect);
      const me = await registerLauncher(store, { workflowId, batchJobId: null, host: "a", pid: 1 });
      const other = await registerLauncher(store, { workflowId, batchJobId: null, host: "b", pid: 2 });
      const rows = await createEvaluations(store, workflowId, [{ x: 1 }, { x: 2 }]);
      await claimEvaluations(store, { workflowId, launcherId: me.id, n: 1 });
      await claimEvaluations(store, { workflowId, launcherId: other.id, n: 1 });
      await store.knex("evaluations").where({ id: rows[0]!.id }).update({ attempt: 7 });

      expect(await requeueRunning(store, { workflowId, launcherId: me.id, note: "walltime" })).toBe(1);
      expect(await getEvaluation(store, rows[0]!.id)).toMatchObject({ state: "READY", attempt: 8, claimedBy: null });
      expect(await getEvaluation(store, rows[1]!.id)).toMatchObject({ state: "RUNNING", claimedBy: other.id });
      expect((await listEvents(store, rows[0]!.id)).at(-1)).toMatchObject({ fromState: "RUNNING", toState: "READY", note: "walltime" });
      expect(await requeueRunning(store, { workflowId, launcherId: me.id, note: "walltime" })).toBe(0);
    });
  });
});
