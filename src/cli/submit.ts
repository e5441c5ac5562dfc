// `spruce submit hps WORKFLOW ...` (also `balsam-submit hps ...`): validate the problem and the run,
// then hand the workflow to the jobs module, which writes it, renders and submits its batch script
// and records the batch job, or removes the workflow again if the submission fails.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { NotFoundError, ValidationError } from "../errors.js";
import { loadProblem, loadRunModule } from "../problem/load.js";
import { validateCommandTemplate } from "../problem/command.js";
import { assertSearcherName, capabilitiesOf, createSearcher } from "../search/registry.js";
import { loadCustomSearcher } from "../search/custom/load.js";
import { gridSizeFor } from "../search/grid.js";
import { problemFromHpFlags } from "../space/ranges.js";
import { Space } from "../space/space.js";
import type { JsonValue, ObjectiveSpec } from "../space/types.js";
import { checkObjectives, parseObjectiveFlag } from "../objectives/declare.js";
import { parseWalltime } from "../schedulers/walltime.js";
import { jobNameFor, validateJobName, validateProject, validateQueue } from "../schedulers/validate.js";
import { detectScheduler, SCHEDULER_NAMES, type SchedulerName } from "../schedulers/index.js";
import { getWorkflow, scriptEnvOf, setWorkflowState, updateWorkflowMaxEvals, validateWorkflowName } from "../store/index.js";
import type { JobRequest, NewWorkflow, RunSpec, WorkflowRow, WorkflowSettings } from "../store/types.js";
import { resultsDir } from "../util/paths.js";
import { databaseLocation, DB_DIR_OPTION, openStoreFor, refuseSqliteForNodes, workspaceOf, type GlobalArgs } from "./context.js";
import { buildScriptContext, createAndSubmitWorkflow, databaseEnv, submitBatchJob } from "../jobs/index.js";
import { consoleLogger, info, printJson, step } from "./output.js";
import { followWorkflow } from "./follow.js";

export interface SubmitArgs extends GlobalArgs {
  kind: string;
  workflow: string;
  problem?: string;
  hp?: string[];
  gridCount?: number;
  maxLength?: number;
  divisor?: number;
  maxRungs?: number;
  mode?: string;
  stopOnce?: boolean;
  ashaSearcher?: string;
  searchMethod?: string;
  methodArgs?: string;
  run?: string;
  command?: string;
  time: string;
  queue?: string;
  nodes: number;
  project?: string;
  jobMode: "serial" | "mpi";
  scheduler?: SchedulerName;
  searcher: string;
  maxEvals?: number;
  evalsPerNode: number;
  nodesPerEval: number;
  ranksPerNode: number;
  threadsPerRank?: number;
  gpusPerNode?: number;
  gpusPerEval?: number;
  mpi?: string;
  evalTimeout?: number;
  seed?: number;
  maximize?: boolean;
  minimize?: boolean;
  objective?: string[];
  template?: string;
  envScript?: string;
  schedFlags?: string[];
  jobName?: string;
  dryRun?: boolean;
  resume?: boolean;
  wait?: boolean;
  waitTimeout?: number;
  json?: boolean;
  surrogate?: string;
  acq?: string;
  kappa?: number;
  xi?: number;
  liar?: string;
  nInitialPoints?: number;
  heartbeatSeconds?: number;
  staleAfterSeconds?: number;
  maxAttempts?: number;
  killGraceSeconds?: number;
  walltimeMargin?: number;
  chain?: boolean;
}

