// The cancel protocol with a stub scheduler on a temporary SQLite file: evaluations KILLED, each
// active job cancelled through its scheduler and synced until the scheduler reports it ended (a
// Slurm job lingers as COMPLETING), then the job CANCELLED, its open launcher ended and the
// workflow STOPPED; a job still active at the timeout is reported and left as it is.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cancelWorkflow, type JobScheduler } from "../../src/jobs/index.js";
import {
  claimEvaluations,
  createBatchJob,
  createEvaluations,
  createWorkflow,
  getWorkflow,
  listBatchJobs,
  listEvaluations,
  listEvents,
  listLaunchers,
  registerLauncher,
  type BatchJobState,
} from "../../src/store/index.js";
import { makeTempStore, sampleWorkflow } from "../helpers/db.js";

/** Answers each status call with the next state of `answers` (the last one repeats). */
class LingeringScheduler implements JobScheduler {
  readonly cancels: string[] = [];
  readonly statusCalls: string[][] = [];
  constructor(private readonly answers: BatchJobState[]) {}
  async submit(): Promise<string> {
    throw new Error("cancel submits nothing");
  }
  async status(ids: string[]): Promise<Map<string, BatchJobState>> {
    this.statusCalls.push(ids);
    const state = this.answers[Math.min(this.statusCalls.length, this.answers.length) - 1]!;
    return new Map(ids.map((id) => [id, state]));
  }
  async cancel(id: string): Promise<void> {
    this.cancels.push(id);
  }
}

async function runningSearch() {
  const { store, workspace } = await makeTempStore("sqlite");
  const wf = await createWorkflow(store, sampleWorkflow({ name: "slow", resultsDir: join(workspace, "data", "slow"), request: { ...sampleWorkflow().request, scheduler: "slurm" } }));
  const job = await createBatchJob(store, { workflowId: wf.id, scheduler: "slurm", schedulerId: "900", state: "RUNNING", nodes: 1, queue: null, project: null, walltimeMinutes: 60, scriptPath: null });
  const lost = await createBatchJob(store, { workflowId: wf.id, scheduler: "slurm", schedulerId: null, state: "SUBMITTED", nodes: 1, queue: null, project: null, walltimeMinutes: 60, scriptPath: null });
  const launcher = await registerLauncher(store, { workflowId: wf.id, batchJobId: job.id, host: "n1", pid: 1 });
  await createEvaluations(store, wf.id, [{ x: 1, act: "relu" }, { x: 2, act: "tanh" }, { x: 3, act: null }]);
  await claimEvaluations(store, { workflowId: wf.id, launcherId: launcher.id, n: 2 });
  return { store, wf, job, lost, launcher };
}

describe("cancelWorkflow", () => {
  it("waits, through the sync, until the scheduler reports the job ended, then records the cancel", async () => {
    const { store, wf, job, lost, launcher } = await runningSearch();
    const scheduler = new LingeringScheduler(["RUNNING", "RUNNING", "CANCELLED"]);

    const outcome = await cancelWorkflow(store, wf, { note: "cancelled in a test", timeoutMs: 10_000, pollMs: 10, schedulerFor: () => scheduler });

    // Only the job the scheduler knows is cancelled through it; asked until it ended.
    expect(scheduler.cancels).toEqual(["900"]);
    expect(scheduler.statusCalls).toEqual([["900"], ["900"], ["900"]]);
    expect(outcome).toEqual({
      previousState: "CREATED",
      jobs: [
        { batchJobId: job.id, scheduler: "slurm", schedulerId: "900", was: "RUNNING", state: "CANCELLED" },
        { batchJobId: lost.id, scheduler: "slurm", schedulerId: null, was: "SUBMITTED", state: "CANCELLED" },
      ],
      killed: expect.any(Array),
      stuck: [],
    });
    const evaluations = await listEvaluations(store, wf.id);
    expect(outcome.killed).toEqual(evaluations.map((e) => e.id));
    expect(evaluations.map((e) => e.state)).toEqual(["KILLED", "KILLED", "KILLED"]);
    for (const e of evaluations) expect((await listEvents(store, e.id)).at(-1)).toMatchObject({ toState: "KILLED", note: "cancelled in a test" });
    expect((await listBatchJobs(store, wf.id)).map((j) => j.state)).toEqual(["CANCELLED", "CANCELLED"]);
    expect((await listLaunchers(store, wf.id)).find((l) => l.id === launcher.id)?.endedAt).not.toBeNull();
    expect((await getWorkflow(store, "slow"))?.state).toBe("STOPPED");
  });

  it("reports a job still active at the timeout and leaves its row and launcher as they are", async () => {
    const { store, wf, job, launcher } = await runningSearch();
    const scheduler = new LingeringScheduler(["RUNNING"]);

    const outcome = await cancelWorkflow(store, wf, { note: "cancelled in a test", timeoutMs: 0, pollMs: 10, schedulerFor: () => scheduler });

    expect(outcome.stuck).toEqual([{ batchJobId: job.id, scheduler: "slurm", schedulerId: "900", was: "RUNNING", state: "RUNNING" }]);
    expect(outcome.killed).toHaveLength(3);
    expect((await listBatchJobs(store, wf.id)).map((j) => [j.schedulerId, j.state])).toEqual([["900", "RUNNING"], [null, "CANCELLED"]]);
    expect((await listLaunchers(store, wf.id)).find((l) => l.id === launcher.id)?.endedAt).toBeNull();
    expect((await getWorkflow(store, "slow"))?.state).toBe("STOPPED");
  });
});
