// `spruce start-project DIR` and `spruce new-problem hps NAME [--lang python|typescript]`:
// DeepHyper's tutorial commands. The files come from src/scaffold; this prints what was made and
// the commands that search it.
import { relative } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { newProblem, SCAFFOLD_LANGUAGES, startProject, type ScaffoldLanguage } from "../scaffold/scaffold.js";
import { info } from "./output.js";

interface StartProjectArgs {
  dir: string;
}

export const startProjectCommand: CommandModule<object, StartProjectArgs> = {
  command: "start-project <dir>",
  describe: "create a project folder holding a Python package of the same name (DeepHyper's start-project)",
  builder: (y: Argv<object>) =>
    y
      .positional("dir", { type: "string", demandOption: true, describe: "the project's folder; its last part names the package" })
      .example("$0 start-project dh_project && cd dh_project/dh_project && $0 new-problem hps polynome2", "the tutorial's start") as unknown as Argv<StartProjectArgs>,
  handler: (argv) => {
    const made = startProject(argv.dir);
    info(`Created ${shown(made.dir)}/ with the package ${shown(made.packageDir)}/`);
    info(`Next: cd ${shown(made.packageDir)} && spruce new-problem hps polynome2`);
  },
};

interface NewProblemArgs {
  kind: string;
  name: string;
  lang: ScaffoldLanguage;
}

export const newProblemCommand: CommandModule<object, NewProblemArgs> = {
  command: "new-problem <kind> <name>",
  describe: "create a problem folder with the tutorial's problem, model_run and load_data files (works in any folder)",
  builder: (y: Argv<object>) =>
    y
      .positional("kind", { type: "string", choices: ["hps"], demandOption: true, describe: "what kind of problem: hps (hyperparameter search)" })
      .positional("name", { type: "string", demandOption: true, describe: "the problem's folder (a Python package name for --lang python)" })
      .option("lang", { choices: SCAFFOLD_LANGUAGES, default: "python" as const, describe: "the language of the files" })
      .example("$0 new-problem hps polynome2", "polynome2/ with problem.py, model_run.py, load_data.py") as unknown as Argv<NewProblemArgs>,
  handler: (argv) => {
    const made = newProblem(argv.name, argv.lang);
    info(`Created ${shown(made.dir)}/: ${made.files.map((f) => relative(made.dir, f)).join(", ")}`);
    const from = made.importRoot !== null && relative(process.cwd(), made.importRoot) !== "" ? `cd ${shown(made.importRoot)} && ` : "";
    const p = made.importRoot === null ? shown(made.problemRef) : made.problemRef;
    const r = made.importRoot === null ? shown(made.runRef) : made.runRef;
    info("Next:");
    info(`  ${from}spruce problem show ${p}`);
    info(`  ${from}spruce hps ambs --problem ${p} --run ${r} --max-evals 10 --num-workers 2`);
    info(`  ${from}spruce submit hps ${argv.name}_demo -p ${p} -r ${r} -t 30 -n 1 --evals-per-node 2`);
  },
};

/** A path as the user would type it from here. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  // A few levels up read better relative (`cd ..`); further, the absolute path does.
  return rel === "" ? "." : rel.startsWith("../../..") ? path : rel;
}