export const submitCommand: CommandModule<GlobalArgs, SubmitArgs> = {
  command: "submit <kind> <workflow>",
  describe: "submit a hyperparameter search (kind: hps) to the batch scheduler",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional("kind", { type: "string", choices: ["hps"], describe: "what to submit: hps (hyperparameter search)", demandOption: true })
      .positional("workflow", { type: "string", describe: "unique name of the search", demandOption: true })
      .option("problem", { alias: "p", type: "string", describe: "problem module (.ts/.js exporting `problem`) or Determined-style YAML" })
      .option("hp", { type: "string", array: true, describe: "Studio-style ranges instead of -p: lr=1e-5:l5:0.1 (5 log-spaced), lr=0.01:0.01:0.1, n=0:3, act=relu,tanh, x=0.5" })
      .option("search-method", { type: "string", describe: "custom searcher: a module exporting createSearchMethod(ctx) or a default class (with --searcher custom)" })
      .option("method-args", { type: "string", describe: "custom searcher: JSON handed to the method as ctx.args" })
      .option("grid-count", { type: "number", describe: "grid: points per numeric range (Determined's count; default 5)" })
      .option("max-length", { type: "number", describe: "asha: the most any trial trains, in the run's own units (epochs...); required with --searcher asha" })
      .option("divisor", { type: "number", describe: "asha: keep 1/divisor of the trials at each rung (default 4)" })
      .option("max-rungs", { type: "number", describe: "asha: most rungs of a bracket (default 5)" })
      .option("mode", { choices: ["aggressive", "standard", "conservative"], describe: "asha: brackets as in Determined (default standard)" })
      .option("stop-once", { type: "boolean", describe: "asha: stop weak trials for good instead of pausing them for a later promotion" })
      .option("asha-searcher", { choices: ["random", "ambs"], describe: "asha: where new trials come from (ambs: BOHB-like; default random)" })
      .option("run", { alias: "r", type: "string", describe: "run module exporting run(point, ctx) that returns the objective" })
      .option("command", { type: "string", describe: "command template instead of -r, e.g. 'python3 train.py --lr {{lr}}'; prints 'objective: <n>'" })
      .option("time", { alias: "t", type: "string", default: "60", describe: "walltime: minutes, HH:MM:SS or D-HH:MM:SS" })
      .option("queue", { alias: "q", type: "string", describe: "queue / partition (left out when not given)" })
      .option("nodes", { alias: "n", type: "number", default: 1, describe: "nodes to request" })
      .option("project", { alias: "A", type: "string", describe: "project / account to charge (left out when not given)" })
      .option("job-mode", { alias: "j", choices: ["serial", "mpi"] as const, default: "serial" as const, describe: "serial: single-process evaluations packed on the nodes; mpi: each evaluation an MPI run" })
      .option("scheduler", { choices: SCHEDULER_NAMES, describe: "batch scheduler (default: detected from PATH, else local)" })
      .option("searcher", { type: "string", default: "ambs", describe: "ambs (model-based, default) | random | grid | asha (early stopping, --max-length) | custom (--search-method FILE)" })
      .option("max-evals", { type: "number", describe: "evaluations to finish (default 100)" })
      .option("evals-per-node", { type: "number", default: 1, describe: "concurrent evaluations per node (serial mode)" })
      .option("nodes-per-eval", { type: "number", default: 1, describe: "nodes per evaluation (mpi mode)" })
      .option("ranks-per-node", { type: "number", default: 1, describe: "MPI ranks per node (mpi mode)" })
      .option("threads-per-rank", { type: "number", describe: "threads per process (sets OMP_NUM_THREADS; CPU binding where the MPI has it)" })
      .option("gpus-per-node", { type: "number", describe: "GPUs on each node" })
      .option("gpus-per-eval", { type: "number", describe: "serial mode: GPUs each evaluation gets (its own CUDA_VISIBLE_DEVICES slice)" })
      .option("mpi", { choices: ["openmpi", "mpich", "intel", "cray", "srun"], describe: "MPI launcher for mpi mode (default: srun inside Slurm, else detected from mpirun --version)" })
      .option("eval-timeout", { type: "number", describe: "seconds before one evaluation is killed and recorded as TIMEOUT" })
      .option("seed", { type: "number", describe: "random seed of the search (default: random, printed)" })
      .option("maximize", { type: "boolean", describe: "maximize the objective (the default for hps)" })
      .option("minimize", { type: "boolean", describe: "minimize the objective" })
      .option("objective", { type: "string", array: true, describe: "an objective and its direction, once per objective: --objective acc:max --objective time:min (replaces the problem's own)" })
      .option("template", { type: "string", describe: "a site's own Handlebars batch template (variables: see README)" })
      .option("env-script", { type: "string", describe: "script sourced at the start of the batch job (module loads, venv)" })
      .option("sched-flags", { type: "string", array: true, describe: "extra scheduler directives, e.g. --sched-flags '--exclusive'" })
      .option("job-name", { type: "string", describe: "batch job name (default: the workflow name)" })
      .option("dry-run", { type: "boolean", describe: "validate and print the batch script on stdout; write and submit nothing" })
      .option("resume", { type: "boolean", describe: "continue an existing workflow with its remaining budget (a new batch job)" })
      .option("wait", { type: "boolean", describe: "follow the search with a progress line until it ends" })
      .option("wait-timeout", { type: "number", describe: "seconds --wait follows before giving up (exit 1)" })
      .option("json", { type: "boolean", describe: "print one JSON object on stdout instead of text" })
      .option("surrogate", { choices: ["et", "rf"], describe: "ambs: surrogate (extra trees | random forest)" })
      .option("acq", { choices: ["ucb", "ei"], describe: "ambs: acquisition function" })
      .option("kappa", { type: "number", describe: "ambs: UCB exploration weight (1.96)" })
      .option("xi", { type: "number", describe: "ambs: EI improvement margin (0.01)" })
      .option("liar", { choices: ["cl_max", "cl_min", "cl_mean"], describe: "ambs: constant-liar value for pending points" })
      .option("n-initial-points", { type: "number", describe: "ambs: random points before the surrogate (10)" })
      .option("db-dir", DB_DIR_OPTION)
      .option("chain", { type: "boolean", describe: "each launcher job submits its own successor (afterany on itself) while work remains: no service needed" })
      .option("walltime-margin", { type: "number", describe: "seconds before the walltime to stop dispatching and interrupt evaluations (default min(120, max(10, 10% of -t)))" })
      .option("heartbeat-seconds", { type: "number", hidden: true })
      .option("stale-after-seconds", { type: "number", hidden: true })
      .option("max-attempts", { type: "number", hidden: true })
      .option("kill-grace-seconds", { type: "number", hidden: true })
      .conflicts("run", "command")
      .conflicts("problem", "hp")
      .conflicts("maximize", "minimize")
      .example("$0 submit hps poly -p examples/polynome2/problem.ts -r examples/polynome2/run.ts -n 1 --evals-per-node 4 --wait", "a local search, followed until it ends")
      .example("$0 submit hps mlp -p problem.ts --command 'python3 train.py --lr {{lr}}' -t 30 -q debug -n 4 -A myproj", "a 4-node Slurm job")
      .example("$0 submit hps poly ... --dry-run", "print the batch script only") as unknown as Argv<SubmitArgs>,
  handler: async (argv) => {
    await submit(argv);
  },
};

