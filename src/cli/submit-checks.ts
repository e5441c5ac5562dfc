// The checks `submit` makes on its flags before anything is loaded or written, and the ones
// `--resume` makes on the workflow it would continue: everything a batch job would otherwise die
// of after its queue wait (docs/architecture.md, Submit). Where the launcher checks the same thing
// (slots, launcher settings, searcher options) both call the same function.
import { existsSync } from "node:fs";
import { NotFoundError, ValidationError } from "../errors.js";
import type { JsonValue } from "../space/types.js";
import { validateJobName, validateProject, validateQueue, validateSchedFlag } from "../schedulers/validate.js";
import { validateWorkflowName } from "../store/index.js";
import type { EvaluationState, JobRequest, WorkflowRow, WorkflowSettings } from "../store/types.js";
import { assertSearcherName } from "../search/registry.js";
import { checkLauncherSettings } from "../store/settings.js";
import { checkSlotRequest } from "../../launcher/slots.js";
import { refuseSqliteForNodes, type GlobalArgs } from "./context.js";
import { WARM_START_SEARCHERS } from "./warm-start.js";

/** The largest seed: the RNG takes 32 bits, so a larger one would silently repeat a smaller one. */
export const MAX_SEED = 2 ** 32 - 1;

/** The submit flags these checks read (the full SubmitArgs is in submit.ts). */
export interface SubmitFlags extends GlobalArgs {
  workflow: string;
  nodes?: number;
  maxEvals?: number;
  evalsPerNode: number;
  nodesPerEval: number;
  ranksPerNode: number;
  threadsPerRank?: number;
  gpusPerNode?: number;
  gpusPerEval?: number;
  jobMode: "serial" | "mpi";
  seed?: number;
  queue?: string;
  project?: string;
  jobName?: string;
  searcher: string;
  template?: string;
  envScript?: string;
  schedFlags?: string[];
  chain?: boolean;
  resume?: boolean;
  upload?: string[];
  waitTimeout?: number;
  walltimeMargin?: number;
  warmStart?: string;
}

function wholeAtLeast1(flag: string, v: number | undefined, example: string): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
    throw new ValidationError(`${flag} must be a whole number of at least 1 (got ${v})`, `e.g. ${flag} ${example}`);
  }
}

/** Flags that need neither the problem nor the database. Throws ValidationError. */
export function checkSubmitFlags(argv: SubmitFlags, launcherSettings: WorkflowSettings): void {
  if (argv.upload !== undefined) {
    throw new ValidationError("--upload only applies with --site: it copies a local directory to the site", "drop --upload, or add --site NAME");
  }
  validateWorkflowName(argv.workflow);
  wholeAtLeast1("-n/--nodes", argv.nodes, "2");
  wholeAtLeast1("--max-evals", argv.maxEvals, "100");
  wholeAtLeast1("--evals-per-node", argv.evalsPerNode, "4");
  wholeAtLeast1("--nodes-per-eval", argv.nodesPerEval, "2");
  wholeAtLeast1("--ranks-per-node", argv.ranksPerNode, "4");
  wholeAtLeast1("--threads-per-rank", argv.threadsPerRank, "8");
  wholeAtLeast1("--gpus-per-node", argv.gpusPerNode, "4");
  wholeAtLeast1("--gpus-per-eval", argv.gpusPerEval, "1");
  checkSeed(argv.seed);
  if (argv.waitTimeout !== undefined && !(argv.waitTimeout > 0)) {
    throw new ValidationError(`--wait-timeout must be a positive number of seconds (got ${argv.waitTimeout})`, "e.g. --wait-timeout 3600");
  }
  if (argv.queue !== undefined) validateQueue(argv.queue);
  if (argv.project !== undefined) validateProject(argv.project);
  if (argv.jobName !== undefined) validateJobName(argv.jobName);
  for (const flag of argv.schedFlags ?? []) validateSchedFlag(flag);
  if (argv.chain && argv.resume) throw new ValidationError("--chain is set at the first submission and kept by --resume", "drop --chain from the --resume command");
  checkWarmStartFlag(argv);
  if (argv.resume) return;
  assertSearcherName(argv.searcher);
  for (const [flag, file] of [["--template", argv.template], ["--env-script", argv.envScript]] as const) {
    if (file !== undefined && !existsSync(file)) throw new ValidationError(`${flag}: file not found: ${file}`, `check the path (relative paths start from ${process.cwd()})`);
  }
  checkLauncherSettings(launcherSettings);
  // Flags of the other mode would be ignored without a word.
  if (argv.jobMode === "serial" && argv.ranksPerNode !== 1) {
    throw new ValidationError(`--ranks-per-node ${argv.ranksPerNode} applies to -j mpi; a serial evaluation is one process`, "add -j mpi, or drop --ranks-per-node (--threads-per-rank sets a serial evaluation's threads)");
  }
  if (argv.jobMode === "mpi" && argv.evalsPerNode !== 1) {
    throw new ValidationError(`--evals-per-node ${argv.evalsPerNode} applies to -j serial; in mpi mode an evaluation has whole nodes`, "drop --evals-per-node (--nodes-per-eval sets an evaluation's nodes), or use -j serial");
  }
  const nodes = argv.nodes ?? 1;
  checkSlotRequest(
    { mode: argv.jobMode, nodes, evalsPerNode: argv.evalsPerNode, nodesPerEval: argv.nodesPerEval, gpusPerNode: argv.gpusPerNode ?? null, gpusPerEval: argv.gpusPerEval ?? null },
    "-n asks for",
  );
  refuseSqliteForNodes(argv, nodes, `the job (-n ${nodes})`);
}

