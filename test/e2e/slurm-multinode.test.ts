// Issue 7 on the test bed's 3 emulated Slurm nodes with PostgreSQL: serial mode with one agent per
// extra node (results show n1, n2 and n3 in m:host), and mpi mode with --nodes-per-eval 1 running
// three 2-rank evaluations at a time through srun; an agent whose spawner dies mid-search, and one
// SIGKILLed (its leader recovers its evaluations and starts a new agent on its node).
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { findOnPath } from "../../src/schedulers/index.js";
import { readCsvRecords } from "../../src/results/csv.js";
import { fixture, ROOT, spruce, spruceAsync, tempWorkspace } from "../helpers/cli.js";
import { expectFinishedOnce } from "../helpers/recovery.js";
import { getWorkflow, listEvaluations, listEvents, listLaunchers, openStore, type Store } from "../../src/store/index.js";
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

/** A live child of `parent` whose command name is `comm`. */
function childNamed(parent: number, comm: string): number | undefined {
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(ppid) === parent && state !== "Z" && readFileSync(`/proc/${d}/comm`, "utf8").trim() === comm) return Number(d);
    } catch {
      // ended while we looked
    }
  }
  return undefined;
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
  // Always run (never counted as skipped): outside CI a missing test bed only skips the tests below.
  it("is running (CI never skips the multi-node tests)", () => {
    if (!ready && inCi) expect.fail(`need 3 Slurm nodes and PostgreSQL: ${START}`);
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

  it("serial mode: an agent whose spawner dies hands its evaluations back, and the search still finishes", { timeout: 200_000 }, async () => {
    const url = await testDatabaseUrl();
    const maxEvals = 12;
    // Not submit(): the agent's spawner is killed while --wait follows the search.
    const following = spruceAsync(["--workspace", ws.dir, "--database-url", url, "submit", "hps", "agentdeath", "--scheduler", "slurm", "-q", process.env.SLURM_PARTITION ?? "debug",
      "-n", "3", "-t", "5", "--searcher", "random", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--evals-per-node", "2",
      "--max-evals", String(maxEvals), "--wait", "--wait-timeout", "150"], { env: { ...env, SPRUCE_TEST_SLEEP_MS: "1500" } });
    // The submission creates the schema of this new database: open it once that is done.
    let store: Store | undefined;
    for (let i = 0; i < 150 && !store; i++) {
      store = await openStore({ databaseUrl: url }).catch(() => undefined);
      if (!store) await new Promise((r) => setTimeout(r, 200));
    }
    if (!store) throw new Error("the submission never created the database schema");
    try {
      // An agent (on n2 or n3, a process of this host) running two evaluations: its spawner is its child.
      let agent: { id: number; pid: number } | undefined;
      let spawner: number | undefined;
      for (let i = 0; i < 600 && spawner === undefined; i++) {
        const wf = await getWorkflow(store, "agentdeath");
        if (wf) {
          const running = await listEvaluations(store, wf.id, { states: ["RUNNING"] });
          for (const l of await listLaunchers(store, wf.id)) {
            if (l.host === "n1" || l.endedAt !== null || running.filter((r) => r.claimedBy === l.id).length < 2) continue;
            spawner = childNamed(l.pid, "forkserver");
            if (spawner !== undefined) agent = l;
          }
        }
        if (spawner === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(spawner, "no agent with two evaluations running").toBeDefined();
      process.kill(spawner!, "SIGKILL");

      const r = await following;
      expect(r.code, r.stderr).toBe(0);
      const wf = (await getWorkflow(store, "agentdeath"))!;
      const rows = await expectFinishedOnce(store, wf.id, maxEvals);
      expect(rows.every((row) => row.state === "DONE")).toBe(true);
      // The killed agent's two evaluations were handed back (attempt 1) and run again elsewhere.
      const events = await Promise.all(rows.map(async (row) => ({ row, events: await listEvents(store, row.id) })));
      const handedBack = events.filter(({ events: ev }) => ev.some((e) => e.note === `recovered: agent ${agent!.id} stopped on an error`));
      expect(handedBack.map(({ row }) => row.attempt)).toEqual([1, 1]);
      const csv = readCsvRecords(join(ws.dir, "data/agentdeath/results.csv"));
      expect(csv).toHaveLength(maxEvals);
    } finally {
      await store.close();
    }
  });

  it("serial mode: a SIGKILLed agent's evaluations are recovered by its leader and its node gets a new agent, in the same job", { timeout: 200_000 }, async () => {
    const url = await testDatabaseUrl();
    const maxEvals = 24;
    const following = spruceAsync(["--workspace", ws.dir, "--database-url", url, "submit", "hps", "agentkill", "--scheduler", "slurm", "-q", process.env.SLURM_PARTITION ?? "debug",
      "-n", "3", "-t", "5", "--searcher", "random", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--evals-per-node", "2",
      "--heartbeat-seconds", "1", "--stale-after-seconds", "5", "--max-evals", String(maxEvals), "--wait", "--wait-timeout", "150"], { env: { ...env, SPRUCE_TEST_SLEEP_MS: "1500" } });
    let store: Store | undefined;
    for (let i = 0; i < 150 && !store; i++) {
      store = await openStore({ databaseUrl: url }).catch(() => undefined);
      if (!store) await new Promise((r) => setTimeout(r, 200));
    }
    if (!store) throw new Error("the submission never created the database schema");
    try {
      // An agent running two evaluations: SIGKILL, nothing handed back by itself.
      let agent: { id: number; pid: number; host: string } | undefined;
      for (let i = 0; i < 600 && !agent; i++) {
        const wf = await getWorkflow(store, "agentkill");
        if (wf) {
          const running = await listEvaluations(store, wf.id, { states: ["RUNNING"] });
          agent = (await listLaunchers(store, wf.id)).find((l) => l.host !== "n1" && l.endedAt === null && running.filter((r) => r.claimedBy === l.id).length === 2);
        }
        if (!agent) await new Promise((r) => setTimeout(r, 100));
      }
      expect(agent, "no agent with two evaluations running").toBeDefined();
      process.kill(agent!.pid, "SIGKILL");
      const killedAt = Date.now();

      const r = await following;
      expect(r.code, r.stderr).toBe(0);
      const wf = (await getWorkflow(store, "agentkill"))!;
      const rows = await expectFinishedOnce(store, wf.id, maxEvals);
      // Recovered by the leader within the stale bound (not by the next job: there is none).
      const events = (await Promise.all(rows.map((row) => listEvents(store!, row.id)))).flat();
      const recovered = events.filter((e) => e.note === `recovered: agent(s) ${agent!.id} stopped heartbeating`);
      expect(recovered).toHaveLength(2);
      for (const e of recovered) expect(e.at - killedAt).toBeLessThan(20_000);
      const status = JSON.parse(spruce(["--workspace", ws.dir, "--database-url", url, "status", "agentkill", "--json"]).stdout);
      expect(status.batch_jobs).toHaveLength(1);
      // A new agent registered on the killed one's node, and ran evaluations there.
      const next = (await listLaunchers(store, wf.id)).find((l) => l.host === agent!.host && l.id > agent!.id);
      expect(next, `no new agent on ${agent!.host}`).toBeDefined();
      expect(rows.filter((row) => row.claimedBy === next!.id).length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
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
