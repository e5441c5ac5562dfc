// Opening the workflow database: SQLite (a file in the workspace, better-sqlite3) or PostgreSQL
// (a postgres:// URL, or a credentials file such as a managed cluster's server-info.json; pg), the
// schema-version gate, and migrations. Everything else in src/store takes the Store this returns;
// callers outside src/store treat store.knex as opaque.
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import knexModule, { type Knex } from "knex";

// knex is CommonJS: Node's ESM loader gives only the default export (vitest would hide that).
const createKnex = knexModule.knex;
import type BetterSqlite3 from "better-sqlite3";
import { migrationConfig, migrations, MIGRATIONS_TABLE, schemaVersion } from "../../db/migrations.js";
import { SchemaVersionError, SpruceError, ValidationError } from "../errors.js";
import { readCredentials } from "./credentials.js";
import { isTransientError, withRetry, type RetryPolicy } from "./retry.js";

export type Dialect = "sqlite" | "postgres";

export interface Store {
  knex: Knex;
  dialect: Dialect;
  /** Where the database is, for messages (a PostgreSQL password is never included). */
  describe: string;
  /**
   * The environment variables with which a process elsewhere (a batch job) opens this same database.
   * They name files, never a password; null when that is impossible (a URL with an inline password).
   */
  scriptEnv: Record<string, string> | null;
  /** How store functions ride out a lost connection (PostgreSQL restarts); see ./retry.ts. */
  retry: RetryPolicy;
  close(): Promise<void>;
}

export type StoreLocation =
  | { workspace: string }
  | { databaseUrl: string }
  /** A server-info.json (`spruce db init`) or a PGPASSFILE naming one database. */
  | { credentialsFile: string };

export interface OpenOptions {
  migrate?: boolean;
  /** Retry budget for transient connection errors (default: SPRUCE_DB_RETRY_SECONDS, else 60 s). */
  retryMs?: number;
  onRetry?: RetryPolicy["onRetry"];
  /**
   * A reader that must never get in a writer's way (the dashboard): SQLite opened read-only (in WAL
   * mode readers take no lock a writer waits for), PostgreSQL sessions read-only with a statement
   * timeout. Cannot be combined with migrate.
   */
  readOnly?: boolean;
  /**
   * Retry the first contact too, within the same budget, instead of failing at once with one line:
   * for launchers and agents, which a batch job may start while the server restarts.
   */
  waitForServer?: boolean;
}

/** The SQLite file of a workspace. */
export const SQLITE_FILE = "spruce.db";

/** How long a SQLite statement waits for another process's write lock before failing (ms). */
const SQLITE_BUSY_TIMEOUT_MS = 30_000;

/**
 * Opens the store. Without `migrate`, the schema must be exactly the one this code knows
 * (SchemaVersionError otherwise): launchers never migrate, so a hundred of them starting at once
 * cannot race on DDL. The login node (submit, `spruce db migrate`) passes `migrate: true`.
 */
export async function openStore(location: StoreLocation, mode: OpenOptions = {}): Promise<Store> {
  const retry: RetryPolicy = { budgetMs: mode.retryMs ?? defaultRetryMs(), onRetry: mode.onRetry ?? logRetry };
  const store =
    "workspace" in location
      ? openSqlite(location.workspace, mode.migrate === true, retry, mode.readOnly === true)
      : "databaseUrl" in location
        ? openPostgresUrl(location.databaseUrl, retry, mode.readOnly === true)
        : openPostgresFile(location.credentialsFile, retry, mode.readOnly === true);
  try {
    const firstContact = () => appliedMigrations(store.knex);
    const applied = await (mode.waitForServer ? withRetry(retry, firstContact) : firstContact()).catch((e: unknown) => {
      throw connectError(e, store);
    });
    if (mode.migrate && mode.readOnly) throw new SpruceError("a read-only store cannot migrate", { hint: "this is a bug in spruce: report it with the output of --verbose" });
    if (mode.migrate) {
      // Refuse before knex does: a database from a newer spruce must not be touched by this one.
      assertNotNewer(applied, store.describe);
      await store.knex.migrate.latest(migrationConfig());
    } else {
      assertCurrent(applied, store.describe);
    }
    return store;
  } catch (e) {
    await store.close();
    throw e;
  }
}

function defaultRetryMs(): number {
  const raw = process.env.SPRUCE_DB_RETRY_SECONDS;
  const seconds = raw === undefined || raw.trim() === "" ? Number.NaN : Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 60_000;
}

function logRetry(info: { error: unknown; attempt: number; delayMs: number }): void {
  const why = info.error instanceof Error ? info.error.message.split("\n")[0] : String(info.error);
  process.stderr.write(`${new Date().toISOString()} database connection lost (${why}): retry ${info.attempt} in ${info.delayMs} ms\n`);
}

