// Batch-job states from the schedulers themselves: the database only hears from launchers, and a
// job that never started, was cancelled outside spruce, or whose launcher was SIGKILLed never
// reports its end. Shared by `--wait`, `spruce status` and `spruce cancel`.
import { updateBatchJob, type Store } from "../store/index.js";
import type { BatchJobRow, BatchJobState } from "../store/types.js";
import { getScheduler } from "./index.js";

export const ACTIVE_JOB_STATES: ReadonlySet<BatchJobState> = new Set(["SUBMITTED", "QUEUED", "RUNNING"]);

export function isActiveJob(job: { state: BatchJobState }): boolean {
  return ACTIVE_JOB_STATES.has(job.state);
}

/**
 * Asks each scheduler, once for all its jobs, about the rows the database still thinks active, and
 * returns the rows with the scheduler's state. Only ends are written back: updateBatchJob is not
 * conditional on the row's current state, so persisting a live RUNNING or QUEUED could overwrite a
 * FINISHED the launcher wrote between our read and our write. Ends cannot go backwards.
 */
export async function syncActiveJobs(store: Store, jobs: BatchJobRow[]): Promise<BatchJobRow[]> {
  const active = jobs.filter((j) => isActiveJob(j) && j.schedulerId !== null);
  const byScheduler = new Map<string, BatchJobRow[]>();
  for (const j of active) byScheduler.set(j.scheduler, [...(byScheduler.get(j.scheduler) ?? []), j]);
  const live = new Map<number, BatchJobState>();
  for (const [name, list] of byScheduler) {
    const states = await getScheduler(name).status(list.map((j) => j.schedulerId as string));
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