function positiveInt(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
    throw new ValidationError(`--${name} must be a whole number of at least 1 (got ${v})`);
  }
}

async function submit(argv: SubmitArgs): Promise<void> {
  for (const [k, v] of [
    ["nodes", argv.nodes],
    ["max-evals", argv.maxEvals],
    ["evals-per-node", argv.evalsPerNode],
    ["nodes-per-eval", argv.nodesPerEval],
    ["ranks-per-node", argv.ranksPerNode],
    ["threads-per-rank", argv.threadsPerRank],
    ["gpus-per-node", argv.gpusPerNode],
    ["gpus-per-eval", argv.gpusPerEval],
  ] as const) positiveInt(k, v);
  if (argv.gpusPerEval !== undefined && argv.gpusPerEval * argv.evalsPerNode > (argv.gpusPerNode ?? 0)) {
    throw new ValidationError(
      `--gpus-per-eval ${argv.gpusPerEval} x --evals-per-node ${argv.evalsPerNode} needs ${argv.gpusPerEval * argv.evalsPerNode} GPUs per node; --gpus-per-node is ${argv.gpusPerNode ?? "not set"}`,
      "set --gpus-per-node to the GPUs each node has, or lower --evals-per-node",
    );
  }
  if (argv.evalTimeout !== undefined && !(argv.evalTimeout > 0)) throw new ValidationError(`--eval-timeout must be a positive number of seconds (got ${argv.evalTimeout})`);
  const walltimeMinutes = parseWalltime(argv.time);
  if (argv.walltimeMargin !== undefined && !(argv.walltimeMargin >= 0 && argv.walltimeMargin < walltimeMinutes * 60)) {
    throw new ValidationError(`--walltime-margin ${argv.walltimeMargin} must be at least 0 and shorter than the walltime (${walltimeMinutes * 60} s)`);
  }
  if (argv.queue !== undefined) validateQueue(argv.queue);
  if (argv.project !== undefined) validateProject(argv.project);
  validateWorkflowName(argv.workflow);
  if (argv.jobName !== undefined) validateJobName(argv.jobName);
  assertSearcherName(argv.searcher);
  if (argv.template !== undefined && !existsSync(argv.template)) throw new ValidationError(`--template: file not found: ${argv.template}`);
  if (argv.envScript !== undefined && !existsSync(argv.envScript)) throw new ValidationError(`--env-script: file not found: ${argv.envScript}`);
  refuseSqliteForNodes(argv, argv.nodes, `the job (-n ${argv.nodes})`);
  const workspace = workspaceOf(argv);
  if (argv.chain && argv.resume) throw new ValidationError("--chain is set at the first submission and kept by --resume", "drop --chain from the --resume command");

  if (argv.resume) return resume(argv, workspace, walltimeMinutes);

  if (!argv.problem && !argv.hp) throw new ValidationError("-p/--problem is required: a problem module or YAML file describing the search space (or --hp name=range ...)");
  if (!argv.run && !argv.command) throw new ValidationError("a run is required: -r/--run run.ts (exporting run(point)) or --command 'prog --x {{x}}'");
  const problemPath = argv.problem ? resolve(argv.problem) : `--hp ${(argv.hp ?? []).join(" ")}`;
  const loaded = await step("Validating Problem", async () => {
    if (argv.problem) return loadProblem(problemPath);
    const spec = problemFromHpFlags(argv.hp ?? []);
    return { spec, space: new Space(spec), source: problemPath };
  });
  const run: RunSpec = await step("Validating run", async () => {
    if (argv.command !== undefined) {
      validateCommandTemplate(argv.command, [...loaded.space.names]);
      return { kind: "command", template: argv.command, cwd: process.cwd() } as const;
    }
    const runPath = resolve(argv.run as string);
    await loadRunModule(runPath);
    return { kind: "module", path: runPath } as const;
  });
  const objectives = declaredObjectives(argv, loaded.spec.objectives);
  const direction = objectives ? objectives[0]!.direction : argv.minimize ? "minimize" : "maximize";
  const scheduler = argv.scheduler ?? (await detectScheduler());
  // Local "jobs" cannot wait for each other: a successor would run beside its predecessor.
  if (argv.chain && scheduler === "local") throw new ValidationError("--chain needs a batch scheduler with job dependencies; the local scheduler has none", "use --scheduler slurm|pbs|cobalt|lsf, or 'spruce service start' to resubmit local jobs");
  const request: JobRequest = {
    scheduler,
    nodes: argv.nodes,
    walltimeMinutes,
    queue: argv.queue ?? null,
    project: argv.project ?? null,
    mode: argv.jobMode,
    evalsPerNode: argv.evalsPerNode,
    nodesPerEval: argv.nodesPerEval,
    ranksPerNode: argv.ranksPerNode,
    threadsPerRank: argv.threadsPerRank ?? null,
    gpusPerNode: argv.gpusPerNode ?? null,
    gpusPerEval: argv.gpusPerEval ?? null,
    mpi: argv.mpi ?? null,
    jobName: argv.jobName ?? jobNameFor(argv.workflow),
    envScript: argv.envScript ? resolve(argv.envScript) : null,
    template: argv.template ? resolve(argv.template) : null,
    schedFlags: argv.schedFlags ?? [],
    chain: argv.chain === true,
  };
  const options = searcherOptions(argv, loaded.spec.gridCounts);
  if (capabilitiesOf(argv).counts === "trials") {
    // max-evals counts trials (a promoted trial continues in a new row): the searcher is given the
    // budget, as it alone knows when it is spent. Its settings are checked now, not after the queue wait.
    options.max_trials = argv.maxEvals ?? 100;
    await step(`Validating ${argv.searcher.toUpperCase()} settings`, async () => createSearcher(argv.searcher, { space: loaded.space, seed: 0, direction, options }));
  }
  if (argv.searcher === "custom") {
    Object.assign(options, await step("Validating search method", () => customOptions(argv, loaded.space, argv.seed ?? 0, direction, objectives)));
  }
  // A grid defines its own size: by default it is walked whole.
  const maxEvals = argv.maxEvals ?? (argv.searcher === "grid" ? gridSizeFor(loaded.space, options) : 100);
  const seed = argv.seed ?? Math.floor(Math.random() * 2 ** 31);
  const wf: NewWorkflow = {
    name: argv.workflow,
    problem: loaded.spec,
    problemSource: problemPath,
    run,
    searcher: argv.searcher,
    searcherOptions: options,
    direction,
    objectives,
    maxEvals,
    seed,
    settings: launcherSettingsFrom(argv),
    request,
    resultsDir: resultsDir(workspace, argv.workflow),
  };

  if (argv.dryRun) {
    const env = databaseEnv(workspace, scriptEnvOf(databaseLocation(argv)));
    const ctx = await step(`Rendering ${scheduler} script`, () => buildScriptContext(wf, workspace, { env }));
    const { renderScript } = await import("../schedulers/render.js");
    process.stdout.write(renderScript(ctx, request.template ?? undefined));
    info("Dry run: nothing was written or submitted.");
    return;
  }

  const store = await openStoreFor(argv, { migrate: true });
  try {
    // Nothing half-written on a failure: the user fixes the cause and runs the same command again.
    const { workflow: row, job } = await createAndSubmitWorkflow(store, wf, { workspace, logger: consoleLogger });
    report(argv, row, job.schedulerId, seed);
    if (argv.wait) await followWorkflow(store, row.name, { timeoutSeconds: argv.waitTimeout, json: argv.json });
  } finally {
    await store.close();
  }
}

