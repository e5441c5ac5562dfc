// A user-owned PostgreSQL cluster for the workflow database (`spruce db init|start|stop|status DIR`,
// docs/architecture.md, Credentials in files, never in scripts): the equivalent of Balsam's `balsam init` + `balsamactivate`, but with scram-sha-256
// password authentication everywhere (Balsam trusted 0.0.0.0/0) and the credentials in
// DIR/server-info.json, mode 0600, which batch scripts name instead of carrying the password.
//
// Layout: DIR/server-info.json (owned by the invoking user) and DIR/pg/ (owned by the server user:
// data/, postgres.log). As root, DIR/pg belongs to `postgres` and DIR is 0711 so that user can reach it.
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { createServer } from "node:net";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { SpruceError, ValidationError } from "../errors.js";
import { ensureDatabase, openStore, readCredentials, serverInfoPath, type PgCredentials } from "../store/index.js";
import { findPgPrograms, runAsServerUser, runningAsRoot, ROOT_SERVER_USER, serverUser, type PgPrograms } from "./binaries.js";

/** What server-info.json holds: the credentials plus what start/stop/status need. */
export interface ServerInfo extends PgCredentials {
  /** The addresses the server listens on (postgresql.conf listen_addresses). */
  listen: string;
  dataDir: string;
  logFile: string;
  serverUser: string;
  createdAt: string;
}

export interface InitOptions {
  /** listen_addresses: where compute nodes reach the server (default 0.0.0.0: every interface). */
  listen?: string;
  /** The host name clients use (default: this host's name when listening on every interface). */
  host?: string;
  /** TCP port (default: a free one). */
  port?: number;
  database?: string;
  user?: string;
}

const DEFAULT_DATABASE = "spruce";
const DEFAULT_USER = "spruce";

export function readServerInfo(dir: string): ServerInfo {
  const file = serverInfoPath(resolve(dir));
  // readCredentials checks the mode and the connection fields.
  readCredentials(file);
  return JSON.parse(readFileSync(file, "utf8")) as ServerInfo;
}

/** Creates the cluster, its database and schema, and leaves the server stopped. */
export async function initCluster(dirArg: string, opts: InitOptions = {}): Promise<ServerInfo> {
  const dir = resolve(dirArg);
  if (existsSync(serverInfoPath(dir)) || existsSync(join(dir, "pg"))) {
    throw new ValidationError(`${dir} already holds a spruce database`, `start it with 'spruce db start ${dir}', or pick another folder`);
  }
  const programs = findPgPrograms();
  const listen = opts.listen ?? "0.0.0.0";
  const everywhere = ["0.0.0.0", "*", "::", ""].includes(listen);
  const port = opts.port ?? (await freePort(everywhere ? "0.0.0.0" : listen.split(",")[0]!.trim()));
  const pgDir = join(dir, "pg");
  const info: ServerInfo = {
    host: opts.host ?? (everywhere ? hostname() : listen.split(",")[0]!.trim()),
    port,
    user: opts.user ?? DEFAULT_USER,
    password: randomBytes(24).toString("base64url"),
    database: opts.database ?? DEFAULT_DATABASE,
    listen,
    dataDir: join(pgDir, "data"),
    logFile: join(pgDir, "postgres.log"),
    serverUser: serverUser(),
    createdAt: new Date().toISOString(),
  };

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // As root the server user must traverse DIR to reach DIR/pg; it cannot list or read DIR's files.
  chmodSync(dir, runningAsRoot() ? 0o711 : 0o700);
  try {
    createCluster(programs, info, pgDir);
    writeFileSync(serverInfoPath(dir), JSON.stringify(info, null, 2) + "\n", { mode: 0o600 });
    chmodSync(serverInfoPath(dir), 0o600);
    startServer(programs, info);
    try {
      await ensureDatabase({ ...info, host: localHost(info) });
      const store = await openStore({ credentialsFile: serverInfoPath(dir) }, { migrate: true, retryMs: 0 });
      await store.close();
    } finally {
      stopServer(programs, info);
    }
  } catch (e) {
    // Leave nothing half-made: the same command can simply be run again.
    rmSync(pgDir, { recursive: true, force: true });
    rmSync(serverInfoPath(dir), { force: true });
    throw e;
  }
  return info;
}

/** initdb as the server user, with the generated password as the superuser's (never on a command line). */
function createCluster(programs: PgPrograms, info: ServerInfo, pgDir: string): void {
  mkdirSync(pgDir, { mode: 0o700 });
  ownByServerUser(pgDir);
  if (runningAsRoot() && runAsServerUser("test", ["-w", pgDir]).status !== 0) {
    throw new ValidationError(
      `the '${ROOT_SERVER_USER}' user, which runs the server, cannot reach ${pgDir}`,
      "pick a folder whose parents others may traverse (not under a private one such as /root or a mktemp -d folder), or chmod o+x those parents",
    );
  }
  const pwfile = join(pgDir, "initdb.pw");
  writeFileSync(pwfile, info.password + "\n", { mode: 0o600 });
  ownByServerUser(pwfile);
  try {
    const r = runAsServerUser(programs.initdb, [
      "-D", info.dataDir, "-U", info.user, `--pwfile=${pwfile}`, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C",
    ]);
    if (r.status !== 0) throw new SpruceError(`initdb failed (exit ${r.status}): ${lastLines(r.stderr || r.stdout)}`, { hint: "check that DIR is on a local disk you can write to, and remove what initdb left there before trying again" });
  } finally {
    rmSync(pwfile, { force: true });
  }
  configure(info);
}

