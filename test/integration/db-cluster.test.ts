// The managed PostgreSQL cluster through the CLI, as a user runs it: `spruce db init/start/status/
// stop` round trip, the credentials file (0600, password required, scram), `db migrate --db-dir`,
// a clear error without the server programs; and SQLite refused for work on several nodes.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { findPgPrograms } from "../../src/pgcluster/binaries.js";
import { spruce, tempWorkspace, fixture } from "../helpers/cli.js";

const programs = (() => {
  try {
    return findPgPrograms();
  } catch (e) {
    if (process.env.CI === "true") throw e;
    process.stderr.write("managed-cluster tests left out: no initdb/pg_ctl; install the Debian package postgresql\n");
    return null;
  }
})();

/** A folder the postgres user can traverse (mkdtemp makes private ones). */
function clusterParent(): string {
  const dir = mkdtempSync(join(tmpdir(), "spruce-db-"));
  chmodSync(dir, 0o711);
  return dir;
}

async function tryConnect(config: pg.ClientConfig): Promise<unknown> {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const r = await client.query("SELECT current_user AS u");
    return r.rows[0].u as string;
  } catch (e) {
    return e;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe.skipIf(!programs)("spruce db init/start/status/stop", () => {
  it("round trip: a private credentials file, password auth, idempotent start and stop, migrate", { timeout: 120_000 }, async () => {
    const parent = clusterParent();
    const dir = join(parent, "db");
    const init = spruce(["db", "init", dir, "--listen", "127.0.0.1"]);
    expect(init.code, init.stderr).toBe(0);
    const infoFile = join(dir, "server-info.json");
    expect(statSync(infoFile).mode & 0o777).toBe(0o600);
    const info = JSON.parse(readFileSync(infoFile, "utf8")) as Record<string, unknown>;
    expect(info).toMatchObject({ host: "127.0.0.1", user: "spruce", database: "spruce", listen: "127.0.0.1" });
    expect(String(info.password).length).toBeGreaterThanOrEqual(24);
    expect(init.stderr).not.toContain(String(info.password));
    // Password (scram) authentication for every host line; never trust.
    const hba = readFileSync(join(dir, "pg", "data", "pg_hba.conf"), "utf8").split("\n").filter((l) => /^(local|host)/.test(l));
    expect(hba.length).toBeGreaterThan(0);
    expect(hba.every((l) => l.trim().endsWith("scram-sha-256"))).toBe(true);

    // init leaves it stopped.
    expect(spruce(["db", "status", dir]).code).toBe(1);
    const start = spruce(["db", "start", dir]);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stderr).toContain("Started");
    const again = spruce(["db", "start", dir]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("Already running");
    const status = spruce(["db", "status", dir, "--json"]);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout) as Record<string, unknown>;
    expect(s).toMatchObject({ running: true, port: info.port, database: "spruce" });
    expect(status.stdout).not.toContain(String(info.password));

    const target = { host: "127.0.0.1", port: Number(info.port), user: "spruce", database: "spruce" };
    expect(await tryConnect({ ...target, password: String(info.password) })).toBe("spruce");
    expect(await tryConnect({ ...target, password: "wrong" })).toMatchObject({ code: "28P01" });
    expect(await tryConnect(target)).toBeInstanceOf(Error);

    // The schema is there (init migrated it); migrate through --db-dir is a no-op; the environment
    // variable selects it for any command, and nothing is written to SQLite.
    const ws = tempWorkspace();
    const migrate = spruce(["--workspace", ws.dir, "db", "migrate", "--db-dir", dir]);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stderr).toContain("at the current schema");
    const ls = spruce(["--workspace", ws.dir, "ls", "--json"], { env: { SPRUCE_DB_DIR: dir } });
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout)).toEqual([]);
    expect(existsSync(join(ws.dir, "spruce.db"))).toBe(false);
    // A dry run names the credentials file, never the password.
    const dry = spruce(["--workspace", ws.dir, "submit", "hps", "wf", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"),
      "--scheduler", "local", "-n", "2", "--db-dir", dir, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`export SPRUCE_DATABASE_FILE=${infoFile}`);
    expect(dry.stdout).not.toContain(String(info.password));

    const stop = spruce(["db", "stop", dir]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(spruce(["db", "status", dir]).code).toBe(1);
    const stopAgain = spruce(["db", "stop", dir]);
    expect(stopAgain.code).toBe(0);
    expect(stopAgain.stderr).toContain("Not running");
    expect(spruce(["db", "init", dir]).code).toBe(2);
    rmSync(parent, { recursive: true, force: true });
    ws.cleanup();
  });
});

describe("spruce db init without the server programs", () => {
  it("fails with the Debian package to install", () => {
    const parent = clusterParent();
    const r = spruce(["db", "init", join(parent, "db")], { env: { SPRUCE_PG_BINDIR: join(parent, "nothing-here") } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("initdb, pg_ctl");
    expect(r.stderr).toContain("install the Debian package 'postgresql'");
    expect(existsSync(join(parent, "db"))).toBe(false);
    rmSync(parent, { recursive: true, force: true });
  });
});

describe("a database URL with an inline password", () => {
  it("is refused for batch scripts, without echoing the password", () => {
    const ws = tempWorkspace();
    const r = spruce(["--workspace", ws.dir, "--database-url", "postgres://u:hunter2@127.0.0.1:1/x", "submit", "hps", "wf",
      "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--scheduler", "local", "--dry-run"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("carries a password");
    expect(r.stderr).toContain("PGPASSFILE");
    expect(r.stdout + r.stderr).not.toContain("hunter2");
    ws.cleanup();
  });
});

describe("SQLite on several nodes", () => {
  it("is refused at submit (-n 2) and by a launcher in a two-node allocation, with exit 2", () => {
    const ws = tempWorkspace();
    const submit = spruce(["--workspace", ws.dir, "submit", "hps", "wf", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"),
      "--scheduler", "local", "-n", "2"]);
    expect(submit.code).toBe(2);
    expect(submit.stderr).toContain("SQLite");
    expect(submit.stderr).toContain("spruce db init");

    const slurm = { SLURM_JOB_ID: "7", SLURM_JOB_NODELIST: "n[1-2]", SLURM_JOB_CPUS_PER_NODE: "2(x2)", SLURMD_NODENAME: "n1" };
    const launch = spruce(["--workspace", ws.dir, "launch", "wf"], { env: slurm });
    expect(launch.code).toBe(2);
    expect(launch.stderr).toContain("this allocation spans 2 nodes");
    expect(existsSync(join(ws.dir, "spruce.db"))).toBe(false);
    ws.cleanup();
  });
});