/** --resume: a new batch job for an existing workflow; it continues with the remaining budget. */
async function resume(argv: SubmitArgs, workspace: string, walltimeMinutes: number): Promise<void> {
  const store = await openStoreFor(argv, { migrate: true });
  try {
    let row = await getWorkflow(store, argv.workflow);
    if (!row) throw new NotFoundError(`workflow '${argv.workflow}' does not exist, so it cannot be resumed`, "submit it without --resume");
    if (argv.maxEvals !== undefined && argv.maxEvals !== row.maxEvals) {
      await updateWorkflowMaxEvals(store, row.id, argv.maxEvals);
      row = { ...row, maxEvals: argv.maxEvals };
    }
    row = { ...row, request: { ...row.request, walltimeMinutes, nodes: argv.nodes, queue: argv.queue ?? row.request.queue, project: argv.project ?? row.request.project } };
    info(`Resuming workflow ${row.name}...OK`);
    // A finished workflow with a larger budget has work again; --wait must not see it as done.
    if (!argv.dryRun) await setWorkflowState(store, row.id, "CREATED");
    if (argv.dryRun) {
      const { renderScript } = await import("../schedulers/render.js");
      const env = databaseEnv(workspace, store.scriptEnv);
      process.stdout.write(renderScript(buildScriptContext(row, workspace, { env }), row.request.template ?? undefined));
      return;
    }
    const job = await submitBatchJob(store, row, { workspace, logger: consoleLogger });
    report(argv, row, job.schedulerId, row.seed);
    if (argv.wait) await followWorkflow(store, row.name, { timeoutSeconds: argv.waitTimeout, json: argv.json });
  } finally {
    await store.close();
  }
}

