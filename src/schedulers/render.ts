// Renders a batch script from a Handlebars template: validates and quotes every value in
// TypeScript first, so templates only place ready-made strings (no arithmetic, no escaping).
//
// Template variables (the built-in templates/<scheduler>.*.hbs and a site's --template FILE get the
// same ones). Every value is ready to paste where the comment says; optional ones are null when
// the user left the option out, so `{{#if queue}}...{{/if}}` drops the directive.
//
//   scheduler         "slurm" | "pbs" | "cobalt" | "lsf" | "local"
//   workflow          the workflow name (a single line; for comments)
//   jobName           job name for -J / -N / --jobname (letters, digits, _ . - +)
//   nodes             node count, e.g. "4"
//   ranksPerNode      processes per node: MPI ranks (mpi mode) or concurrent evaluations (serial), e.g. "1"
//   totalRanks        nodes x ranksPerNode (LSF -n), e.g. "4"
//   walltime          the walltime in this scheduler's format: slurm 01:30:00 or 1-00:00:00,
//                     pbs 01:30:00, cobalt 90 (minutes), lsf 1:30, local 01:30:00
//   walltimeMinutes   whole minutes, e.g. "90"
//   walltimeHMS       HH:MM:SS with hours past 24 kept, e.g. "25:00:00"
//   queue             queue / partition for a directive, or null
//   project           project / account for a directive, or null
//   outputFile        stdout file for a directive (double-quoted if it has spaces); null for local
//   errorFile         stderr file for a directive, as outputFile
//   outputFileShell   stdout file, shell-quoted for a body line
//   errorFileShell    stderr file, shell-quoted for a body line
//   resultsDir        results directory, shell-quoted (the body cd's there)
//   envScript         the --env-script file, shell-quoted, or null
//   env               list of { name, value }: `export {{name}}={{value}}` (value shell-quoted);
//                     names a file for database credentials, never a password
//   launchLine        the launcher command, absolute paths, shell-quoted and joined
//   schedFlags        list of extra directive options from --sched-flags, one per line
//   lsfNnodes         true for `#BSUB -nnodes` (IBM CSM systems such as Summit)
//
// Partials available to every template: {{> header}}, {{> env}} (strict mode, cd, env script,
// exports) and {{> launch}} (exec of the launcher). Templates compile in strict mode: a variable
// that does not exist is an error, not an empty string.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import Handlebars from "handlebars";
import { ValidationError } from "../errors.js";
import { packageRoot } from "../util/paths.js";
import { shellJoin, shellQuote } from "../util/shell.js";
import {
  directivePath,
  validateAbsolutePath,
  validateCommentText,
  validateCount,
  validateEnvName,
  validateJobName,
  validateProject,
  validateQueue,
  validateSchedFlag,
} from "./validate.js";
import { formatCobalt, formatHMS, formatLsf, formatSlurm } from "./walltime.js";
import { SCHEDULER_NAMES, type SchedulerName } from "./types.js";

/** What the submit command knows about one batch job; renderScript turns it into a script. */
export interface ScriptContext {
  scheduler: SchedulerName;
  workflow: string;
  jobName: string;
  nodes: number;
  walltimeMinutes: number;
  queue: string | null;
  project: string | null;
  resultsDir: string;
  outputFile: string;
  errorFile: string;
  envScript: string | null;
  env: Record<string, string>;
  /** argv of the launcher, program first, unquoted: rendering quotes each element. */
  launcherCommand: string[];
  schedFlags: string[];
  ranksPerNode: number;
  lsfNnodes?: boolean;
}

/** The variables a template sees (documented at the top of this file). */
export interface TemplateView {
  scheduler: SchedulerName;
  workflow: string;
  jobName: string;
  nodes: string;
  ranksPerNode: string;
  totalRanks: string;
  walltime: string;
  walltimeMinutes: string;
  walltimeHMS: string;
  queue: string | null;
  project: string | null;
  outputFile: string | null;
  errorFile: string | null;
  outputFileShell: string;
  errorFileShell: string;
  resultsDir: string;
  envScript: string | null;
  env: { name: string; value: string }[];
  launchLine: string;
  schedFlags: string[];
  lsfNnodes: boolean;
}

const TEMPLATE_FILES: Record<SchedulerName, string> = {
  slurm: "slurm.sbatch.hbs",
  pbs: "pbs.qsub.hbs",
  cobalt: "cobalt.qsub.hbs",
  lsf: "lsf.bsub.hbs",
  local: "local.sh.hbs",
};

