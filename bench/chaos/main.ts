// `npm run chaos -- [--seeds N | --seed S] ...`: the chaos driver for many seeds by hand
// (bench/chaos/driver.ts). Needs the test bed (`source /tmp/spruce-testbed/env`: 3 Slurm nodes,
// PostgreSQL's server programs) and the built CLI. Prints each run's checks and faults, then the
// figures by kind of fault; exit 1 when a run failed a check (its folder is kept, its seed printed).
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { abortRuns, removeRun, runChaos, type ChaosReport } from "./driver.js";
import { runText, summaryTable } from "./report.js";
import { FAULT_KINDS, type FaultKind } from "./schedule.js";

const HELP = `usage: npm run chaos -- [options]

A search on the test bed's 3 Slurm nodes (serial mode with agents, its own PostgreSQL cluster, the
service) under a seeded schedule of faults; then checks that it finished exactly its budget with
every evaluation's history legal, results.csv complete, the searcher's state consistent and nothing
left running. Same seed, same schedule of faults.

  --seeds N          run seeds 1..N (default 1)
  --seed S           run seed S only (repeatable)
  --searcher X       ambs, asha, or mixed (default: odd seeds ambs, even seeds asha)
  --budget N         evaluations (ambs, default 300) or trials (asha, default 80)
  --repeat N         times each kind of fault is injected per run (default 2)
  --without K,...    leave these kinds out (${FAULT_KINDS.join(", ")})
  --baseline         also run each seed without faults: the wall time lost in all
  --json FILE        write every run's report as JSON
  --keep             keep every run's folder (failed runs' folders are always kept)
  --help             this text`;

interface Args {
  seeds: number[];
  searcher: "ambs" | "asha" | "mixed";
  budget: number | null;
  repeat: number;
  without: FaultKind[];
  baseline: boolean;
  json: string | null;
  keep: boolean;
}

function parse(argv: string[]): Args {
  const a: Args = { seeds: [], searcher: "mixed", budget: null, repeat: 2, without: [], baseline: false, json: null, keep: false };
  let count = 1;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) fail(`${flag} needs a value`);
      return v!;
    };
    const int = (): number => {
      const v = value();
      if (!/^\d+$/.test(v)) fail(`${flag} takes a whole number (got '${v}')`);
      return Number(v);
    };
    if (flag === "--help") {
      process.stdout.write(`${HELP}\n`);
      process.exit(0);
    } else if (flag === "--seeds") count = int();
    else if (flag === "--seed") a.seeds.push(int());
    else if (flag === "--searcher") {
      const v = value();
      if (v !== "ambs" && v !== "asha" && v !== "mixed") fail(`--searcher is ambs, asha or mixed (got '${v}')`);
      a.searcher = v as Args["searcher"];
    } else if (flag === "--budget") a.budget = int();
    else if (flag === "--repeat") a.repeat = int();
    else if (flag === "--without") {
      for (const k of value().split(",")) {
        if (!(FAULT_KINDS as readonly string[]).includes(k)) fail(`--without: unknown fault '${k}' (known: ${FAULT_KINDS.join(", ")})`);
        a.without.push(k as FaultKind);
      }
    } else if (flag === "--baseline") a.baseline = true;
    else if (flag === "--json") a.json = value();
    else if (flag === "--keep") a.keep = true;
    else fail(`unknown option ${flag}`);
  }
  if (a.seeds.length === 0) a.seeds = Array.from({ length: count }, (_, i) => i + 1);
  return a;
}

function fail(message: string): never {
  process.stderr.write(`error: ${message}\nhint: see 'npm run chaos -- --help'\n`);
  process.exit(2);
}

/** On ^C: what a half-done fault left broken on the shared test bed is mended before exiting. */
function mendOnInterrupt(): void {
  process.once("SIGINT", () => {
    abortRuns();
    process.stderr.write("interrupted: faults undone, the run's jobs, processes and database stopped; its folder is kept\n");
    process.exit(130);
  });
}

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  if (spawnSync("scontrol", ["ping"], { encoding: "utf8" }).stdout?.includes("UP") !== true) {
    fail("no running Slurm: start the test bed (bash scripts/testbed.sh up; source /tmp/spruce-testbed/env)");
  }
  mendOnInterrupt();
  const reports: ChaosReport[] = [];
  const baselines: ChaosReport[] = [];
  for (const seed of a.seeds) {
    const searcher = a.searcher === "mixed" ? (seed % 2 === 0 ? "asha" : "ambs") : a.searcher;
    const budget = a.budget ?? (searcher === "asha" ? 80 : 300);
    const r = await runChaos({ seed, searcher, budget, repeat: a.repeat, without: a.without });
    process.stdout.write(`${runText(r)}\n\n`);
    reports.push(r);
    if (r.ok && !a.keep) removeRun(r);
    if (a.baseline) {
      const b = await runChaos({ seed, searcher, budget, repeat: 0 });
      process.stdout.write(`baseline of seed ${seed} (no fault): ${b.ok ? "PASS" : "FAIL"} in ${b.wallSeconds.toFixed(0)} s, ${b.batchJobs} batch jobs; ` +
        `the faults cost ${(r.wallSeconds - b.wallSeconds).toFixed(0)} s\n${b.checks.filter((c) => !c.ok).map((c) => `  FAIL ${c.name}: ${c.detail}\n`).join("")}\n`);
      baselines.push(b);
      if (b.ok && !a.keep) removeRun(b);
    }
  }
  process.stdout.write(`${summaryTable(reports)}\n`);
  if (baselines.length > 0) {
    const lost = reports.reduce((s, r, i) => s + r.wallSeconds - baselines[i]!.wallSeconds, 0);
    process.stdout.write(`\nwall time: ${reports.reduce((s, r) => s + r.wallSeconds, 0).toFixed(0)} s under faults, ` +
      `${baselines.reduce((s, b) => s + b.wallSeconds, 0).toFixed(0)} s without: ${lost.toFixed(0)} s lost in all\n`);
  }
  if (a.json) writeFileSync(a.json, JSON.stringify({ reports, baselines }, null, 2));
  const failed = [...reports, ...baselines].filter((r) => !r.ok);
  if (failed.length > 0) {
    process.stderr.write(`failed seeds: ${failed.map((r) => `${r.seed} (${r.searcher}, kept in ${r.dir})`).join(", ")}\n`);
    process.exit(1);
  }
}

await main();
