// What every command shares: the global options and opening the workflow database from them.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { NotFoundError } from "../errors.js";
import { resolveWorkspace } from "../util/paths.js";
import { openStore, SQLITE_FILE, type Store } from "../store/index.js";

export interface GlobalArgs {
  workspace?: string;
  databaseUrl?: string;
  verbose?: boolean;
}

/** The database selected by --database-url / SPRUCE_DATABASE_URL, else the workspace's SQLite file. */
export async function openStoreFor(argv: GlobalArgs, opts: { migrate?: boolean } = {}): Promise<Store> {
  const url = argv.databaseUrl ?? process.env.SPRUCE_DATABASE_URL;
  if (url) return openStore({ databaseUrl: url }, opts);
  const workspace = resolveWorkspace(argv.workspace);
  if (!opts.migrate && !hasDatabase(argv)) {
    throw new NotFoundError(
      `no workflow database in ${workspace}`,
      "submit a search first, or point --workspace (or SPRUCE_WORKSPACE) at the workspace you submitted from",
    );
  }
  return openStore({ workspace }, opts);
}

/** False only for a workspace that has no SQLite database yet (a PostgreSQL URL always "has" one). */
export function hasDatabase(argv: GlobalArgs): boolean {
  if (argv.databaseUrl ?? process.env.SPRUCE_DATABASE_URL) return true;
  return existsSync(join(resolveWorkspace(argv.workspace), SQLITE_FILE));
}

export function workspaceOf(argv: GlobalArgs): string {
  return resolveWorkspace(argv.workspace);
}

/** Runs fn with an open store and always closes it (a dangling pool keeps the process alive). */
export async function withStore<T>(argv: GlobalArgs, fn: (store: Store) => Promise<T>, opts: { migrate?: boolean } = {}): Promise<T> {
  const store = await openStoreFor(argv, opts);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
