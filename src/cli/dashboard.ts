// `spruce dashboard [--port N] [--host ADDR] [--detach] [--url] [--stdio] [--json]`: the live web
// view of every workflow of the database (src/dashboard), served until Ctrl-C. Prints its URL, token
// included, alone on stdout (as Jupyter does) and keeps it for `--url`.
import type { Argv, CommandModule } from "yargs";
import { NotFoundError, SpruceError, ValidationError } from "../errors.js";
import { readRecord, recordFile } from "../dashboard/record.js";
import { bridgeStdio, detachDashboard, serveDashboard } from "../dashboard/run.js";
import { databaseLocation, openStoreFor, type GlobalArgs } from "./context.js";
import { info, step, warn } from "./output.js";

interface DashboardArgs extends GlobalArgs {
  site?: string;
  acceptNewHostKey?: boolean;
  connectTimeout?: number;
  port?: number;
  host?: string;
  json?: boolean;
  url?: boolean;
  detach?: boolean;
  stdio?: boolean;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

export const dashboardCommand: CommandModule<GlobalArgs, DashboardArgs> = {
  command: "dashboard",
  describe: "serve a live web page of every workflow (counts, charts, evaluations, logs) on 127.0.0.1, behind a token",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option("port", { type: "number", describe: "TCP port to listen on; 0 takes any free port (default 0)" })
      .option("host", { type: "string", describe: "address to listen on (default 127.0.0.1: only this machine; others on it still need the token)" })
      .option("detach", { type: "boolean", describe: "run in the background (log beside the URL file); if one already runs for this database, print its URL" })
      .option("url", { type: "boolean", describe: "print the URL of the dashboard running for this database on this machine, and exit" })
      .option("stdio", { type: "boolean", describe: "carry one connection between stdin/stdout and the running dashboard (used by 'spruce --site NAME dashboard' when port forwarding is refused)" })
      .option("json", { type: "boolean", describe: "print {url, host, port, pid, node, database, startedAt, file} as one JSON line instead of the URL (with --site: {url, port, site, transport, remote})" })
      .conflicts("url", ["detach", "stdio", "port", "host"])
      .conflicts("stdio", ["detach", "port", "host", "json"])
      .example("$0 dashboard", "serve on 127.0.0.1, any free port; open the printed URL")
      .example("$0 dashboard --url", "the URL of the dashboard already running")
      .example("$0 --site polaris dashboard", "the site's dashboard, forwarded to this machine over SSH") as unknown as Argv<DashboardArgs>,
  handler: async (argv) => {
    const port = argv.port ?? 0;
    if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new ValidationError(`--port must be a whole number from 0 to 65535 (got ${argv.port})`, "e.g. --port 8765, or --port 0 to take any free port");
    const host = argv.host ?? "127.0.0.1";
    if (host.trim() === "" || /[\s/]/.test(host)) throw new ValidationError(`--host must be an address of this machine (got '${host}')`, "leave it out for 127.0.0.1");
    if (argv.site !== undefined) return siteDashboardCommand(argv, host, port);
    const location = databaseLocation(argv);
    const print = (r: object & { url: string }) => (argv.json ? process.stdout.write(JSON.stringify({ ...r, file: recordFile(location) }) + "\n") : process.stdout.write(r.url + "\n"));

    if (argv.url) {
      const r = readRecord(location);
      if (!r) throw new NotFoundError("no dashboard is running for this database on this machine", "start one with 'spruce dashboard' (or --detach to keep it in the background)");
      print(r);
      return;
    }
    if (argv.stdio) return bridgeStdio(location);
    const running = readRecord(location);
    if (argv.detach) {
      if (running) info(`a dashboard of this database already runs here (pid ${running.pid}); its URL:`);
      const r = running ?? (await detachDashboard(location, withoutDetach(process.argv.slice(2))));
      if (!running) info(`dashboard started in the background (pid ${r.pid}); stop it with 'kill ${r.pid}'`);
      print(r);
      return;
    }
    if (running) {
      throw new ValidationError(`a dashboard of this database already runs on this machine (pid ${running.pid})`, "print its URL with 'spruce dashboard --url', or stop it first (kill PID)");
    }
    if (!LOOPBACK.has(host)) warn(`listening on ${host}: other machines can reach the dashboard; the token is its only protection, and plain HTTP shows it to the network`);
    const store = await openStoreFor(argv, { readOnly: true });
    const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
    let served;
    try {
      served = await serveDashboard({ location, store, host, port, log });
    } catch (e) {
      await store.close();
      throw e;
    }
    // Under --detach the reader of stdout goes away after the first line: nothing else is written there.
    process.stdout.on("error", () => undefined);
    info(`Dashboard of ${store.describe}, read-only, on ${served.dashboard.host}:${served.dashboard.port} (Ctrl-C stops it)`);
    info(`The URL below holds the dashboard's token: anyone with it can read your searches. It is kept in ${served.recordFile} (mode 0600) for 'spruce dashboard --url'.`);
    print(served.record);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(s, () => resolve(s));
    });
    info(`${signal}: stopping the dashboard`);
    await served.stop();
    await store.close();
  },
};