/**
 * The first contact failed: say where and what to check, in one line, instead of a driver's error
 * (the caller has already closed the store, so no file or connection is left behind).
 */
function connectError(e: unknown, store: Store): unknown {
  const describe = store.describe;
  const code = (e as { code?: unknown }).code;
  const reason = (e instanceof Error ? e.message : String(e)).split("\n")[0];
  if (store.dialect === "sqlite" && typeof code === "string" && /^SQLITE_(NOTADB|CORRUPT)/.test(code)) {
    return new SpruceError(`${describe} is not a usable SQLite database: ${reason}`, {
      hint: `move it aside (mv '${describe}' '${describe}.broken'; also its -wal and -shm files if any) and run the command again to start a new one (keep the moved file: it is the only copy of the workflows it held)`,
      exitCode: 2,
      cause: e,
    });
  }
  if (code === "ENOTFOUND") {
    return new SpruceError(`cannot reach the workflow database at ${describe}: unknown host (${reason})`, {
      hint: "check the host name in --database-url / SPRUCE_DATABASE_URL (or the credentials file)",
      exitCode: 2,
      cause: e,
    });
  }
  if (isTransientError(e)) {
    return new SpruceError(`cannot reach the workflow database at ${describe}: ${reason}`, {
      hint: "is the server running, and are the host and port right? a managed one starts with 'spruce db start DIR'",
      cause: e,
    });
  }
  if ((e as { code?: unknown }).code === "28P01" || (e as { code?: unknown }).code === "28000") {
    return new SpruceError(`the workflow database at ${describe} refused the login: ${(e as Error).message}`, {
      hint: "check the user and password in the credentials file (or PGPASSFILE)",
      cause: e,
    });
  }
  return e;
}

/** The schema version a database is at (the number of applied migrations). */
export async function readSchemaVersion(store: Store): Promise<number> {
  return (await appliedMigrations(store.knex)).length;
}

function openSqlite(workspace: string, migrate: boolean, retry: RetryPolicy, readOnly: boolean): Store {
  const dir = resolve(workspace);
  const file = join(dir, SQLITE_FILE);
  if (!migrate && !existsSync(file)) {
    // Do not leave an empty database behind for a launcher or a typo'd workspace.
    throw new SchemaVersionError(`no workflow database at ${file} (schema version 0, this spruce needs ${schemaVersion()})`);
  }
  mkdirSync(dir, { recursive: true });
  const knex = createKnex({
    client: "better-sqlite3",
    connection: { filename: file, options: { readonly: readOnly } },
    useNullAsDefault: true,
    pool: {
      // Pragmas are per connection, so they are set on each one the pool creates. busy_timeout comes
      // first: switching to WAL may itself wait for another process's lock.
      afterCreate(conn: BetterSqlite3.Database, done: (err: Error | null, conn: BetterSqlite3.Database) => void) {
        try {
          conn.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
          // A read-only connection changes nothing: the writers set WAL mode (it is kept in the file),
          // and in WAL mode its reads take no lock that a writer waits for.
          if (!readOnly) {
            conn.pragma("journal_mode = WAL");
            conn.pragma("foreign_keys = ON");
            conn.pragma("synchronous = NORMAL");
          }
          cachePreparedStatements(conn);
          done(null, conn);
        } catch (e) {
          // knex drops a connection that failed here without closing it; left open, a file that
          // is not a database would keep the -wal and -shm files WAL mode created next to it.
          conn.close();
          done(e as Error, conn);
        }
      },
    },
    log: quietKnexLog,
  });
  return { knex, dialect: "sqlite", describe: file, scriptEnv: scriptEnvOf({ workspace }), retry, close: () => knex.destroy() };
}

/** Statements kept per SQLite connection: the launcher's loop uses a handful, the CLI a few dozen. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * knex prepares every query anew, which is a good part of a small query's cost (bench/dispatch:
 * ~0.15 ms of the launcher's time per evaluation). better-sqlite3 statements can be run again with
 * other bindings, and SQLite re-prepares them by itself after a schema change, so each connection
 * keeps its most recent statements by SQL text.
 */
function cachePreparedStatements(conn: BetterSqlite3.Database): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, BetterSqlite3.Statement>();
  conn.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (statement) cache.delete(sql); // re-inserted below: the Map's order is recency
    else statement = prepare(sql);
    cache.set(sql, statement);
    if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    return statement;
  }) as typeof conn.prepare;
}

function openPostgresUrl(databaseUrl: string, retry: RetryPolicy, readOnly: boolean): Store {
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ValidationError(`unsupported database URL '${redact(databaseUrl)}'`, "use postgres://user@host:port/dbname, or a workspace for SQLite");
  }
  return postgresStore({ connectionString: databaseUrl }, redact(databaseUrl), scriptEnvOf({ databaseUrl }), retry, readOnly);
}

