// Store integration: the evaluation state machine and its event rows, finish idempotency, kills,
// listing and counting, and the searcher state saved in the same transaction as proposals/results.
import { describe, expect, it } from "vitest";
import { SpruceError } from "../../src/errors.js";
import {
  claimEvaluations,
  countEvaluations,
  createEvaluations,
  createWorkflow,
  endedSummary,
  finishEvaluations,
  getEvaluation,
  killEvaluations,
  listEvaluations,
  listEvents,
  lastProgressId,
  listProgress,
  lastToldAt,
  listSearcherHistory,
  listUntold,
  loadSearcherState,
  markTold,
  readControls,
  recordProgress,
  registerLauncher,
  saveSearcherState,
  type Dialect,
  type Store,
} from "../../src/store/index.js";
import type { JsonValue } from "../../src/space/types.js";
import { makeTempStore, sampleWorkflow } from "../helpers/db.js";
import { DIALECTS } from "../helpers/pg.js";

async function setup(dialect: Dialect): Promise<{ store: Store; workflowId: number; launcherId: number }> {
  const { store } = await makeTempStore(dialect);
  const wf = await createWorkflow(store, sampleWorkflow());
  const launcher = await registerLauncher(store, { workflowId: wf.id, batchJobId: null, host: "nid001", pid: process.pid });
  return { store, workflowId: wf.id, launcherId: launcher.id };
}

