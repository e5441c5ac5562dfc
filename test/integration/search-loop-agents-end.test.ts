// A leader with agents decides the search is over only once it was told every result they
// finished: an agent's result recorded between the leader's telling and its last count of rows
// (the count says nothing runs) may give the searcher more work, here an asha trial promoted while
// it ran, to resume. Found by the chaos test (bench/chaos, seed 2, asha): the workflow was marked
// FINISHED with two trials still running in the searcher's saved state. The moment is forced by
// finishing the agent's row from inside the leader's count of rows.
import { describe, expect, it, onTestFinished, vi } from "vitest";

let beforeCount: (() => Promise<void>) | null = null;
vi.mock("../../src/store/index.js", async (importOriginal) => {
  const mod = await importOriginal<typeof import("../../src/store/index.js")>();
  return {
    ...mod,
    countEvaluations: async (...args: Parameters<typeof mod.countEvaluations>) => {
      const hook = beforeCount;
      beforeCount = null;
      await hook?.();
      return mod.countEvaluations(...args);
    },
  };
});

const { SearchLoop } = await import("../../launcher/search-loop.js");
const { FidelityDriver } = await import("../../launcher/fidelity.js");
const store_ = await import("../../src/store/index.js");
const { loadSearcher } = await import("../../src/search/registry.js");
const { Space } = await import("../../src/space/space.js");
const { makeTempStore, sampleWorkflow } = await import("../helpers/db.js");
const { mkdtempSync, rmSync } = await import("node:fs");
const { tmpdir } = await import("node:os");
const { join } = await import("node:path");

describe("a leader with agents at the end of an asha search", () => {
  it("tells the agents' last results before it decides nothing is left", { timeout: 60_000 }, async () => {
    const { store } = await makeTempStore("sqlite");
    const resultsDir = mkdtempSync(join(tmpdir(), "spruce-asha-end-"));
    onTestFinished(() => rmSync(resultsDir, { recursive: true, force: true }));
    const wf = await store_.createWorkflow(store, sampleWorkflow({
      name: "asha-end",
      problem: { hyperparameters: [{ type: "int", name: "x", low: 0, high: 9, log: false }], startingPoints: [] },
      searcher: "asha",
      // Three trials, rungs at 3 and 9; stop-once: the first at a rung trains on, worse ones stop.
      searcherOptions: { max_length: 9, max_trials: 3, divisor: 3, stop_once: true, mode: "aggressive" },
      resultsDir,
      settings: { heartbeatSeconds: 1 },
    }));
    const leader = await store_.registerLauncher(store, { workflowId: wf.id, batchJobId: null, host: "n1", pid: process.pid });
    const agent = await store_.registerLauncher(store, { workflowId: wf.id, batchJobId: null, host: "n2", pid: process.pid });
    const space = new Space(wf.problem);
    const searcher = await loadSearcher(wf, space);
    const lines: string[] = [];
    const loop = new SearchLoop({
      store, workflow: wf, launcherId: leader.id, settings: store_.launcherSettings(wf.settings), slots: [], agentSlots: 3,
      dispatchDeadline: null, log: (l) => lines.push(l), space, searcher, driver: new FidelityDriver(searcher.trials!, []),
    });
    const ended = loop.run();
    const until = async (what: () => boolean | Promise<boolean>) => {
      for (let i = 0; i < 200 && !(await what()); i++) await new Promise((r) => setTimeout(r, 50));
    };

    // The agent takes the three trials' rows; the first reports its rung and is promoted...
    let rows: Awaited<ReturnType<typeof store_.claimEvaluations>> = [];
    await until(async () => (rows.push(...(await store_.claimEvaluations(store, { workflowId: wf.id, launcherId: agent.id, n: 3, hosts: ["n2"] }))), rows.length === 3));
    expect(rows.map((r) => r.fidelity?.length)).toEqual([3, 3, 3]);
    const [first, ...others] = rows;
    await store_.recordProgress(store, wf.id, [{ evaluationId: first!.id, seq: 1, launcherId: agent.id, step: 3, value: 0.9, at: Date.now() }]);
    await until(() => lines.some((l) => l.includes(`evaluation ${first!.id}: promoted at step 3`)));
    // ...the two others end worse and are stopped for good...
    const done = (id: number, objective: number) => ({ id, attempt: 0, state: "DONE" as const, objective, metrics: { length: 3 }, finishedAt: Date.now() });
    await store_.finishEvaluations(store, others.map((r) => done(r.id, 0.1)), { launcherId: agent.id });
    await until(() => others.every((r) => lines.some((l) => l.startsWith(`evaluation ${r.id} objective`))));
    // ...and the first ends by itself at its rung just when the leader counts the rows.
    beforeCount = async () => {
      await store_.finishEvaluations(store, [done(first!.id, 0.9)], { launcherId: agent.id });
    };

    // Its trial goes on from its checkpoint in a new row instead of the search ending.
    let resume: (typeof rows)[number] | undefined;
    await until(async () => (resume = (await store_.listEvaluations(store, wf.id)).find((r) => !rows.some((x) => x.id === r.id))) !== undefined);
    expect(lines.filter((l) => l.includes("nothing to run"))).toEqual([]);
    expect(resume?.fidelity).toMatchObject({ trial: first!.fidelity!.trial, fromLength: 3, length: 9 });
    loop.stop("signal");
    expect(await ended).toBe("signal");
    await loop.close();
  });
});
