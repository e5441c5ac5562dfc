// Cancelling a workflow for good: its active batch jobs are cancelled through their schedulers, its
// READY and RUNNING evaluations end as KILLED, the jobs become CANCELLED and the workflow STOPPED.
//
// Order matters, because a launcher keeps writing while it is being taken down:
//  1. evaluations are KILLED before any job is signalled: the launcher's later writes (a result,
//     "killed by signal" when the scheduler's SIGTERM reaches an evaluation before the launcher's
//     own stop, the requeue of interrupted rows) apply only to RUNNING rows it claimed, so none of
//     them can turn a KILLED row back into FAILED or READY;
//  2. the jobs are cancelled, and the schedulers are asked (the same sync as everywhere) until each
//     says its job has ended: its processes, the launcher among them, are gone, so nothing writes
//     afterwards;
//  3. a second sweep kills rows the launcher created or requeued between 1 and its end; then the
//     job rows become CANCELLED and the workflow STOPPED, overwriting the FINISHED / RUNNING a
//     launcher writes on its way out.
import { ValidationError } from "../errors.js";
import { endLauncher, killEvaluations, listBatchJobs, listLaunchers, setWorkflowState, updateBatchJob, type Store } from "../store/index.js";
import type { BatchJobRow, BatchJobState, WorkflowRow, WorkflowState } from "../store/types.js";
import { defaultSchedulerFor, type SchedulerResolver } from "./context.js";
import { isActiveJob, syncActiveJobs } from "./track.js";

const POLL_MS = 1000;

export interface CancelOptions {
  /** The note the killed evaluations carry (who cancelled them). */
  note: string;
  /** How long to wait for the schedulers to report the jobs ended (their kill grace included). */
  timeoutMs: number;
  schedulerFor?: SchedulerResolver;
  pollMs?: number;
}

export interface CancelledJob {
  batchJobId: number;
  scheduler: string;
  /** Null for a row whose submission never reached the scheduler. */
  schedulerId: string | null;
  /** The job's state before the cancel, and after it: CANCELLED, or the live state it is stuck in. */
  was: BatchJobState;
  state: BatchJobState;
}

export interface CancelOutcome {
  previousState: WorkflowState;
  jobs: CancelledJob[];
  /** Ids of the evaluations ended as KILLED, ascending. */
  killed: number[];
  /** The jobs the schedulers still reported active when the timeout passed (left as they are). */
  stuck: CancelledJob[];
}

export async function cancelWorkflow(store: Store, wf: WorkflowRow, o: CancelOptions): Promise<CancelOutcome> {
  const schedulerFor = o.schedulerFor ?? defaultSchedulerFor;
  // A finished search has nothing running to stop, and STOPPED would hide that it completed.
  if (wf.state === "FINISHED") {
    throw new ValidationError(`workflow '${wf.name}' is FINISHED: there is nothing to cancel`, `its results stay as they are; 'spruce rm ${wf.name}' deletes it, 'spruce submit hps ${wf.name} --resume --max-evals N' continues it`);
  }

  // 1. Nothing the launchers write from now on can bring these rows back.
  await setWorkflowState(store, wf.id, "STOPPED");
  const killed = new Set((await killEvaluations(store, wf.id, o.note)).map((r) => r.id));

  // 2. Signal every active job, then wait for the schedulers to report them ended.
  const jobs = (await listBatchJobs(store, wf.id)).filter(isActiveJob);
  for (const j of jobs) {
    // A job row without a scheduler id never reached the scheduler (its submission failed midway).
    if (j.schedulerId !== null) await schedulerFor(j.scheduler).cancel(j.schedulerId);
  }
  const stuck = await waitForEnd(store, jobs, o.timeoutMs, o.pollMs ?? POLL_MS, schedulerFor);

  // 3. Rows written meanwhile, then the final states.
  for (const r of await killEvaluations(store, wf.id, o.note)) killed.add(r.id);
  const ended = jobs.filter((j) => !stuck.has(j.id));
  const endedIds = new Set(ended.map((j) => j.id));
  for (const l of await listLaunchers(store, wf.id)) {
    // A launcher killed outright (SIGKILL after the grace period) never ends its own row.
    if (l.endedAt === null && l.batchJobId !== null && endedIds.has(l.batchJobId)) await endLauncher(store, l.id);
  }
  for (const j of ended) await updateBatchJob(store, j.id, { state: "CANCELLED", endedAt: Date.now() });
  await setWorkflowState(store, wf.id, "STOPPED");

  const report: CancelledJob[] = jobs.map((j) => ({
    batchJobId: j.id,
    scheduler: j.scheduler,
    schedulerId: j.schedulerId,
    was: j.state,
    state: stuck.get(j.id) ?? "CANCELLED",
  }));
  return {
    previousState: wf.state,
    jobs: report,
    killed: [...killed].sort((a, b) => a - b),
    stuck: report.filter((j) => stuck.has(j.batchJobId)),
  };
}

/**
 * Syncs the jobs with their schedulers until none is active, or timeoutMs passes. Returns the jobs
 * still active, with their last state. Slurm lists a cancelled job as COMPLETING (active) until
 * every one of its processes has exited, so "ended" here means the launcher can no longer write.
 */
async function waitForEnd(store: Store, jobs: BatchJobRow[], timeoutMs: number, pollMs: number, schedulerFor: SchedulerResolver): Promise<Map<number, BatchJobState>> {
  const deadline = Date.now() + timeoutMs;
  let pending = jobs.filter((j) => j.schedulerId !== null);
  for (;;) {
    if (pending.length > 0) pending = (await syncActiveJobs(store, pending, schedulerFor)).filter(isActiveJob);
    if (pending.length === 0 || Date.now() >= deadline) return new Map(pending.map((j) => [j.id, j.state]));
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
