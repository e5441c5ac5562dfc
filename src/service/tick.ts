// One service tick: sync the batch jobs' states from their schedulers, recover the evaluations of
// launchers whose job ended under them, and give every workflow with work left and no launcher job
// queued or running another one with its saved request — unless its last launcher jobs failed at
// start-up (then it is held and reported, as resubmitting would only fail again) or the queue
// limits are reached.
import { budgetReached } from "../search/registry.js";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { SchedulerError } from "../errors.js";
import {
  ACTIVE_JOB_STATES,
  batchJobFiles,
  failLostSubmissions,
  isActiveJob,
  logLines,
  submitBatchJob,
  syncActiveJobs,
  type SchedulerResolver,
} from "../jobs/index.js";
import {
  addServiceEvent,
  batchJobsWithLaunchers,
  clearServiceHold,
  countEvaluations,
  getWorkflowById,
  listBatchJobs,
  listOrphanedLaunchers,
  listServiceHolds,
  listWorkflows,
  recoverEvaluations,
  setServiceHold,
  type Store,
} from "../store/index.js";
import type { BatchJobRow, WorkflowRow } from "../store/types.js";
import { launcherSettings } from "../store/settings.js";
import { finishedCount, isWorkflowOver } from "../store/states.js";

export interface TickOptions {
  /** Workspace the launcher jobs name (SPRUCE_WORKSPACE, --workspace), as `submit` does. */
  workspace: string;
  /** Launcher jobs one workflow may have queued or running at once (beyond 1 they wait on each other). */
  maxQueued: number;
  /** Launcher jobs queued or running over all workflows; the service submits none beyond. */
  maxQueuedTotal: number;
  /** Timestamped lines of the service's own log. */
  log: (line: string) => void;
  /** The scheduler adapter for a job's scheduler name; the real ones by default (tests stub it). */
  schedulerFor?: SchedulerResolver;
}

export interface TickReport {
  ended: number;
  recovered: number;
  submitted: number;
  held: number;
  summary: string;
}

/**
 * Start-up failures in a row after which a workflow is held: one can be bad luck (a node), two in a
 * row mean the job's environment is broken, and resubmitting would burn allocation time.
 */
const STARTUP_FAILURES_TO_HOLD = 2;
/** Lines of a failed job's error file quoted in the hold reason. */
const TAIL_LINES = 12;
const TAIL_BYTES = 16_384;

export async function runTick(store: Store, o: TickOptions): Promise<TickReport> {
  const workflows = await listWorkflows(store);
  const jobsOf = new Map<number, BatchJobRow[]>();
  for (const wf of workflows) {
    // A submission that never got its scheduler id (its process died) would block the workflow.
    const lost = await failLostSubmissions(store, await listBatchJobs(store, wf.id));
    for (const j of lost.failed) o.log(`batch job ${j.id} of workflow ${wf.name} never got a scheduler id: marked FAILED`);
    jobsOf.set(wf.id, lost.jobs);
  }

  // Sync. If a scheduler cannot be asked, nothing is known about the queue: no submission this tick.
  const before = [...jobsOf.values()].flat();
  let synced: BatchJobRow[] | null = null;
  try {
    synced = await syncActiveJobs(store, before, o.schedulerFor);
  } catch (e) {
    if (!(e instanceof SchedulerError)) throw e;
    o.log(`scheduler status failed, submitting nothing this tick: ${e.message}`);
  }
  let ended = 0;
  if (synced) {
    const was = new Map(before.map((j) => [j.id, j.state]));
    for (const j of synced) {
      if (isActiveJob({ state: was.get(j.id)! }) && !isActiveJob(j)) {
        ended += 1;
        o.log(`batch job ${j.id} (${j.scheduler} ${j.schedulerId}) of workflow ${nameOf(workflows, j.workflowId)} ended: ${j.state}`);
      }
    }
    jobsOf.clear();
    for (const j of synced) jobsOf.set(j.workflowId, [...(jobsOf.get(j.workflowId) ?? []), j]);
  }

  const recovered = await recoverOrphans(store, o.log);
  if (!synced) return report(ended, recovered, 0, 0);

  const holds = new Map((await listServiceHolds(store)).map((h) => [h.workflowId, h]));
  let totalActive = [...jobsOf.values()].flat().filter(isActiveJob).length;
  let submitted = 0;
  let held = 0;
  let limitLogged = false;
  for (const wf of workflows) {
    const jobs = jobsOf.get(wf.id) ?? [];
    // No job at all: `submit` is between writing the workflow and submitting its first job.
    if (isWorkflowOver(wf.state) || jobs.length === 0) continue;
    const counts = await countEvaluations(store, wf.id);
    if (budgetReached(wf, finishedCount(counts))) continue;

    const failures = await startupFailures(store, jobs);
    if (failures) {
      held += 1;
      if (!holds.has(wf.id)) {
        const reason = holdReason(wf, failures);
        await setServiceHold(store, wf.id, reason);
        await addServiceEvent(store, { workflowId: wf.id, action: `held: ${reason}` });
        o.log(`workflow ${wf.name} held, not resubmitted: ${reason}`);
      }
      continue;
    }
    if (holds.has(wf.id)) {
      // A newer job (a --resume) started or waits in the queue: the hold no longer applies.
      await clearServiceHold(store, wf.id);
      await addServiceEvent(store, { workflowId: wf.id, action: "hold lifted: its latest launcher job is not a start-up failure" });
      o.log(`workflow ${wf.name}: hold lifted`);
    }

    const active = jobs.filter(isActiveJob);
    while (active.length < o.maxQueued) {
      if (totalActive >= o.maxQueuedTotal) {
        if (!limitLogged) o.log(`--max-queued-total ${o.maxQueuedTotal} reached: no more submissions this tick`);
        limitLogged = true;
        break;
      }
      // Queued ahead of a live job: wait for it, so two launchers of a workflow never run together.
      // That needs the job's id, and a scheduler with dependencies (local jobs cannot wait).
      const last = active[active.length - 1];
      if (last && (last.schedulerId === null || last.scheduler === "local")) break;
      const job = await submitFor(store, wf, o, last?.schedulerId ?? undefined);
      if (!job) break;
      active.push(job);
      totalActive += 1;
      submitted += 1;
    }
  }
  return report(ended, recovered, submitted, held);
}

