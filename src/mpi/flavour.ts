// MPI flavour detection (docs/architecture.md, Allocation and slots): which launcher starts mpi-mode evaluations — Open MPI,
// MPICH/Hydra, Intel MPI, Cray aprun, or Slurm's srun — from `--version` outputs and the
// environment, with `--mpi` as the override. Parsing is pure and tested on recorded outputs
// (test/fixtures/mpi/); probing goes through an injectable `run` so the order is tested too.

import { execFile } from "node:child_process";
import { SpruceError, ValidationError } from "../errors.js";

export const MPI_FLAVOURS = ["openmpi", "mpich", "intel", "cray", "srun"] as const;
export type MpiFlavour = (typeof MPI_FLAVOURS)[number];

/** Runs `cmd args` and resolves with its output; rejects when the command cannot be started. */
export type RunCommand = (cmd: string, args: string[]) => Promise<string>;

export interface DetectedMpi {
  flavour: MpiFlavour;
  /** The launcher program to put first in the argv (a name on PATH, e.g. `mpirun.openmpi`). */
  command: string;
}

/**
 * The flavour a `--version` output belongs to, or null. Intel is tested before MPICH because
 * Intel MPI's launcher is Hydra too; Open MPI prints `(Open MPI)` as `mpirun` and `(OpenRTE)`
 * under its other names (`mpiexec`, `mpirun.openmpi`).
 */
export function parseMpiVersion(output: string): MpiFlavour | null {
  if (/Intel\(R\) MPI Library/.test(output)) return "intel";
  if (/\((Open MPI|OpenRTE)\)/.test(output)) return "openmpi";
  if (/HYDRA build details|\bMPICH\b|MVAPICH/.test(output)) return "mpich";
  if (/^\s*aprun\b/m.test(output)) return "cray";
  if (/^\s*slurm(-wlm)? \d+\.\d+/m.test(output)) return "srun";
  return null;
}

/**
 * Default probe: output of `cmd args` (stdout then stderr, since launchers differ in where they
 * print the version). A non-zero exit still yields its output (aprun and some Hydra builds exit
 * non-zero on --version); only a command that cannot start (ENOENT, EACCES) rejects.
 */
export function runCommand(
  cmd: string,
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, timeout: 15_000, encoding: "utf8" }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (err && (typeof err.code === "string" || output.trim() === "")) reject(err);
      else resolve(output);
    });
  });
}

/**
 * Launchers to try for an explicit `--mpi` choice, best first. Debian installs both MPIs side by
 * side with suffixed names (`mpirun.openmpi`, `mpirun.mpich`) and points plain `mpirun` at one of
 * them through alternatives, so the suffixed name is the unambiguous one.
 */
const CANDIDATES: Record<MpiFlavour, string[]> = {
  openmpi: ["mpirun.openmpi", "mpirun", "mpiexec"],
  mpich: ["mpirun.mpich", "mpiexec.mpich", "mpiexec.hydra", "mpiexec", "mpirun"],
  intel: ["mpiexec.hydra", "mpiexec", "mpirun"],
  cray: ["aprun"],
  srun: ["srun"],
};

const INSTALL_HINT =
  "install an MPI (Debian: 'apt-get install openmpi-bin' or 'apt-get install mpich'), put its " +
  `launcher on PATH, or name the flavour with --mpi ${MPI_FLAVOURS.join("|")}`;

async function probe(run: RunCommand, cmd: string): Promise<string | null> {
  try {
    return await run(cmd, ["--version"]);
  } catch {
    return null;
  }
}

function parseOverride(override: string): MpiFlavour {
  const name = override.trim().toLowerCase();
  const found = MPI_FLAVOURS.find((f) => f === name);
  if (!found) {
    throw new ValidationError(`--mpi '${override}' is not an MPI flavour`, `use one of ${MPI_FLAVOURS.join(", ")}`);
  }
  return found;
}

async function detectOverride(flavour: MpiFlavour, run: RunCommand): Promise<DetectedMpi> {
  const tried = CANDIDATES[flavour];
  for (const command of tried) {
    const output = await probe(run, command);
    if (output === null) continue;
    const seen = parseMpiVersion(output);
    // An unrecognised output (a site wrapper script) is trusted, since the user named the flavour;
    // a different recognised flavour is not: plain `mpirun` may be the other MPI on Debian.
    if (seen === null || seen === flavour) return { flavour, command };
  }
  throw new SpruceError(`--mpi ${flavour}: no ${flavour} launcher found (tried ${tried.join(", ")})`, {
    hint: INSTALL_HINT,
  });
}

/**
 * Pick the MPI launcher: the `--mpi` override if given; inside a Slurm job `srun` when it is on
 * PATH (it needs no ssh and reaches emulated nodes whose names do not resolve); else the first of
 * `mpirun`, `mpiexec`, `aprun` whose `--version` output is recognised.
 */
export async function detectMpiFlavour(opts: {
  env?: Record<string, string | undefined>;
  override?: string | undefined;
  run?: RunCommand;
}): Promise<DetectedMpi> {
  const env = opts.env ?? process.env;
  // Probe with the given environment's PATH: it is the one the launch itself will run with.
  const run = opts.run ?? ((cmd: string, args: string[]) => runCommand(cmd, args, env));
  if (opts.override !== undefined && opts.override.trim() !== "") {
    return detectOverride(parseOverride(opts.override), run);
  }
  const inSlurm = (env.SLURM_JOB_ID ?? env.SLURM_JOBID ?? "").trim() !== "";
  if (inSlurm && (await probe(run, "srun")) !== null) return { flavour: "srun", command: "srun" };
  const tried = ["mpirun", "mpiexec", "aprun"];
  for (const command of tried) {
    const output = await probe(run, command);
    const flavour = output === null ? null : parseMpiVersion(output);
    if (flavour !== null && flavour !== "srun") return { flavour, command };
  }
  throw new SpruceError(`no MPI launcher found (tried ${inSlurm ? "srun, " : ""}${tried.join(", ")})`, {
    hint: INSTALL_HINT,
  });
}
