// `spruce problem show REF [--json]`: load a problem (module, YAML file, Python file or dotted path)
// and print its space, so a user can check a problem before submitting it. Errors are thrown for
// the CLI root to print.
import type { Argv, CommandModule } from "yargs";
import { PythonSession } from "../problem/python.js";
import { loadProblemRef } from "../problem/refs.js";
import { describeArchitectureSpace } from "../nas/describe.js";
import { recordPoint } from "../nas/sequence.js";
import { warn } from "./output.js";

interface ShowArgs {
  file: string;
  json?: boolean;
  python?: string;
}

const showCommand: CommandModule<object, ShowArgs> = {
  command: "show <file>",
  describe: "print a problem's hyperparameters, starting points and (NAS) architecture (validates it on the way)",
  builder: (y: Argv<object>) =>
    y
      .positional("file", { type: "string", demandOption: true, describe: "problem module (.ts/.js), YAML file, or Python (problem.py, pkg.module.Problem)" })
      .option("json", { type: "boolean", describe: "print the validated problem spec as JSON" })
      .option("python", { type: "string", describe: "Python interpreter for a Python problem (default: python3 on PATH)" })
      .example("$0 problem show examples/polynome2/problem.ts", "the space as a table")
      .example("$0 problem show dh_project.polynome2.problem.Problem", "a DeepHyper-style Python problem, from the folder that holds dh_project") as unknown as Argv<ShowArgs>,
  handler: async (argv) => {
    const { spec, space, warnings } = await loadProblemRef(argv.file, new PythonSession({ python: argv.python }));
    for (const w of warnings) warn(w);
    const objectives = spec.objectives ? `objectives: ${spec.objectives.map((o) => `${o.name} (${o.direction === "maximize" ? "max" : "min"})`).join(", ")}\n` : "";
    const architecture = spec.architecture ? "\n" + describeArchitectureSpace(spec.architecture) : "";
    process.stdout.write(argv.json ? JSON.stringify(spec, null, 2) + "\n" : space.describe((p) => recordPoint(spec, p)) + objectives + architecture);
  },
};

export const problemCommand: CommandModule<object, object> = {
  command: "problem",
  describe: "inspect problem files",
  builder: (y: Argv<object>) => y.command(showCommand).demandCommand(1, "give a subcommand, e.g. 'spruce problem show problem.ts'"),
  // The subcommands do the work; yargs calls this only when none matched, which demandCommand rejects.
  handler: () => {},
};
