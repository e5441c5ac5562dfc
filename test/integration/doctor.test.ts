// `spruce doctor` run as a user does (the built CLI in a subprocess): the JSON for scripts, the
// text lines with their fixes, exit 1 only when a check fails; a workspace on a file system the
// mount table calls NFS, a PostgreSQL URL where nothing listens, the forced fallback spawner, a
// PATH without scheduler, MPI or Python. The test bed's Slurm allocation and PostgreSQL server are
// in test/e2e/doctor.test.ts.
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { spruce, tempWorkspace } from "../helpers/cli.js";

interface Check {
  check: string;
  level: "ok" | "warn" | "fail";
  message: string;
  fix?: string;
}

const ws = tempWorkspace("spruce-doctor-");
afterAll(() => ws.cleanup());

/** The environment of a login node outside any batch job. */
function outsideJob(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(SLURM_|PBS_|COBALT_|LSB_|SPRUCE_)/.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

function doctor(args: string[], env: Record<string, string>) {
  // env replaces the whole environment: spruce() merges it over process.env, so blank the rest.
  const blanked = Object.fromEntries(Object.keys(process.env).filter((k) => !(k in env)).map((k) => [k, ""]));
  const r = spruce(["doctor", ...args], { env: { ...blanked, ...env }, cwd: ws.dir });
  return r;
}

function checks(stdout: string): Map<string, Check> {
  const parsed = JSON.parse(stdout) as { ok: boolean; version: string; checks: Check[] };
  return new Map(parsed.checks.map((c) => [c.check, c]));
}

/** A TCP port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("spruce doctor", () => {
  it("--json: every check with its level, ok overall for a fresh workspace; exit 0", () => {
    const workspace = join(ws.dir, "fresh");
    const r = doctor(["--json", "--workspace", workspace], outsideJob());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout) as { ok: boolean; version: string };
    expect(parsed).toMatchObject({ ok: true, version: "0.1.0" });
    const c = checks(r.stdout);
    expect([...c.keys()].slice(0, 9)).toEqual(["node", "spawner", "scheduler", "allocation", "mpi", "sqlite", "filesystem", "database", "python"]);
    expect(c.get("node")).toMatchObject({ level: "ok", message: `Node ${process.versions.node} (20.19.0 or later needed)` });
    expect(c.get("spawner")).toMatchObject({ level: "ok", message: expect.stringMatching(/^compiled: .*dist\/launcher\/executor\/forkserver$/) });
    expect(c.get("allocation")).toMatchObject({ level: "ok", message: expect.stringMatching(/^not inside a batch allocation: evaluations run on this host/) });
    expect(c.get("sqlite")).toMatchObject({ level: "ok", message: expect.stringMatching(/^better-sqlite3 loads \(SQLite 3\.\d+/) });
    expect(c.get("database")).toMatchObject({ level: "ok", message: `no SQLite database in ${workspace} yet: the first 'spruce submit' there creates it` });
  });

  it("reads the schema version of an existing SQLite database", async () => {
    const workspace = join(ws.dir, "existing");
    await (await openStore({ workspace }, { migrate: true })).close();
    const c = checks(doctor(["--json", "--workspace", workspace], outsideJob()).stdout);
    expect(c.get("database")).toMatchObject({ level: "ok", message: expect.stringMatching(/^SQLite .*existing\/spruce\.db: schema version (\d+) \(current: \1\), 0 workflow\(s\)$/) });
  });

  it("warns, with the fix, when the workspace is on a file system the mount table calls NFS", () => {
    const mounts = join(ws.dir, "mounts");
    const shared = join(ws.dir, "shared");
    mkdirSync(shared);
    writeFileSync(mounts, `proc /proc proc rw 0 0\n/dev/vda1 / ext4 rw 0 0\nfiler:/export/home ${shared} nfs4 rw,vers=4.2 0 0\n`);
    const env = outsideJob({ SPRUCE_MOUNTS_FILE: mounts });
    const c = checks(doctor(["--json", "--workspace", join(shared, ".spruce")], env).stdout);
    expect(c.get("filesystem")).toMatchObject({
      level: "warn",
      message: `the workspace ${join(shared, ".spruce")} is on nfs4 (${shared}), a network file system where SQLite's locks are not reliable`,
      fix: expect.stringMatching(/use PostgreSQL: 'spruce db init DIR'/),
    });
    // A warning is not a failure: the text says it with the fix under it, and the exit code is 0.
    const text = doctor(["--workspace", join(shared, ".spruce")], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^spruce-hps 0\.1\.0\n/);
    expect(text.stdout).toContain(`warn  filesystem: the workspace ${join(shared, ".spruce")} is on nfs4`);
    expect(text.stdout).toMatch(/\n {6}fix: put the workspace on a local disk/);
    expect(text.stdout).toMatch(/^ok {4}node: Node /m);
    // The same workspace on the kernel's own table is on a local file system.
    expect(checks(doctor(["--json", "--workspace", join(shared, ".spruce")], outsideJob()).stdout).get("filesystem")).toMatchObject({ level: "ok" });
  });

  it("fails, exit 1, when PostgreSQL does not answer at the URL given; SQLite is then not checked", async () => {
    const url = `postgres://spruce@127.0.0.1:${await closedPort()}/spruce`;
    for (const how of [["--database-url", url], []]) {
      const r = doctor(["--json", ...how], outsideJob(how.length === 0 ? { SPRUCE_DATABASE_URL: url } : {}));
      expect(r.code).toBe(1);
      expect(r.stderr).toBe("");
      const c = checks(r.stdout);
      expect(JSON.parse(r.stdout).ok).toBe(false);
      expect(c.get("database")).toMatchObject({
        level: "fail",
        message: expect.stringMatching(/^PostgreSQL: cannot reach the workflow database at postgres:\/\/spruce@127\.0\.0\.1:\d+\/spruce: connect ECONNREFUSED/),
        fix: "is the server running, and are the host and port right? a managed one starts with 'spruce db start DIR'",
      });
      expect(c.has("sqlite")).toBe(false);
      expect(c.has("filesystem")).toBe(false);
    }
  });

  it("warns when SPRUCE_SPAWNER=node forces the fallback spawner", () => {
    const c = checks(doctor(["--json", "--workspace", ws.dir], outsideJob({ SPRUCE_SPAWNER: "node" })).stdout);
    expect(c.get("spawner")).toMatchObject({ level: "warn", message: "SPRUCE_SPAWNER=node: launchers will use the Node fallback spawner, which starts evaluations more slowly" });
  });

  it("on a PATH without scheduler, MPI or Python: local scheduler ok, MPI and Python warnings", () => {
    const empty = join(ws.dir, "empty-bin");
    mkdirSync(empty);
    const r = doctor(["--json", "--workspace", ws.dir], outsideJob({ PATH: empty }));
    expect(r.code).toBe(0);
    const c = checks(r.stdout);
    expect(c.get("scheduler")).toMatchObject({ level: "ok", message: "no batch scheduler commands on PATH (sbatch, qsub, bsub): --scheduler local runs searches on this machine" });
    expect(c.get("mpi")).toMatchObject({ level: "warn", message: expect.stringMatching(/^no MPI launcher found \(tried mpirun, mpiexec, aprun\)/) });
    expect(c.get("python")).toMatchObject({ level: "warn", message: "python3 is not on PATH: Python runs cannot start" });
  });

  it("reports each remote site's host key from its known_hosts, without connecting", () => {
    const config = join(ws.dir, "config");
    const known = join(ws.dir, "known_hosts");
    writeFileSync(known, "");
    const env = outsideJob({ XDG_CONFIG_HOME: config });
    const add = spruce(["site", "add", "far", "--host", "192.0.2.1", "--port", "2222", "--user", "me", "--remote-workspace", "hps", "--known-hosts", known], { env });
    expect(add.code).toBe(0);
    const c = checks(doctor(["--json", "--workspace", ws.dir], env).stdout);
    expect(c.get("site far")).toMatchObject({ level: "warn", message: `me@192.0.2.1:2222: no host key for [192.0.2.1]:2222 in ${known}, so the first connection is refused` });
  });
});
