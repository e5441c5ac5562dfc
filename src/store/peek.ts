// Reading a workspace's SQLite database without changing it: opened read-only, never created. For
// shell completion, which runs on every TAB in whatever folder the shell is in, and for
// `spruce doctor`'s check that the SQLite driver (a native addon) loads on this machine. The driver
// is loaded on use (synchronously: yargs's completion callback is), so other commands need not.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type BetterSqlite3 from "better-sqlite3";
import { SQLITE_FILE } from "./connection.js";

function driver(): typeof BetterSqlite3 {
  // better-sqlite3 reads this when its addon loads: SQLite then takes file: URIs (immutable=1 below).
  process.env.SQLITE_USE_URI ??= "1";
  return createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
}

/**
 * Loads the SQLite driver's native addon (it is loaded lazily, on the first open) and returns
 * SQLite's version; throws when the addon is missing or was built for another Node.
 */
export function sqliteDriverVersion(): string {
  const Database = driver();
  const db = new Database(":memory:");
  try {
    return (db.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v;
  } finally {
    db.close();
  }
}

/** The names of the workflows in a workspace's SQLite database; [] when it has none (or no database). */
export function peekWorkflowNames(workspace: string): string[] {
  const file = join(workspace, SQLITE_FILE);
  if (!existsSync(file)) return [];
  const Database = driver();
  // Without a -wal file no connection is open and every row is in the main file: read it as
  // immutable, which creates nothing. A read-only open of a WAL database would otherwise create
  // the -wal and -shm companions, and leave them behind.
  const name = existsSync(`${file}-wal`) ? file : `${pathToFileURL(file).href}?immutable=1`;
  const db = new Database(name, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 1000");
    return (db.prepare("SELECT name FROM workflows ORDER BY id").all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}
