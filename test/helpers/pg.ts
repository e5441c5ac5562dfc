// Test helper: the PostgreSQL server the integration tests use, and one database per test file.
// The server is TEST_DATABASE_URL (a URL whose user may CREATE DATABASE), else one on
// 127.0.0.1:5432 (user postgres), else a throwaway cluster started here when the server programs
// are installed. With none of them, CI (CI=true) fails; elsewhere PostgreSQL tests are left out
// with one line saying how to get a server. Each test file gets spruce_test_<random>, dropped after
// the file when nothing in it failed (kept, and named, otherwise, for inspection; docs/architecture.md, Tests).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, onTestFailed } from "vitest";
import { findPgPrograms, runAsServerUser, runningAsRoot, ROOT_SERVER_USER } from "../../src/pgcluster/binaries.js";

export interface PgServer {
  /** A URL to the server's `postgres` database, as a user that may create databases. */
  adminUrl: string;
  /** How it was found, for messages. */
  source: string;
}

const HOW_TO_GET_ONE =
  "set TEST_DATABASE_URL=postgres://user:pass@host:port/postgres, start the packaged server (pg_ctlcluster 15 main start), or install the Debian package postgresql";

export const PG: PgServer | null = await findServer();

/** The dialects the shared store suite runs on. */
export const DIALECTS: readonly ("sqlite" | "postgres")[] = PG ? ["sqlite", "postgres"] : ["sqlite"];

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function findServer(): Promise<PgServer | null> {
  const explicit = process.env.TEST_DATABASE_URL;
  if (explicit) {
    if (!(await canConnect(explicit))) throw new Error(`TEST_DATABASE_URL is set but no server answers there (${redact(explicit)})`);
    return { adminUrl: explicit, source: "TEST_DATABASE_URL" };
  }
  const local = "postgres://postgres@127.0.0.1:5432/postgres";
  if (await canConnect(local)) return { adminUrl: local, source: "127.0.0.1:5432" };
  const throwaway = await startThrowawayCluster();
  if (throwaway) return throwaway;
  if (process.env.CI === "true") throw new Error(`no PostgreSQL server for the tests, and CI requires one: ${HOW_TO_GET_ONE}`);
  process.stderr.write(`PostgreSQL tests left out: no server found; ${HOW_TO_GET_ONE}\n`);
  return null;
}

/** initdb + pg_ctl in a temporary folder (trust auth, loopback only), stopped after this file. */
async function startThrowawayCluster(): Promise<PgServer | null> {
  let programs;
  try {
    programs = findPgPrograms();
  } catch {
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), "spruce-test-pg-"));
  if (runningAsRoot()) runAsRootChown(dir);
  const port = await freePort();
  const data = join(dir, "data");
  const init = runAsServerUser(programs.initdb, ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  if (init.status !== 0) throw new Error(`throwaway cluster: initdb failed: ${init.stderr}`);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = runAsServerUser(programs.pgCtl, ["-D", data, "-l", join(dir, "log"), "-w", "-o", opts, "start"]);
  if (start.status !== 0) throw new Error(`throwaway cluster: pg_ctl start failed: ${start.stderr}`);
  afterAll(() => {
    runAsServerUser(programs.pgCtl, ["-D", data, "-m", "immediate", "stop"]);
    rmSync(dir, { recursive: true, force: true });
  });
  return { adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`, source: `throwaway cluster in ${dir}` };
}

/** initdb refuses root: the folder must belong to the user it runs as. */
function runAsRootChown(dir: string): void {
  const r = spawnSync("chown", [`${ROOT_SERVER_USER}:`, dir], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`throwaway cluster: chown ${ROOT_SERVER_USER} ${dir} failed: ${r.stderr}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

/** A URL like base with another database name (and optional query string). */
export function withDatabase(base: string, database: string, query = ""): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  u.search = query;
  return u.toString();
}

/** Runs one statement as the admin user, in the server's `postgres` database or the one named. */
export async function adminQuery(sql: string, params: unknown[] = [], database?: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: database ? withDatabase(PG!.adminUrl, database) : PG!.adminUrl });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

let fileDatabase: Promise<string> | null = null;

/**
 * The URL of this test file's own database, created on first use. Call it inside a test: a failing
 * test keeps the database for inspection.
 */
export function testDatabaseUrl(): Promise<string> {
  if (!PG) throw new Error("no PostgreSQL server (see the line printed at start-up)");
  onTestFailed(() => {
    keepDatabase = true;
  });
  fileDatabase ??= (async () => {
    const name = `spruce_test_${Math.random().toString(36).slice(2, 10)}`;
    await adminQuery(`CREATE DATABASE ${name}`);
    return withDatabase(PG.adminUrl, name);
  })();
  return fileDatabase;
}

let keepDatabase = false;

afterAll(async () => {
  if (!fileDatabase) return;
  const url = await fileDatabase;
  const name = new URL(url).pathname.slice(1);
  if (keepDatabase) {
    process.stderr.write(`kept the database of failed tests: ${redact(url)}\n`);
    return;
  }
  // FORCE: a launcher killed by a test may have left a session behind for a moment.
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

/**
 * A TCP proxy to the server that can lose the reply to the next COMMIT: the server commits, the
 * client sees its connection drop and cannot know. That is the case store retries must survive.
 */
export async function startCommitDroppingProxy(serverUrl: string): Promise<{ url: string; dropNextCommitReply(): void; close(): Promise<void> }> {
  const target = new URL(serverUrl);
  let armed = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    let dropReply = false;
    client.on("data", (chunk: Buffer) => {
      // A simple-query message 'Q' carrying COMMIT (knex sends "COMMIT;").
      if (armed && chunk.includes("COMMIT")) {
        armed = false;
        dropReply = true;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (dropReply) {
        // The server has answered the COMMIT: it is durable. The client never hears of it.
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const url = new URL(serverUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return {
    url: url.toString(),
    dropNextCommitReply: () => {
      armed = true;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
