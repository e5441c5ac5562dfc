// `spruce launch WORKFLOW`: the line a batch script runs on the compute node. Connects to the
// workflow database (never migrating it), discovers its node, and runs the launcher loop.
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { NotFoundError, ValidationError } from "../errors.js";
import { currentNodeName, detectAllocation } from "../mpi/allocation.js";
import { walltimeMarginSeconds } from "../schedulers/walltime.js";
import { getWorkflow } from "../store/index.js";
import { buildLaunchPrefix, detectMpiFlavour } from "../mpi/index.js";
import type { WorkflowRow } from "../store/types.js";
import { runLauncher } from "../../launcher/launcher.js";
import { planSlots, type Slot } from "../../launcher/slots.js";
import { DB_DIR_OPTION, refuseSqliteForNodes, withStore, type GlobalArgs } from "./context.js";

interface LaunchArgs extends GlobalArgs {
  workflow: string;
  batchJobId?: number;
  timeLimitMinutes?: number;
  walltimeMargin?: number;
  evalsPerNode?: number;
}

export const launchCommand: CommandModule<GlobalArgs, LaunchArgs> = {
  command: "launch <workflow>",
  describe: "run the search loop of a workflow here (the line batch scripts run on compute nodes)",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional("workflow", { type: "string", demandOption: true, describe: "workflow name" })
      .option("batch-job-id", { type: "number", describe: "the batch job row this launcher runs in (set by submit)" })
      .option("time-limit-minutes", { type: "number", describe: "walltime of this allocation; dispatch stops a margin before it" })
      .option("walltime-margin", { type: "number", describe: "seconds before the time limit to stop dispatching (default min(120, max(10, 10%)))" })
      .option("evals-per-node", { type: "number", describe: "override the workflow's concurrent evaluations per node" })
      .option("db-dir", DB_DIR_OPTION) as unknown as Argv<LaunchArgs>,
  handler: async (argv) => {
    const startedAt = Date.now();
    if (argv.evalsPerNode !== undefined && !(Number.isInteger(argv.evalsPerNode) && argv.evalsPerNode >= 1)) {
      throw new ValidationError(`--evals-per-node must be a whole number of at least 1 (got ${argv.evalsPerNode})`);
    }
    refuseSqliteForNodes(argv, detectAllocation(process.env).nodes.length, "this allocation");
    await withStore(argv, async (store) => {
      const wf = await getWorkflow(store, argv.workflow);
      if (!wf) throw new NotFoundError(`workflow '${argv.workflow}' not found in ${store.describe}`, "check the name with 'spruce ls'");
      let deadline: number | null = null;
      if (argv.timeLimitMinutes !== undefined) {
        const margin = argv.walltimeMargin ?? walltimeMarginSeconds(argv.timeLimitMinutes);
        deadline = startedAt + argv.timeLimitMinutes * 60_000 - margin * 1000;
      }
      const logFile = { path: null as string | null, pending: [] as string[] };
      const log = (line: string): void => {
        const text = `${new Date().toISOString()} ${line}\n`;
        process.stderr.write(text);
        if (logFile.path) appendFileSync(logFile.path, text);
        else logFile.pending.push(text);
      };
      const summary = await runLauncher({
        store,
        workflow: wf,
        batchJobId: argv.batchJobId ?? null,
        host: currentNodeName(process.env),
        ...(await slotsFor(wf, argv.evalsPerNode)),
        dispatchDeadline: deadline,
        log,
        onRegistered: (id) => {
          logFile.path = join(wf.resultsDir, `launcher-${id}.log`);
          appendFileSync(logFile.path, logFile.pending.join(""));
          logFile.pending = [];
        },
      });
      log(`launcher ${summary.launcherId} ended (${summary.end}): ${summary.finishedHere} evaluation(s) finished here`);
    });
  },
};

/** The slots of this allocation and, in mpi mode, the MPI launch command for a slot's hosts. */
async function slotsFor(
  wf: WorkflowRow,
  evalsPerNode: number | undefined,
): Promise<{ slots: Slot[]; launchPrefix?: (slot: Slot, env: Record<string, string>) => string[] }> {
  const r = wf.request;
  const num = (v: unknown): number | null => (typeof v === "number" ? v : null);
  const threadsPerRank = num(r.threadsPerRank);
  const mode = r.mode;
  const hosts = mode === "mpi" ? detectAllocation(process.env).nodes.map((n) => n.name) : [currentNodeName(process.env)];
  const slots = planSlots({
    mode,
    hosts,
    evalsPerNode: evalsPerNode ?? r.evalsPerNode,
    nodesPerEval: r.nodesPerEval,
    threadsPerRank,
    gpusPerNode: num(r.gpusPerNode),
    gpusPerEval: num(r.gpusPerEval),
  });
  if (mode !== "mpi") return { slots };
  const mpi = await detectMpiFlavour({ env: process.env, override: typeof r.mpi === "string" ? r.mpi : undefined });
  return {
    slots,
    launchPrefix: (slot, env) =>
      buildLaunchPrefix({ flavour: mpi.flavour, command: mpi.command, hosts: slot.hosts, ranksPerNode: r.ranksPerNode, threadsPerRank: threadsPerRank ?? undefined, env }),
  };
}
