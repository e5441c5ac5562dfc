// Issue 7 on the test bed's 3 emulated Slurm nodes with PostgreSQL: serial mode with one agent per
// extra node (results show n1, n2 and n3 in m:host), and mpi mode with --nodes-per-eval 1 running
// three 2-rank evaluations at a time through srun.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { findOnPath } from "../../src/schedulers/index.js";
import { readCsvRecords } from "../../src/results/csv.js";
import { fixture, ROOT, spruce, tempWorkspace } from "../helpers/cli.js";
import { getWorkflow, listEvaluations, openStore } from "../../src/store/index.js";
import type { EvaluationRow } from "../../src/store/types.js";
import { PG, testDatabaseUrl } from "../helpers/pg.js";

const hasSlurm = findOnPath("sbatch", process.env.PATH ?? "") !== null && spawnSync("scontrol", ["ping"], { encoding: "utf8" }).stdout?.includes("UP") === true;
const nodes = spawnSync("sinfo", ["-h", "-N", "-o", "%N"], { encoding: "utf8" }).stdout?.trim().split("\n").filter(Boolean).length ?? 0;
const ready = hasSlurm && nodes >= 3 && PG !== null;
const inCi = Boolean(process.env.CI);
const START = "run 'bash scripts/testbed.sh install && bash scripts/testbed.sh up' (3 Slurm nodes and PostgreSQL)";
if (!ready && !inCi) process.stderr.write(`test/e2e/slurm-multinode.test.ts skipped: ${START}\n`);

const ws = tempWorkspace("spruce-multinode-");
let allPassed = true;
afterEach((ctx) => {
  if (ctx.task.result?.state === "fail") allPassed = false;
});
afterAll(() => {
  if (allPassed) ws.cleanup();
});
const env = { OMPI_ALLOW_RUN_AS_ROOT: "1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: "1" };

function submit(name: string, url: string, extra: string[]) {
  return spruce(["--workspace", ws.dir, "--database-url", url, "submit", "hps", name, "--scheduler", "slurm", "-q", process.env.SLURM_PARTITION ?? "debug",
    "-n", "3", "-t", "5", ...(extra.includes("--searcher") ? [] : ["--searcher", "random"]), "--wait", "--wait-timeout", "150", ...extra], { env, timeoutMs: 180_000 });
}

async function rowsOf(url: string, name: string): Promise<EvaluationRow[]> {
  const store = await openStore({ databaseUrl: url });
  try {
    return await listEvaluations(store, (await getWorkflow(store, name))!.id);
  } finally {
    await store.close();
  }
}

/** The most evaluations that ran at the same moment. */
function peakConcurrency(rows: Record<string, string>[]): number {
  const edges = rows.flatMap((r) => [[Number(r["m:timestamp_start"]), 1], [Number(r["m:timestamp_end"]), -1]] as [number, number][]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, d] of edges) peak = Math.max(peak, (now += d));
  return peak;
}

describe("multi-node test bed", () => {
  it.runIf(!ready && inCi)("is running (CI never skips the multi-node tests)", () => {
    expect.fail(`need 3 Slurm nodes and PostgreSQL: ${START}`);
  });
});

