// `spruce agent WORKFLOW --leader ID` (hidden): the per-node worker of serial mode across nodes,
// started by the leader launcher on every other node of the allocation (launcher/agent.ts).
import type { Argv, CommandModule } from "yargs";
import { NotFoundError } from "../errors.js";
import { getWorkflow } from "../store/index.js";
import { runAgent } from "../../launcher/agent.js";
import { planSlots } from "../../launcher/slots.js";
import { allocationPlan } from "./allocation-plan.js";
import { DB_DIR_OPTION, withStore, type GlobalArgs } from "./context.js";

interface AgentArgs extends GlobalArgs {
  workflow: string;
  leader: number;
  deadline?: number;
  evalsPerNode?: number;
  dbDir?: string;
}

export const agentCommand: CommandModule<GlobalArgs, AgentArgs> = {
  command: "agent <workflow>",
  describe: false, // started by launchers, not by users
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional("workflow", { type: "string", demandOption: true })
      .option("leader", { type: "number", demandOption: true, describe: "the leader launcher's id" })
      .option("deadline", { type: "number", describe: "epoch milliseconds after which nothing new starts" })
      .option("evals-per-node", { type: "number" })
      .option("db-dir", DB_DIR_OPTION) as unknown as Argv<AgentArgs>,
  handler: async (argv) => {
    forgetLauncherRank(process.env);
    await withStore(argv, async (store) => {
      const wf = await getWorkflow(store, argv.workflow);
      if (!wf) throw new NotFoundError(`workflow '${argv.workflow}' not found in ${store.describe}`, "agents are started by a launcher with its own workflow: was it deleted ('spruce rm') meanwhile?");
      const plan = allocationPlan(wf, argv.evalsPerNode);
      await runAgent({
        store,
        workflow: wf,
        leaderId: argv.leader,
        host: plan.here,
        slots: planSlots({ ...plan.slotPlan, mode: "serial", hosts: [plan.here] }),
        dispatchDeadline: argv.deadline ?? null,
        log: (line) => process.stderr.write(`${new Date().toISOString()} [${plan.here}] ${line}\n`),
      });
    }, { waitForServer: true });
  },
};

/**
 * The agent is task k of the srun/mpirun step that started it; its evaluations are not, so they
 * must not inherit that rank (a run module would take itself for rank k and stay silent).
 */
export function forgetLauncherRank(env: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(env)) {
    if (/^(SLURM_(PROCID|LOCALID|NODEID|NTASKS|NPROCS)|PMI_(RANK|SIZE)|PMIX_RANK|OMPI_COMM_WORLD_\w+)$/.test(name)) delete env[name];
  }
}
