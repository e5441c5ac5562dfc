// Where a running dashboard says where it is: one file per database and login node under the
// user's Spruce config folder (configDir()/dashboards/), mode 0600 in a 0700 folder since it holds
// the token. `spruce dashboard --url` reads it; `spruce --site NAME dashboard` reads it on the far
// side to find the dashboard it may reuse. Home folders are often shared by every login node of a
// cluster, so the file name carries this host's name: each node has its own dashboard.
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import type { StoreLocation } from "../store/index.js";
import { configDir } from "../util/paths.js";
import { isPidAlive } from "../util/process.js";

export interface DashboardRecord {
  /** What the dashboard printed: http://HOST:PORT/?token=HEX */
  url: string;
  host: string;
  port: number;
  token: string;
  pid: number;
  /** This login node's name (the file is only ever read on it). */
  node: string;
  /** The database it serves, for messages. */
  database: string;
  startedAt: string;
}

/** A database's identity independent of how it was named: absolute paths, a URL without its password. */
export function locationKey(location: StoreLocation): string {
  if ("workspace" in location) return `sqlite:${resolve(location.workspace)}`;
  if ("credentialsFile" in location) return `credentials:${resolve(location.credentialsFile)}`;
  return `url:${location.databaseUrl.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1@")}`;
}

export function dashboardsDir(): string {
  return join(configDir(), "dashboards");
}

export function recordFile(location: StoreLocation, node: string = hostname()): string {
  const key = createHash("sha256").update(locationKey(location)).digest("hex").slice(0, 16);
  return join(dashboardsDir(), `${key}-${node.replace(/[^A-Za-z0-9_.-]/g, "_")}.json`);
}

/** The log of a dashboard started with --detach, beside its record. */
export function logFile(location: StoreLocation): string {
  return recordFile(location).replace(/\.json$/, ".log");
}

/** Writes the record atomically (no reader sees half of it), private to the user. */
export function writeRecord(location: StoreLocation, record: DashboardRecord): string {
  const dir = dashboardsDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask and ignored for an existing folder: set it outright.
  chmodSync(dir, 0o700);
  const file = recordFile(location);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 2) + "\n", { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return file;
}

/** The running dashboard of this database on this node; null when none (a stale file is removed). */
export function readRecord(location: StoreLocation): DashboardRecord | null {
  const file = recordFile(location);
  if (!existsSync(file)) return null;
  let record: DashboardRecord;
  try {
    record = JSON.parse(readFileSync(file, "utf8")) as DashboardRecord;
  } catch {
    return null;
  }
  if (typeof record.pid !== "number" || !isPidAlive(record.pid)) {
    rmSync(file, { force: true });
    return null;
  }
  return record;
}

/** Removes the record if it is still this process's (a newer dashboard may have replaced it). */
export function removeRecord(location: StoreLocation, pid: number = process.pid): void {
  const file = recordFile(location);
  try {
    const record = JSON.parse(readFileSync(file, "utf8")) as DashboardRecord;
    if (record.pid === pid) rmSync(file, { force: true });
  } catch {
    // gone already
  }
}
