// Launch-command construction per MPI flavour (docs/architecture.md, Allocation and slots, after Balsam's mpi_commands): the argv
// that runs `program` as N = hosts × ranksPerNode ranks with an environment, thread count and CPU
// binding. An argv, not a shell line, so values never need quoting; spawn it directly.

import { ValidationError } from "../errors.js";
import type { MpiFlavour } from "./flavour.js";
import { compressHostlist } from "./hostlist.js";

export interface LaunchSpec {
  flavour: MpiFlavour;
  /** The launcher program (`mpirun`, `mpirun.mpich`, `srun`...), as detectMpiFlavour returns it. */
  command: string;
  /** Nodes of this evaluation, each getting ranksPerNode ranks. */
  hosts: string[];
  ranksPerNode: number;
  /** Cores per rank: sets OMP_NUM_THREADS and sizes the binding. */
  threadsPerRank?: number | undefined;
  /** Variables for every rank. An entry here wins over the OMP_NUM_THREADS implied by threadsPerRank. */
  env?: Record<string, string> | undefined;
  /** Add the flavour's CPU-binding flags (bind each rank to its cores). */
  cpuBind?: boolean | undefined;
  /** srun's PMI plugin; null or absent leaves the cluster's MpiDefault. */
  srunMpi?: "pmix" | "pmi2" | null | undefined;
  /**
   * srun only: share the nodes' resources with steps still running (`--overlap`, Slurm 20.11+).
   * An agent started again on its node needs it: the first agents' step holds that node's CPUs
   * until all of its tasks end, and a new step would wait for them.
   */
  overlap?: boolean | undefined;
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function positiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ValidationError(`${name} must be a positive integer, got ${value}`, `give ${name} as a whole number of at least 1`);
  }
}

function validate(spec: LaunchSpec): void {
  if (spec.hosts.length === 0) throw new ValidationError("the MPI launch has no hosts", "this is a bug in spruce: report it with the output of --verbose");
  for (const h of spec.hosts) {
    if (h.trim() === "" || /[\s,]/.test(h)) throw new ValidationError(`bad host name '${h}' for an MPI launch`, "the allocation's node names come from the scheduler: check SLURM_JOB_NODELIST / PBS_NODEFILE in the job");
  }
  positiveInt("ranks per node", spec.ranksPerNode);
  if (spec.threadsPerRank !== undefined) positiveInt("--threads-per-rank", spec.threadsPerRank);
  for (const name of Object.keys(spec.env ?? {})) {
    if (!VAR_NAME.test(name)) throw new ValidationError(`bad environment variable name '${name}' for an MPI launch`, "environment variable names are letters, digits and _");
  }
}

