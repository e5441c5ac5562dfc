// `spruce submit hps WORKFLOW ...` (also `balsam-submit hps ...`): check every flag, load and
// validate the problem, the run and the searcher, render the batch script, then hand the workflow
// to the jobs module, which writes it, submits its batch script and records the batch job, or
// removes the workflow again if the submission fails. Nothing is written before all checks pass.
import { resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { NotFoundError, SpruceError, ValidationError, WorkflowExistsError } from "../errors.js";
import { PythonSession } from "../problem/python.js";
import { loadProblemRef, loadRunRef, refSource, type ProblemFromRef } from "../problem/refs.js";
import { validateCommandTemplate } from "../problem/command.js";
import { capabilitiesOf } from "../search/registry.js";
import { buildSearcher } from "../search/build.js";
import { gridSizeFor } from "../search/grid.js";
import { problemFromHpFlags } from "../space/ranges.js";
import { Space } from "../space/space.js";
import type { JsonValue, ObjectiveSpec, ProblemSpec } from "../space/types.js";
import { isNas, runNames } from "../nas/index.js";
import { checkObjectives, parseObjectiveFlag } from "../objectives/declare.js";
import { parseWalltime } from "../schedulers/walltime.js";
import { jobNameFor } from "../schedulers/validate.js";
import { detectScheduler, SCHEDULER_NAMES, type SchedulerName } from "../schedulers/index.js";
import { renderScript } from "../schedulers/render.js";
import { countEvaluations, getWorkflow, scriptEnvOf, setWorkflowState, updateWorkflowMaxEvals } from "../store/index.js";
import type { JobRequest, NewWorkflow, RunSpec, WorkflowRow, WorkflowSettings } from "../store/types.js";
import { resultsDir } from "../util/paths.js";
import { databaseLocation, DB_DIR_OPTION, hasDatabase, openStoreFor, usesSqlite, workspaceOf, type GlobalArgs } from "./context.js";
import { buildScriptContext, createAndSubmitWorkflow, databaseEnv, submitBatchJob } from "../jobs/index.js";
import { consoleLogger, info, printJson, step, warn } from "./output.js";
import { followWorkflow } from "./follow.js";
import { loadWarmStart } from "./warm-start.js";
import { checkResume, checkSubmitFlags, checkWalltimeMargin, missingWorkflowError, type SubmitFlags } from "./submit-checks.js";

export interface SubmitArgs extends SubmitFlags {
  kind: string;
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
  python?: string;
  time?: string;
  scheduler?: SchedulerName;
  mpi?: string;
  evalTimeout?: number;
  maximize?: boolean;
  minimize?: boolean;
  objective?: string[];
  dryRun?: boolean;
  wait?: boolean;
  json?: boolean;
  surrogate?: string;
  acq?: string;
  kappa?: number;
  xi?: number;
  liar?: string;
  nInitialPoints?: number;
  populationSize?: number;
  sampleSize?: number;
  heartbeatSeconds?: number;
  staleAfterSeconds?: number;
  maxAttempts?: number;
  killGraceSeconds?: number;
  warmStart?: string;
}

/**
 * The submit command, as `spruce submit <kind> <workflow>` (form "submit") or as the whole of
 * `balsam-submit <kind> <workflow>` (form "$0"): the usage line and the examples follow the form.
 */
export function makeSubmitCommand(form: "submit" | "$0"): CommandModule<GlobalArgs, SubmitArgs> {
  const run = form === "submit" ? "$0 submit" : "$0";
  return {
    command: form === "submit" ? "submit <kind> <workflow>" : "$0 <kind> <workflow>",
    describe: "submit a hyperparameter search (kind: hps) or a neural architecture search (kind: nas) to the batch scheduler",
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional("kind", { type: "string", choices: ["hps", "nas"], describe: "what to submit: hps (hyperparameter search), nas (neural architecture search: a NasProblem)", demandOption: true })
        .positional("workflow", { type: "string", describe: "unique name of the search", demandOption: true })
        .option("problem", { alias: "p", type: "string", describe: "problem: a module (.ts/.js exporting `problem`), a Determined-style YAML file, or Python (problem.py, pkg.module.Problem); for nas a NasProblem (NaProblem in Python)" })
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
        .option("run", { alias: "r", type: "string", describe: "run: a module exporting run(point, ctx) that returns the objective, or Python (model_run.py, pkg.module.run)" })
        .option("python", { type: "string", describe: "Python interpreter for Python problems and runs (default: python3 on PATH; recorded as its own sys.executable)" })
        .option("command", {
          type: "string",
          describe: "command template instead of -r, e.g. 'python3 train.py --lr {{lr}}' (values are quoted for you: no quotes around {{lr}}); it runs in the directory submit was called from, with its own folder in $SPRUCE_WORKDIR, and prints 'objective: <n>'",
        })
        .option("time", { alias: "t", type: "string", describe: "walltime: minutes, HH:MM:SS or D-HH:MM:SS (default 60; --resume: the workflow's)" })
        .option("queue", { alias: "q", type: "string", describe: "queue / partition (left out when not given)" })
        .option("nodes", { alias: "n", type: "number", describe: "nodes to request (default 1; --resume: the workflow's)" })
        .option("project", { alias: "A", type: "string", describe: "project / account to charge (left out when not given)" })
        .option("job-mode", { alias: "j", choices: ["serial", "mpi"] as const, default: "serial" as const, describe: "serial: single-process evaluations packed on the nodes; mpi: each evaluation an MPI run" })
        .option("scheduler", { choices: SCHEDULER_NAMES, describe: "batch scheduler (default: detected from PATH, else local)" })
        .option("searcher", { type: "string", describe: "ambs (model-based, default for hps) | random | grid | regevo (aging evolution, default for nas) | agebo (nas: aging evolution for the architecture, BO for the hyperparameters) | asha (early stopping, --max-length) | custom (--search-method FILE)" })
        .option("max-evals", { type: "number", describe: "evaluations to finish (default 100)" })
        .option("evals-per-node", { type: "number", default: 1, describe: "concurrent evaluations per node (serial mode)" })
        .option("nodes-per-eval", { type: "number", default: 1, describe: "nodes per evaluation (mpi mode)" })
        .option("ranks-per-node", { type: "number", default: 1, describe: "MPI ranks per node (mpi mode)" })
        .option("threads-per-rank", { type: "number", describe: "threads per process (sets OMP_NUM_THREADS; CPU binding where the MPI has it)" })
        .option("gpus-per-node", { type: "number", describe: "GPUs on each node" })
        .option("gpus-per-eval", { type: "number", describe: "serial mode: GPUs each evaluation gets (its own CUDA_VISIBLE_DEVICES slice)" })
        .option("mpi", { choices: ["openmpi", "mpich", "intel", "cray", "srun"], describe: "MPI launcher for mpi mode (default: srun inside Slurm, else detected from mpirun --version)" })
        .option("eval-timeout", { type: "number", describe: "seconds before one evaluation is killed and recorded as TIMEOUT" })
        .option("seed", { type: "number", describe: "random seed of the search, a whole number from 0 to 4294967295 (default: random, printed)" })
        .option("maximize", { type: "boolean", describe: "maximize the objective (the default for hps)" })
        .option("minimize", { type: "boolean", describe: "minimize the objective" })
        .option("objective", { type: "string", array: true, describe: "an objective and its direction, once per objective: --objective acc:max --objective time:min (replaces the problem's own)" })
        .option("template", { type: "string", describe: "a site's own Handlebars batch template (variables: see README)" })
        .option("env-script", { type: "string", describe: "script sourced at the start of the batch job (module loads, venv)" })
        .option("sched-flags", { type: "string", array: true, describe: "an extra scheduler directive, e.g. --sched-flags '--exclusive' (repeat the flag for each)" })
        .option("job-name", { type: "string", describe: "batch job name (default: the workflow name)" })
        .option("dry-run", { type: "boolean", describe: "validate and print the batch script on stdout; write and submit nothing" })
        .option("resume", { type: "boolean", describe: "continue an existing workflow with its remaining budget (a new batch job; --max-evals raises it)" })
        .option("wait", { type: "boolean", describe: "follow the search with a progress line until it ends" })
        .option("wait-timeout", { type: "number", describe: "seconds --wait follows before giving up (exit 1)" })
        .option("json", { type: "boolean", describe: "print one JSON object on stdout instead of text" })
        .option("surrogate", { choices: ["et", "rf"], describe: "ambs, agebo's BO: surrogate (extra trees | random forest; agebo: rf)" })
        .option("acq", { choices: ["ucb", "ei"], describe: "ambs, agebo's BO: acquisition function" })
        .option("kappa", { type: "number", describe: "ambs, agebo's BO: UCB exploration weight (1.96; 1 with several objectives; agebo: 0.001)" })
        .option("xi", { type: "number", describe: "ambs, agebo's BO: EI improvement margin (0.01)" })
        .option("liar", { choices: ["cl_max", "cl_min", "cl_mean"], describe: "ambs, agebo's BO: constant-liar value for pending points" })
        .option("n-initial-points", { type: "number", describe: "ambs, agebo's BO: random points before the surrogate (10; agebo: as many as slots)" })
        .option("warm-start", {
          type: "string",
          describe: "ambs: seed the surrogate with an earlier search's results on the same or an overlapping space: a workflow of this database, or a results.csv (Spruce's or DeepHyper's); not evaluated again, not counted in --max-evals",
        })
        .option("population-size", { type: "number", describe: "regevo, agebo: members of the aging population (100)" })
        .option("sample-size", { type: "number", describe: "regevo, agebo: members drawn for each tournament, whose best is mutated (10)" })
        .option("db-dir", DB_DIR_OPTION)
        .option("upload", { type: "string", array: true, describe: "with --site: a local directory copied next to the modules on the site (repeatable)" })
        .option("chain", { type: "boolean", describe: "each launcher job submits its own successor (afterany on itself) while work remains: no service needed" })
        .option("walltime-margin", { type: "number", describe: "seconds before the walltime to stop dispatching and interrupt evaluations (default min(120, max(10, 10% of -t)))" })
        .option("heartbeat-seconds", { type: "number", hidden: true })
        .option("stale-after-seconds", { type: "number", hidden: true })
        .option("max-attempts", { type: "number", hidden: true })
        .option("kill-grace-seconds", { type: "number", hidden: true })
        .conflicts("run", "command")
        .conflicts("problem", "hp")
        .conflicts("maximize", "minimize")
        .example(`${run} hps poly -p examples/polynome2/problem.ts -r examples/polynome2/run.ts -n 1 --evals-per-node 4 --wait`, "a local search, followed until it ends")
        .example(`${run} hps mlp -p problem.ts --command 'python3 train.py --lr {{lr}}' -t 30 -q debug -n 4 -A myproj`, "a 4-node Slurm job")
        .example(`${run} nas poly-nas -p examples/polynome2-nas/problem.ts -r examples/polynome2-nas/run.ts --searcher regevo --wait`, "a neural architecture search")
        .example(`${run} hps poly2 -p problem.ts -r run.ts --warm-start poly`, "a new search whose surrogate starts from poly's results (or --warm-start results.csv)")
        .example(`${run} hps poly ... --dry-run`, "print the batch script only") as unknown as Argv<SubmitArgs>,
    handler: async (argv) => {
      await submit(argv);
    },
  };
}

export const submitCommand = makeSubmitCommand("submit");

async function submit(argv: SubmitArgs): Promise<void> {
  // Aging evolution is DeepHyper's NAS search; AMBS its hyperparameter search.
  argv.searcher ??= argv.kind === "nas" ? "regevo" : "ambs";
  const settings = launcherSettingsFrom(argv);
  checkSubmitFlags(argv, settings);
  const workspace = workspaceOf(argv);
  if (argv.resume) return resume(argv, workspace);
  const walltimeMinutes = parseWalltime(argv.time ?? "60");
  checkWalltimeMargin(argv.walltimeMargin, walltimeMinutes);

  if (!argv.problem && !argv.hp) {
    throw new ValidationError("-p/--problem is required: a problem module, YAML file or Python problem describing the search space", "give -p problem.ts (or problem.py, or --hp name=range ... for a space on the command line)");
  }
  if (!argv.run && !argv.command) {
    throw new ValidationError("a run is required: -r/--run run.ts (exporting run(point)), a Python run, or --command 'prog --x {{x}}'", "give -r run.ts (or model_run.py), or --command with the program to run");
  }
  const problemPath = argv.problem ? refSource(argv.problem) : `--hp ${(argv.hp ?? []).join(" ")}`;
  // Python problems and runs (.py files, dotted paths) are checked in this interpreter, resolved once.
  const python = new PythonSession({ python: argv.python, envScript: argv.envScript ? resolve(argv.envScript) : null });
  const loaded: ProblemFromRef = await step("Validating Problem", async () => {
    if (argv.problem) return loadProblemRef(argv.problem, python);
    const spec = problemFromHpFlags(argv.hp ?? []);
    return { spec, space: new Space(spec), source: problemPath, warnings: [] as string[], floatValues: null };
  });
  checkKind(argv, loaded.spec, problemPath);
  for (const w of loaded.warnings ?? []) warn(w);
  const run: RunSpec = await step("Validating run", async () => {
    if (argv.command !== undefined) {
      validateCommandTemplate(argv.command, runNames(loaded.spec));
      return { kind: "command", template: argv.command, cwd: process.cwd() } as const;
    }
    return loadRunRef(argv.run as string, python, loaded);
  });
  const objectives = declaredObjectives(argv, loaded.spec.objectives);
  const direction = objectives ? objectives[0]!.direction : argv.minimize ? "minimize" : "maximize";
  const scheduler = argv.scheduler ?? (await detectScheduler());
  // Local "jobs" cannot wait for each other: a successor would run beside its predecessor.
  if (argv.chain && scheduler === "local") throw new ValidationError("--chain needs a batch scheduler with job dependencies; the local scheduler has none", "use --scheduler slurm|pbs|cobalt|lsf, or 'spruce service start' to resubmit local jobs");
  const request: JobRequest = {
    scheduler,
    nodes: argv.nodes ?? 1,
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
  const seed = argv.seed ?? Math.floor(Math.random() * 2 ** 31);
  const options = searcherOptions(argv, loaded.spec.gridCounts);
  // max-evals counts trials for searchers that count them (a promoted trial continues in a new row).
  if (capabilitiesOf(argv).counts === "trials") options.max_trials = argv.maxEvals ?? 100;
  if (argv.searcher === "custom") Object.assign(options, customOptions(argv));
  if (argv.warmStart !== undefined) {
    // Stored with the workflow, so a launcher needs neither the source workflow nor the file.
    const { warm, line } = await step("Reading warm start", () => loadWarmStart(argv, argv.warmStart as string, loaded.space, objectives, loaded.spec));
    options.warm_start = warm as unknown as JsonValue;
    info(`Warm start: ${line}`);
  }
  // The launcher builds its searcher the same way: an option it would refuse is refused here.
  await step("Validating search settings", () => buildSearcher(argv.searcher, { space: loaded.space, seed, direction, options, ...(objectives && objectives.length > 1 ? { objectives } : {}) }));
  // A grid defines its own size: by default it is walked whole.
  const maxEvals = argv.maxEvals ?? (argv.searcher === "grid" ? gridSizeFor(loaded.space, options) : 100);
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
    settings,
    request,
    resultsDir: resultsDir(workspace, argv.workflow),
  };

  // Rendered once before anything is written: a site template's mistake, a directive value or a
  // password in the database URL is refused here, not after the workflow row exists.
  const env = databaseEnv(workspace, scriptEnvOf(databaseLocation(argv)));
  const script = await step(argv.dryRun ? `Rendering ${scheduler} script` : "Validating batch script", () =>
    renderScript(buildScriptContext(wf, workspace, { env }), request.template as string | null ?? undefined),
  );
  if (argv.dryRun) {
    await refuseTakenName(argv);
    process.stdout.write(script);
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

/** `submit nas` takes a NAS problem and `submit hps` any other: the kind says what the user means to search. */
function checkKind(argv: SubmitArgs, spec: ProblemSpec, source: string): void {
  if (argv.kind === "nas" && !isNas(spec)) {
    throw new ValidationError(
      `-p: submit nas needs a NAS problem, and ${argv.hp ? "--hp ranges define" : `${source} defines`} no architecture`,
      "build it with new NasProblem().variable(...) (NaProblem in Python), or submit a hyperparameter search with 'submit hps'",
    );
  }
  if (argv.kind === "hps" && isNas(spec)) {
    throw new ValidationError(`-p: ${source} is a NAS problem (it defines an architecture)`, `submit it with 'submit nas ${argv.workflow} ...'`);
  }
}

/**
 * --dry-run promises the real submit would work: a name already taken would not. Reads only. A dry
 * run also serves to check a script where the PostgreSQL server cannot be reached (a laptop, a
 * server not started yet): then the name goes unchecked, with a warning.
 */
async function refuseTakenName(argv: SubmitArgs): Promise<void> {
  if (!hasDatabase(argv)) return;
  let store;
  try {
    store = await openStoreFor(argv);
  } catch (e) {
    if (usesSqlite(argv) || !(e instanceof SpruceError)) throw e;
    warn(`could not check that the name '${argv.workflow}' is free: ${e.message}`);
    return;
  }
  try {
    if (await getWorkflow(store, argv.workflow)) throw new WorkflowExistsError(argv.workflow, argv.kind === "nas" ? "nas" : "hps");
  } finally {
    await store.close();
  }
}

/** --resume: a new batch job for an existing workflow; it continues with the remaining budget. */
async function resume(argv: SubmitArgs, workspace: string): Promise<void> {
  // A mistyped name must not leave a new database (or workspace) behind.
  if (!hasDatabase(argv)) throw missingWorkflowError(argv.workflow);
  const store = await openStoreFor(argv, { migrate: !argv.dryRun });
  try {
    let row = await getWorkflow(store, argv.workflow);
    if (!row) throw missingWorkflowError(argv.workflow);
    const walltimeMinutes = argv.time !== undefined ? parseWalltime(argv.time) : row.request.walltimeMinutes;
    const request: JobRequest = {
      ...row.request,
      walltimeMinutes,
      nodes: argv.nodes ?? row.request.nodes,
      queue: argv.queue ?? row.request.queue,
      project: argv.project ?? row.request.project,
    };
    checkKind(argv, row.problem, row.problemSource);
    checkResume(argv, row, request, await countEvaluations(store, row.id));
    const space = new Space(row.problem);
    await step("Validating search settings", () => buildSearcher(row!.searcher, { space, seed: row!.seed, direction: row!.direction, options: row!.searcherOptions }));
    row = { ...row, maxEvals: argv.maxEvals ?? row.maxEvals, request };
    const env = databaseEnv(workspace, store.scriptEnv);
    const script = renderScript(buildScriptContext(row, workspace, { env }), (row.request.template as string | null) ?? undefined);
    info(`Resuming workflow ${row.name}...OK`);
    if (argv.dryRun) {
      process.stdout.write(script);
      info("Dry run: nothing was written or submitted.");
      return;
    }
    await updateWorkflowMaxEvals(store, row.id, row.maxEvals);
    // A finished workflow with a larger budget has work again; --wait must not see it as done.
    await setWorkflowState(store, row.id, "CREATED");
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
 * and the searchers that read it. Given with another searcher a flag would be silently ignored, so
 * it is refused. AMBS's settings also reach asha when new trials come from AMBS.
 */
const AMBS = ["ambs", "agebo", "asha with --asha-searcher ambs"];
const SEARCHER_FLAGS: readonly { flag: string; arg: keyof SubmitArgs; key: string; for: readonly string[] }[] = [
  { flag: "--grid-count", arg: "gridCount", key: "grid_count", for: ["grid"] },
  { flag: "--surrogate", arg: "surrogate", key: "surrogate", for: AMBS },
  { flag: "--acq", arg: "acq", key: "acq", for: AMBS },
  { flag: "--kappa", arg: "kappa", key: "kappa", for: AMBS },
  { flag: "--xi", arg: "xi", key: "xi", for: AMBS },
  { flag: "--liar", arg: "liar", key: "liar", for: AMBS },
  { flag: "--n-initial-points", arg: "nInitialPoints", key: "n_initial_points", for: AMBS },
  { flag: "--population-size", arg: "populationSize", key: "population_size", for: ["regevo", "agebo"] },
  { flag: "--sample-size", arg: "sampleSize", key: "sample_size", for: ["regevo", "agebo"] },
  { flag: "--max-length", arg: "maxLength", key: "max_length", for: ["asha"] },
  { flag: "--divisor", arg: "divisor", key: "divisor", for: ["asha"] },
  { flag: "--max-rungs", arg: "maxRungs", key: "max_rungs", for: ["asha"] },
  { flag: "--mode", arg: "mode", key: "mode", for: ["asha"] },
  { flag: "--stop-once", arg: "stopOnce", key: "stop_once", for: ["asha"] },
  { flag: "--asha-searcher", arg: "ashaSearcher", key: "asha_searcher", for: ["asha"] },
];

function searcherOptions(argv: SubmitArgs, gridCounts?: Record<string, number>): Record<string, JsonValue> {
  const using = argv.searcher === "asha" && argv.ashaSearcher === "ambs" ? "asha with --asha-searcher ambs" : argv.searcher;
  if (argv.searcher !== "custom") {
    const flag = argv.searchMethod !== undefined ? "--search-method" : argv.methodArgs !== undefined ? "--method-args" : null;
    if (flag) throw new ValidationError(`${flag} only applies to --searcher custom (this search uses ${argv.searcher})`, `add --searcher custom, or drop ${flag}`);
  }
  const o: Record<string, JsonValue> = {};
  for (const f of SEARCHER_FLAGS) {
    const value = argv[f.arg];
    if (value === undefined) continue;
    if (!f.for.includes(argv.searcher) && !f.for.includes(using)) {
      throw new ValidationError(`${f.flag} only applies to --searcher ${f.for.join(" or ")} (this search uses ${using})`, `add --searcher ${f.for[0]}, or drop ${f.flag}`);
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

/** --searcher custom: the options that name the method module and its arguments. */
function customOptions(argv: SubmitArgs): Record<string, JsonValue> {
  if (!argv.searchMethod) {
    throw new ValidationError("--searcher custom needs --search-method FILE", "give a module exporting createSearchMethod(ctx) or a default class, e.g. --search-method my-method.ts");
  }
  let args: JsonValue = null;
  if (argv.methodArgs !== undefined) {
    try {
      args = JSON.parse(argv.methodArgs) as JsonValue;
    } catch (e) {
      throw new ValidationError(`--method-args is not valid JSON: ${(e as Error).message}`, `e.g. --method-args '{"budget": 50}'`);
    }
  }
  return { search_method: resolve(argv.searchMethod), method_args: args };
}
