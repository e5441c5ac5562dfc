// `spruce rm WORKFLOW`: delete a workflow's rows and its results directory (asks unless --yes).
import { rmSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import type { Argv, CommandModule } from "yargs";
import { NotFoundError, SpruceError, ValidationError } from "../errors.js";
import { countEvaluations, deleteWorkflow, getWorkflow, listLaunchers } from "../store/index.js";
import { withStore, type GlobalArgs } from "./context.js";

interface RmArgs extends GlobalArgs {
  workflow: string;
  yes?: boolean;
  force?: boolean;
}

export const rmCommand: CommandModule<GlobalArgs, RmArgs> = {
  command: "rm <workflow>",
  describe: "delete a workflow: its database rows and its results directory",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional("workflow", { type: "string", demandOption: true })
      .option("yes", { alias: "y", type: "boolean", describe: "do not ask for confirmation" })
      .option("force", { type: "boolean", describe: "delete even while a launcher of it is alive" }) as unknown as Argv<RmArgs>,
  handler: async (argv) => {
    await withStore(argv, async (store) => {
      const wf = await getWorkflow(store, argv.workflow);
      if (!wf) throw new NotFoundError(`workflow '${argv.workflow}' not found`, "list workflows with 'spruce ls'");
      const live = (await listLaunchers(store, wf.id)).filter((l) => l.endedAt === null);
      if (live.length > 0 && !argv.force) {
        throw new SpruceError(`workflow '${wf.name}' has ${live.length} launcher(s) not ended (${live.map((l) => `${l.host}:${l.pid}`).join(", ")})`, {
          hint: "wait for them or cancel the batch job, or pass --force",
          exitCode: 1,
        });
      }
      if (!argv.yes) {
        if (!process.stdin.isTTY) throw new ValidationError(`refusing to delete workflow '${wf.name}' without confirmation`, "pass --yes");
        const counts = await countEvaluations(store, wf.id);
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        const answer = await rl.question(`Delete workflow ${wf.name} (${total} evaluations) and ${wf.resultsDir}? [y/N] `);
        rl.close();
        if (!/^y(es)?$/i.test(answer.trim())) {
          process.stderr.write("nothing deleted\n");
          return;
        }
      }
      await deleteWorkflow(store, wf.id);
      rmSync(wf.resultsDir, { recursive: true, force: true });
      process.stderr.write(`deleted workflow ${wf.name} and ${wf.resultsDir}\n`);
    });
  },
};