/** Cray node names `nid00012` -> aprun's node ids, ascending runs as ranges (`1-3,7`). */
function crayNodeIds(hosts: string[]): string {
  const ids = hosts.map((h) => {
    const m = /^nid0*(\d+)$/.exec(h);
    if (!m) {
      throw new ValidationError(
        `aprun needs Cray node names like 'nid00012', got '${h}'`,
        "use --mpi to pick another launcher for this allocation",
      );
    }
    return Number(m[1]);
  });
  const parts: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    parts.push(j === i ? `${ids[i]}` : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

function openmpi(spec: LaunchSpec, n: number, env: [string, string][]): string[] {
  const r = spec.ranksPerNode;
  const t = spec.threadsPerRank;
  const args = [spec.command, "-n", String(n)];
  // A bare `-H host` gives one slot per host, so the slot count is always spelled out. With PE=T
  // some Open MPI versions count T slots per rank, so enough for that case are declared.
  let slots = r;
  if (spec.cpuBind && t !== undefined) {
    // -npernode and --map-by are both mapping policies and Open MPI rejects the pair.
    args.push("--map-by", `ppr:${r}:node:PE=${t}`, "--bind-to", "core");
    slots = r * t;
  } else {
    args.push("-npernode", String(r));
    // Open MPI binds to a core by default for up to 2 ranks: T threads would share that core.
    if (spec.cpuBind) args.push("--bind-to", "core");
    else if (t !== undefined && t > 1) args.push("--bind-to", "none");
  }
  args.push("-H", spec.hosts.map((h) => `${h}:${slots}`).join(","));
  // `-x NAME=value` sets the value for the ranks itself, so the argv is complete on its own.
  for (const [k, v] of env) args.push("-x", `${k}=${v}`);
  return args;
}

function mpich(spec: LaunchSpec, n: number, env: [string, string][]): string[] {
  const args = [spec.command, "-n", String(n), "-ppn", String(spec.ranksPerNode), "--hosts", spec.hosts.join(",")];
  // Hydra binds nothing by default; `core:T` gives each rank T cores for its threads.
  if (spec.cpuBind) args.push("-bind-to", spec.threadsPerRank ? `core:${spec.threadsPerRank}` : "core");
  for (const [k, v] of env) args.push("--env", k, v);
  return args;
}

function intel(spec: LaunchSpec, n: number, env: [string, string][]): string[] {
  const args = [spec.command, "-n", String(n), "-ppn", String(spec.ranksPerNode), "-hosts", spec.hosts.join(",")];
  for (const [k, v] of env) args.push("-genv", k, v);
  return args;
}

function srun(spec: LaunchSpec, n: number, env: [string, string][]): string[] {
  const args = [
    spec.command,
    "-n",
    String(n),
    "--ntasks-per-node",
    String(spec.ranksPerNode),
    "--nodelist",
    compressHostlist(spec.hosts),
    "-N",
    String(spec.hosts.length),
  ];
  if (spec.threadsPerRank !== undefined) args.push("--cpus-per-task", String(spec.threadsPerRank));
  if (spec.cpuBind) args.push("--cpu-bind=cores");
  if (spec.srunMpi) args.push(`--mpi=${spec.srunMpi}`);
  if (spec.overlap) args.push("--overlap");
  // --export is comma-separated with no escape, so a value containing a comma (CUDA_VISIBLE_DEVICES=0,1)
  // goes through `env` in front of the program instead; ALL keeps the inherited environment.
  const plain = env.filter(([, v]) => !v.includes(","));
  const withComma = env.filter(([, v]) => v.includes(","));
  args.push(["--export=ALL", ...plain.map(([k, v]) => `${k}=${v}`)].join(","));
  if (withComma.length > 0) args.push("env", ...withComma.map(([k, v]) => `${k}=${v}`));
  return args;
}

function cray(spec: LaunchSpec, n: number, env: [string, string][]): string[] {
  const args = [spec.command, "-n", String(n), "-N", String(spec.ranksPerNode), "-L", crayNodeIds(spec.hosts)];
  for (const [k, v] of env) args.push("-e", `${k}=${v}`);
  // `-cc depth` binds each rank to its -d cores, so its threads do not pile onto one.
  if (spec.cpuBind) args.push("-cc", "depth");
  if (spec.threadsPerRank !== undefined) args.push("-d", String(spec.threadsPerRank));
  return args;
}

/**
 * The argv that runs `program` on `spec.hosts` with `spec.ranksPerNode` ranks per node, in the
 * syntax of `spec.flavour`. The program's own arguments follow the launcher's untouched.
 */
export function buildLaunchCommand(spec: LaunchSpec, program: string[]): string[] {
  if (program.length === 0) throw new ValidationError("the MPI launch has no program to run", "this is a bug in spruce: report it with the output of --verbose");
  return [...buildLaunchPrefix(spec), ...program];
}

/** The launch command without the program: for callers that append the program themselves. */
export function buildLaunchPrefix(spec: LaunchSpec): string[] {
  validate(spec);
  const n = spec.hosts.length * spec.ranksPerNode;
  const vars: Record<string, string> = {};
  if (spec.threadsPerRank !== undefined) vars.OMP_NUM_THREADS = String(spec.threadsPerRank);
  // Intel MPI pins through variables, not flags: a domain per rank sized by OMP_NUM_THREADS.
  if (spec.flavour === "intel" && spec.cpuBind) {
    vars.I_MPI_PIN = "1";
    vars.I_MPI_PIN_DOMAIN = spec.threadsPerRank !== undefined ? "omp" : "core";
  }
  Object.assign(vars, spec.env);
  const env = Object.entries(vars);
  const build = { openmpi, mpich, intel, srun, cray }[spec.flavour];
  return build(spec, n, env);
}
