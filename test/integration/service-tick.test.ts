// The service tick's policy, with a stub scheduler on a temporary SQLite file: --max-queued (per
// workflow, each extra job queued after the previous one), --max-queued-total (over all workflows),
// a submission that never got a scheduler id, a workflow held after its last two jobs failed at
// start-up and how the hold is lifted, and a tick that cannot ask its scheduler. Only the CLI
// prints step lines: a tick's submissions leave no "Rendering ... script" on the console.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SchedulerError } from "../../src/errors.js";
import { NO_ID_GRACE_MS, type JobScheduler } from "../../src/jobs/index.js";
import { runTick, type TickOptions } from "../../src/service/tick.js";
import {
  createBatchJob,
  createWorkflow,
  endLauncher,
  listBatchJobs,
  listServiceEvents,
  listServiceHolds,
  registerLauncher,
  updateBatchJob,
  type BatchJobRow,
  type BatchJobState,
  type Store,
  type WorkflowRow,
} from "../../src/store/index.js";
import { makeTempStore, sampleWorkflow } from "../helpers/db.js";

/** A scheduler that records what it is asked and answers from a table the test sets. */
class StubScheduler implements JobScheduler {
  readonly submits: { script: string; dependsOn: string | undefined }[] = [];
  readonly cancels: string[] = [];
  /** The ids of each status call. */
  readonly statusCalls: string[][] = [];
  readonly states = new Map<string, BatchJobState>();
  statusError: SchedulerError | null = null;
  private nextId = 7001;

  async submit(script: string, opts?: { dependsOn?: string }): Promise<string> {
    const id = String(this.nextId++);
    this.submits.push({ script, dependsOn: opts?.dependsOn });
    this.states.set(id, "QUEUED");
    return id;
  }

  async status(ids: string[]): Promise<Map<string, BatchJobState>> {
    this.statusCalls.push(ids);
    if (this.statusError) throw this.statusError;
    // As the real adapters: a job the scheduler does not list has ended.
    return new Map(ids.map((id) => [id, this.states.get(id) ?? "FINISHED"]));
  }

  async cancel(id: string): Promise<void> {
    this.cancels.push(id);
    this.states.set(id, "CANCELLED");
  }
}

interface Bed {
  store: Store;
  workspace: string;
  stub: StubScheduler;
  log: string[];
  /** Scheduler names the tick asked for. */
  asked: string[];
  tick(over?: Partial<TickOptions>): ReturnType<typeof runTick>;
  workflow(name: string, scheduler?: "slurm" | "local"): Promise<WorkflowRow>;
  /** A job row as a submission (or a --resume) left it; id null = the scheduler never answered. */
  job(wf: WorkflowRow, schedulerId: string | null, state: BatchJobState, extra?: { submittedAt?: number }): Promise<BatchJobRow>;
}

async function bed(): Promise<Bed> {
  const { store, workspace } = await makeTempStore("sqlite");
  const stub = new StubScheduler();
  const log: string[] = [];
  const asked: string[] = [];
  return {
    store,
    workspace,
    stub,
    log,
    asked,
    tick: (over = {}) =>
      runTick(store, {
        workspace,
        maxQueued: 1,
        maxQueuedTotal: 10,
        log: (line) => log.push(line),
        schedulerFor: (name) => {
          asked.push(name);
          return stub;
        },
        ...over,
      }),
    workflow: (name, scheduler = "slurm") =>
      createWorkflow(store, sampleWorkflow({ name, resultsDir: join(workspace, "data", name), request: { ...sampleWorkflow().request, scheduler } })),
    job: async (wf, schedulerId, state, extra = {}) => {
      if (schedulerId !== null && state !== "SUBMITTED") stub.states.set(schedulerId, state);
      return createBatchJob(store, {
        workflowId: wf.id,
        scheduler: wf.request.scheduler,
        schedulerId,
        state,
        nodes: 1,
        queue: null,
        project: null,
        walltimeMinutes: 60,
        scriptPath: null,
        ...extra,
      });
    },
  };
}