function report(argv: SubmitArgs, row: WorkflowRow, jobId: string | null, seed: number): void {
  if (argv.json) {
    printJson({ workflow: row.name, scheduler: row.request.scheduler, job_id: jobId, results_dir: row.resultsDir, seed });
  } else {
    info(`Submit OK: ${row.request.scheduler} job ${jobId}`);
    info(`Results: ${row.resultsDir}`);
  }
}

/**
 * Searcher settings taken from flags: the flag, its argv key, the option key in the workflow row,
 * and, for asha's, the searcher they belong to (given with another one, they are refused).
 */
const SEARCHER_FLAGS: readonly { flag: string; arg: keyof SubmitArgs; key: string; only?: string }[] = [
  { flag: "--grid-count", arg: "gridCount", key: "grid_count" },
  { flag: "--surrogate", arg: "surrogate", key: "surrogate" },
  { flag: "--acq", arg: "acq", key: "acq" },
  { flag: "--kappa", arg: "kappa", key: "kappa" },
  { flag: "--xi", arg: "xi", key: "xi" },
  { flag: "--liar", arg: "liar", key: "liar" },
  { flag: "--n-initial-points", arg: "nInitialPoints", key: "n_initial_points" },
  { flag: "--max-length", arg: "maxLength", key: "max_length", only: "asha" },
  { flag: "--divisor", arg: "divisor", key: "divisor", only: "asha" },
  { flag: "--max-rungs", arg: "maxRungs", key: "max_rungs", only: "asha" },
  { flag: "--mode", arg: "mode", key: "mode", only: "asha" },
  { flag: "--stop-once", arg: "stopOnce", key: "stop_once", only: "asha" },
  { flag: "--asha-searcher", arg: "ashaSearcher", key: "asha_searcher", only: "asha" },
];