/**
 * `spruce --site NAME dashboard`: the site's dashboard (found or started there) behind a local
 * proxy with its own token, until Ctrl-C or the connection drops.
 */
async function siteDashboardCommand(argv: DashboardArgs, host: string, port: number): Promise<void> {
  if (argv.url || argv.detach || argv.stdio) throw new ValidationError("--url, --detach and --stdio are not for --site", "'spruce --site NAME dashboard' finds or starts the site's dashboard and forwards it here");
  if (argv.workspace !== undefined || argv.databaseUrl !== undefined) throw new ValidationError("--workspace and --database-url cannot be combined with --site: the site's workspace is used", "drop them; the site's is set by 'spruce site add NAME ... --remote-workspace DIR'");
  if (argv.connectTimeout !== undefined && !(argv.connectTimeout > 0)) throw new ValidationError(`--connect-timeout must be a positive number of seconds (got ${argv.connectTimeout})`, "e.g. --connect-timeout 20");
  // ssh2 is loaded only by the commands that connect.
  const { getSite } = await import("../remote/sites.js");
  const { siteDashboard } = await import("../dashboard/site.js");
  const site = getSite(argv.site!);
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const d = await step(`Finding or starting the dashboard on ${site.name}`, () =>
    siteDashboard({ site, connect: { acceptNewHostKey: argv.acceptNewHostKey, connectTimeoutSeconds: argv.connectTimeout }, host, port, log }),
  );
  info(`${site.name}'s dashboard (pid ${d.remote.pid} on ${d.remote.node}, ${d.remote.database}) is shown here on ${host}:${d.proxy.port} (Ctrl-C stops this side; the site's keeps running: 'kill ${d.remote.pid}' there stops it)`);
  info(
    d.transport === "forwarding"
      ? "through SSH port forwarding"
      : `through SSH exec channels running 'spruce dashboard --stdio' on ${site.name}: its sshd refuses port forwarding (${d.refusal})`,
  );
  if (argv.json) process.stdout.write(JSON.stringify({ url: d.proxy.url, port: d.proxy.port, site: site.name, transport: d.transport, remote: { pid: d.remote.pid, node: d.remote.node, port: d.remote.port, database: d.remote.database } }) + "\n");
  else process.stdout.write(d.proxy.url + "\n");
  const why = await Promise.race([
    new Promise<string>((resolve) => {
      for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(s, () => resolve(s));
    }),
    d.closed.then(() => "lost"),
  ]);
  await d.stop();
  if (why === "lost") throw new SpruceError(`the SSH connection to ${site.name} closed`, { hint: "run the command again; the site's dashboard keeps running there" });
  info(`${why}: stopped`);
}

/** The dashboard command's arguments for the background process: no --detach, and --json to read its record. */
function withoutDetach(args: string[]): string[] {
  const out = args.filter((a) => a !== "--detach" && !a.startsWith("--detach=") && a !== "--no-detach");
  return out.includes("--json") ? out : [...out, "--json"];
}