async function actions(store: Store, wf: WorkflowRow): Promise<string[]> {
  return (await listServiceEvents(store, { workflowId: wf.id, limit: 100 })).map((e) => e.action).reverse();
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("service tick: --max-queued", () => {
  it("queues up to --max-queued launcher jobs per workflow, each after the previous one, and no more", async () => {
    const b = await bed();
    const wf = await b.workflow("deep");
    const running = await b.job(wf, "500", "RUNNING");

    // At the default of 1 a workflow with a job running gets nothing more.
    expect(await b.tick()).toMatchObject({ submitted: 0, ended: 0 });
    expect(b.stub.submits).toEqual([]);

    const stderr = vi.spyOn(process.stderr, "write");
    const r = await b.tick({ maxQueued: 3 });
    expect(r).toMatchObject({ submitted: 2, held: 0 });
    // Each waits for the one before it, so two launchers of a workflow never run together.
    expect(b.stub.submits.map((s) => s.dependsOn)).toEqual(["500", "7001"]);
    expect(new Set(b.asked)).toEqual(new Set(["slurm"]));
    const jobs = await listBatchJobs(b.store, wf.id);
    expect(jobs.map((j) => [j.schedulerId, j.state])).toEqual([["500", "RUNNING"], ["7001", "SUBMITTED"], ["7002", "SUBMITTED"]]);
    // The script names its own batch job row and sits in the results folder.
    const [, first, second] = jobs;
    expect(first!.scriptPath).toBe(join(wf.resultsDir, `job-${first!.id}.sbatch`));
    expect(readFileSync(first!.scriptPath!, "utf8")).toContain(`--batch-job-id ${first!.id}`);
    expect(await actions(b.store, wf)).toEqual([
      `submitted launcher job ${first!.id} (slurm 7001, after job 500)`,
      `submitted launcher job ${second!.id} (slurm 7002, after job 7001)`,
    ]);
    // Progress went to the service's log, named by workflow; the console got no step line.
    expect(b.log).toContain("workflow deep: Performing job submission...");
    expect(b.log.join("\n")).not.toContain("Rendering");
    expect(stderr.mock.calls.map((c) => String(c[0])).join("")).not.toMatch(/Rendering|Performing job submission/);

    // Three queued or running: the limit holds on the next tick.
    expect(await b.tick({ maxQueued: 3 })).toMatchObject({ submitted: 0 });
    expect(b.stub.submits).toHaveLength(2);
    expect(running.id).toBe(jobs[0]!.id);
  });

  it("queues nothing behind a job it cannot name (no scheduler id yet) or a local job (no dependencies)", async () => {
    const b = await bed();
    const inFlight = await b.workflow("in-flight");
    await b.job(inFlight, null, "SUBMITTED");
    const local = await b.workflow("local-one", "local");
    await b.job(local, "4242", "RUNNING");

    expect(await b.tick({ maxQueued: 3 })).toMatchObject({ submitted: 0 });
    expect(b.stub.submits).toEqual([]);
    expect(await listBatchJobs(b.store, inFlight.id)).toHaveLength(1);
    expect(await listBatchJobs(b.store, local.id)).toHaveLength(1);
  });
});

describe("service tick: --max-queued-total", () => {
  it("stops submitting once the launcher jobs queued or running over all workflows reach the total", async () => {
    const b = await bed();
    const a = await b.workflow("a");
    const c = await b.workflow("c");
    const d = await b.workflow("d");
    await b.job(a, "101", "RUNNING");
    await b.job(c, "102", "RUNNING");
    await b.job(d, "103", "QUEUED");

    // 3 active, room for 1 more over all workflows: the first workflow in order gets it.
    const r = await b.tick({ maxQueued: 2, maxQueuedTotal: 4 });
    expect(r).toMatchObject({ submitted: 1 });
    expect(b.stub.submits.map((s) => s.dependsOn)).toEqual(["101"]);
    expect(await listBatchJobs(b.store, a.id)).toHaveLength(2);
    expect(await listBatchJobs(b.store, c.id)).toHaveLength(1);
    expect(await listBatchJobs(b.store, d.id)).toHaveLength(1);
    expect(b.log.filter((l) => l === "--max-queued-total 4 reached: no more submissions this tick")).toHaveLength(1);

    // A job that ended frees its place: its workflow gets the next one, and the total holds again.
    b.stub.states.set("102", "FINISHED");
    b.log.length = 0;
    const next = await b.tick({ maxQueued: 2, maxQueuedTotal: 4 });
    expect(next).toMatchObject({ ended: 1, submitted: 1 });
    expect((await listBatchJobs(b.store, c.id)).map((j) => [j.schedulerId, j.state])).toEqual([["102", "FINISHED"], ["7002", "SUBMITTED"]]);
    // A job with nothing active before it waits on nothing.
    expect(b.stub.submits[1]!.dependsOn).toBeUndefined();
    expect(await listBatchJobs(b.store, d.id)).toHaveLength(1);
    expect(b.log).toContain("--max-queued-total 4 reached: no more submissions this tick");
  });
});

describe("service tick: a submission that never got a scheduler id", () => {
  it("counts as queued while it may still be in flight, and is FAILED and replaced once it is older than the grace", async () => {
    const b = await bed();
    const fresh = await b.workflow("fresh");
    const freshJob = await b.job(fresh, null, "SUBMITTED");
    const lost = await b.workflow("lost");
    const lostJob = await b.job(lost, null, "SUBMITTED", { submittedAt: Date.now() - NO_ID_GRACE_MS - 60_000 });

    const r = await b.tick();
    expect(r).toMatchObject({ submitted: 1, held: 0 });
    // The fresh one is left alone: its submitting process may still get the id.
    expect(await listBatchJobs(b.store, fresh.id)).toEqual([expect.objectContaining({ id: freshJob.id, state: "SUBMITTED", schedulerId: null, endedAt: null })]);
    // The old one is FAILED (its process died), and the workflow gets a new job, depending on nothing.
    const jobs = await listBatchJobs(b.store, lost.id);
    expect(jobs.map((j) => [j.id, j.state, j.schedulerId])).toEqual([[lostJob.id, "FAILED", null], [expect.any(Number), "SUBMITTED", "7001"]]);
    expect(jobs[0]!.endedAt).not.toBeNull();
    expect(b.stub.submits).toEqual([{ script: expect.stringContaining(join(lost.resultsDir, "job-")), dependsOn: undefined }]);
    expect(b.log).toContain(`batch job ${lostJob.id} of workflow lost never got a scheduler id: marked FAILED`);
    // A row without an id is nothing a scheduler could be asked about.
    expect(b.stub.statusCalls).toEqual([]);
  });

  it("does not count submissions the scheduler never accepted as start-up failures", async () => {
    const b = await bed();
    const wf = await b.workflow("unlucky");
    const old = Date.now() - NO_ID_GRACE_MS - 60_000;
    await b.job(wf, null, "SUBMITTED", { submittedAt: old });
    await b.job(wf, null, "SUBMITTED", { submittedAt: old });

    expect(await b.tick()).toMatchObject({ submitted: 1, held: 0 });
    expect(await listServiceHolds(b.store)).toEqual([]);
  });
});

describe("service tick: holds", () => {
  it("holds a workflow whose last two jobs failed at start-up, once, and lifts the hold when a newer job is queued", async () => {
    const b = await bed();
    const wf = await b.workflow("broken");
    await b.job(wf, "11", "FAILED");
    const second = await b.job(wf, "12", "FAILED");
    mkdirSync(wf.resultsDir, { recursive: true });
    writeFileSync(join(wf.resultsDir, `job-${second.id}.err`), "line one\nmodule: no module named hpc-stack/9\n");

    const r = await b.tick();
    expect(r).toMatchObject({ submitted: 0, held: 1 });
    expect(b.stub.submits).toEqual([]);
    const holds = await listServiceHolds(b.store);
    expect(holds).toEqual([expect.objectContaining({ workflowId: wf.id })]);
    expect(holds[0]!.reason).toContain("the last 2 launcher jobs failed at start-up, no launcher ever started");
    expect(holds[0]!.reason).toContain(`job ${second.id} (slurm 12) FAILED`);
    expect(holds[0]!.reason).toContain(`tail of ${join(wf.resultsDir, `job-${second.id}.err`)}:\nline one\nmodule: no module named hpc-stack/9`);
    expect(holds[0]!.reason).toContain("'spruce submit hps broken ... --resume'");

    // Still held on the next tick, without a second event.
    expect(await b.tick()).toMatchObject({ submitted: 0, held: 1 });
    expect((await actions(b.store, wf)).filter((a) => a.startsWith("held: "))).toHaveLength(1);

    // The user fixed the cause and resumed: a newer job waits in the queue, so the hold is lifted
    // and, that job counting against --max-queued, nothing more is submitted.
    await b.job(wf, "13", "QUEUED");
    expect(await b.tick()).toMatchObject({ submitted: 0, held: 0 });
    expect(await listServiceHolds(b.store)).toEqual([]);
    expect((await actions(b.store, wf)).at(-1)).toBe("hold lifted: its latest launcher job is not a start-up failure");
    expect(b.log).toContain("workflow broken: hold lifted");

    // That job started and ended with work left: the service carries the search on.
    const resumed = (await listBatchJobs(b.store, wf.id)).at(-1)!;
    await updateBatchJob(b.store, resumed.id, { startedAt: Date.now() });
    b.stub.states.set("13", "FINISHED");
    expect(await b.tick()).toMatchObject({ ended: 1, submitted: 1, held: 0 });
  });

  it("holds again when the job after a lifted hold fails at start-up too", async () => {
    const b = await bed();
    const wf = await b.workflow("still-broken");
    await b.job(wf, "21", "FAILED");
    await b.job(wf, "22", "FAILED");
    expect(await b.tick()).toMatchObject({ held: 1 });
    await b.job(wf, "23", "QUEUED");
    expect(await b.tick()).toMatchObject({ held: 0, submitted: 0 });
    // The resumed job fails before its launcher starts: it and the one before are the last two.
    b.stub.states.set("23", "FAILED");
    expect(await b.tick()).toMatchObject({ ended: 1, held: 1, submitted: 0 });
    expect((await listServiceHolds(b.store))[0]!.reason).toMatch(/job \d+ \(slurm 22\) FAILED, job \d+ \(slurm 23\) FAILED/);
  });

  it("is not a start-up failure: one failed job, a job whose launcher registered, a job marked started, a cancelled job", async () => {
    const b = await bed();
    const once = await b.workflow("once");
    await b.job(once, "31", "FAILED");

    const registered = await b.workflow("registered");
    await b.job(registered, "32", "FAILED");
    const withLauncher = await b.job(registered, "33", "FAILED");
    const launcher = await registerLauncher(b.store, { workflowId: registered.id, batchJobId: withLauncher.id, host: "n1", pid: 1 });
    await endLauncher(b.store, launcher.id);

    const started = await b.workflow("started");
    await b.job(started, "34", "FAILED");
    const startedJob = await b.job(started, "35", "FAILED");
    await updateBatchJob(b.store, startedJob.id, { startedAt: Date.now() });

    const cancelled = await b.workflow("cancelled");
    await b.job(cancelled, "36", "FAILED");
    await b.job(cancelled, "37", "CANCELLED");

    expect(await b.tick()).toMatchObject({ held: 0, submitted: 4 });
    expect(await listServiceHolds(b.store)).toEqual([]);
    for (const wf of [once, registered, started, cancelled]) expect((await listBatchJobs(b.store, wf.id)).at(-1)).toMatchObject({ state: "SUBMITTED" });
  });
});

describe("service tick: a scheduler that cannot be asked", () => {
  it("submits nothing that tick: nothing is known about the queue", async () => {
    const b = await bed();
    const wf = await b.workflow("blind");
    await b.job(wf, "41", "FINISHED");
    await b.job(wf, "42", "RUNNING");
    b.stub.statusError = new SchedulerError("squeue: error: slurm_receive_msg: Socket timed out");

    expect(await b.tick({ maxQueued: 2 })).toMatchObject({ ended: 0, submitted: 0 });
    expect(b.stub.submits).toEqual([]);
    expect(b.log).toContain("scheduler status failed, submitting nothing this tick: squeue: error: slurm_receive_msg: Socket timed out");

    b.stub.statusError = null;
    expect(await b.tick({ maxQueued: 2 })).toMatchObject({ submitted: 1 });
    expect(b.stub.submits).toEqual([expect.objectContaining({ dependsOn: "42" })]);
  });
});
