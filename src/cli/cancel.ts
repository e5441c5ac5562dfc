// `spruce cancel WORKFLOW`: stop a search for good. The protocol (kill the evaluations, cancel the
// jobs and wait for their schedulers to report them ended, then the final states) is the jobs
// module's cancelWorkflow; this command finds the workflow and reports what was done.
import type { Argv, CommandModule } from "yargs";
import { NotFoundError, SpruceError, ValidationError } from "../errors.js";
import { cancelWorkflow } from "../jobs/index.js";
import { getWorkflow, type Store } from "../store/index.js";
import { withStore, type GlobalArgs } from "./context.js";
import { info, printJson } from "./output.js";

interface CancelArgs extends GlobalArgs {
  workflow: string;
  json?: boolean;
  timeout: number;
}

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
    if (!(argv.timeout >= 0)) throw new ValidationError(`--timeout must be a number of seconds, 0 or more (got ${argv.timeout})`, "e.g. --timeout 120");
    await withStore(argv, (store) => cancel(store, argv));
  },
};

async function cancel(store: Store, argv: CancelArgs): Promise<void> {
  const wf = await getWorkflow(store, argv.workflow);
  if (!wf) throw new NotFoundError(`workflow '${argv.workflow}' not found`, "list workflows with 'spruce ls'");
  const outcome = await cancelWorkflow(store, wf, { note: NOTE, timeoutMs: argv.timeout * 1000 });

  const report = outcome.jobs.map((j) => ({ scheduler: j.scheduler, id: j.schedulerId, was: j.was, state: j.state }));
  if (argv.json) {
    printJson({ workflow: wf.name, previous_state: outcome.previousState, state: "STOPPED", batch_jobs: report, killed_evaluations: outcome.killed });
  } else {
    for (const j of report) info(`${j.scheduler} job ${j.id ?? "(never submitted)"}: ${j.was} -> ${j.state}`);
    if (report.length === 0) info("no active batch job to cancel");
    info(`killed ${outcome.killed.length} evaluation(s)`);
    info(`workflow ${wf.name} STOPPED`);
  }
  if (outcome.stuck.length > 0) {
    const list = outcome.stuck.map((j) => `${j.schedulerId ?? j.batchJobId} (${j.state})`).join(", ");
    throw new SpruceError(`the scheduler still reports job(s) ${list} ${argv.timeout} s after the cancel`, {
      hint: `run 'spruce cancel ${wf.name}' again once they have ended`,
      exitCode: 1,
    });
  }
}