describe.skipIf(!ready && !inCi)("launcher across the 3 nodes of a Slurm allocation", () => {
  it("serial mode: agents run evaluations on n1, n2 and n3", { timeout: 200_000 }, async () => {
    const url = await testDatabaseUrl();
    const r = submit("serial3", url, ["-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--evals-per-node", "2", "--max-evals", "18"]);
    expect(r.code, r.stderr).toBe(0);
    const csv = readCsvRecords(join(ws.dir, "data/serial3/results.csv"));
    expect(csv).toHaveLength(18);
    expect(csv.every((c) => c.status === "DONE")).toBe(true);
    expect(new Set(csv.map((c) => c.eval_id)).size).toBe(18);
    expect(new Set(csv.map((c) => c["m:host"]))).toEqual(new Set(["n1", "n2", "n3"]));
    const status = JSON.parse(spruce(["--workspace", ws.dir, "--database-url", url, "status", "serial3", "--json"]).stdout);
    expect(status.counts).toMatchObject({ DONE: 18, RUNNING: 0, READY: 0 });
  });

  it("serial mode with asha: agents stream reports, the leader stops weak runs on every node", { timeout: 200_000 }, async () => {
    const url = await testDatabaseUrl();
    const r = submit("asha3", url, ["--hp", "x=0:9", "y=a,b", "-r", join(ROOT, "test/fixtures/runs/curve.mjs"), "--evals-per-node", "2",
      "--searcher", "asha", "--max-length", "27", "--divisor", "3", "--mode", "aggressive", "--max-evals", "20"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = await rowsOf(url, "asha3");
    expect(rows.filter((row) => row.state !== "DONE").map((row) => `${row.id} ${row.state} ${row.error}`)).toEqual([]);
    expect(new Set(rows.map((row) => row.fidelity!.trial)).size).toBe(20);
    const top = rows.sort((a, b) => (b.objective ?? 0) - (a.objective ?? 0))[0]!;
    expect(top.point).toEqual({ x: 7, y: "b" });
    expect(top.metrics).toMatchObject({ length: 27 });
    // Early stopping happened, and on the agents' nodes too (their runs stopped through the database).
    const trained = rows.reduce((n, row) => n + Number(row.metrics!.length) - row.fidelity!.fromLength, 0);
    expect(trained).toBeLessThan(270);
    const stoppedOn = new Set(rows.filter((row) => row.metrics!.stopped !== undefined).map((row) => row.hosts![0]));
    expect([...stoppedOn].filter((h) => h !== "n1").length, `stopped on ${[...stoppedOn]}`).toBeGreaterThan(0);
  });

  it("serial mode with a custom method's onReport: its stops reach runs on other nodes", { timeout: 200_000 }, async () => {
    const url = await testDatabaseUrl();
    const weak = [0, 1, 2].flatMap((x) => [{ x, y: "a" }]);
    const strong = [5, 6, 7].map((x) => ({ x, y: "b" }));
    // The strong runs first, slow (4 s): they hold the leader's two slots while the agents start and take the weak ones.
    const r = submit("stops3", url, ["--hp", "x=0:9", "y=a,b", "--command", `CURVE_SLEEP=0.2 sh ${join(ROOT, "test/fixtures/runs/curve.sh")} {{x}} {{y}}`, "--evals-per-node", "2",
      "--searcher", "custom", "--search-method", join(ROOT, "test/fixtures/methods/report-stopper.mjs"),
      "--method-args", JSON.stringify({ points: [...strong, ...weak], threshold: 0.3 }), "--max-evals", "6"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = await rowsOf(url, "stops3");
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row.state).toBe(row.point.y === "a" ? "KILLED" : "DONE");
    // Stops reached runs on the agents' nodes (how the 6 runs spread over the nodes varies).
    expect(rows.filter((row) => row.state === "KILLED" && row.hosts![0] !== "n1").length, JSON.stringify(rows.map((row) => [row.id, row.state, row.hosts, row.point]))).toBeGreaterThan(0);
  });

  it("mpi mode: one node per evaluation, three 2-rank evaluations at a time through srun", { timeout: 200_000 }, async () => {
    const url = await testDatabaseUrl();
    const r = submit("mpi3", url, ["-p", fixture("mpi-run/problem.ts"), "-r", fixture("mpi-run/run.ts"), "-j", "mpi", "--nodes-per-eval", "1", "--ranks-per-node", "2", "--max-evals", "6"]);
    expect(r.code, r.stderr).toBe(0);
    const csv = readCsvRecords(join(ws.dir, "data/mpi3/results.csv"));
    expect(csv).toHaveLength(6);
    for (const c of csv) {
      expect(c.status).toBe("DONE");
      expect(Number(c.objective)).toBeCloseTo(Number(c["p:x"]) + 20, 9); // rank 0 of 2 reported
    }
    expect(new Set(csv.map((c) => c["m:host"]))).toEqual(new Set(["n1", "n2", "n3"]));
    expect(peakConcurrency(csv)).toBe(3);
  });
});
