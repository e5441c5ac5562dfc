// Doctor checks of the workflow database: the SQLite driver loads, the workspace's file system
// suits SQLite (not a network or parallel one), and the database (SQLite file or PostgreSQL
// server) opens at the schema version this Spruce needs.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isSpruceError, SchemaVersionError } from "../errors.js";
import { listWorkflows, openStore, readSchemaVersion, schemaVersion, sqliteDriverVersion, SQLITE_FILE, type StoreLocation } from "../store/index.js";
import { fail, ok, warn, type CheckResult } from "./check.js";
import { existingRealPath, isNetworkFileSystem, mountOf, mountsFile, parseMounts } from "./mounts.js";

export async function checkSqliteDriver(): Promise<CheckResult> {
  try {
    return ok("sqlite", `better-sqlite3 loads (SQLite ${sqliteDriverVersion()})`);
  } catch (e) {
    return fail(
      "sqlite",
      `the SQLite driver (better-sqlite3, a native addon) does not load: ${(e as Error).message.split("\n")[0]}`,
      "reinstall spruce-hps letting npm run better-sqlite3's install script (npm install -g --allow-scripts=better-sqlite3 ...); it needs a C++ compiler, make and python3 where no prebuilt binary downloads",
    );
  }
}

/** SQLite's file locking is not reliable on network and parallel file systems (NFS, Lustre, GPFS). */
export function checkWorkspaceFileSystem(workspace: string, env: NodeJS.ProcessEnv = process.env): CheckResult {
  const file = mountsFile(env);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return warn("filesystem", `cannot read the mount table ${file} (${(e as Error).message}): the workspace's file system is unknown`, "keep the SQLite workspace on a local disk, or use PostgreSQL (--db-dir DIR)");
  }
  const path = existingRealPath(workspace);
  const mount = mountOf(path, parseMounts(text));
  if (!mount) return warn("filesystem", `${path} is under no mount point of ${file}`, "keep the SQLite workspace on a local disk, or use PostgreSQL (--db-dir DIR)");
  const where = `the workspace ${workspace} is on ${mount.fsType} (${mount.mountPoint})`;
  if (isNetworkFileSystem(mount.fsType)) {
    return warn(
      "filesystem",
      `${where}, a network file system where SQLite's locks are not reliable`,
      "put the workspace on a local disk (--workspace or SPRUCE_WORKSPACE), or use PostgreSQL: 'spruce db init DIR', 'spruce db start DIR', then --db-dir DIR",
    );
  }
  return ok("filesystem", `${where}, a local file system`);
}

/** Opens the database as every command does (no migration) and reads its schema version. */
export async function checkDatabase(location: StoreLocation): Promise<CheckResult> {
  if ("workspace" in location && !existsSync(join(location.workspace, SQLITE_FILE))) {
    return ok("database", `no SQLite database in ${location.workspace} yet: the first 'spruce submit' there creates it`);
  }
  const kind = "workspace" in location ? "SQLite" : "PostgreSQL";
  let store;
  try {
    // No retries: a server that does not answer is the finding, not something to wait out.
    store = await openStore(location, { retryMs: 0 });
  } catch (e) {
    const message = (e as Error).message.split("\n")[0]!;
    if (e instanceof SchemaVersionError) return fail("database", message, e.hint ?? "run 'spruce db migrate'");
    return fail("database", `${kind}: ${message}`, isSpruceError(e) && e.hint ? e.hint : "check the database URL, the server and the credentials");
  }
  try {
    const version = await readSchemaVersion(store);
    const workflows = (await listWorkflows(store)).length;
    return ok("database", `${kind} ${store.describe}: schema version ${version} (current: ${schemaVersion()}), ${workflows} workflow(s)`);
  } catch (e) {
    return fail("database", `${kind} ${store.describe}: ${(e as Error).message.split("\n")[0]}`, "check the server's log and the user's privileges");
  } finally {
    await store.close();
  }
}