/**
 * --warm-start: only searchers that learn from earlier results take it (docs/architecture.md, Warm
 * start); the others would ignore it without a word, as with any other searcher's flag.
 */
function checkWarmStartFlag(argv: SubmitFlags): void {
  if (argv.warmStart === undefined) return;
  if (argv.resume) throw new ValidationError("--warm-start is set at the first submission and kept by --resume", "drop --warm-start from the --resume command");
  if (argv.warmStart.trim() === "") throw new ValidationError("--warm-start needs a workflow name or a results.csv", "e.g. --warm-start my-earlier-search, or --warm-start results/old/results.csv");
  if (!WARM_START_SEARCHERS.includes(argv.searcher)) {
    throw new ValidationError(
      `--warm-start only applies to --searcher ${WARM_START_SEARCHERS.join(" or ")} (this search uses ${argv.searcher}, which learns nothing from earlier results)`,
      `add --searcher ${WARM_START_SEARCHERS[0]}, or drop --warm-start`,
    );
  }
}

export function checkSeed(seed: number | undefined): void {
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED)) {
    throw new ValidationError(`--seed must be a whole number from 0 to ${MAX_SEED} (got ${seed})`, "e.g. --seed 42, or leave it out for a random seed (printed)");
  }
}

/** The walltime margin must leave time to search in: checked against each job's walltime. */
export function checkWalltimeMargin(margin: JsonValue | undefined, walltimeMinutes: number, flag = "--walltime-margin"): void {
  if (typeof margin !== "number") return;
  if (!(margin >= 0 && margin < walltimeMinutes * 60)) {
    throw new ValidationError(
      `${flag} ${margin} s must be at least 0 and shorter than the walltime (${walltimeMinutes * 60} s)`,
      `lower ${flag}, or ask for a longer walltime with -t`,
    );
  }
}

/**
 * The checks of `--resume`: the job it would submit (nodes, walltime) must suit the saved settings,
 * and the workflow must have work left, or the batch job would start, find nothing to do and end.
 */
export function checkResume(
  argv: SubmitFlags,
  wf: WorkflowRow,
  request: JobRequest,
  counts: Record<EvaluationState, number>,
): void {
  checkLauncherSettings(wf.settings);
  checkWalltimeMargin(wf.settings.walltimeMarginSeconds, request.walltimeMinutes, "the workflow's --walltime-margin");
  checkSlotRequest(
    {
      mode: request.mode,
      nodes: request.nodes,
      evalsPerNode: request.evalsPerNode,
      nodesPerEval: request.nodesPerEval,
      gpusPerNode: typeof request.gpusPerNode === "number" ? request.gpusPerNode : null,
      gpusPerEval: typeof request.gpusPerEval === "number" ? request.gpusPerEval : null,
    },
    "-n asks for",
  );
  refuseSqliteForNodes(argv, request.nodes, `the job (-n ${request.nodes})`);
  const finished = counts.DONE + counts.FAILED + counts.TIMEOUT;
  const name = wf.name;
  if (wf.searcher === "asha") {
    // Its brackets are planned from the number of trials, and a saved plan must match the settings.
    if (argv.maxEvals !== undefined && argv.maxEvals !== wf.maxEvals) {
      throw new ValidationError(
        `--max-evals ${argv.maxEvals}: an asha search keeps the ${wf.maxEvals} trials it was submitted with (its brackets are planned from them)`,
        `resume without --max-evals, or submit a new workflow with the larger --max-evals`,
      );
    }
    if (wf.state === "FINISHED") {
      throw new ValidationError(`workflow '${name}' is FINISHED: its ${wf.maxEvals} asha trials are done`, "submit a new workflow to search further (an asha search's trial budget cannot grow)");
    }
    return;
  }
  if (wf.state === "FINISHED" && finished < wf.maxEvals) {
    throw new ValidationError(
      `workflow '${name}' is FINISHED with ${finished} of ${wf.maxEvals} evaluations: its searcher had no point left to propose`,
      "a larger --max-evals cannot help: submit a new workflow with a larger space (or --grid-count for the grid)",
    );
  }
  const budget = argv.maxEvals ?? wf.maxEvals;
  if (budget <= finished) {
    const given = argv.maxEvals === undefined ? `its budget of ${wf.maxEvals} evaluations is spent` : `--max-evals ${argv.maxEvals} is not more than the evaluations already finished`;
    throw new ValidationError(
      `workflow '${name}' has ${finished} finished evaluation(s): ${given}, so a new batch job would have nothing to do`,
      `raise the budget: 'spruce submit hps ${name} --resume --max-evals ${Math.max(2 * finished, finished + 1)}'`,
    );
  }
}

/** --resume of a workflow that is not there. */
export function missingWorkflowError(name: string): NotFoundError {
  return new NotFoundError(`workflow '${name}' does not exist, so it cannot be resumed`, "check the name with 'spruce ls', or submit it without --resume");
}
