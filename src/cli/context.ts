// What every command shares: the global options and opening the workflow database from them.
// The database is PostgreSQL when named (flags first, then the environment), else the workspace's
// SQLite file: --database-url, --db-dir (a managed cluster), SPRUCE_DATABASE_URL, SPRUCE_DB_DIR,
// SPRUCE_DATABASE_FILE (a server-info.json or PGPASSFILE). Nothing touches SQLite once PostgreSQL
// is named.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { NotFoundError, ValidationError } from "../errors.js";
import { resolveWorkspace } from "../util/paths.js";
import { openStore, serverInfoPath, SQLITE_FILE, type Store, type StoreLocation } from "../store/index.js";

export interface GlobalArgs {
  workspace?: string;
  databaseUrl?: string;
  /** A managed PostgreSQL cluster (`spruce db init DIR`); only commands that declare --db-dir. */
  dbDir?: string;
  verbose?: boolean;
}

/** The --db-dir option, for the commands that take it (db, submit, launch). */
export const DB_DIR_OPTION = {
  type: "string",
  describe: "a managed PostgreSQL cluster made by 'spruce db init DIR' (env SPRUCE_DB_DIR): use DIR/server-info.json",
} as const;

/** Which database the arguments and environment name. */
export function databaseLocation(argv: GlobalArgs): StoreLocation {
  if (argv.databaseUrl !== undefined && argv.dbDir !== undefined) {
    throw new ValidationError("--database-url and --db-dir both name a database", "give one of them");
  }
  if (argv.databaseUrl) return { databaseUrl: argv.databaseUrl };
  if (argv.dbDir) return { credentialsFile: serverInfoPath(resolve(argv.dbDir)) };
  const env = process.env;
  if (env.SPRUCE_DATABASE_URL) return { databaseUrl: env.SPRUCE_DATABASE_URL };
  if (env.SPRUCE_DB_DIR) return { credentialsFile: serverInfoPath(resolve(env.SPRUCE_DB_DIR)) };
  if (env.SPRUCE_DATABASE_FILE) return { credentialsFile: resolve(env.SPRUCE_DATABASE_FILE) };
  return { workspace: resolveWorkspace(argv.workspace) };
}

export function usesSqlite(argv: GlobalArgs): boolean {
  return "workspace" in databaseLocation(argv);
}

/**
 * Refuses SQLite for work spread over several nodes: its file would sit on a shared filesystem
 * (Lustre, GPFS, NFS) whose locking SQLite cannot rely on, so concurrent writers corrupt it.
 */
export function refuseSqliteForNodes(argv: GlobalArgs, nodes: number, what: string): void {
  if (nodes > 1 && usesSqlite(argv)) {
    throw new ValidationError(
      `${what} spans ${nodes} nodes, but the workflow database is SQLite, which is unsafe for writers on several nodes (shared filesystems do not honour its locks)`,
      "use PostgreSQL: 'spruce db init DIR' and 'spruce db start DIR', then pass --db-dir DIR (or --database-url postgres://...)",
    );
  }
}

/** The selected database; SQLite only if the workspace has one (or `migrate` may create it). */
export async function openStoreFor(argv: GlobalArgs, opts: { migrate?: boolean; readOnly?: boolean; waitForServer?: boolean } = {}): Promise<Store> {
  const location = databaseLocation(argv);
  if ("workspace" in location && !opts.migrate && !hasDatabase(argv)) {
    throw new NotFoundError(
      `no workflow database in ${location.workspace}`,
      "submit a search first, or point --workspace (or SPRUCE_WORKSPACE) at the workspace you submitted from",
    );
  }
  return openStore(location, opts);
}

/** False only for a workspace that has no SQLite database yet (PostgreSQL always "has" one). */
export function hasDatabase(argv: GlobalArgs): boolean {
  const location = databaseLocation(argv);
  return "workspace" in location ? existsSync(join(location.workspace, SQLITE_FILE)) : true;
}

export function workspaceOf(argv: GlobalArgs): string {
  return resolveWorkspace(argv.workspace);
}

/** Runs fn with an open store and always closes it (a dangling pool keeps the process alive). */
export async function withStore<T>(argv: GlobalArgs, fn: (store: Store) => Promise<T>, opts: { migrate?: boolean; waitForServer?: boolean } = {}): Promise<T> {
  const store = await openStoreFor(argv, opts);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
