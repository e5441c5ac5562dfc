// `spruce launch WORKFLOW`: the line a batch script runs on the compute node. Connects to the
// workflow database (never migrating it), discovers its node, and runs the launcher loop.
import { spawn } from "node:child_process";
import { appendFileSync, openSync } from "node:fs";
import type { Argv, CommandModule } from "yargs";
import { NotFoundError, SpruceError, ValidationError } from "../errors.js";
import { currentNodeName, detectAllocation } from "../mpi/allocation.js";
import { walltimeMarginSeconds } from "../schedulers/walltime.js";
import { getWorkflow, setWorkflowState, updateBatchJob } from "../store/index.js";
import { buildLaunchPrefix, detectMpiFlavour } from "../mpi/index.js";
import type { WorkflowRow } from "../store/types.js";
import { runLauncher } from "../../launcher/launcher.js";
import type { LauncherOptions } from "../../launcher/types.js";
import { planSlots } from "../../launcher/slots.js";
import { distFile } from "../util/paths.js";
import { resultsLayout } from "../results/layout.js";
import { allocationPlan, databaseArgs } from "./allocation-plan.js";
import { DB_DIR_OPTION, refuseSqliteForNodes, withStore, workspaceOf, type GlobalArgs } from "./context.js";
import { submitChainSuccessor } from "../service/chain.js";

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
      throw new ValidationError(`--evals-per-node must be a whole number of at least 1 (got ${argv.evalsPerNode})`, "e.g. --evals-per-node 4");
    }
    refuseSqliteForNodes(argv, detectAllocation(process.env).nodes.length, "this allocation");
    await withStore(argv, async (store) => {
      const wf = await getWorkflow(store, argv.workflow);
      if (!wf) throw new NotFoundError(`workflow '${argv.workflow}' not found in ${store.describe}`, "check the name with 'spruce ls'");
      let deadline: number | null = null;
      if (argv.timeLimitMinutes !== undefined) {
        const margin = argv.walltimeMargin ?? wf.settings.walltimeMarginSeconds ?? walltimeMarginSeconds(argv.timeLimitMinutes);
        deadline = startedAt + argv.timeLimitMinutes * 60_000 - margin * 1000;
      }
      const logFile = { path: null as string | null, pending: [] as string[] };
      const log = (line: string): void => {
        const text = `${new Date().toISOString()} ${line}\n`;
        process.stderr.write(text);
        if (logFile.path) appendFileSync(logFile.path, text);
        else logFile.pending.push(text);
      };
      let summary;
      try {
        const slots = await slotsFor(wf, argv, deadline);
        // --chain: the successor is queued now, so it waits in the queue while this job runs.
        if (argv.batchJobId !== undefined) await submitChainSuccessor(store, wf, { batchJobId: argv.batchJobId, workspace: workspaceOf(argv), env: process.env, log });
        summary = await runLauncher({
          store,
          workflow: wf,
          batchJobId: argv.batchJobId ?? null,
          host: currentNodeName(process.env),
          ...slots,
          dispatchDeadline: deadline,
          log,
          onRegistered: (id) => {
            logFile.path = resultsLayout(wf.resultsDir).launcherLog(id);
            appendFileSync(logFile.path, logFile.pending.join(""));
            logFile.pending = [];
          },
        });
      } catch (e) {
        // A setting this allocation cannot run with fails the same way in every later job: the
        // workflow is FAILED with the reason, for status and --wait, rather than left RUNNING.
        if (e instanceof ValidationError) {
          log(`error: ${e.message}`);
          await setWorkflowState(store, wf.id, "FAILED", e.message);
          if (argv.batchJobId !== undefined) await updateBatchJob(store, argv.batchJobId, { state: "FAILED", endedAt: Date.now() });
        }
        throw e;
      }
      log(`launcher ${summary.launcherId} ended (${summary.end}): ${summary.finishedHere} evaluation(s) finished here`);
      if (summary.end === "failed") {
        throw new SpruceError(`the search stopped: its searcher failed (${(summary.error ?? "").split("\n")[0]})`, {
          hint: `the stack is in ${resultsLayout(wf.resultsDir).launcherLog(summary.launcherId)}; fix the search method, then 'spruce submit hps ${wf.name} --resume'`,
          exitCode: 1,
        });
      }
      // A batch job may start while the server restarts: wait for it rather than waste the allocation.
    }, { waitForServer: true });
  },
};

/**
 * The slots of this node and, in mpi mode, the MPI launch command for a slot's hosts; in serial
 * mode on several nodes, the agents that run evaluations on the other nodes (one per node, started
 * in one step of the detected launcher: srun inside Slurm).
 */
async function slotsFor(
  wf: WorkflowRow,
  argv: LaunchArgs,
  deadline: number | null,
): Promise<Pick<LauncherOptions, "slots" | "launchPrefix" | "agents">> {
  const plan = allocationPlan(wf, argv.evalsPerNode);
  const slots = planSlots({ ...plan.slotPlan, hosts: plan.mode === "mpi" ? plan.nodes : [plan.here] });
  if (plan.mode === "mpi") {
    const mpi = await detectMpiFlavour({ env: process.env, override: plan.mpi });
    return {
      slots,
      launchPrefix: (slot, env) =>
        buildLaunchPrefix({ flavour: mpi.flavour, command: mpi.command, hosts: slot.hosts, ranksPerNode: wf.request.ranksPerNode, threadsPerRank: plan.slotPlan.threadsPerRank ?? undefined, env }),
    };
  }
  const others = plan.nodes.filter((n) => n !== plan.here);
  if (others.length === 0) return { slots };
  const mpi = await detectMpiFlavour({ env: process.env, override: plan.mpi });
  return {
    slots,
    agents: {
      slots: others.length * plan.slotPlan.evalsPerNode,
      hosts: others,
      start: (leaderId, hosts, again) => {
        const command = [
          ...buildLaunchPrefix({ flavour: mpi.flavour, command: mpi.command, hosts: [...hosts], ranksPerNode: 1, overlap: again }),
          process.execPath, distFile("src/cli/main"), "agent", wf.name, "--leader", String(leaderId),
          ...databaseArgs(argv),
          ...(deadline !== null ? ["--deadline", String(deadline)] : []),
          ...(argv.evalsPerNode !== undefined ? ["--evals-per-node", String(argv.evalsPerNode)] : []),
        ];
        const log = openSync(resultsLayout(wf.resultsDir).agentsLog(leaderId), "a");
        // Its own process group, so the leader can end the whole step (srun and what it runs).
        return spawn(command[0] as string, command.slice(1), { detached: true, stdio: ["ignore", log, log] });
      },
    },
  };
}
