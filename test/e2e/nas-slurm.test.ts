// A neural architecture search on the test bed's 3 emulated Slurm nodes with PostgreSQL: regevo
// in serial mode with agents on n2 and n3 exhausts a 12-architecture space (each architecture
// once, every run checking that its decoded architecture matches its arch_seq), results.csv's
// p:arch_seq, and the report's architecture diagrams; agebo on the same allocation.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { findOnPath } from "../../src/schedulers/index.js";
import { readCsvRecords } from "../../src/results/csv.js";
import { fixture, ROOT, spruce, tempWorkspace } from "../helpers/cli.js";
import { PG, testDatabaseUrl } from "../helpers/pg.js";

const hasSlurm = findOnPath("sbatch", process.env.PATH ?? "") !== null && spawnSync("scontrol", ["ping"], { encoding: "utf8" }).stdout?.includes("UP") === true;
const nodes = spawnSync("sinfo", ["-h", "-N", "-o", "%N"], { encoding: "utf8" }).stdout?.trim().split("\n").filter(Boolean).length ?? 0;
const ready = hasSlurm && nodes >= 3 && PG !== null;
const inCi = Boolean(process.env.CI);
const START = "run 'bash scripts/testbed.sh install && bash scripts/testbed.sh up' (3 Slurm nodes and PostgreSQL)";
if (!ready && !inCi) process.stderr.write(`test/e2e/nas-slurm.test.ts skipped: ${START}\n`);

const ws = tempWorkspace("spruce-nas-slurm-");
let allPassed = true;
afterEach((ctx) => {
  if (ctx.task.result?.state === "fail") allPassed = false;
});
afterAll(() => {
  if (allPassed) ws.cleanup();
});

describe("multi-node test bed", () => {
  it("is running (CI never skips the NAS Slurm test)", () => {
    if (!ready && inCi) expect.fail(`need 3 Slurm nodes and PostgreSQL: ${START}`);
  });
});

describe.skipIf(!ready && !inCi)("a NAS search across the 3 nodes of a Slurm allocation", () => {
  it("regevo: agents on n2 and n3, every architecture once, arch_seq in results.csv, diagrams in the report", { timeout: 240_000 }, async () => {
    const url = await testDatabaseUrl();
    const r = spruce(["--workspace", ws.dir, "--database-url", url, "submit", "nas", "nas3", "-p", fixture("nas/tiny.ts"), "-r", fixture("nas/tiny-run-slow.ts"),
      "--scheduler", "slurm", "-q", process.env.SLURM_PARTITION ?? "debug", "-n", "3", "-t", "5", "--searcher", "regevo", "--population-size", "4", "--sample-size", "2",
      "--evals-per-node", "2", "--max-evals", "30", "--seed", "11", "--wait", "--wait-timeout", "180"], { timeoutMs: 220_000 });
    expect(r.code, r.stderr).toBe(0);
    const results = join(ws.dir, "data/nas3");
    const csv = readCsvRecords(join(results, "results.csv"));
    // The 12 architectures, each once: the search ends exhausted below its budget of 30.
    expect(csv).toHaveLength(12);
    expect(csv.filter((row) => row.status !== "DONE")).toEqual([]);
    expect(new Set(csv.map((row) => row["p:arch_seq"])).size).toBe(12);
    expect(new Set(csv.map((row) => row["m:host"]))).toEqual(new Set(["n1", "n2", "n3"]));
    const html = readFileSync(join(results, "report.html"), "utf8");
    expect(html).toMatch(/<section id="architectures">[\s\S]*evaluation \d+, objective 4, arch_seq \[1,2,1\]/);
    const arch = spruce(["--workspace", ws.dir, "--database-url", url, "arch", "nas3", "--json"]);
    expect(arch.code, arch.stderr).toBe(0);
    expect(JSON.parse(arch.stdout)).toMatchObject({ objective: 4, arch_seq: [1, 2, 1] });
  });

  it("agebo: the polynome2-nas example on 3 nodes", { timeout: 300_000 }, async () => {
    const url = await testDatabaseUrl();
    const r = spruce(["--workspace", ws.dir, "--database-url", url, "submit", "nas", "agebo3", "-p", join(ROOT, "examples/polynome2-nas/problem.ts"), "-r", join(ROOT, "examples/polynome2-nas/run.ts"),
      "--scheduler", "slurm", "-q", process.env.SLURM_PARTITION ?? "debug", "-n", "3", "-t", "5", "--searcher", "agebo", "--population-size", "4", "--sample-size", "2",
      "--max-evals", "9", "--seed", "3", "--wait", "--wait-timeout", "240"], { env: { EPOCHS: "2" }, timeoutMs: 280_000 });
    expect(r.code, r.stderr).toBe(0);
    const csv = readCsvRecords(join(ws.dir, "data/agebo3/results.csv"));
    expect(csv).toHaveLength(9);
    expect(csv.filter((row) => row.status === "DONE").length).toBeGreaterThan(0);
    expect(new Set(csv.map((row) => row["m:host"]))).toEqual(new Set(["n1", "n2", "n3"]));
    for (const row of csv) expect(JSON.parse(row["p:arch_seq"]!)).toHaveLength(6);
  });
});
