// The PostgreSQL server programs a managed cluster needs (initdb, pg_ctl), and running them as the
// right user. Debian keeps them off PATH in /usr/lib/postgresql/<v>/bin, and `pg_config --bindir`
// may answer /usr/bin (the client package's wrappers), so every candidate is checked for initdb.
// initdb and pg_ctl refuse to run as root: as root they run as the `postgres` system user.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { SpruceError } from "../errors.js";

export interface PgPrograms {
  binDir: string;
  initdb: string;
  pgCtl: string;
}

/** The system user the server runs as when spruce runs as root. */
export const ROOT_SERVER_USER = "postgres";

/**
 * Finds initdb and pg_ctl: SPRUCE_PG_BINDIR alone when set, else `pg_config --bindir`, else the
 * newest /usr/lib/postgresql/<v>/bin, else PATH.
 */
export function findPgPrograms(env: NodeJS.ProcessEnv = process.env): PgPrograms {
  const candidates: string[] = [];
  if (env.SPRUCE_PG_BINDIR) {
    candidates.push(env.SPRUCE_PG_BINDIR);
  } else {
    const pgConfig = spawnSync("pg_config", ["--bindir"], { encoding: "utf8", env });
    if (pgConfig.status === 0 && pgConfig.stdout.trim() !== "") candidates.push(pgConfig.stdout.trim());
    candidates.push(...debianBinDirs());
    candidates.push(...(env.PATH ?? "").split(":").filter((d) => d !== ""));
  }
  for (const dir of candidates) {
    const initdb = join(dir, "initdb");
    const pgCtl = join(dir, "pg_ctl");
    if (existsSync(initdb) && existsSync(pgCtl)) return { binDir: dir, initdb, pgCtl };
  }
  throw new SpruceError(`the PostgreSQL server programs (initdb, pg_ctl) were not found (looked in: ${candidates.join(", ") || "nothing"})`, {
    hint: "install the Debian package 'postgresql' (apt-get install postgresql), or set SPRUCE_PG_BINDIR to the folder holding initdb and pg_ctl",
  });
}

/** /usr/lib/postgresql/<v>/bin, newest version first. */
function debianBinDirs(): string[] {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(root, v, "bin"));
}

export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The user owning the data directory and running the server. */
export function serverUser(): string {
  return runningAsRoot() ? ROOT_SERVER_USER : userInfo().username;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a server program as the server user (through runuser when root); never throws on exit status. */
export function runAsServerUser(program: string, args: readonly string[], opts: { timeoutMs?: number } = {}): RunResult {
  const [cmd, argv] = runningAsRoot() ? ["runuser", ["-u", ROOT_SERVER_USER, "--", program, ...args]] : [program, [...args]];
  const r = spawnSync(cmd, argv, { encoding: "utf8", timeout: opts.timeoutMs ?? 120_000, stdio: ["ignore", "pipe", "pipe"] });
  if (r.error) throw new SpruceError(`could not run ${program}: ${r.error.message}`, { hint: "check the PostgreSQL installation (initdb and pg_ctl must run for your user)" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
