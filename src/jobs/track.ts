// Batch-job tracking: the rows' states brought in line with the
// schedulers'. The database only hears from launchers, and a job that never started, was cancelled
// outside spruce, or whose launcher was SIGKILLed never reports its end. Used by `--wait`,
// `spruce status`, `spruce cancel` and the service.
import { ACTIVE_JOB_STATES, isActiveJob, updateBatchJob, type Store } from "../store/index.js";
import type { BatchJobRow, BatchJobState } from "../store/types.js";
import { defaultSchedulerFor, type SchedulerResolver } from "./context.js";

export { ACTIVE_JOB_STATES, isActiveJob };

/**
 * A row with no scheduler id is a submission in flight (submitBatchJob writes the id once the
 * scheduler answers). One older than this belongs to a submitting process that died.
 */
export const NO_ID_GRACE_MS = 5 * 60_000;

/**
 * Asks each scheduler, once for all its jobs, about the rows the database still thinks active, and
 * returns the rows with the scheduler's state. Only ends are written back: updateBatchJob is not
 * conditional on the row's current state, so persisting a live RUNNING or QUEUED could overwrite a
 * FINISHED the launcher wrote between our read and our write. Ends cannot go backwards.
 */
export async function syncActiveJobs(store: Store, jobs: BatchJobRow[], schedulerFor: SchedulerResolver = defaultSchedulerFor): Promise<BatchJobRow[]> {
  const active = jobs.filter((j) => isActiveJob(j) && j.schedulerId !== null);
  const byScheduler = new Map<string, BatchJobRow[]>();
  for (const j of active) byScheduler.set(j.scheduler, [...(byScheduler.get(j.scheduler) ?? []), j]);
  const live = new Map<number, BatchJobState>();
  for (const [name, list] of byScheduler) {
    const states = await schedulerFor(name).status(list.map((j) => j.schedulerId as string));
    for (const j of list) {
      const s = states.get(j.schedulerId as string);
      // SUBMITTED from a scheduler means a state the adapter does not know: keep what we have.
      if (s === undefined || s === "SUBMITTED" || s === j.state) continue;
      if (!ACTIVE_JOB_STATES.has(s)) await updateBatchJob(store, j.id, { state: s, endedAt: Date.now() });
      live.set(j.id, s);
    }
  }
  return jobs.map((j) => (live.has(j.id) ? { ...j, state: live.get(j.id) as BatchJobState } : j));
}

/**
 * Marks FAILED the active rows that never got a scheduler id within NO_ID_GRACE_MS: otherwise they
 * would count as queued forever and block their workflow. Returns the rows as they are now, and
 * which of them it failed.
 */
export async function failLostSubmissions(store: Store, jobs: BatchJobRow[], now = Date.now()): Promise<{ jobs: BatchJobRow[]; failed: BatchJobRow[] }> {
  const out: BatchJobRow[] = [];
  const failed: BatchJobRow[] = [];
  for (const j of jobs) {
    if (isActiveJob(j) && j.schedulerId === null && now - j.submittedAt > NO_ID_GRACE_MS) {
      const row = await updateBatchJob(store, j.id, { state: "FAILED", endedAt: Date.now() });
      out.push(row);
      failed.push(row);
    } else {
      out.push(j);
    }
  }
  return { jobs: out, failed };
}
