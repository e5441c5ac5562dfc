// Rendering and submitting one launcher batch job for a workflow: used by `submit`, `--resume`,
// the service that resubmits and a --chain successor. The batch job row is written before
// rendering so the script can name it (`launch --batch-job-id N`); a failed submission marks that
// row FAILED.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { ValidationError } from "../errors.js";
import { renderScript, type ScriptContext } from "../schedulers/render.js";
import { createBatchJob, updateBatchJob, type Store } from "../store/index.js";
import type { BatchJobRow, NewWorkflow, WorkflowRow } from "../store/types.js";
import { jobName, resultsLayout } from "../results/layout.js";
import { distFile } from "../util/paths.js";
import { defaultSchedulerFor, type Logger, type SchedulerResolver } from "./context.js";

const EXTENSION: Record<string, string> = { slurm: "sbatch", pbs: "qsub", cobalt: "qsub", lsf: "bsub", local: "sh" };

export interface SubmitJobOptions {
  /** Workspace the launcher job names (SPRUCE_WORKSPACE, --workspace). */
  workspace: string;
  logger: Logger;
  /** Defaults to the adapters of src/schedulers. */
  schedulerFor?: SchedulerResolver;
  /** A scheduler job id this one waits for, however it ends (--chain successors, queued-ahead service jobs). */
  dependsOn?: string;
}

function stamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}

/**
 * The environment a batch script exports so its launcher opens the same database (Store.scriptEnv):
 * the workspace, and for PostgreSQL the URL or the credentials FILE, never a password.
 */
export function databaseEnv(workspace: string, scriptEnv: Record<string, string> | null): Record<string, string> {
  if (scriptEnv === null) {
    throw new ValidationError(
      "the database URL carries a password, which would be written into the batch script",
      "drop the password from the URL and put it in a PGPASSFILE (export PGPASSFILE=...), or use a managed cluster with --db-dir DIR",
    );
  }
  return { SPRUCE_WORKSPACE: workspace, ...scriptEnv };
}

/** The template variables for a workflow's batch script (documented in the README). */
export function buildScriptContext(
  wf: NewWorkflow,
  workspace: string,
  opts: { batchJobId?: number; name?: string; env?: Record<string, string> } = {},
): ScriptContext {
  const r = wf.request;
  const files = resultsLayout(wf.resultsDir).job(opts.name ?? `job-${stamp()}`);
  const launcherCommand = [process.execPath, distFile("src/cli/main"), "launch", wf.name, "--workspace", workspace];
  if (opts.batchJobId !== undefined) launcherCommand.push("--batch-job-id", String(opts.batchJobId));
  launcherCommand.push("--time-limit-minutes", String(r.walltimeMinutes));
  return {
    scheduler: r.scheduler,
    workflow: wf.name,
    jobName: r.jobName ?? wf.name,
    nodes: r.nodes,
    walltimeMinutes: r.walltimeMinutes,
    queue: r.queue,
    project: r.project,
    resultsDir: wf.resultsDir,
    outputFile: files.out,
    errorFile: files.err,
    envScript: r.envScript ?? null,
    env: opts.env ?? { SPRUCE_WORKSPACE: workspace },
    launcherCommand,
    schedFlags: r.schedFlags ?? [],
    // Processes per node the allocation must hold: MPI ranks, or serial evaluations side by side.
    ranksPerNode: r.mode === "mpi" ? r.ranksPerNode : r.evalsPerNode,
  };
}

/** The job's own output files (the template's -o/-e), named after its batch job row. */
export function batchJobFiles(resultsDir: string, batchJobId: number): { out: string; err: string } {
  return resultsLayout(resultsDir).job(jobName(batchJobId));
}

/** Renders and submits one launcher job with the workflow's saved request. */
export async function submitBatchJob(store: Store, wf: WorkflowRow, o: SubmitJobOptions): Promise<BatchJobRow> {
  const r = wf.request;
  const job = await createBatchJob(store, {
    workflowId: wf.id,
    scheduler: r.scheduler,
    schedulerId: null,
    state: "SUBMITTED",
    nodes: r.nodes,
    queue: r.queue,
    project: r.project,
    walltimeMinutes: r.walltimeMinutes,
    scriptPath: null,
  });
  const name = jobName(job.id);
  const scriptPath = resultsLayout(wf.resultsDir).job(name, EXTENSION[r.scheduler] ?? "sh").script;
  try {
    await o.logger.step(`Rendering ${r.scheduler} script`, () => {
      const env = databaseEnv(o.workspace, store.scriptEnv);
      const script = renderScript(buildScriptContext(wf, o.workspace, { batchJobId: job.id, name, env }), r.template ?? undefined);
      mkdirSync(wf.resultsDir, { recursive: true });
      writeFileSync(scriptPath, script);
      chmodSync(scriptPath, 0o755);
    });
    o.logger.info("Performing job submission...");
    const scheduler = (o.schedulerFor ?? defaultSchedulerFor)(r.scheduler);
    const schedulerId = await scheduler.submit(scriptPath, o.dependsOn === undefined ? undefined : { dependsOn: o.dependsOn });
    await updateBatchJob(store, job.id, { schedulerId, scriptPath });
    return { ...job, schedulerId, scriptPath };
  } catch (e) {
    await updateBatchJob(store, job.id, { state: "FAILED", endedAt: Date.now(), scriptPath });
    throw e;
  }
}