describe.each(DIALECTS)("%s", (dialect) => {
  describe("evaluation state machine", () => {
    it("READY -> RUNNING -> DONE/FAILED/TIMEOUT, one event per transition", async () => {
      const { store, workflowId, launcherId } = await setup(dialect);
      const created = await createEvaluations(store, workflowId, [{ x: 1 }, { x: 2 }, { x: 3, act: [1, { a: null }] }]);
      expect(created.map((e) => e.point)).toEqual([{ x: 1 }, { x: 2 }, { x: 3, act: [1, { a: null }] }]);
      for (const e of created) {
        expect(e).toMatchObject({ workflowId, state: "READY", attempt: 0, claimedBy: null, startedAt: null, objective: null });
        expect(await getEvaluation(store, e.id)).toEqual(e);
      }

      const claimed = await claimEvaluations(store, { workflowId, launcherId, n: 2, hosts: ["nid001", "nid002"] });
      expect(claimed.map((e) => e.id)).toEqual([created[0]!.id, created[1]!.id]);
      for (const e of claimed) expect(e).toMatchObject({ state: "RUNNING", claimedBy: launcherId, hosts: ["nid001", "nid002"] });
      expect(claimed[0]!.startedAt).toBeGreaterThan(0);
      const third = await claimEvaluations(store, { workflowId, launcherId, n: 5 });
      expect(third.map((e) => e.id)).toEqual([created[2]!.id]);
      expect(third[0]!.hosts).toBeNull();
      expect(await claimEvaluations(store, { workflowId, launcherId, n: 5 })).toEqual([]);

      const [a, b, c] = claimed.concat(third);
      const finished = await finishEvaluations(
        store,
        [
          { id: a!.id, attempt: 0, state: "DONE", objective: -0.25, metrics: { loss: [0.5, 0.25] }, exitCode: 0, finishedAt: 1234 },
          { id: b!.id, attempt: 0, state: "FAILED", objective: null, exitCode: 3, error: "exit code 3: boom" },
          { id: c!.id, attempt: 0, state: "TIMEOUT", objective: null, error: "timed out after 60 s" },
        ],
        { launcherId },
      );
      expect(finished.map((e) => [e.id, e.state])).toEqual([
        [a!.id, "DONE"],
        [b!.id, "FAILED"],
        [c!.id, "TIMEOUT"],
      ]);
      expect(finished[0]).toMatchObject({ objective: -0.25, metrics: { loss: [0.5, 0.25] }, exitCode: 0, finishedAt: 1234, error: null });
      expect(finished[1]).toMatchObject({ objective: null, exitCode: 3, error: "exit code 3: boom" });

      const events = await listEvents(store, b!.id);
      expect(events.map((e) => [e.fromState, e.toState, e.note])).toEqual([
        [null, "READY", null],
        ["READY", "RUNNING", `claimed by launcher ${launcherId}`],
        ["RUNNING", "FAILED", "exit code 3: boom"],
      ]);
      expect(events.every((e) => e.evaluationId === b!.id && e.at > 0)).toBe(true);
      expect((await listEvents(store, a!.id)).at(-1)).toMatchObject({ toState: "DONE", at: 1234 });
    });

    it("stores every objective of a DONE row in declared order, and refuses a non-finite one", async () => {
      const { store, workflowId, launcherId } = await setup(dialect);
      const [a, b] = await createEvaluations(store, workflowId, [{ x: 1 }, { x: 2 }], { claim: { launcherId, hosts: [["n1"], ["n1"]] } });
      const [done] = await finishEvaluations(store, [{ id: a!.id, attempt: 0, state: "DONE", objective: 0.9, objectives: [0.9, 12.5, -3] }], { launcherId });
      expect(done).toMatchObject({ objective: 0.9, objectives: [0.9, 12.5, -3] });
      expect(await getEvaluation(store, a!.id)).toEqual(done);
      const refused = await finishEvaluations(store, [{ id: b!.id, attempt: 0, state: "DONE", objective: 0.9, objectives: [0.9, Number.NaN] }], { launcherId }).catch((e: unknown) => e);
      expect((refused as Error).message).toMatch(/objective \[0\.9, NaN\] is not a finite number/);
      expect((await getEvaluation(store, b!.id))!).toMatchObject({ state: "RUNNING", objectives: null });
    });

    it("creates rows already claimed, as a claim would leave them; the rest stay READY for others", async () => {
      const { store, workflowId, launcherId } = await setup(dialect);
      const created = await createEvaluations(store, workflowId, [{ x: 1 }, { x: 2 }, { x: 3 }], {
        searcherState: { n: 3 },
        claim: { launcherId, hosts: [["nid001"], ["nid002", "nid003"]] },
      });
      expect(created.map((e) => [e.point, e.state, e.claimedBy, e.hosts])).toEqual([
        [{ x: 1 }, "RUNNING", launcherId, ["nid001"]],
        [{ x: 2 }, "RUNNING", launcherId, ["nid002", "nid003"]],
        [{ x: 3 }, "READY", null, null],
      ]);
      expect(created[0]!.startedAt).toBeGreaterThan(0);
      expect(created[2]!.startedAt).toBeNull();
      for (const e of created) expect(await getEvaluation(store, e.id)).toEqual(e);
      expect((await listEvents(store, created[1]!.id)).map((e) => [e.fromState, e.toState, e.note])).toEqual([
        [null, "READY", null],
        ["READY", "RUNNING", `claimed by launcher ${launcherId}`],
      ]);
      expect((await listEvents(store, created[2]!.id)).map((e) => e.toState)).toEqual(["READY"]);
      expect(await loadSearcherState(store, workflowId)).toEqual({ n: 3 });
      // Only the READY one is left to claim; the claimed ones finish like any claimed row.
      expect((await claimEvaluations(store, { workflowId, launcherId, n: 5 })).map((e) => e.id)).toEqual([created[2]!.id]);
      const finished = await finishEvaluations(store, [{ id: created[0]!.id, attempt: 0, state: "DONE", objective: 1 }], { launcherId });
      expect(finished.map((e) => e.state)).toEqual(["DONE"]);
      await expect(createEvaluations(store, workflowId, [{ x: 4 }], { claim: { launcherId, hosts: [["a"], ["b"]] } })).rejects.toThrow(/2 claims for 1 points/);
      expect((await countEvaluations(store, workflowId)).READY).toBe(0);
    });

    it("finishing is idempotent and bound to the attempt and the launcher", async () => {
      const { store, workflowId, launcherId } = await setup(dialect);
      const other = await registerLauncher(store, { workflowId, batchJobId: null, host: "nid002", pid: 1 });
      const [e] = await createEvaluations(store, workflowId, [{ x: 1 }]);
      await claimEvaluations(store, { workflowId, launcherId, n: 1 });

      const result = { id: e!.id, attempt: 0, state: "DONE" as const, objective: 1 };
      expect(await finishEvaluations(store, [result], { launcherId: other.id })).toEqual([]);
      expect(await finishEvaluations(store, [{ ...result, attempt: 1 }])).toEqual([]);
      expect(await finishEvaluations(store, [result], { launcherId })).toHaveLength(1);
      const done = await getEvaluation(store, e!.id);
      expect(await finishEvaluations(store, [{ ...result, objective: 99 }], { launcherId })).toEqual([]);
      expect(await finishEvaluations(store, [{ ...result, state: "FAILED", objective: null }])).toEqual([]);
      expect(await getEvaluation(store, e!.id)).toEqual(done);
      expect((await listEvents(store, e!.id)).map((ev) => ev.toState)).toEqual(["READY", "RUNNING", "DONE"]);
    });

    it("never stores NaN or infinite objectives", async () => {
      const { store, workflowId, launcherId } = await setup(dialect);
      const [e] = await createEvaluations(store, workflowId, [{ x: 1 }]);
      await claimEvaluations(store, { workflowId, launcherId, n: 1 });
      for (const objective of [Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(finishEvaluations(store, [{ id: e!.id, attempt: 0, state: "DONE", objective }])).rejects.toBeInstanceOf(SpruceError);
      }
      expect(await getEvaluation(store, e!.id)).toMatchObject({ state: "RUNNING", objective: null });
    });

    it("keeps metrics reported earlier when a result carries none", async () => {
      const { store, workflowId, launcherId } = await setup(dialect);
      const [e] = await createEvaluations(store, workflowId, [{ x: 1 }]);
      await claimEvaluations(store, { workflowId, launcherId, n: 1 });
      await store.knex("evaluations").where({ id: e!.id }).update({ metrics: JSON.stringify({ rung: 2 }) });
      const [done] = await finishEvaluations(store, [{ id: e!.id, attempt: 0, state: "DONE", objective: 0 }]);
      expect(done!.metrics).toEqual({ rung: 2 });
    });

    it("finishes a batch in one go with each row's guards: metrics kept when none given, a stale attempt or another launcher's row left alone", async () => {
      const { store, workflowId, launcherId } = await setup(dialect);
      const other = await registerLauncher(store, { workflowId, batchJobId: null, host: "nid002", pid: process.pid });
      const rows = await createEvaluations(store, workflowId, [{ x: 1 }, { x: 2 }, { x: 3 }, { x: 4 }], { claim: { launcherId, hosts: [["n"], ["n"], ["n"]] } });
      const [a, b, c, d] = rows;
      await claimEvaluations(store, { workflowId, launcherId: other.id, n: 1 });
      await store.knex("evaluations").where({ id: a!.id }).update({ metrics: JSON.stringify({ rung: 2 }) });
      const finished = await finishEvaluations(
        store,
        [
          { id: c!.id, attempt: 0, state: "FAILED", objective: null, error: "boom", exitCode: 1, finishedAt: 30 },
          { id: a!.id, attempt: 0, state: "DONE", objective: 1.5, finishedAt: 10 },
          { id: b!.id, attempt: 1, state: "DONE", objective: 2, finishedAt: 20 }, // stale attempt
          { id: d!.id, attempt: 0, state: "DONE", objective: 4, metrics: { m: 1 }, finishedAt: 40 }, // the other launcher's
        ],
        { launcherId, workflowId, searcherState: { n: 1 }, told: { at: 7, ids: [a!.id] } },
      );
      expect(finished.map((r) => [r.id, r.state])).toEqual([
        [c!.id, "FAILED"],
        [a!.id, "DONE"],
      ]);
      expect(finished[0]).toMatchObject({ error: "boom", exitCode: 1, finishedAt: 30, objective: null });
      expect(finished[1]).toMatchObject({ objective: 1.5, metrics: { rung: 2 }, finishedAt: 10 });
      expect(await getEvaluation(store, b!.id)).toMatchObject({ state: "RUNNING", objective: null });
      expect(await getEvaluation(store, d!.id)).toMatchObject({ state: "RUNNING", claimedBy: other.id });
      expect((await listEvents(store, c!.id)).at(-1)).toMatchObject({ fromState: "RUNNING", toState: "FAILED", at: 30, note: "boom" });
      // Told: only a.
      expect((await listSearcherHistory(store, workflowId)).told.map((r) => r.id)).toEqual([a!.id]);
    });

    it("kills READY and RUNNING rows, leaving finished ones alone", async () => {
      const { store, workflowId, launcherId } = await setup(dialect);
      const created = await createEvaluations(store, workflowId, [{ x: 1 }, { x: 2 }, { x: 3 }]);
      await claimEvaluations(store, { workflowId, launcherId, n: 2 });
      await finishEvaluations(store, [{ id: created[0]!.id, attempt: 0, state: "DONE", objective: 5 }]);

      const killed = await killEvaluations(store, workflowId, "spruce stop");
      expect(killed.map((e) => [e.id, e.state])).toEqual([
        [created[1]!.id, "KILLED"],
        [created[2]!.id, "KILLED"],
      ]);
      expect((await listEvents(store, created[1]!.id)).at(-1)).toMatchObject({ fromState: "RUNNING", toState: "KILLED", note: "spruce stop" });
      expect((await listEvents(store, created[2]!.id)).at(-1)).toMatchObject({ fromState: "READY", toState: "KILLED" });
      expect(await getEvaluation(store, created[0]!.id)).toMatchObject({ state: "DONE", objective: 5 });
      expect(await killEvaluations(store, workflowId, "again")).toEqual([]);
    });
  });

  describe("listing and counting", () => {
    it("counts every state, zeros included, per workflow", async () => {
      const { store, workflowId, launcherId } = await setup(dialect);
      const otherWf = await createWorkflow(store, sampleWorkflow({ name: "other" }));
      await createEvaluations(store, otherWf.id, [{ x: 0 }]);
      expect(await countEvaluations(store, workflowId)).toEqual({ READY: 0, RUNNING: 0, DONE: 0, FAILED: 0, TIMEOUT: 0, KILLED: 0 });

      const created = await createEvaluations(store, workflowId, Array.from({ length: 6 }, (_, i) => ({ x: i })));
      const running = await claimEvaluations(store, { workflowId, launcherId, n: 4 });
      await finishEvaluations(store, [
        { id: running[0]!.id, attempt: 0, state: "DONE", objective: 1 },
        { id: running[1]!.id, attempt: 0, state: "FAILED", objective: null },
      ]);
      expect(await countEvaluations(store, workflowId)).toEqual({ READY: 2, RUNNING: 2, DONE: 1, FAILED: 1, TIMEOUT: 0, KILLED: 0 });
      expect(created).toHaveLength(6);
    });

    it("summarises ended rows in the database: the best DONE objective and the trials that ran", async () => {
      const { store, workflowId, launcherId } = await setup(dialect);
      expect(await endedSummary(store, workflowId, { direction: "maximize", trials: true })).toEqual({ best: null, trials: 0 });
      const trial = (t: number) => ({ trial: t, length: 1, fromLength: 0, maxLength: 9 });
      const rows = await createEvaluations(store, workflowId, [{ x: 1 }, { x: 2 }, { x: 3 }, { x: 4 }, { x: 5 }], {
        fidelity: [trial(1), trial(1), trial(2), trial(3), trial(4)],
        claim: { launcherId, hosts: [["h"], ["h"], ["h"], ["h"], ["h"]] },
      });
      await finishEvaluations(store, [
        { id: rows[0]!.id, attempt: 0, state: "DONE", objective: -2.5 },
        { id: rows[1]!.id, attempt: 0, state: "DONE", objective: 0.75 },
        { id: rows[2]!.id, attempt: 0, state: "FAILED", objective: null },
        { id: rows[3]!.id, attempt: 0, state: "DONE", objective: -7 },
      ]);
      // Trials 1 (two rows), 2 (failed) and 3 ended; trial 4 still runs.
      expect(await endedSummary(store, workflowId, { direction: "maximize", trials: true })).toEqual({ best: 0.75, trials: 3 });
      expect(await endedSummary(store, workflowId, { direction: "minimize" })).toEqual({ best: -7, trials: null });
    });

    it("filters by state and launcher, orders by id or finish time", async () => {
      const { store, workflowId, launcherId } = await setup(dialect);
      const created = await createEvaluations(store, workflowId, [{ x: 1 }, { x: 2 }, { x: 3 }]);
      await claimEvaluations(store, { workflowId, launcherId, n: 3 });
      await finishEvaluations(store, [
        { id: created[0]!.id, attempt: 0, state: "DONE", objective: 1, finishedAt: 3000 },
        { id: created[1]!.id, attempt: 0, state: "DONE", objective: 2, finishedAt: 1000 },
      ]);
      const ids = (rows: { id: number }[]) => rows.map((r) => r.id);
      expect(ids(await listEvaluations(store, workflowId))).toEqual(ids(created));
      expect(ids(await listEvaluations(store, workflowId, { orderBy: "finished_at" }))).toEqual([created[1]!.id, created[0]!.id, created[2]!.id]);
      expect(ids(await listEvaluations(store, workflowId, { states: ["DONE"], orderBy: "finished_at" }))).toEqual([created[1]!.id, created[0]!.id]);
      expect(await listEvaluations(store, workflowId, { states: ["RUNNING"], claimedBy: launcherId })).toMatchObject([{ id: created[2]!.id, state: "RUNNING", claimedBy: launcherId }]);
      expect(await listEvaluations(store, workflowId, { claimedBy: launcherId + 1 })).toEqual([]);
    });
  });

  describe("searcher state", () => {
    it("is saved with the proposals in one transaction: all or nothing", async () => {
      const { store, workflowId } = await setup(dialect);
      // A state that cannot be written: it fails after the rows and their events were inserted.
      const unwritable = {
        asked: 2,
        toJSON: () => {
          throw new Error("disk full");
        },
      } as unknown as JsonValue;
      const failing = createEvaluations(store, workflowId, [{ x: 1 }, { x: 2 }], { searcherState: unwritable });
      await expect(failing).rejects.toThrow("disk full");
      expect(await listEvaluations(store, workflowId)).toEqual([]);
      const [events] = (await store.knex("evaluation_events").count({ n: "*" })) as { n: number | string }[];
      expect(Number(events!.n)).toBe(0);
      expect(await loadSearcherState(store, workflowId)).toBeUndefined();

      await createEvaluations(store, workflowId, [{ x: 1 }, { x: 2 }], { searcherState: { asked: 2, rng: [1, 2, 3] } });
      expect(await listEvaluations(store, workflowId)).toHaveLength(2);
      expect(await loadSearcherState(store, workflowId)).toEqual({ asked: 2, rng: [1, 2, 3] });
    });

    it("is versioned and saved with results, even when every result was a duplicate", async () => {
      const { store, workflowId, launcherId } = await setup(dialect);
      const [e] = await createEvaluations(store, workflowId, [{ x: 1 }], { searcherState: { v: "a" } });
      await claimEvaluations(store, { workflowId, launcherId, n: 1 });
      const result = { id: e!.id, attempt: 0, state: "DONE" as const, objective: 1 };
      await finishEvaluations(store, [result], { searcherState: { v: "b" } });
      expect(await loadSearcherState(store, workflowId)).toEqual({ v: "b" });
      expect(await finishEvaluations(store, [result], { searcherState: { v: "c" } })).toEqual([]);
      expect(await loadSearcherState(store, workflowId)).toEqual({ v: "c" });
      await finishEvaluations(store, [], { searcherState: { v: "d" }, workflowId });
      expect(await saveSearcherState(store, workflowId, { v: "e" })).toBe(5);
      expect(await loadSearcherState(store, workflowId)).toEqual({ v: "e" });
      await expect(finishEvaluations(store, [], { searcherState: { v: "f" } })).rejects.toBeInstanceOf(SpruceError);
    });
  });

  describe("multi-fidelity rows and reports", () => {
    it("keeps a row's fidelity, and reports in order with the searcher state that decided on them", async () => {
      const { store, workflowId } = await setup(dialect);
      const fidelity = { trial: 3, fromLength: 4, length: 16, maxLength: 64 };
      const [plain, trial] = await createEvaluations(store, workflowId, [{ x: 1 }, { x: 2 }], { fidelity: [null, fidelity] });
      expect(plain!.fidelity).toBeNull();
      expect(trial!.fidelity).toEqual(fidelity);
      expect((await getEvaluation(store, trial!.id))!.fidelity).toEqual(fidelity);
      await expect(createEvaluations(store, workflowId, [{ x: 3 }], { fidelity: [] })).rejects.toBeInstanceOf(SpruceError);

      await recordProgress(store, workflowId, [
        { evaluationId: trial!.id, step: 5, value: 0.5, at: 10 },
        { evaluationId: plain!.id, step: 1, value: -1.25, at: 11 },
        { evaluationId: trial!.id, step: 6, value: 0.75, at: 12 },
      ], { searcherState: { decided: 1 } });
      expect(await loadSearcherState(store, workflowId)).toEqual({ decided: 1 });
      expect((await listProgress(store, workflowId)).map(({ evaluationId, step, value, at }) => ({ evaluationId, step, value, at }))).toEqual([
        { evaluationId: trial!.id, step: 5, value: 0.5, at: 10 },
        { evaluationId: plain!.id, step: 1, value: -1.25, at: 11 },
        { evaluationId: trial!.id, step: 6, value: 0.75, at: 12 },
      ]);
      expect((await listProgress(store, workflowId, { evaluationIds: [plain!.id] })).map((r) => r.step)).toEqual([1]);
    });

    it("carries the leader's answers and stops to agents through running rows, and reports back by reader", async () => {
      const { store, workflowId, launcherId } = await setup(dialect);
      const agent = await registerLauncher(store, { workflowId, batchJobId: null, host: "nid002", pid: process.pid });
      const [a, b, c] = await createEvaluations(store, workflowId, [{ x: 1 }, { x: 2 }, { x: 3 }]);
      await claimEvaluations(store, { workflowId, launcherId: agent.id, n: 2 });
      await recordProgress(store, workflowId, [{ evaluationId: a!.id, seq: 1, launcherId: agent.id, step: 1, value: 0.5, at: 1 }]);
      await recordProgress(store, workflowId, [{ evaluationId: b!.id, seq: 1, launcherId, step: 1, value: 0.25, at: 2 }]);
      const fromAgents = await listProgress(store, workflowId, { afterId: 0, notBy: launcherId });
      expect(fromAgents.map((r) => [r.evaluationId, r.seq, r.launcherId])).toEqual([[a!.id, 1, agent.id]]);
      expect(await listProgress(store, workflowId, { afterId: fromAgents[0]!.id, notBy: launcherId })).toEqual([]);
      expect(await lastProgressId(store, workflowId)).toBe((await listProgress(store, workflowId)).at(-1)!.id);
      expect(await lastProgressId(store, workflowId + 1000)).toBe(0);

      await recordProgress(store, workflowId, [], {
        searcherState: { decided: 2 },
        controls: [
          { evaluationId: a!.id, answer: { seq: 1, action: "stop", length: 1 }, stop: "early" },
          { evaluationId: b!.id, stop: "searcher" },
          { evaluationId: c!.id, stop: "searcher" }, // READY, not running: left alone
        ],
      });
      expect(await loadSearcherState(store, workflowId)).toEqual({ decided: 2 });
      const controls = await readControls(store, [a!.id, b!.id, c!.id]);
      expect(controls.sort((x, y) => x.evaluationId - y.evaluationId)).toEqual([
        { evaluationId: a!.id, answer: { seq: 1, action: "stop", length: 1 }, stop: "early" },
        { evaluationId: b!.id, answer: undefined, stop: "searcher" },
      ]);

      // A run a custom method stopped ends KILLED on its agent: the leader's searcher is told of it.
      await finishEvaluations(store, [{ id: b!.id, attempt: 0, state: "KILLED", objective: null, error: "stopped by the user" }], { launcherId: agent.id });
      expect((await listUntold(store, workflowId)).map((r) => [r.id, r.state])).toEqual([[b!.id, "KILLED"]]);
    });
  });

  describe("the history a searcher is restored from", () => {
    it("orders told rows by their tell stamps, then id; the rest are pending in id order", async () => {
      const { store, workflowId, launcherId } = await setup(dialect);
      expect(await lastToldAt(store, workflowId)).toBe(0);
      const [a, b, c, d, e] = await createEvaluations(store, workflowId, [{ x: 1 }, { x: 2 }, { x: 3 }, { x: 4 }, { x: 5 }], {
        claim: { launcherId, hosts: [["n"], ["n"], ["n"], ["n"], ["n"]] },
      });
      const done = (id: number, state: "DONE" | "KILLED" = "DONE") => ({ id, attempt: 0, state, objective: state === "DONE" ? id : null });
      // c and e told at stamp 100 (in id order); b finished and told later, at 101; d killed by a cancel, not told.
      await finishEvaluations(store, [done(e!.id), done(c!.id), done(d!.id, "KILLED")], {
        launcherId,
        searcherState: { n: 2 },
        told: { at: 100, ids: [c!.id, e!.id] },
      });
      await finishEvaluations(store, [done(b!.id)], { launcherId, searcherState: { n: 3 }, told: { at: 101 } });
      expect(await lastToldAt(store, workflowId)).toBe(101);
      let history = await listSearcherHistory(store, workflowId);
      expect(history.told.map((r) => r.id)).toEqual([c!.id, e!.id, b!.id]);
      expect(history.pending.map((r) => r.id)).toEqual([a!.id, d!.id]);

      // An agent's result, told by the leader afterwards with its next stamp.
      const agent = await registerLauncher(store, { workflowId, batchJobId: null, host: "nid002", pid: process.pid });
      const [f] = await createEvaluations(store, workflowId, [{ x: 6 }], { claim: { launcherId: agent.id, hosts: [["m"]] } });
      await finishEvaluations(store, [done(f!.id)], { launcherId: agent.id });
      await markTold(store, workflowId, [f!.id], { n: 4 }, 102);
      history = await listSearcherHistory(store, workflowId);
      expect(history.told.map((r) => r.id)).toEqual([c!.id, e!.id, b!.id, f!.id]);
      expect(history.pending.map((r) => r.id)).toEqual([a!.id, d!.id]);
      expect(history.told[0]).toMatchObject({ state: "DONE", objective: c!.id, point: { x: 3 } });
      expect(await loadSearcherState(store, workflowId)).toEqual({ n: 4 });
    });
  });
});