function searcherOptions(argv: SubmitArgs, gridCounts?: Record<string, number>): Record<string, JsonValue> {
  const o: Record<string, JsonValue> = {};
  for (const f of SEARCHER_FLAGS) {
    const value = argv[f.arg];
    if (value === undefined) continue;
    if (f.only !== undefined && f.only !== argv.searcher) {
      throw new ValidationError(`${f.flag} only applies to --searcher ${f.only}`, `add --searcher ${f.only}, or drop the flag`);
    }
    o[f.key] = value as JsonValue;
  }
  if (gridCounts) o.grid_counts = gridCounts;
  return o;
}

function launcherSettingsFrom(argv: SubmitArgs): WorkflowSettings {
  const s: WorkflowSettings = { evalTimeoutSeconds: argv.evalTimeout ?? null };
  if (argv.heartbeatSeconds !== undefined) s.heartbeatSeconds = argv.heartbeatSeconds;
  if (argv.staleAfterSeconds !== undefined) s.staleAfterSeconds = argv.staleAfterSeconds;
  if (argv.maxAttempts !== undefined) s.maxAttempts = argv.maxAttempts;
  if (argv.killGraceSeconds !== undefined) s.killGraceSeconds = argv.killGraceSeconds;
  if (argv.walltimeMargin !== undefined) s.walltimeMarginSeconds = argv.walltimeMargin;
  return s;
}



/** --searcher custom: the method module must load and build a complete method before anything is written. */
/**
 * The workflow's objectives: --objective flags (which replace the problem's), else the problem's,
 * else none (one unnamed objective of --maximize/--minimize). Checked before anything is written.
 */
function declaredObjectives(argv: SubmitArgs, fromProblem: ObjectiveSpec[] | undefined): ObjectiveSpec[] | null {
  const flags = argv.objective ?? [];
  const declared = flags.length > 0 ? checkObjectives(flags.map(parseObjectiveFlag), "--objective") : fromProblem && fromProblem.length > 0 ? fromProblem : null;
  if (declared && (argv.maximize || argv.minimize)) {
    const flag = argv.maximize ? "--maximize" : "--minimize";
    throw new ValidationError(
      `${flag} with objectives declared ${flags.length > 0 ? "by --objective" : "in the problem"}: each objective carries its own direction`,
      `drop ${flag}${flags.length > 0 ? "" : ", or give --objective NAME:max|min to replace the problem's objectives"}`,
    );
  }
  return declared;
}

async function customOptions(argv: SubmitArgs, space: Space, seed: number, direction: "maximize" | "minimize", objectives: ObjectiveSpec[] | null): Promise<Record<string, JsonValue>> {
  if (!argv.searchMethod) throw new ValidationError("--searcher custom needs --search-method FILE (a module exporting createSearchMethod or a default class)");
  let args: JsonValue = null;
  if (argv.methodArgs !== undefined) {
    try {
      args = JSON.parse(argv.methodArgs) as JsonValue;
    } catch (e) {
      throw new ValidationError(`--method-args is not valid JSON: ${(e as Error).message}`, `e.g. --method-args '{"budget": 50}'`);
    }
  }
  const options = { search_method: resolve(argv.searchMethod), method_args: args };
  await loadCustomSearcher({ space, seed, direction, options, ...(objectives && objectives.length > 1 ? { objectives } : {}) });
  return options;
}
