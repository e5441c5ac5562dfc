// bench/moo: median hypervolume at 100 and 200 evaluations of `ambs` and `random` with several
// objectives, on ZDT1 and ZDT2 (30 and 6 dimensions) and DTLZ2 (3 objectives, 12 dimensions), with
// 8 simulated asynchronous workers (exponential(1) evaluation times) and the reference points of
// bench/moo-problems.ts; in the same run, when Debian's python3-optuna is installed, Optuna's
// NSGAIISampler and multi-objective TPESampler through bench/optuna_ref.py under the same protocol,
// in a child process (its runs spread over the CPUs) while the TypeScript runs go on.
//
// With --jobs N, the problems' TypeScript runs go to N child processes of this script (each run is
// seeded, so the figures do not depend on it): on a shared machine each process gets its share.
//
//   npx tsx bench/moo.ts [--seeds 10] [--problems zdt1-6,dtlz2-12] [--searchers ambs,random] [--no-optuna] [--jobs 1]
//       [--set NAME=VALUE: an ambs option, e.g. --set trust_region=off]
//       [--optuna-runs FILE: Optuna's runs are read from FILE when it exists (the JSON that
//        `python3 bench/optuna_ref.py moo` prints; its runs are seeded, so they are the same runs),
//        else computed and written there]
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { hypervolume } from "../src/objectives/pareto.js";
import { createAmbsSearcher } from "../src/search/ambs/index.js";
import { createRandomSearcher } from "../src/search/random.js";
import type { Searcher, SearcherContext } from "../src/search/searcher.js";
import { Space } from "../src/space/space.js";
import type { Point } from "../src/space/types.js";
import { Rng } from "../src/util/rng.js";
import { HELD_OUT_PROBLEMS, MOO_PROBLEMS, type MooProblem } from "./moo-problems.js";

const ALL_PROBLEMS = [...MOO_PROBLEMS, ...HELD_OUT_PROBLEMS];

const FACTORIES: Record<string, (ctx: SearcherContext) => Searcher> = { ambs: createAmbsSearcher, random: createRandomSearcher };
const BUDGET = 200;
const AT = [100, 200];

interface Args {
  seeds: number;
  problems: string[];
  searchers: string[];
  optuna: boolean;
  jobs: number;
  optunaRuns: string | null;
  /** ambs options (--set NAME=VALUE), as bench/suite/run.ts takes them. */
  options: Record<string, string | number>;
  /** A child of --jobs: print the cells of its one problem as JSON. */
  child: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seeds: 10, problems: MOO_PROBLEMS.map((p) => p.name), searchers: ["ambs", "random"], optuna: true, jobs: 1, optunaRuns: null, options: {}, child: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === "--seeds") args.seeds = Number(value());
    else if (flag === "--problems") args.problems = value().split(",");
    else if (flag === "--searchers") args.searchers = value().split(",");
    else if (flag === "--no-optuna") args.optuna = false;
    else if (flag === "--jobs") args.jobs = Math.max(1, Number(value()));
    else if (flag === "--child") args.child = true;
    else if (flag === "--optuna-runs") args.optunaRuns = value();
    else if (flag === "--set") {
      const [name, raw] = value().split("=", 2) as [string, string | undefined];
      if (raw === undefined) throw new Error(`--set ${name}: write NAME=VALUE`);
      args.options[name] = raw !== "" && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
    }
    else throw new Error(`unknown flag ${flag}`);
  }
  return args;
}

