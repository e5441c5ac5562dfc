// Store integration, both dialects: the dashboard's read-only queries (src/store/pages.ts) and the
// read-only store they run on, which refuses every write.
import { describe, expect, it } from "vitest";
import {
  countAllEvaluations,
  createEvaluations,
  createWorkflow,
  finishEvaluations,
  listChartRows,
  objectiveRanges,
  openStore,
  pageEvaluations,
  registerLauncher,
  type Dialect,
  type EvaluationPageQuery,
  type Store,
} from "../../src/store/index.js";
import { makeTempStore, sampleWorkflow } from "../helpers/db.js";
import { DIALECTS } from "../helpers/pg.js";

/** Six evaluations: DONE with objectives 3, 1, 2 (hosts n1, n2, n1), one FAILED, one RUNNING, one READY. */
async function fill(store: Store): Promise<{ workflowId: number; ids: number[] }> {
  const wf = await createWorkflow(store, sampleWorkflow());
  const other = await createWorkflow(store, sampleWorkflow({ name: "other", direction: "minimize" }));
  const launcherId = (await registerLauncher(store, { workflowId: wf.id, batchJobId: null, host: "n1", pid: process.pid })).id;
  const points = [{ x: 1, act: "relu" }, { x: 2, act: "tanh" }, { x: 3, act: "100%_sure" }, { x: 4, act: null }, { x: 5, act: "relu" }, { x: 6, act: "relu" }];
  const hosts = [["n1"], ["n2"], ["n1"], ["n2"], ["n1"]];
  const rows = await createEvaluations(store, wf.id, points, { claim: { launcherId, hosts } });
  const t = Date.now();
  await finishEvaluations(store, [
    { id: rows[0]!.id, attempt: 0, state: "DONE", objective: 3, finishedAt: t + 30 },
    { id: rows[1]!.id, attempt: 0, state: "DONE", objective: 1, finishedAt: t + 10 },
    { id: rows[2]!.id, attempt: 0, state: "DONE", objective: 2, finishedAt: t + 20 },
    { id: rows[3]!.id, attempt: 0, state: "FAILED", objective: null, error: "exit code 1: Traceback ValueError bad_x", finishedAt: t },
  ], { launcherId });
  const [o] = await createEvaluations(store, other.id, [{ x: 9, act: "relu" }], { claim: { launcherId, hosts: [["n3"]] } });
  await finishEvaluations(store, [{ id: o!.id, attempt: 0, state: "DONE", objective: -7 }], { launcherId });
  return { workflowId: wf.id, ids: rows.map((r) => r.id) };
}

describe.each(DIALECTS)("%s", (dialect: Dialect) => {
  const page = (store: Store, workflowId: number, q: Partial<EvaluationPageQuery>) =>
    pageEvaluations(store, { workflowId, sort: "id", descending: false, offset: 0, limit: 50, ...q });

  it("pages, sorts (missing values last either way) and filters evaluations in the database", async () => {
    const { store } = await makeTempStore(dialect);
    const { workflowId, ids } = await fill(store);
    const idsOf = (p: { rows: { id: number }[] }) => p.rows.map((r) => ids.indexOf(r.id));

    expect(idsOf(await page(store, workflowId, {}))).toEqual([0, 1, 2, 3, 4, 5]);
    expect((await page(store, workflowId, {})).total).toBe(6);
    expect(idsOf(await page(store, workflowId, { sort: "objective" }))).toEqual([1, 2, 0, 3, 4, 5]);
    expect(idsOf(await page(store, workflowId, { sort: "objective", descending: true }))).toEqual([0, 2, 1, 5, 4, 3]);
    expect(idsOf(await page(store, workflowId, { sort: "finished" }))).toEqual([3, 1, 2, 0, 4, 5]);
    // Paging: the total is the filter's, the rows a window of it.
    const second = await page(store, workflowId, { sort: "objective", descending: true, offset: 2, limit: 2 });
    expect([second.total, idsOf(second)]).toEqual([6, [1, 5]]);
    expect(idsOf(await page(store, workflowId, { states: ["DONE", "FAILED"], sort: "id", descending: true }))).toEqual([3, 2, 1, 0]);
    // The text filter reads the point, the hosts and the error, case-insensitively; % and _ are literal.
    expect(idsOf(await page(store, workflowId, { text: "TANH" }))).toEqual([1]);
    expect(idsOf(await page(store, workflowId, { text: "n2" }))).toEqual([1, 3]);
    expect(idsOf(await page(store, workflowId, { text: "valueerror" }))).toEqual([3]);
    expect(idsOf(await page(store, workflowId, { text: "100%_" }))).toEqual([2]);
    expect(idsOf(await page(store, workflowId, { text: "0%s" }))).toEqual([]);
    expect(idsOf(await page(store, workflowId, { text: "'; DROP TABLE evaluations; --" }))).toEqual([]);
    expect((await page(store, workflowId, { sort: "duration", descending: true })).rows).toHaveLength(6);
    expect((await page(store, workflowId, { sort: "host" })).rows.map((r) => r.hosts?.[0] ?? null)).toEqual(["n1", "n1", "n1", "n2", "n2", null]);
  });

  it("counts every workflow's evaluations by state and finds their objective ranges in one statement each", async () => {
    const { store } = await makeTempStore(dialect);
    const { workflowId } = await fill(store);
    const counts = await countAllEvaluations(store);
    expect(counts.get(workflowId)).toEqual({ READY: 1, RUNNING: 1, DONE: 3, FAILED: 1, TIMEOUT: 0, KILLED: 0 });
    expect([...counts.values()].map((c) => c.DONE).sort()).toEqual([1, 3]);
    const ranges = await objectiveRanges(store, [...counts.keys()]);
    expect(ranges.get(workflowId)).toEqual({ min: 1, max: 3 });
    expect([...ranges.values()]).toContainEqual({ min: -7, max: -7 });
    expect((await objectiveRanges(store, [])).size).toBe(0);
  });

  it("reads the chart rows without metrics, the error cut short", async () => {
    const { store } = await makeTempStore(dialect);
    const { workflowId, ids } = await fill(store);
    const rows = await listChartRows(store, workflowId);
    expect(rows.map((r) => r.id)).toEqual(ids);
    expect(rows[3]).toMatchObject({ state: "FAILED", error: "exit code 1: Traceback ValueError bad_x", workflowId, hosts: ["n2"] });
    expect(rows[0]).toMatchObject({ objective: 3, point: { x: 1, act: "relu" }, metrics: null });
  });

  it("a read-only store reads, and refuses every write", async () => {
    const tmp = await makeTempStore(dialect);
    const { workflowId } = await fill(tmp.store);
    const reader = await openStore(tmp.location, { readOnly: true });
    try {
      expect((await page(reader, workflowId, {})).total).toBe(6);
      const refused = await createWorkflow(reader, sampleWorkflow({ name: "nope" })).catch((e: unknown) => e as Error & { code?: string });
      expect(refused).toBeInstanceOf(Error);
      expect(String(refused.code ?? refused.message)).toMatch(dialect === "sqlite" ? /SQLITE_READONLY/ : /25006|read-only transaction/);
    } finally {
      await reader.close();
    }
  });
});
