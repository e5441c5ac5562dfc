// `spruce db ...`: the workflow database's schema (migrate) and a managed PostgreSQL cluster for
// multi-node searches (init, start, stop, status; docs/architecture.md, Dialects). The cluster code is in src/pgcluster.
import type { Argv, CommandModule } from "yargs";
import { clusterStatus, initCluster, startCluster, stopCluster } from "../pgcluster/cluster.js";
import { serverInfoPath } from "../store/index.js";
import { DB_DIR_OPTION, withStore, type GlobalArgs } from "./context.js";
import { info, printJson } from "./output.js";

interface DirArgs extends GlobalArgs {
  dir: string;
}

interface InitArgs extends DirArgs {
  listen?: string;
  host?: string;
  port?: number;
}

interface StatusArgs extends DirArgs {
  json?: boolean;
}

const dirPositional = <T>(y: Argv<GlobalArgs>): Argv<T> =>
  y.positional("dir", { type: "string", demandOption: true, describe: "the cluster's folder (holds server-info.json)" }) as unknown as Argv<T>;

const initCommand: CommandModule<GlobalArgs, InitArgs> = {
  command: "init <dir>",
  describe: "create a PostgreSQL cluster in DIR (password auth, a free port), its database and schema; leaves it stopped",
  builder: (y) =>
    dirPositional<InitArgs>(y)
      .option("listen", { type: "string", describe: "listen_addresses: where compute nodes reach it (default 0.0.0.0)" })
      .option("host", { type: "string", describe: "the host name clients connect to (default: this host's name, or the --listen address)" })
      .option("port", { type: "number", describe: "TCP port (default: a free one)" }),
  handler: async (argv) => {
    const s = await initCluster(argv.dir, { listen: argv.listen, host: argv.host, port: argv.port });
    info(`Created PostgreSQL cluster in ${argv.dir}: database ${s.database} for user ${s.user} on ${s.host}:${s.port} (listening on ${s.listen}), stopped`);
    info(`Credentials: ${serverInfoPath(argv.dir)} (mode 0600; batch scripts name this file, never the password)`);
    info(`Next: spruce db start ${argv.dir}; then submit with --db-dir ${argv.dir}`);
  },
};

const startCommand: CommandModule<GlobalArgs, DirArgs> = {
  command: "start <dir>",
  describe: "start the cluster in DIR (does nothing if it runs)",
  builder: (y) => dirPositional<DirArgs>(y),
  handler: (argv) => {
    const started = startCluster(argv.dir);
    const s = clusterStatus(argv.dir);
    info(`${started ? "Started" : "Already running"}: PostgreSQL on ${s.host}:${s.port} (pid ${s.pid})`);
  },
};

const stopCommand: CommandModule<GlobalArgs, DirArgs> = {
  command: "stop <dir>",
  describe: "stop the cluster in DIR (fast shutdown; does nothing if it is stopped)",
  builder: (y) => dirPositional<DirArgs>(y),
  handler: (argv) => {
    info(stopCluster(argv.dir) ? `Stopped the PostgreSQL cluster in ${argv.dir}` : `Not running: ${argv.dir}`);
  },
};

const statusCommand: CommandModule<GlobalArgs, StatusArgs> = {
  command: "status <dir>",
  describe: "whether the cluster in DIR runs (exit 0) or not (exit 1)",
  builder: (y) => dirPositional<StatusArgs>(y).option("json", { type: "boolean", describe: "one JSON object (no password)" }),
  handler: (argv) => {
    const s = clusterStatus(argv.dir);
    if (argv.json) printJson(s);
    else if (s.running) info(`running: PostgreSQL on ${s.host}:${s.port} (pid ${s.pid}), database ${s.database}, user ${s.user}, log ${s.logFile}`);
    else info(`stopped: start it with 'spruce db start ${argv.dir}'`);
    if (!s.running) process.exitCode = 1;
  },
};

const migrateCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: "migrate",
  describe: "create or upgrade the database schema (launchers never do this themselves)",
  builder: (y) => y.option("db-dir", DB_DIR_OPTION),
  handler: async (argv) => {
    await withStore(argv, async (store) => {
      info(`database ${store.describe} is at the current schema`);
    }, { migrate: true });
  },
};

export const dbCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: "db",
  describe: "manage the workflow database: migrate, and a PostgreSQL cluster for multi-node searches (init, start, stop, status)",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .command(migrateCommand)
      .command(initCommand)
      .command(startCommand)
      .command(stopCommand)
      .command(statusCommand)
      .demandCommand(1, "name a db action: migrate, init, start, stop, status"),
  handler: () => undefined,
};