/** The objectives in completion order: 8 workers, each evaluation exponential(1) long (bench/simulate.ts, with vectors). */
function simulate(searcher: Searcher, evaluate: (p: Point) => number[], seed: number): number[][] {
  const clock = new Rng(seed);
  const running: { end: number; evalId: number; point: Point }[] = [];
  const values: number[][] = [];
  let asked = 0;
  let now = 0;
  const fill = (): void => {
    const free = Math.min(8 - running.length, BUDGET - asked);
    if (free > 0) for (const point of searcher.ask(free)) running.push({ end: now + clock.exponential(1), evalId: asked++, point });
  };
  fill();
  while (running.length > 0) {
    now = Math.min(...running.map((r) => r.end));
    const done = running.filter((r) => r.end === now);
    for (const r of done) running.splice(running.indexOf(r), 1);
    searcher.tell(
      done.map((r) => {
        const v = evaluate(r.point);
        values.push(v);
        return { evalId: r.evalId, point: r.point, status: "DONE" as const, objective: v[0]!, objectives: v };
      }),
    );
    fill();
  }
  return values;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median hypervolume at each of AT over the seeds' runs. */
function medians(problem: MooProblem, runs: number[][][]): number[] {
  return AT.map((n) => median(runs.map((values) => hypervolume(values.slice(0, n), problem.reference))));
}

type OptunaRuns = Record<string, Record<string, number[][][]>>;
const MOO_SAMPLERS = ["nsga2", "motpe"] as const;

/** Optuna's runs, computed by bench/optuna_ref.py in a child process while the TypeScript runs go on; null when it cannot run. */
function optunaRuns(args: Args): Promise<OptunaRuns | null> {
  if (!args.optuna) return Promise.resolve(null);
  if (args.optunaRuns && existsSync(args.optunaRuns)) {
    const saved = JSON.parse(readFileSync(args.optunaRuns, "utf8")) as OptunaRuns;
    const missing = args.problems.filter((p) => MOO_SAMPLERS.some((s) => (saved[p]?.[s]?.length ?? 0) < args.seeds));
    if (missing.length > 0) throw new Error(`${args.optunaRuns} lacks Optuna runs of ${missing.join(", ")} for ${args.seeds} seeds`);
    console.log(`(Optuna's runs read from ${args.optunaRuns})`);
    return Promise.resolve(saved);
  }
  const script = fileURLToPath(new URL("./optuna_ref.py", import.meta.url));
  const child = spawn("/usr/bin/python3", [script, "moo", "--seeds", String(args.seeds), "--budget", String(BUDGET), "--problems", args.problems.join(",")]);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((done) => {
    const leftOut = (why: string): void => {
      console.log(`(Optuna left out: ${why.trim().split("\n").pop()})`);
      done(null);
    };
    child.on("error", (e) => leftOut(e.message));
    child.on("close", (code) => {
      if (code !== 0) return leftOut(stderr || "python3 failed");
      if (args.optunaRuns) writeFileSync(args.optunaRuns, stdout);
      done(JSON.parse(stdout) as OptunaRuns);
    });
  });
}

const fmt = (v: number): string => (v >= 100 ? v.toFixed(1) : v.toFixed(3));
const row = (cells: string[], widths: number[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");

/** One problem's cells: its name, reference point and each searcher's medians. */
function problemCells(name: string): string[] {
  const problem = ALL_PROBLEMS.find((p) => p.name === name);
  if (!problem) throw new Error(`unknown problem ${name}`);
  const cells = [name, `(${problem.reference.join(", ")})`];
  for (const s of args.searchers) {
    const runs: number[][][] = [];
    for (let seed = 0; seed < args.seeds; seed++) {
      const ctx: SearcherContext = { space: new Space(problem.spec), seed, direction: "minimize", options: s === "ambs" ? args.options : {}, objectives: problem.objectives };
      runs.push(simulate(FACTORIES[s]!(ctx), problem.evaluate, 1000 + seed));
    }
    cells.push(...medians(problem, runs).map(fmt));
  }
  return cells;
}

/** The problems' cells, from --jobs child processes of this script (at most `jobs` at once). */
async function childCells(args: Args): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const queue = [...args.problems];
  const script = fileURLToPath(import.meta.url);
  const one = (name: string): Promise<void> =>
    new Promise((done, fail) => {
      const child = spawn(process.execPath, [...process.execArgv, script, "--child", "--no-optuna", "--seeds", String(args.seeds), "--problems", name, "--searchers", args.searchers.join(","),
        ...Object.entries(args.options).flatMap(([k, v]) => ["--set", `${k}=${v}`])]);
      let stdout = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.pipe(process.stderr);
      child.on("close", (code) => (code === 0 ? (out.set(name, JSON.parse(stdout) as string[]), done()) : fail(new Error(`${name}: child exited ${code}`))));
    });
  const worker = async (): Promise<void> => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) await one(name);
  };
  await Promise.all(Array.from({ length: Math.min(args.jobs, queue.length) }, worker));
  return out;
}

const args = parseArgs(process.argv.slice(2));
if (args.child) {
  process.stdout.write(JSON.stringify(problemCells(args.problems[0]!)));
  process.exit(0);
}
const started = performance.now();
const pending = optunaRuns(args);
const rows: { name: string; cells: string[] }[] = [];
if (args.jobs > 1) {
  const cells = await childCells(args);
  for (const name of args.problems) rows.push({ name, cells: cells.get(name)! });
} else for (const name of args.problems) rows.push({ name, cells: problemCells(name) });
// Our rows first: Optuna's multi-objective TPE takes minutes per run on DTLZ2 (3.1 computes
// hypervolume contributions for every trial), so a long run still shows ours if it is stopped.
if (args.optuna) {
  const ours = ["problem", "reference", ...args.searchers.flatMap((c) => AT.map((n) => `${c}@${n}`))];
  const w = ours.map((h, i) => Math.max(i === 1 ? 15 : 10, h.length));
  console.log(`Ours, while Optuna runs (${((performance.now() - started) / 1000).toFixed(0)} s):`);
  console.log(row(ours, w));
  for (const { cells } of rows) console.log(row(cells, w));
  console.log("");
}
const optuna = await pending;
const columns = [...args.searchers, ...(optuna ? MOO_SAMPLERS : [])];
const header = ["problem", "reference", ...columns.flatMap((c) => AT.map((n) => `${c}@${n}`))];
const widths = header.map((h, i) => Math.max(i === 1 ? 15 : 10, h.length));
console.log(`Median hypervolume over ${args.seeds} seeds, 8 async workers, exp(1) times (larger is better)`);
console.log(row(header, widths));
for (const { name, cells } of rows) {
  const problem = ALL_PROBLEMS.find((p) => p.name === name)!;
  if (optuna) for (const sampler of MOO_SAMPLERS) cells.push(...medians(problem, optuna[name]![sampler]!.slice(0, args.seeds)).map(fmt));
  console.log(row(cells, widths));
}
const load = os.loadavg()[0]!.toFixed(1);
console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s; node ${process.version}; ${os.cpus().length} cpus, load average ${load})`);
