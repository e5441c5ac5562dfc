// Opening the workflow database: SQLite (a file in the workspace, better-sqlite3) or PostgreSQL
// (a postgres:// URL, pg), the schema-version gate, and migrations. Everything else in src/store takes
// the Store this returns; callers outside src/store treat store.knex as opaque.
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import knexModule, { type Knex } from "knex";

// knex is CommonJS: Node's ESM loader gives only the default export (vitest would hide that).
const createKnex = knexModule.knex;
import type BetterSqlite3 from "better-sqlite3";
import { migrationConfig, migrations, MIGRATIONS_TABLE, schemaVersion } from "../../db/migrations.js";
import { SchemaVersionError, ValidationError } from "../errors.js";

export type Dialect = "sqlite" | "postgres";

export interface Store {
  knex: Knex;
  dialect: Dialect;
  /** Where the database is, for messages (a PostgreSQL password is never included). */
  describe: string;
  close(): Promise<void>;
}

export type StoreLocation = { workspace: string } | { databaseUrl: string };

/** The SQLite file of a workspace. */
export const SQLITE_FILE = "spruce.db";

/** How long a SQLite statement waits for another process's write lock before failing (ms). */
const SQLITE_BUSY_TIMEOUT_MS = 30_000;

/**
 * Opens the store. Without `migrate`, the schema must be exactly the one this code knows
 * (SchemaVersionError otherwise): launchers never migrate, so a hundred of them starting at once
 * cannot race on DDL. The login node (submit, `spruce db migrate`) passes `migrate: true`.
 */
export async function openStore(location: StoreLocation, mode: { migrate?: boolean } = {}): Promise<Store> {
  const store = "workspace" in location ? openSqlite(location.workspace, mode.migrate === true) : openPostgres(location.databaseUrl);
  try {
    const applied = await appliedMigrations(store.knex);
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

/** The schema version a database is at (the number of applied migrations). */
export async function readSchemaVersion(store: Store): Promise<number> {
  return (await appliedMigrations(store.knex)).length;
}

function openSqlite(workspace: string, migrate: boolean): Store {
  const dir = resolve(workspace);
  const file = join(dir, SQLITE_FILE);
  if (!migrate && !existsSync(file)) {
    // Do not leave an empty database behind for a launcher or a typo'd workspace.
    throw new SchemaVersionError(`no workflow database at ${file} (schema version 0, this spruce needs ${schemaVersion()})`);
  }
  mkdirSync(dir, { recursive: true });
  const knex = createKnex({
    client: "better-sqlite3",
    connection: { filename: file },
    useNullAsDefault: true,
    pool: {
      // Pragmas are per connection, so they are set on each one the pool creates. busy_timeout comes
      // first: switching to WAL may itself wait for another process's lock.
      afterCreate(conn: BetterSqlite3.Database, done: (err: Error | null, conn: BetterSqlite3.Database) => void) {
        try {
          conn.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
          conn.pragma("journal_mode = WAL");
          conn.pragma("foreign_keys = ON");
          conn.pragma("synchronous = NORMAL");
          done(null, conn);
        } catch (e) {
          done(e as Error, conn);
        }
      },
    },
  });
  return { knex, dialect: "sqlite", describe: file, close: () => knex.destroy() };
}

function openPostgres(databaseUrl: string): Store {
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ValidationError(`unsupported database URL '${redact(databaseUrl)}'`, "use postgres://user@host:port/dbname, or a workspace for SQLite");
  }
  // min 0: an idle launcher holds no server connection between ticks.
  const knex = createKnex({ client: "pg", connection: databaseUrl, pool: { min: 0, max: 10 } });
  return { knex, dialect: "postgres", describe: redact(databaseUrl), close: () => knex.destroy() };
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
