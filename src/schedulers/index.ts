// Entry point of the scheduler adapters: pick one by name, or detect the site's scheduler from
// the commands on PATH (overridable with --scheduler).
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { ValidationError } from "../errors.js";
import { CobaltScheduler } from "./cobalt.js";
import { runCommand } from "./exec.js";
import { LocalScheduler } from "./local.js";
import { LsfScheduler } from "./lsf.js";
import { PbsScheduler } from "./pbs.js";
import { SlurmScheduler } from "./slurm.js";
import { SCHEDULER_NAMES, type Scheduler, type SchedulerName } from "./types.js";

export { SCHEDULER_NAMES } from "./types.js";
export type { CommandSpec, Scheduler, SchedulerName, SubmitOptions } from "./types.js";
export { renderScript, buildView, builtinTemplatePath } from "./render.js";
export type { ScriptContext, TemplateView } from "./render.js";

export function getScheduler(name: string): Scheduler {
  switch (name) {
    case "slurm":
      return new SlurmScheduler();
    case "pbs":
      return new PbsScheduler();
    case "cobalt":
      return new CobaltScheduler();
    case "lsf":
      return new LsfScheduler();
    case "local":
      return new LocalScheduler();
    default:
      throw new ValidationError(`unknown scheduler '${name}'`, `--scheduler takes one of: ${SCHEDULER_NAMES.join(", ")}`);
  }
}

/** The executable file named command in one of pathEnv's folders, or null. */
export function findOnPath(command: string, pathEnv: string): string | null {
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder (or not executable): keep looking.
    }
  }
  return null;
}

/** Tells Cobalt from the PBS family by what a `--version` answer mentions. */
export function isCobaltVersionText(text: string): boolean {
  return /cobalt/i.test(text);
}

/**
 * The scheduler whose commands are on PATH: sbatch -> slurm (checked first: Slurm sites may also
 * have a qsub wrapper), bsub -> lsf, qsub -> Cobalt if its version text says so, else PBS (Pro,
 * OpenPBS or Torque); nothing -> local.
 */
export async function detectScheduler(pathEnv: string = process.env.PATH ?? ""): Promise<SchedulerName> {
  if (findOnPath("sbatch", pathEnv)) return "slurm";
  if (findOnPath("bsub", pathEnv)) return "lsf";
  const qsub = findOnPath("qsub", pathEnv);
  if (!qsub) return "local";
  const probes = [qsub, findOnPath("qstat", pathEnv)].filter((p): p is string => p !== null);
  for (const program of probes) {
    try {
      // A version query answers at once; a hung one must not stall every submission.
      const r = await runCommand({ command: program, args: ["--version"] }, 10_000);
      if (isCobaltVersionText(r.stdout + r.stderr)) return "cobalt";
    } catch {
      // A qsub that cannot even print its version says nothing about its family.
    }
  }
  return "pbs";
}
