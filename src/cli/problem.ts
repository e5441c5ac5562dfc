// `spruce problem show FILE [--json]`: load a problem module or YAML file and print its space, so a
// user can check a problem before submitting it. Errors are thrown for the CLI root to print.
import type { Argv, CommandModule } from "yargs";
import { loadProblem } from "../problem/load.js";

interface ShowArgs {
  file: string;
  json?: boolean;
}

const showCommand: CommandModule<object, ShowArgs> = {
  command: "show <file>",
  describe: "print a problem's hyperparameters and starting points (validates it on the way)",
  builder: (y: Argv<object>) =>
    y
      .positional("file", { type: "string", demandOption: true, describe: "problem module (.ts/.js) or YAML file" })
      .option("json", { type: "boolean", describe: "print the validated problem spec as JSON" })
      .example("$0 problem show examples/polynome2/problem.ts", "the space as a table") as unknown as Argv<ShowArgs>,
  handler: async (argv) => {
    const { spec, space } = await loadProblem(argv.file);
    const objectives = spec.objectives ? `objectives: ${spec.objectives.map((o) => `${o.name} (${o.direction === "maximize" ? "max" : "min"})`).join(", ")}\n` : "";
    process.stdout.write(argv.json ? JSON.stringify(spec, null, 2) + "\n" : space.describe() + objectives);
  },
};

export const problemCommand: CommandModule<object, object> = {
  command: "problem",
  describe: "inspect problem files",
  builder: (y: Argv<object>) => y.command(showCommand).demandCommand(1, "give a subcommand, e.g. 'spruce problem show problem.ts'"),
  // The subcommands do the work; yargs calls this only when none matched, which demandCommand rejects.
  handler: () => {},
};
