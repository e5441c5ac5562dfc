// `spruce cancel WORKFLOW`: stop a search for good. Cancels its active batch jobs through their
// schedulers (scancel, qdel, bkill, kill), ends its READY and RUNNING evaluations as KILLED, marks
// the jobs CANCELLED and the workflow STOPPED.
//
// Order matters, because a launcher keeps writing while it is being taken down:
//  1. evaluations are KILLED before any job is signalled: the launcher's later writes (a result,
//     "killed by signal" when the scheduler's SIGTERM reaches an evaluation before the launcher's
//     own stop, the requeue of interrupted rows) apply only to RUNNING rows it claimed, so none of
//     them can turn a KILLED row back into FAILED or READY;
//  2. the jobs are cancelled, and we wait until each scheduler says its job has ended: its
//     processes, the launcher among them, are gone, so nothing writes afterwards;
//  3. a second sweep kills rows the launcher created or requeued between 1 and its end; then the
//     job rows become CANCELLED and the workflow STOPPED, overwriting the FINISHED / RUNNING a
//     launcher writes on its way out.
import type { Argv, CommandModule } from "yargs";
import { NotFoundError, SpruceError, ValidationError } from "../errors.js";
import { getScheduler } from "../schedulers/index.js";
import { isActiveJob } from "../schedulers/sync.js";
import {
  endLauncher,
  getWorkflow,
  killEvaluations,
  listBatchJobs,
  listLaunchers,
  setWorkflowState,
  updateBatchJob,
  type Store,
} from "../store/index.js";
import type { BatchJobRow } from "../store/types.js";
import { withStore, type GlobalArgs } from "./context.js";
import { info, printJson } from "./output.js";

interface CancelArgs extends GlobalArgs {
  workflow: string;
  json?: boolean;
  timeout: number;
}

const POLL_MS = 1000;
const NOTE = "cancelled by the user (spruce cancel)";

export const cancelCommand: CommandModule<GlobalArgs, CancelArgs> = {
  command: "cancel <workflow>",
  describe: "cancel a workflow's batch jobs, kill its running and waiting evaluations, stop it",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional("workflow", { type: "string", demandOption: true })
      .option("json", { type: "boolean", describe: "print what was done as one JSON object" })
      .option("timeout", {
        type: "number",
        default: 120,
        describe: "seconds to wait for the scheduler to report the jobs ended (its kill grace, e.g. Slurm's KillWait, included)",
      }) as unknown as Argv<CancelArgs>,
  handler: async (argv) => {
    if (!(argv.timeout >= 0)) throw new ValidationError(`--timeout must be a number of seconds (got ${argv.timeout})`);
    await withStore(argv, (store) => cancel(store, argv));
  },
};

interface JobReport {
  scheduler: string;
  id: string | null;
  /** The job's state before the cancel, and after it. */
  was: string;
  state: string;
}

async function cancel(store: Store, argv: CancelArgs): Promise<void> {
  const wf = await getWorkflow(store, argv.workflow);
  if (!wf) throw new NotFoundError(`workflow '${argv.workflow}' not found`, "list workflows with 'spruce ls'");
  const previousState = wf.state;

  // 1. Nothing the launchers write from now on can bring these rows back.
  await setWorkflowState(store, wf.id, "STOPPED");
  const killed = new Set((await killEvaluations(store, wf.id, NOTE)).map((r) => r.id));

  // 2. Signal every active job, then wait for the schedulers to report them ended.
  const jobs = (await listBatchJobs(store, wf.id)).filter(isActiveJob);
  for (const j of jobs) {
    // A job row without a scheduler id never reached the scheduler (its submission failed midway).
    if (j.schedulerId !== null) await getScheduler(j.scheduler).cancel(j.schedulerId);
  }
  const stuck = await waitForEnd(jobs, argv.timeout * 1000);

  // 3. Rows written meanwhile, then the final states.
  for (const r of await killEvaluations(store, wf.id, NOTE)) killed.add(r.id);
  const ended = jobs.filter((j) => !stuck.has(j.id));
  const endedIds = new Set(ended.map((j) => j.id));
  for (const l of await listLaunchers(store, wf.id)) {
    // A launcher killed outright (SIGKILL after the grace period) never ends its own row.
    if (l.endedAt === null && l.batchJobId !== null && endedIds.has(l.batchJobId)) await endLauncher(store, l.id);
  }
  for (const j of ended) await updateBatchJob(store, j.id, { state: "CANCELLED", endedAt: Date.now() });
  await setWorkflowState(store, wf.id, "STOPPED");

  const report: JobReport[] = jobs.map((j) => ({
    scheduler: j.scheduler,
    id: j.schedulerId,
    was: j.state,
    state: stuck.get(j.id) ?? "CANCELLED",
  }));
  const killedIds = [...killed].sort((a, b) => a - b);
  if (argv.json) {
    printJson({ workflow: wf.name, previous_state: previousState, state: "STOPPED", batch_jobs: report, killed_evaluations: killedIds });
  } else {
    for (const j of report) info(`${j.scheduler} job ${j.id ?? "(never submitted)"}: ${j.was} -> ${j.state}`);
    if (jobs.length === 0) info("no active batch job to cancel");
    info(`killed ${killedIds.length} evaluation(s)`);
    info(`workflow ${wf.name} STOPPED`);
  }
  if (stuck.size > 0) {
    const list = [...stuck.entries()].map(([id, s]) => `${jobs.find((j) => j.id === id)?.schedulerId ?? id} (${s})`).join(", ");
    throw new SpruceError(`the scheduler still reports job(s) ${list} ${argv.timeout} s after the cancel`, {
      hint: `run 'spruce cancel ${wf.name}' again once they have ended`,
      exitCode: 1,
    });
  }
}

/**
 * Polls the schedulers until none of jobs is active, or timeoutMs passes. Returns the jobs still
 * active, with their last state. Slurm lists a cancelled job as COMPLETING (active) until every one
 * of its processes has exited, so "ended" here means the launcher can no longer write.
 */
async function waitForEnd(jobs: BatchJobRow[], timeoutMs: number): Promise<Map<number, string>> {
  const pending = new Map<number, string>();
  for (const j of jobs) if (j.schedulerId !== null) pending.set(j.id, j.state);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const byScheduler = new Map<string, BatchJobRow[]>();
    for (const j of jobs) if (pending.has(j.id)) byScheduler.set(j.scheduler, [...(byScheduler.get(j.scheduler) ?? []), j]);
    for (const [name, list] of byScheduler) {
      const states = await getScheduler(name).status(list.map((j) => j.schedulerId as string));
      for (const j of list) {
        const s = states.get(j.schedulerId as string) ?? "FINISHED";
        if (isActiveJob({ state: s })) pending.set(j.id, s);
        else pending.delete(j.id);
      }
    }
    if (pending.size === 0 || Date.now() >= deadline) return pending;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