/** Appends the settings initdb cannot take: where to listen, and password auth from anywhere. */
function configure(info: ServerInfo): void {
  appendFileSync(
    join(info.dataDir, "postgresql.conf"),
    [
      "",
      "# spruce db init",
      `listen_addresses = '${info.listen}'`,
      `port = ${info.port}`,
      // TCP only: a socket path under DIR could exceed the 107-byte limit, and clients use TCP anyway.
      "unix_socket_directories = ''",
      "password_encryption = 'scram-sha-256'",
      // One connection pool per launcher (up to 3 connections each, idle ones closed after 10 s).
      "max_connections = 300",
      "",
    ].join("\n"),
  );
  // initdb's lines cover loopback; compute nodes connect from elsewhere, always with a password.
  appendFileSync(
    join(info.dataDir, "pg_hba.conf"),
    ["", "# spruce db init: compute nodes, password (scram) required", "host all all 0.0.0.0/0 scram-sha-256", "host all all ::/0 scram-sha-256", ""].join("\n"),
  );
}

export interface ClusterStatus {
  running: boolean;
  pid: number | null;
  dir: string;
  host: string;
  port: number;
  database: string;
  user: string;
  listen: string;
  dataDir: string;
  logFile: string;
}

export function clusterStatus(dir: string): ClusterStatus {
  const info = readServerInfo(dir);
  const { running, pid } = serverRunning(findPgPrograms(), info);
  return {
    running,
    pid,
    dir: resolve(dir),
    host: info.host,
    port: info.port,
    database: info.database,
    user: info.user,
    listen: info.listen,
    dataDir: info.dataDir,
    logFile: info.logFile,
  };
}

/** Starts the server unless it runs; true when this call started it. */
export function startCluster(dir: string): boolean {
  const info = readServerInfo(dir);
  const programs = findPgPrograms();
  if (serverRunning(programs, info).running) return false;
  startServer(programs, info);
  return true;
}

/** Stops the server if it runs (fast shutdown: sessions are cut, launchers retry); true when it did. */
export function stopCluster(dir: string): boolean {
  const info = readServerInfo(dir);
  const programs = findPgPrograms();
  if (!serverRunning(programs, info).running) return false;
  stopServer(programs, info);
  return true;
}

function serverRunning(programs: PgPrograms, info: ServerInfo): { running: boolean; pid: number | null } {
  const r = runAsServerUser(programs.pgCtl, ["status", "-D", info.dataDir]);
  // pg_ctl status: 0 running, 3 not running, 4 no usable data directory.
  if (r.status === 0) return { running: true, pid: Number(/PID: (\d+)/.exec(r.stdout)?.[1] ?? NaN) || null };
  if (r.status === 3) return { running: false, pid: null };
  throw new SpruceError(`pg_ctl status failed (exit ${r.status}) for ${info.dataDir}: ${lastLines(r.stderr || r.stdout)}`, { hint: `see the server log in ${info.dataDir}` });
}

function startServer(programs: PgPrograms, info: ServerInfo): void {
  const r = runAsServerUser(programs.pgCtl, ["start", "-D", info.dataDir, "-l", info.logFile, "-w", "-t", "60"]);
  if (r.status === 0) return;
  // A concurrent `db start` may have won the race: that is success too.
  if (serverRunning(programs, info).running) return;
  const log = existsSync(info.logFile) ? readFileSync(info.logFile, "utf8") : "";
  throw new SpruceError(`the PostgreSQL server did not start (pg_ctl exit ${r.status}): ${lastLines(log || r.stderr)}`, {
    hint: `see ${info.logFile}; is port ${info.port} taken by another program?`,
  });
}

function stopServer(programs: PgPrograms, info: ServerInfo): void {
  const r = runAsServerUser(programs.pgCtl, ["stop", "-D", info.dataDir, "-m", "fast", "-w", "-t", "60"]);
  if (r.status !== 0 && serverRunning(programs, info).running) {
    throw new SpruceError(`the PostgreSQL server did not stop (pg_ctl exit ${r.status}): ${lastLines(r.stderr || r.stdout)}`, { hint: "run 'spruce db stop DIR' again in a moment; a server busy with launchers can take a while" });
  }
}

/** An address of this host the server listens on, for the init-time connection. */
function localHost(info: ServerInfo): string {
  const first = info.listen.split(",")[0]!.trim();
  return ["0.0.0.0", "*", ""].includes(first) ? "127.0.0.1" : first === "::" ? "::1" : first;
}

function ownByServerUser(path: string): void {
  if (!runningAsRoot()) return;
  const id = idsOf(ROOT_SERVER_USER);
  chownSync(path, id.uid, id.gid);
}

function idsOf(user: string): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${user}:`));
  if (!line) {
    throw new SpruceError(`running as root, but there is no '${user}' user to run the server as (initdb refuses root)`, {
      hint: "install the Debian package 'postgresql' (it creates that user), or run 'spruce db init' as a normal user",
    });
  }
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/** A TCP port free on `host` right now (the kernel picks it). */
function freePort(host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolvePort(addr.port) : reject(new Error("no port"))));
    });
  });
}

function lastLines(text: string, n = 5): string {
  return text.trim().split("\n").slice(-n).join(" | ");
}