function report(ended: number, recovered: number, submitted: number, held: number): TickReport {
  const summary = `${ended} job(s) ended, ${recovered} evaluation(s) recovered, ${submitted} job(s) submitted, ${held} workflow(s) held`;
  return { ended, recovered, submitted, held, summary };
}

function nameOf(workflows: WorkflowRow[], id: number): string {
  return workflows.find((w) => w.id === id)?.name ?? `#${id}`;
}

/** Submits one launcher job; a failure is logged and recorded, and the next tick tries again. */
async function submitFor(store: Store, wf: WorkflowRow, o: TickOptions, dependsOn: string | undefined): Promise<BatchJobRow | null> {
  const after = dependsOn === undefined ? "" : `, after job ${dependsOn}`;
  try {
    const job = await submitBatchJob(store, wf, {
      workspace: o.workspace,
      // Progress lines in the service's log, naming the workflow; no console step lines.
      logger: logLines((line) => o.log(`workflow ${wf.name}: ${line}`)),
      schedulerFor: o.schedulerFor,
      dependsOn,
    });
    const action = `submitted launcher job ${job.id} (${job.scheduler} ${job.schedulerId}${after})`;
    await addServiceEvent(store, { workflowId: wf.id, action });
    o.log(`workflow ${wf.name}: ${action}`);
    return job;
  } catch (e) {
    const action = `submission failed: ${e instanceof Error ? e.message : String(e)}`;
    await addServiceEvent(store, { workflowId: wf.id, action });
    o.log(`workflow ${wf.name}: ${action}`);
    return null;
  }
}

/**
 * Launchers whose batch job ended while their row stayed open (killed with the job): their RUNNING
 * evaluations go back to READY, or FAILED once out of attempts, and the rows are ended. Returns the
 * number of evaluations recovered.
 */
async function recoverOrphans(store: Store, log: (line: string) => void): Promise<number> {
  const orphans = await listOrphanedLaunchers(store, [...ACTIVE_JOB_STATES]);
  const byWorkflow = new Map<number, number[]>();
  for (const l of orphans) byWorkflow.set(l.workflowId, [...(byWorkflow.get(l.workflowId) ?? []), l.id]);
  let total = 0;
  for (const [workflowId, launcherIds] of byWorkflow) {
    const wf = await getWorkflowById(store, workflowId);
    if (!wf) continue;
    const r = await recoverEvaluations(store, {
      workflowId,
      launcherIds,
      maxAttempts: launcherSettings(wf.settings).maxAttempts,
      note: `batch job of launcher(s) ${launcherIds.join(",")} ended`,
    });
    total += r.requeued + r.failed;
    const action = `ended launcher(s) ${launcherIds.join(",")} of ended batch jobs: ${r.requeued} evaluation(s) back to READY, ${r.failed} FAILED (out of attempts)`;
    await addServiceEvent(store, { workflowId, action });
    log(`workflow ${wf.name}: ${action}`);
  }
  return total;
}

/**
 * The last STARTUP_FAILURES_TO_HOLD submitted jobs, if all of them failed at start-up: ended
 * without a launcher ever registering (it never heartbeat) nor marking the job RUNNING. Jobs the
 * scheduler never accepted (no id) do not count; a job cancelled by the user is not a failure.
 */
async function startupFailures(store: Store, jobs: BatchJobRow[]): Promise<BatchJobRow[] | null> {
  const last = jobs.filter((j) => j.schedulerId !== null).slice(-STARTUP_FAILURES_TO_HOLD);
  if (last.length < STARTUP_FAILURES_TO_HOLD) return null;
  if (last.some((j) => isActiveJob(j) || j.state === "CANCELLED" || j.startedAt !== null)) return null;
  const started = await batchJobsWithLaunchers(store, last.map((j) => j.id));
  return last.some((j) => started.has(j.id)) ? null : last;
}

function holdReason(wf: WorkflowRow, failures: BatchJobRow[]): string {
  const jobs = failures.map((j) => `job ${j.id} (${j.scheduler} ${j.schedulerId}) ${j.state}`).join(", ");
  const newest = failures[failures.length - 1]!;
  const files = batchJobFiles(wf.resultsDir, newest.id);
  const tail = tailOf(files.err) ?? tailOf(files.out);
  const log = tail ? `; tail of ${tail.file}:\n${tail.text}` : `; its output files (${files.err}, ${files.out}) are empty or missing`;
  return `the last ${failures.length} launcher jobs failed at start-up, no launcher ever started (${jobs})${log}\n` +
    `fix the cause, then continue with 'spruce submit hps ${wf.name} ... --resume'`;
}

/** The last lines of a file, reading only its end (job error files can be large). */
function tailOf(file: string): { file: string; text: string } | null {
  let fd: number | null = null;
  try {
    const size = statSync(file).size;
    if (size === 0) return null;
    fd = openSync(file, "r");
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    return { file, text: buf.toString("utf8").trimEnd().split("\n").slice(-TAIL_LINES).join("\n") };
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
