// --chain: a launcher job, as it starts, submits its own successor with a scheduler
// dependency on itself (afterany: it starts once this job ended, however it ended) while the search
// has work left, so a search crosses walltimes with no login-node process. A successor that starts
// after the search finished finds nothing left here, submits nothing, and its launcher ends at once.
import { budgetReached } from "../search/registry.js";
import { isActiveJob, logLines, submitBatchJob, type SchedulerResolver } from "../jobs/index.js";
import { addServiceEvent, countEvaluations, finishedCount, getBatchJob, isWorkflowOver, listBatchJobs, type Store } from "../store/index.js";
import type { WorkflowRow } from "../store/types.js";

/** The variable each scheduler sets to the running job's id inside the job. */
const JOB_ID_VARIABLE: Record<string, string> = { slurm: "SLURM_JOB_ID", pbs: "PBS_JOBID", cobalt: "COBALT_JOBID", lsf: "LSB_JOBID" };

/**
 * Submits the successor of batch job `batchJobId` if the workflow is chained and has work left.
 * Never throws: a failed chain submission must not take the running launcher down with it (the
 * search goes on in this allocation; the log says why no successor follows).
 */
export async function submitChainSuccessor(
  store: Store,
  wf: WorkflowRow,
  o: { batchJobId: number; workspace: string; env: NodeJS.ProcessEnv; log: (line: string) => void; schedulerFor?: SchedulerResolver },
): Promise<void> {
  if (wf.request.chain !== true) return;
  try {
    const counts = await countEvaluations(store, wf.id);
    const finished = finishedCount(counts);
    if (isWorkflowOver(wf.state) || budgetReached(wf, finished)) {
      o.log(`chain: nothing left to do (${finished}/${wf.maxEvals} finished, workflow ${wf.state}): no successor`);
      return;
    }
    const own = await getBatchJob(store, o.batchJobId);
    // The row gets its scheduler id once the submit command returns, which can be after the job
    // started: then the scheduler's own variable names this job.
    const variable = JOB_ID_VARIABLE[wf.request.scheduler];
    const ownId = own?.schedulerId ?? (variable ? o.env[variable] : undefined);
    if (!ownId) {
      o.log(`chain: the scheduler id of batch job ${o.batchJobId} is unknown: no successor`);
      return;
    }
    const queued = (await listBatchJobs(store, wf.id)).find((j) => j.id > o.batchJobId && isActiveJob(j));
    if (queued) {
      o.log(`chain: batch job ${queued.id} (${queued.schedulerId}) already follows: no successor`);
      return;
    }
    // Progress goes to the launcher's timestamped log (the job's error file), never as console step lines.
    const job = await submitBatchJob(store, wf, { workspace: o.workspace, logger: logLines(o.log), schedulerFor: o.schedulerFor, dependsOn: ownId });
    const action = `chain: launcher job ${o.batchJobId} (${ownId}) submitted its successor, job ${job.id} (${job.scheduler} ${job.schedulerId}, after ${ownId})`;
    await addServiceEvent(store, { workflowId: wf.id, action });
    o.log(action);
  } catch (e) {
    o.log(`chain: submitting the successor failed, the search stops with this job: ${e instanceof Error ? e.message : String(e)}`);
  }
}
