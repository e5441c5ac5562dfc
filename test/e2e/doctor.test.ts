// `spruce doctor` on the test bed: inside a Slurm allocation of the 3 emulated nodes (the nodes,
// srun as the MPI launcher and its launch command), outside one (Slurm's commands found, no
// allocation), and against the PostgreSQL server: a database without the schema fails with the
// migrate fix, the same database migrated is ok with its schema version.
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { findOnPath } from "../../src/schedulers/index.js";
import { schemaVersion } from "../../src/store/index.js";
import { CLI, spruce, tempWorkspace } from "../helpers/cli.js";
import { PG, testDatabaseUrl } from "../helpers/pg.js";

const hasSlurm = findOnPath("sbatch", process.env.PATH ?? "") !== null && spawnSync("scontrol", ["ping"], { encoding: "utf8" }).stdout?.includes("UP") === true;
const nodes = spawnSync("sinfo", ["-h", "-N", "-o", "%N"], { encoding: "utf8" }).stdout?.trim().split("\n").filter(Boolean).length ?? 0;
const ready = hasSlurm && nodes >= 3 && PG !== null;
const inCi = Boolean(process.env.CI);
const START = "run 'bash scripts/testbed.sh install && bash scripts/testbed.sh up' (3 Slurm nodes and PostgreSQL)";
if (!ready && !inCi) process.stderr.write(`test/e2e/doctor.test.ts skipped: ${START}\n`);

const ws = tempWorkspace("spruce-doctor-e2e-");
afterAll(() => ws.cleanup());

interface Check {
  check: string;
  level: string;
  message: string;
  fix?: string;
}

function checks(stdout: string): Map<string, Check> {
  return new Map((JSON.parse(stdout) as { checks: Check[] }).checks.map((c) => [c.check, c]));
}

/** The environment of the login node, outside any batch job. */
function loginEnv(): Record<string, string> {
  return Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith("SLURM_") && k !== "SLURM_PARTITION").map((k) => [k, ""]));
}

describe("doctor test bed", () => {
  // Always run (never counted as skipped): outside CI a missing test bed only skips the tests below.
  it("is running (CI never skips the doctor's test bed tests)", () => {
    if (!ready && inCi) expect.fail(`need 3 Slurm nodes and PostgreSQL: ${START}`);
  });
});

describe.skipIf(!ready && !inCi)("spruce doctor on the test bed", () => {
  it("outside an allocation: Slurm detected with its commands, no allocation", () => {
    const r = spruce(["doctor", "--json", "--workspace", ws.dir], { env: loginEnv() });
    expect(r.code, r.stderr).toBe(0);
    const c = checks(r.stdout);
    expect(c.get("scheduler")).toMatchObject({ level: "ok", message: expect.stringMatching(/^slurm detected: sbatch \(\/\S+\/sbatch\), squeue \(\S+\), scancel \(\S+\), scontrol \(\S+\)$/) });
    expect(c.get("allocation")).toMatchObject({ level: "ok", message: expect.stringMatching(/^not inside a batch allocation/) });
  });

  it("inside a 3-node Slurm allocation: the nodes, srun, and the launch command", { timeout: 200_000 }, () => {
    const partition = process.env.SLURM_PARTITION ?? "debug";
    // salloc runs the command on this host with the job's variables, as a batch script's shell does.
    const r = spawnSync("salloc", ["-N", "3", "-p", partition, "-t", "3", "--", process.execPath, CLI, "doctor", "--json", "--workspace", ws.dir], {
      env: { ...process.env, ...loginEnv() },
      encoding: "utf8",
      timeout: 180_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const job = /Granted job allocation (\d+)/.exec(r.stderr)?.[1];
    expect(job).toBeDefined();
    const c = checks(r.stdout);
    expect(c.get("allocation")).toEqual({ check: "allocation", level: "ok", message: `inside a slurm allocation (job ${job}): 3 node(s) n[1-3], 1 slot(s) each` });
    expect(c.get("mpi")).toMatchObject({ level: "ok", message: expect.stringMatching(/^srun \(srun\); one rank per node on the 3 nodes starts with: srun -n 3 --ntasks-per-node 1 --nodelist n\[1-3\] -N 3 .*PROGRAM$/) });
  });

  it("PostgreSQL up: a database without the schema fails with the migrate fix; migrated, it is ok", async () => {
    const url = await testDatabaseUrl();
    const before = spruce(["doctor", "--json", "--database-url", url], { env: loginEnv() });
    expect(before.code).toBe(1);
    expect(checks(before.stdout).get("database")).toMatchObject({
      level: "fail",
      message: expect.stringMatching(new RegExp(`has schema version 0, this spruce needs ${schemaVersion()}$`)),
      fix: "run 'spruce db migrate' on the login node",
    });
    expect(spruce(["db", "migrate", "--database-url", url]).code).toBe(0);
    const after = spruce(["doctor", "--json", "--database-url", url], { env: loginEnv() });
    expect(after.code, after.stdout).toBe(0);
    expect(checks(after.stdout).get("database")).toMatchObject({
      level: "ok",
      message: expect.stringMatching(new RegExp(`^PostgreSQL postgres://.*: schema version ${schemaVersion()} \\(current: ${schemaVersion()}\\), 0 workflow\\(s\\)$`)),
    });
  });
});
