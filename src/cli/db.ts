// `spruce db ...`: the workflow database's schema (and, with the PostgreSQL issue, a managed server).
import type { Argv, CommandModule } from "yargs";
import { withStore, type GlobalArgs } from "./context.js";

export const dbCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: "db <action>",
  describe: "manage the workflow database (migrate)",
  builder: (y: Argv<GlobalArgs>) =>
    y.command<GlobalArgs>({
      command: "migrate",
      describe: "create or upgrade the database schema (launchers never do this themselves)",
      handler: async (argv) => {
        await withStore(argv, async (store) => {
          process.stderr.write(`database ${store.describe} is at the current schema\n`);
        }, { migrate: true });
      },
    }).demandCommand(1, "name a db action: migrate"),
  handler: () => undefined,
};
