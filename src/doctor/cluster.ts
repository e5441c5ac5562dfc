// Doctor checks of the site: the batch scheduler commands on PATH and the scheduler Spruce would
// detect; inside an allocation, its nodes; the MPI flavour and the launch command evaluations on
// those nodes would start with. The same detection code as submit and the launcher.
import { isSpruceError } from "../errors.js";
import { buildLaunchPrefix, compressHostlist, detectAllocation, detectMpiFlavour, type Allocation, type RunCommand } from "../mpi/index.js";
import { detectScheduler, findOnPath, type SchedulerName } from "../schedulers/index.js";
import { fail, ok, warn, type CheckResult } from "./check.js";

/** The commands each scheduler adapter runs (submit, status, cancel), besides srun for agents. */
export const SCHEDULER_COMMANDS: Record<Exclude<SchedulerName, "local">, string[]> = {
  slurm: ["sbatch", "squeue", "scancel", "scontrol"],
  pbs: ["qsub", "qstat", "qdel"],
  cobalt: ["qsub", "qstat", "qdel"],
  lsf: ["bsub", "bjobs", "bkill"],
};

function hint(e: unknown, otherwise: string): string {
  return isSpruceError(e) && e.hint ? e.hint : otherwise;
}

export async function checkScheduler(pathEnv: string = process.env.PATH ?? ""): Promise<CheckResult> {
  const detected = await detectScheduler(pathEnv);
  if (detected === "local") {
    return ok("scheduler", "no batch scheduler commands on PATH (sbatch, qsub, bsub): --scheduler local runs searches on this machine");
  }
  const commands = SCHEDULER_COMMANDS[detected];
  const found = commands.map((c) => [c, findOnPath(c, pathEnv)] as const);
  const missing = found.filter(([, path]) => path === null).map(([c]) => c);
  const listed = found.filter(([, path]) => path !== null).map(([c, path]) => `${c} (${path})`).join(", ");
  if (missing.length > 0) {
    return warn("scheduler", `${detected} detected, but ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not on PATH (found: ${listed})`, `load the ${detected} client module or add its bin folder to PATH`);
  }
  return ok("scheduler", `${detected} detected: ${listed}`);
}

/** How the nodes of an allocation are listed: compressed names, then slots per node. */
function describeNodes(a: Allocation): string {
  const names = a.nodes.map((n) => n.name);
  const slots = [...new Set(a.nodes.map((n) => n.slots))];
  const perNode = slots.length === 1 ? `${slots[0]} slot(s) each` : `slots ${a.nodes.map((n) => n.slots).join(",")}`;
  return `${a.nodes.length} node(s) ${compressHostlist(names)}, ${perNode}`;
}

export function checkAllocation(env: NodeJS.ProcessEnv = process.env): CheckResult {
  let a: Allocation;
  try {
    a = detectAllocation(env);
  } catch (e) {
    return fail("allocation", `the batch job's node list cannot be read: ${(e as Error).message}`, hint(e, "run spruce inside the batch job, on a node that sees its node file"));
  }
  if (a.source === "local") {
    return ok("allocation", `not inside a batch allocation: evaluations run on this host (${a.nodes[0]!.name}, ${a.nodes[0]!.slots} core(s))`);
  }
  return ok("allocation", `inside a ${a.source} allocation (job ${a.jobId ?? "?"}): ${describeNodes(a)}`);
}

/**
 * The MPI launcher mpi-mode evaluations (and, on several nodes, the agents) would start with, and
 * the launch command for one rank on each node of the allocation (or on this host).
 */
export async function checkMpi(env: NodeJS.ProcessEnv = process.env, run?: RunCommand): Promise<CheckResult> {
  let hosts: string[];
  try {
    hosts = detectAllocation(env).nodes.map((n) => n.name);
  } catch {
    hosts = [];
  }
  let mpi;
  try {
    mpi = await detectMpiFlavour({ env, run });
  } catch (e) {
    return warn("mpi", `${(e as Error).message}: --mode mpi, and serial searches on several nodes, cannot start`, hint(e, "install an MPI and put its launcher on PATH"));
  }
  if (hosts.length === 0) return ok("mpi", `${mpi.flavour} (${mpi.command})`);
  const prefix = buildLaunchPrefix({ flavour: mpi.flavour, command: mpi.command, hosts, ranksPerNode: 1 });
  const where = hosts.length === 1 ? `on ${hosts[0]}` : `on the ${hosts.length} nodes`;
  return ok("mpi", `${mpi.flavour} (${mpi.command}); one rank per node ${where} starts with: ${prefix.join(" ")} PROGRAM`);
}
