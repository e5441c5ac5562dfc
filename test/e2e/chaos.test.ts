// Chaos on the test bed (bench/chaos/driver.ts; docs/architecture.md, Crash safety): searches on the
// 3 Slurm nodes, serial mode with agents, their own PostgreSQL cluster and the service, while a
// seeded schedule SIGKILLs the leader, an agent, a spawner and an evaluation, scancels the batch
// job, takes a node DOWN and back, restarts PostgreSQL (fast and immediate), pauses it longer than a
// heartbeat and SIGKILLs the service. Each run must finish exactly its budget with every
// evaluation's history legal, results.csv complete, the searcher's state consistent, no evaluation
// failed by a fault not aimed at it, and nothing left running. A failing run prints its seed (rerun
// it with `npm run chaos -- --seed S --searcher X --budget N --repeat R`) and keeps its folder.
// Runs alone, after every other test file (vitest.config.ts): it takes nodes DOWN. SPRUCE_CHAOS_SEEDS
// (e.g. "7,8") replaces the seeds.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { findPgPrograms } from "../../src/pgcluster/binaries.js";
import { findOnPath } from "../../src/schedulers/index.js";
import { removeRun, runChaos, type ChaosReport } from "../../bench/chaos/driver.js";
import { runText } from "../../bench/chaos/report.js";
import { FAULT_KINDS } from "../../bench/chaos/schedule.js";

const START = "run 'bash scripts/testbed.sh install && bash scripts/testbed.sh up' (3 Slurm nodes, PostgreSQL's server programs)";
const hasSlurm = findOnPath("sbatch", process.env.PATH ?? "") !== null && spawnSync("scontrol", ["ping"], { encoding: "utf8" }).stdout?.includes("UP") === true;
const nodes = hasSlurm ? new Set(spawnSync("sinfo", ["-h", "-N", "-o", "%N"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean)).size : 0;
const hasPg = (() => {
  try {
    findPgPrograms();
    return true;
  } catch {
    return false;
  }
})();
const ready = hasSlurm && nodes >= 3 && hasPg;
const inCi = Boolean(process.env.CI);
if (!ready && !inCi) process.stderr.write(`test/e2e/chaos.test.ts skipped: ${START}\n`);

/**
 * Two short searches: ambs, each kind of fault twice (about a minute and a half), and asha, each
 * once (under a minute: its trials end fast, and more faults would find the search over).
 */
const seeds = (process.env.SPRUCE_CHAOS_SEEDS ?? "101,102").split(",").map(Number);
const RUNS = seeds.map((seed, i) => (i % 2 === 0 ? { seed, searcher: "ambs" as const, budget: 120, repeat: 2 } : { seed, searcher: "asha" as const, budget: 60, repeat: 1 }));

describe("chaos test bed", () => {
  // Always run (never counted as skipped): outside CI a missing test bed only skips the runs below.
  it("is running (CI never skips the chaos runs)", () => {
    if (!ready && inCi) expect.fail(`need 3 Slurm nodes and PostgreSQL's server programs: ${START}`);
  });
});

describe.skipIf(!ready && !inCi)("a search under chaos", () => {
  const reports: ChaosReport[] = [];
  for (const run of RUNS) {
    it(`survives seed ${run.seed} (${run.searcher}, budget ${run.budget}, each fault ${run.repeat} times)`, { timeout: 600_000 }, async () => {
      const r = await runChaos({ ...run, log: (line) => process.stderr.write(`${line}\n`) });
      reports.push(r);
      process.stderr.write(`${runText(r)}\n`);
      const failed = r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
      expect(failed, `seed ${run.seed} failed (folder kept: ${r.dir}); rerun: npm run chaos -- --seed ${run.seed} --searcher ${run.searcher} --budget ${run.budget} --repeat ${run.repeat}`).toEqual([]);
      removeRun(r);
    });
  }

  it("injected every kind of fault", () => {
    if (reports.length < RUNS.length) return; // a run failed: its own test says why
    const injected = new Set(reports.flatMap((r) => r.faults.filter((f) => f.injectedAt !== null).map((f) => f.kind)));
    expect(FAULT_KINDS.filter((k) => !injected.has(k))).toEqual([]);
  });
});
