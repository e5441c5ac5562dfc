// Store integration: workflow rows (create, unique names, lookups, state and budget changes),
// batch job rows, and deleting a workflow with everything that belongs to it.
import { describe, expect, it } from "vitest";
import { NotFoundError, WorkflowExistsError } from "../../src/errors.js";
import {
  claimEvaluations,
  createBatchJob,
  createEvaluations,
  createWorkflow,
  deleteWorkflow,
  getBatchJob,
  getWorkflow,
  getWorkflowById,
  listBatchJobs,
  listWorkflows,
  registerLauncher,
  saveSearcherState,
  setWorkflowState,
  updateBatchJob,
  updateWorkflowMaxEvals,
  type Dialect,
  type Store,
} from "../../src/store/index.js";
import { makeTempStore, sampleWorkflow } from "../helpers/db.js";
import { DIALECTS } from "../helpers/pg.js";

describe.each(DIALECTS)("%s", (dialect) => {
  describe("workflows", () => {
    it("creates a workflow and reads it back with JSON parsed and numbers intact", async () => {
      const { store } = await makeTempStore(dialect);
      const before = Date.now();
      const wf = sampleWorkflow({ name: "poly" });
      const row = await createWorkflow(store, wf);
      expect(row).toEqual({ ...wf, id: row.id, state: "CREATED", createdAt: row.createdAt, error: null });
      expect(row.createdAt).toBeGreaterThanOrEqual(before);
      expect(row.seed).toBe(2 ** 32 - 1);
      expect(await getWorkflow(store, "poly")).toEqual(row);
      expect(await getWorkflowById(store, row.id)).toEqual(row);
      expect(await getWorkflow(store, "nope")).toBeUndefined();
      expect(await getWorkflowById(store, 9999)).toBeUndefined();
    });

    it("keeps a workflow's declared objectives, in order, with their reference values", async () => {
      const { store } = await makeTempStore(dialect);
      const objectives = [
        { name: "acc", direction: "maximize" as const, reference: 0.5 },
        { name: "time", direction: "minimize" as const },
      ];
      const row = await createWorkflow(store, sampleWorkflow({ name: "moo", objectives }));
      expect(row.objectives).toEqual(objectives);
      expect((await getWorkflow(store, "moo"))!.objectives).toEqual(objectives);
    });

    it("refuses a duplicate name with WorkflowExistsError and keeps the first", async () => {
      const { store } = await makeTempStore(dialect);
      const first = await createWorkflow(store, sampleWorkflow({ name: "dup", maxEvals: 5 }));
      const err = await createWorkflow(store, sampleWorkflow({ name: "dup", maxEvals: 7 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowExistsError);
      expect((err as WorkflowExistsError).exitCode).toBe(2);
      expect((err as Error).message).toContain("'dup'");
      expect(await listWorkflows(store)).toEqual([first]);
    });

    it("lists in creation order and changes state and max_evals", async () => {
      const { store } = await makeTempStore(dialect);
      const a = await createWorkflow(store, sampleWorkflow({ name: "a" }));
      const b = await createWorkflow(store, sampleWorkflow({ name: "b" }));
      await setWorkflowState(store, b.id, "RUNNING");
      await updateWorkflowMaxEvals(store, b.id, 250);
      const list = await listWorkflows(store);
      expect(list.map((w) => w.name)).toEqual(["a", "b"]);
      expect(list[1]).toMatchObject({ state: "RUNNING", maxEvals: 250 });
      expect(list[0]).toEqual(a);
      await expect(setWorkflowState(store, 9999, "STOPPED")).rejects.toBeInstanceOf(NotFoundError);
      await expect(updateWorkflowMaxEvals(store, 9999, 1)).rejects.toBeInstanceOf(NotFoundError);
    });

    it("keeps why a workflow FAILED, and clears it with any other state", async () => {
      const { store } = await makeTempStore(dialect);
      const wf = await createWorkflow(store, sampleWorkflow({ name: "f" }));
      await setWorkflowState(store, wf.id, "FAILED", "--nodes-per-eval 2 needs at least that many nodes; the allocation has 1");
      expect(await getWorkflow(store, "f")).toMatchObject({ state: "FAILED", error: "--nodes-per-eval 2 needs at least that many nodes; the allocation has 1" });
      await setWorkflowState(store, wf.id, "CREATED");
      expect(await getWorkflow(store, "f")).toMatchObject({ state: "CREATED", error: null });
      // An error given with another state is not kept: only FAILED has one.
      await setWorkflowState(store, wf.id, "STOPPED", "ignored");
      expect(await getWorkflow(store, "f")).toMatchObject({ state: "STOPPED", error: null });
    });
  });

  describe("batch jobs", () => {
    it("creates, updates and lists batch jobs of a workflow", async () => {
      const { store } = await makeTempStore(dialect);
      const wf = await createWorkflow(store, sampleWorkflow());
      const job = await createBatchJob(store, {
        workflowId: wf.id,
        scheduler: "slurm",
        schedulerId: null,
        state: "SUBMITTED",
        nodes: 4,
        queue: "debug",
        project: null,
        walltimeMinutes: 90,
        scriptPath: "/tmp/job.sbatch",
        submittedAt: 1_700_000_000_000,
      });
      expect(job).toMatchObject({ workflowId: wf.id, schedulerId: null, nodes: 4, submittedAt: 1_700_000_000_000, startedAt: null, endedAt: null });

      const running = await updateBatchJob(store, job.id, { state: "RUNNING", schedulerId: "123;cluster", startedAt: 1_700_000_060_000 });
      expect(running).toMatchObject({ state: "RUNNING", schedulerId: "123;cluster", startedAt: 1_700_000_060_000, queue: "debug" });
      expect(await updateBatchJob(store, job.id, {})).toEqual(running);
      expect(await getBatchJob(store, job.id)).toEqual(running);
      const second = await createBatchJob(store, { ...job, state: "QUEUED", schedulerId: "124" });
      expect((await listBatchJobs(store, wf.id)).map((j) => j.id)).toEqual([job.id, second.id]);
      await expect(updateBatchJob(store, 9999, { state: "FAILED" })).rejects.toBeInstanceOf(NotFoundError);
      expect(await getBatchJob(store, 9999)).toBeUndefined();
    });
  });

  describe("deleteWorkflow", () => {
    it("deletes the workflow and all its rows, and nothing of another workflow", async () => {
      const { store } = await makeTempStore(dialect);
      const victim = await populate(store, "victim");
      const keeper = await populate(store, "keeper");
      const before = await rowCounts(store);

      expect(await deleteWorkflow(store, victim)).toBe(true);
      const after = await rowCounts(store);
      for (const table of Object.keys(before)) expect(after[table]).toBe(before[table]! / 2);
      expect(await getWorkflow(store, "victim")).toBeUndefined();
      expect(await getWorkflowById(store, keeper)).toBeDefined();
      expect(await deleteWorkflow(store, victim)).toBe(false);
    });
  });
});

/** A workflow with rows in every table; returns its id. */
async function populate(store: Store, name: string): Promise<number> {
  const wf = await createWorkflow(store, sampleWorkflow({ name }));
  const job = await createBatchJob(store, {
    workflowId: wf.id, scheduler: "local", schedulerId: "1", state: "RUNNING", nodes: 1,
    queue: null, project: null, walltimeMinutes: 10, scriptPath: null,
  });
  const launcher = await registerLauncher(store, { workflowId: wf.id, batchJobId: job.id, host: "n1", pid: 42 });
  await createEvaluations(store, wf.id, [{ x: 1 }, { x: 2 }, { x: 3 }], { searcherState: { n: 3 } });
  await claimEvaluations(store, { workflowId: wf.id, launcherId: launcher.id, n: 2 });
  await saveSearcherState(store, wf.id, { n: 4 });
  return wf.id;
}

async function rowCounts(store: Store): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ["workflows", "evaluations", "evaluation_events", "batch_jobs", "launchers", "searcher_state"]) {
    const [row] = (await store.knex(table).count({ n: "*" })) as { n: number }[];
    counts[table] = Number(row!.n);
  }
  return counts;
}