function openPostgresFile(file: string, retry: RetryPolicy, readOnly: boolean): Store {
  const path = resolve(file);
  const c = readCredentials(path);
  const describe = `postgres://${c.user}@${c.host}:${c.port}/${c.database} (credentials in ${path})`;
  return postgresStore(
    { host: c.host, port: c.port, user: c.user, password: c.password, database: c.database },
    describe,
    scriptEnvOf({ credentialsFile: path }),
    retry,
    readOnly,
  );
}

/**
 * knex prints "Connection Error: ..." for every dropped pooled connection and "Acquire connection
 * error: ..." with a stack for a failed connect, on stdout by default. The error itself reaches the
 * caller (the retry loop logs a loss once per retry; a failed first contact becomes one line), so
 * those are dropped; anything else knex warns about goes to stderr (stdout carries command output).
 */
const quietKnexLog = {
  warn: (message: unknown) => {
    if (!/^(Connection Error|Acquire connection error)/.test(String(message))) process.stderr.write(`knex: ${String(message)}\n`);
  },
  error: (message: unknown) => {
    if (!/^(Connection Error|Acquire connection error)/.test(String(message))) process.stderr.write(`knex: ${String(message)}\n`);
  },
};

/** Connections per process: a launcher runs one statement at a time, plus its heartbeat. */
const PG_POOL_MAX = 3;

/** A read-only session's statements end after this long: a reader must stay short (see OpenOptions). */
const READ_ONLY_STATEMENT_TIMEOUT_MS = 10_000;

function postgresStore(connection: Knex.PgConnectionConfig, describe: string, scriptEnv: Record<string, string> | null, retry: RetryPolicy, readOnly = false): Store {
  const knex = createKnex({
    client: "pg",
    connection: {
      ...connection,
      application_name: readOnly ? "spruce-reader" : "spruce",

      // A host that vanished (node failure, partition) must fail the connect, not hang it: the
      // error is transient and the store retries.
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
    },
    // min 0 and a short idle timeout: an idle launcher holds no server connection between ticks, so
    // many nodes fit under max_connections.
    pool: {
      min: 0,
      max: PG_POOL_MAX,
      idleTimeoutMillis: 10_000,
      // Set per session, not as startup options: a URL's own `options` parameter would replace those.
      ...(readOnly
        ? {
            afterCreate(conn: { query(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) {
              conn.query(`SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY; SET statement_timeout = ${READ_ONLY_STATEMENT_TIMEOUT_MS}`, (err) => done(err, conn));
            },
          }
        : {}),
    },
    log: quietKnexLog,
  });
  return { knex, dialect: "postgres", describe, scriptEnv, retry, close: () => knex.destroy() };
}

/**
 * The environment with which a batch job opens the database at location (Store.scriptEnv): file
 * names, never a password, so rendered scripts can be read by anyone who can read the job.
 */
export function scriptEnvOf(location: StoreLocation): Record<string, string> | null {
  if ("workspace" in location) return { SPRUCE_WORKSPACE: resolve(location.workspace) };
  if ("credentialsFile" in location) return { SPRUCE_DATABASE_FILE: resolve(location.credentialsFile) };
  if (/\/\/[^:@/]*:[^@/]*@/.test(location.databaseUrl)) return null;
  // Without an inline password, pg reads PGPASSFILE (or ~/.pgpass): a batch job needs the same one.
  const env: Record<string, string> = { SPRUCE_DATABASE_URL: location.databaseUrl };
  if (process.env.PGPASSFILE) env.PGPASSFILE = resolve(process.env.PGPASSFILE);
  return env;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

async function appliedMigrations(knex: Knex): Promise<string[]> {
  if (!(await knex.schema.hasTable(MIGRATIONS_TABLE))) return [];
  const rows: { name: string }[] = await knex(MIGRATIONS_TABLE).select("name").orderBy("id");
  return rows.map((r) => r.name);
}

function assertNotNewer(applied: string[], describe: string): void {
  const known = new Set(migrations.map((m) => m.name));
  const unknown = applied.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new SchemaVersionError(
      `the database at ${describe} has a newer schema than this spruce (unknown migration ${unknown.join(", ")}; ` +
        `this spruce knows version ${schemaVersion()})`,
      "upgrade spruce (on the login node and in the environment of the batch jobs) to the version that wrote it",
    );
  }
}

function assertCurrent(applied: string[], describe: string): void {
  assertNotNewer(applied, describe);
  if (applied.length < schemaVersion()) {
    throw new SchemaVersionError(
      `the database at ${describe} has schema version ${applied.length}, this spruce needs ${schemaVersion()}`,
    );
  }
}