const WALLTIME_FORMAT: Record<SchedulerName, (minutes: number) => string> = {
  slurm: formatSlurm,
  pbs: formatHMS,
  cobalt: formatCobalt,
  lsf: formatLsf,
  local: formatHMS,
};

/** The built-in template file for a scheduler. */
export function builtinTemplatePath(scheduler: SchedulerName): string {
  return join(packageRoot(), "templates", TEMPLATE_FILES[scheduler]);
}

/** Validates and quotes a context into template variables; throws ValidationError on bad input. */
export function buildView(ctx: ScriptContext): TemplateView {
  if (!SCHEDULER_NAMES.includes(ctx.scheduler)) {
    throw new ValidationError(`unknown scheduler '${String(ctx.scheduler)}'`, `use one of: ${SCHEDULER_NAMES.join(", ")}`);
  }
  const nodes = validateCount(ctx.nodes, "-n/--nodes");
  const ranksPerNode = validateCount(ctx.ranksPerNode, "--ranks-per-node");
  const minutes = validateCount(ctx.walltimeMinutes, "-t/--time (minutes)");
  const [program] = ctx.launcherCommand;
  if (program === undefined) throw new ValidationError("the launcher command is empty", "this is a bug in spruce: report it with the output of --verbose");
  // Compute nodes may have nothing on PATH (docs/architecture.md, Batch scripts): the launcher program must be absolute.
  validateAbsolutePath(program, "launcher program");
  const local = ctx.scheduler === "local";
  validateAbsolutePath(ctx.outputFile, "output file");
  validateAbsolutePath(ctx.errorFile, "error file");
  return {
    scheduler: ctx.scheduler,
    workflow: validateCommentText(ctx.workflow, "workflow name"),
    jobName: validateJobName(ctx.jobName),
    nodes: String(nodes),
    ranksPerNode: String(ranksPerNode),
    totalRanks: String(nodes * ranksPerNode),
    walltime: WALLTIME_FORMAT[ctx.scheduler](minutes),
    walltimeMinutes: String(minutes),
    walltimeHMS: formatHMS(minutes),
    queue: ctx.queue === null ? null : validateQueue(ctx.queue),
    project: ctx.project === null ? null : validateProject(ctx.project),
    // The local script has no directive lines, so a quote in its paths is harmless there.
    outputFile: local ? null : directivePath(ctx.outputFile, "output file"),
    errorFile: local ? null : directivePath(ctx.errorFile, "error file"),
    outputFileShell: shellQuote(ctx.outputFile),
    errorFileShell: shellQuote(ctx.errorFile),
    resultsDir: shellQuote(validateAbsolutePath(ctx.resultsDir, "results directory")),
    envScript: ctx.envScript === null ? null : shellQuote(validateAbsolutePath(ctx.envScript, "--env-script")),
    env: Object.entries(ctx.env).map(([name, value]) => ({ name: validateEnvName(name), value: shellQuote(value) })),
    launchLine: shellJoin(ctx.launcherCommand),
    schedFlags: ctx.schedFlags.map(validateSchedFlag),
    lsfNnodes: ctx.lsfNnodes ?? false,
  };
}

let engine: typeof Handlebars | undefined;

// One isolated Handlebars environment holding our partials; site templates see them too.
function handlebars(): typeof Handlebars {
  if (engine) return engine;
  const hb = Handlebars.create();
  const dir = join(packageRoot(), "templates", "partials");
  for (const file of readdirSync(dir)) {
    if (file.endsWith(".hbs")) hb.registerPartial(basename(file, ".hbs"), readFileSync(join(dir, file), "utf8"));
  }
  engine = hb;
  return hb;
}

/**
 * Renders the batch script for ctx with the scheduler's built-in template, or with a site's own
 * template file (--template FILE) that receives the same variables.
 */
export function renderScript(ctx: ScriptContext, templatePath?: string): string {
  const view = buildView(ctx);
  const path = templatePath ?? builtinTemplatePath(ctx.scheduler);
  if (templatePath !== undefined && !existsSync(templatePath)) {
    throw new ValidationError(`--template file '${templatePath}' does not exist`, "give the path of a Handlebars (.hbs) batch script template");
  }
  const source = readFileSync(path, "utf8");
  let out: string;
  try {
    // noEscape: Handlebars' HTML escaping would turn ' and & into entities inside shell lines;
    // quoting is done by buildView. strict: a misspelt variable fails instead of rendering empty.
    out = handlebars().compile(source, { noEscape: true, strict: true })(view);
  } catch (e) {
    const message = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new ValidationError(`template '${path}' cannot be rendered: ${message}`, "the variables a template may use are listed in the README (--template)");
  }
  return out.endsWith("\n") ? out : out + "\n";
}
