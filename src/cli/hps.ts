// `spruce hps ambs|random --problem P --run R --max-evals N --num-workers K`: DeepHyper's local
// search command. A `submit` to the local scheduler with N workers on this machine (workspace
// ./.spruce unless named), followed in the foreground until it ends; then results.csv and the
// launcher's log (spruce.log) are copied to the current folder, where DeepHyper left its own.
// Ctrl-C cancels the search (it runs detached from the terminal) and still copies what finished.
import { appendFileSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import yargs, { type Argv, type CommandModule } from "yargs";
import { isSpruceError, ValidationError } from "../errors.js";
import { cancelWorkflow } from "../jobs/index.js";
import { launcherLogId, resultsLayout } from "../results/layout.js";
import { getWorkflow } from "../store/index.js";
import { resultsDir } from "../util/paths.js";
import { openStoreFor, workspaceOf, type GlobalArgs } from "./context.js";
import { info } from "./output.js";
import { submitCommand } from "./submit.js";

interface HpsArgs extends GlobalArgs {
  searcher: "ambs" | "random";
  problem: string;
  run: string;
  maxEvals: number;
  numWorkers: number;
  python?: string;
  seed?: number;
  workflow?: string;
  evaluator?: string;
}

/** What DeepHyper's command leaves in the current folder. */
export const LOCAL_RESULTS = "results.csv";
export const LOCAL_LOG = "spruce.log";

export const hpsCommand: CommandModule<GlobalArgs, HpsArgs> = {
  command: "hps <searcher>",
  describe: "run a search on this machine in the foreground, leaving results.csv and spruce.log here (DeepHyper's 'deephyper hps ambs')",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional("searcher", { choices: ["ambs", "random"] as const, demandOption: true, describe: "ambs (model-based) or random" })
      .option("problem", { type: "string", demandOption: true, describe: "the problem: problem.py, pkg.module.Problem, a .ts/.js module or a YAML file" })
      .option("run", { type: "string", demandOption: true, describe: "the run: model_run.py, pkg.module.run or a .ts/.js module" })
      .option("max-evals", { type: "number", default: 100, describe: "evaluations to finish" })
      .option("num-workers", { type: "number", default: 1, describe: "evaluations at the same time" })
      .option("python", { type: "string", describe: "Python interpreter (default: python3 on PATH)" })
      .option("seed", { type: "number", describe: "random seed of the search" })
      .option("workflow", { type: "string", describe: "the search's name in the workspace (default: <searcher>-<date>-<time>)" })
      .option("evaluator", { type: "string", describe: "DeepHyper's evaluator (ray, subprocess, ...): accepted and ignored, every evaluation is its own process" })
      .example("$0 hps ambs --problem dh_project.polynome2.problem.Problem --run dh_project.polynome2.model_run.run --max-evals 20 --num-workers 2", "the tutorial's local search") as unknown as Argv<HpsArgs>,
  handler: async (argv) => {
    const name = argv.workflow ?? `${argv.searcher}-${new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}`;
    if (argv.evaluator !== undefined) info(`--evaluator ${argv.evaluator} ignored: Spruce runs every evaluation as its own process`);
    const args = ["submit", "hps", name, "-p", argv.problem, "-r", argv.run, "--scheduler", "local", "--searcher", argv.searcher,
      "--max-evals", String(argv.maxEvals), "--evals-per-node", String(argv.numWorkers), "--wait"];
    if (argv.python !== undefined) args.push("--python", argv.python);
    if (argv.seed !== undefined) args.push("--seed", String(argv.seed));
    if (argv.workspace !== undefined) args.push("--workspace", argv.workspace);
    if (argv.databaseUrl !== undefined) args.push("--database-url", argv.databaseUrl);
    const dir = resultsDir(workspaceOf(argv), name);
    let cancelling: Promise<void> | null = null;
    const interrupted = () => {
      cancelling = cancelOnInterrupt(argv, name, dir);
    };
    process.once("SIGINT", interrupted);
    try {
      await submitInProcess(args);
    } catch (e) {
      // --wait may see the workflow STOPPED before the cancel is over: the cancel ends the process (130).
      if (cancelling !== null) await cancelling;
      // Refused at validation: nothing ran, and a results folder of that name is another search's.
      if (isSpruceError(e) && e.exitCode === 2) throw e;
      copyResults(dir);
      throw e;
    } finally {
      process.removeListener("SIGINT", interrupted);
    }
    copyResults(dir);
  },
};

/** Runs `spruce submit ...` in this process, with the same option schema as the CLI. */
async function submitInProcess(args: string[]): Promise<void> {
  await yargs(args)
    .command(submitCommand)
    .option("workspace", { type: "string" })
    .option("database-url", { type: "string" })
    .strict()
    .exitProcess(false)
    .help(false)
    .version(false)
    .fail((msg, err) => {
      throw err ?? new ValidationError(msg, "see 'spruce hps --help'");
    })
    .parseAsync();
}

/** Ctrl-C: the search runs detached from the terminal, so it is cancelled for good; what finished is kept. */
async function cancelOnInterrupt(argv: GlobalArgs, name: string, dir: string): Promise<void> {
  info(`\nInterrupted: cancelling ${name}...`);
  try {
    const store = await openStoreFor(argv);
    try {
      const wf = await getWorkflow(store, name);
      if (wf) await cancelWorkflow(store, wf, { note: "cancelled by the user (Ctrl-C in spruce hps)", timeoutMs: 30_000 });
    } finally {
      await store.close();
    }
  } catch (e) {
    info(`could not cancel ${name}: ${(e as Error).message}`);
  }
  copyResults(dir);
  process.exit(130);
}

/** results.csv and the launcher logs (one after the other) into the current folder, when the search got that far. */
function copyResults(dir: string): void {
  const layout = resultsLayout(dir);
  if (!existsSync(layout.resultsCsv)) return;
  copyFileSync(layout.resultsCsv, LOCAL_RESULTS);
  const logs = readdirSync(dir)
    .map((f) => ({ f, id: launcherLogId(f) }))
    .filter((l): l is { f: string; id: number } => l.id !== null)
    .sort((a, b) => a.id - b.id);
  writeFileSync(LOCAL_LOG, "");
  for (const { f } of logs) appendFileSync(LOCAL_LOG, readFileSync(join(dir, f)));
  info(`Results: ./${LOCAL_RESULTS}, log: ./${LOCAL_LOG} (all files in ${dir})`);
}
