// bench/search: median regret at 50 and 100 evaluations of `ambs` and `random` on
// Branin, Hartmann6, Ackley-5, mixed3 and a conditional space with 8 simulated asynchronous
// workers, then the time `ambs` takes to propose a batch of 8 points after 100, 1 000 and 5 000
// evaluations and of 64 after 20 000 (6-D), beside one DeepHyper-style proposal (scikit-learn,
// bench/dh_proposal.py) timed in the same run. On the conditional space Optuna's TPE
// (define-by-run) runs in the same run through bench/optuna_ref.py when Debian's python3-optuna
// is installed.
//
//   npx tsx bench/search.ts [--seeds 10] [--functions branin,mixed3] [--searchers ambs,random]
//                           [--no-timing] [--timing-only] [--set kappa=1.96 --set surrogate=rf]
import { spawnSync } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { createAmbsSearcher } from "../src/search/ambs/index.js";
import { createRandomSearcher } from "../src/search/random.js";
import type { Searcher, SearcherContext } from "../src/search/searcher.js";
import { Space } from "../src/space/space.js";
import type { JsonValue } from "../src/space/types.js";
import { Rng } from "../src/util/rng.js";
import { BENCH_FUNCTIONS, hartmann6 } from "./functions.js";
import { regretAt, simulate } from "./simulate.js";

const FACTORIES: Record<string, (ctx: SearcherContext) => Searcher> = {
  ambs: createAmbsSearcher,
  random: createRandomSearcher,
};

/** Median regret at 100 measured on this machine with the same protocol. */
const REFERENCE: Record<string, { tpe: number; deephyper: number; random: number } | undefined> = {
  branin: { tpe: 0.128, deephyper: 0.022, random: 0.413 },
  hartmann6: { tpe: 0.241, deephyper: 0.221, random: 1.33 },
  ackley5: { tpe: 8.61, deephyper: 6.85, random: 17.3 },
  mixed3: { tpe: 0.0065, deephyper: 0.13, random: 0.21 },
};

interface Args {
  seeds: number;
  functions: string[];
  searchers: string[];
  regret: boolean;
  timing: boolean;
  options: Record<string, JsonValue>;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    seeds: 10,
    functions: BENCH_FUNCTIONS.map((f) => f.name),
    searchers: ["ambs", "random"],
    regret: true,
    timing: true,
    options: {},
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === "--seeds") args.seeds = Number(value());
    else if (flag === "--functions") args.functions = value().split(",");
    else if (flag === "--searchers") args.searchers = value().split(",");
    else if (flag === "--no-timing") args.timing = false;
    else if (flag === "--timing-only") args.regret = false;
    else if (flag === "--set") {
      const [k, v] = value().split("=") as [string, string];
      args.options[k] = Number.isNaN(Number(v)) ? v : Number(v);
    } else throw new Error(`unknown flag ${flag}`);
  }
  return args;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const fmt = (v: number): string => (v === 0 ? "0" : Math.abs(v) >= 0.01 ? v.toFixed(3) : v.toExponential(2));
const row = (cells: string[], widths: number[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");

function regretTable(args: Args): void {
  const header = ["function"];
  for (const s of args.searchers) header.push(`${s}@50`, `${s}@100`);
  header.push("target@100", "(TPE", "DH-AMBS)");
  const widths = header.map((h) => Math.max(11, h.length));
  console.log(`Median regret over ${args.seeds} seeds, 100 evaluations, 8 async workers, exp(1) times`);
  console.log(row(header, widths));
  for (const name of args.functions) {
    const fn = BENCH_FUNCTIONS.find((f) => f.name === name);
    if (!fn) throw new Error(`unknown function ${name}`);
    const cells = [name];
    for (const s of args.searchers) {
      const at50: number[] = [];
      const at100: number[] = [];
      for (let seed = 0; seed < args.seeds; seed++) {
        const ctx: SearcherContext = {
          space: new Space(fn.spec),
          seed,
          direction: "minimize",
          options: s === "ambs" ? args.options : {},
        };
        const values = simulate(FACTORIES[s]!(ctx), fn.objective, { workers: 8, budget: 100, meanTime: 1, seed: 1000 + seed });
        at50.push(regretAt(values, 50, fn.optimum));
        at100.push(regretAt(values, 100, fn.optimum));
      }
      cells.push(fmt(median(at50)), fmt(median(at100)));
    }
    const ref = REFERENCE[name];
    if (ref) cells.push(fmt(Math.min(ref.tpe, ref.deephyper)), fmt(ref.tpe), fmt(ref.deephyper));
    else {
      // No recorded reference: Optuna's TPE, run now under the same protocol, is the target.
      const tpe = name === "conditional" ? optunaConditional(args.seeds) : null;
      cells.push(tpe === null ? "-" : fmt(tpe), tpe === null ? "-" : fmt(tpe), "-");
    }
    console.log(row(cells, widths));
  }
}

/** Median regret at 100 of Optuna's TPE (define-by-run) on the conditional space; null without python3-optuna. */
function optunaConditional(seeds: number): number | null {
  const script = fileURLToPath(new URL("./optuna_ref.py", import.meta.url));
  const r = spawnSync("/usr/bin/python3", [script, "conditional", "--seeds", String(seeds), "--budget", "100"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) return null;
  const runs = (JSON.parse(r.stdout) as { tpe: number[][] }).tpe;
  const fn = BENCH_FUNCTIONS.find((f) => f.name === "conditional")!;
  return median(runs.map((values) => regretAt(values, 100, fn.optimum)));
}

/**
 * Median wall and CPU time of ask(k) after n told evaluations of Hartmann6 (each batch then
 * told). CPU time beside wall time shows how much of the wall time other processes took.
 */
function timeProposal(n: number, k: number, options: Record<string, JsonValue>, reps: number): { wall: number; cpu: number } {
  const space = new Space(hartmann6.spec);
  const searcher = createAmbsSearcher({ space, seed: 1, direction: "minimize", options });
  const rng = new Rng(7);
  const history = space.sampleMany(rng, n).map((point, evalId) => ({
    evalId,
    point,
    status: "DONE" as const,
    objective: hartmann6.objective(point),
  }));
  searcher.tell(history);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const batch = searcher.ask(k);
    const dt = performance.now() - t0;
    const c1 = process.cpuUsage(c0);
    if (batch.length !== k) throw new Error(`ask(${k}) gave ${batch.length} points`);
    // The first batch warms the JIT up and is not counted.
    if (r > 0) {
      wall.push(dt);
      cpu.push((c1.user + c1.system) / 1000);
    }
    searcher.tell(batch.map((point, i) => ({ evalId: n + r * k + i, point, status: "DONE" as const, objective: hartmann6.objective(point) })));
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/** The batches timed: k points after n evaluations; the target is 10x faster than one reference proposal, or a fixed budget. */
const TIMED: { n: number; k: number; fixedTargetMs?: number }[] = [
  { n: 100, k: 8 },
  { n: 1000, k: 8 },
  { n: 5000, k: 8 },
  { n: 20_000, k: 64, fixedTargetMs: 1000 },
];

interface ReferenceTimes {
  sklearn: string;
  rows: { evaluations: number; wall_ms: number; cpu_ms: number }[];
}

/**
 * One DeepHyper-style proposal (scikit-learn extra trees, 100 trees, 10 000 candidates) timed by
 * bench/dh_proposal.py in this run; null when /usr/bin/python3 has no scikit-learn.
 */
function referenceTimes(sizes: number[]): ReferenceTimes | null {
  const script = fileURLToPath(new URL("./dh_proposal.py", import.meta.url));
  const r = spawnSync("/usr/bin/python3", [script, "--sizes", sizes.join(","), "--reps", "3"], { encoding: "utf8" });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout) as ReferenceTimes;
}

function timingTable(args: Args): void {
  const ref = referenceTimes(TIMED.filter((t) => t.fixedTargetMs === undefined && t.n >= 1000).map((t) => t.n));
  const widths = [12, 10, 10, 10, 10];
  if (ref) {
    console.log(`\nOne DeepHyper-style proposal: scikit-learn ${ref.sklearn} ExtraTreesRegressor, 100 trees, 10 000 candidates (median of 3)`);
    console.log(row(["evaluations", "wall-ms", "cpu-ms"], widths));
    for (const r of ref.rows) console.log(row([String(r.evaluations), r.wall_ms.toFixed(1), r.cpu_ms.toFixed(1)], widths));
  } else console.log("\n(no scikit-learn under /usr/bin/python3: the DeepHyper-style reference is not measured; install python3-sklearn)");
  console.log("\nTime for ambs to propose a batch of 8 points (64 at 20 000), 6-D space, median of 7 batches;");
  console.log("target: a tenth of the reference's wall time above, and 1 s for 64 points at 20 000");
  console.log(row(["evaluations", "wall-ms", "cpu-ms", "target-ms"], widths));
  const ratios: string[] = [];
  for (const t of TIMED) {
    const m = timeProposal(t.n, t.k, args.options, t.n >= 20_000 ? 3 : 7);
    const r = ref?.rows.find((x) => x.evaluations === t.n);
    const target = t.fixedTargetMs ?? (r === undefined ? undefined : r.wall_ms / 10);
    console.log(row([String(t.n), m.wall.toFixed(1), m.cpu.toFixed(1), target === undefined ? "-" : target.toFixed(1)], widths));
    // CPU time beside wall time: steadier than wall time on a shared machine.
    if (r && t.fixedTargetMs === undefined) ratios.push(`${t.n}: ${(r.wall_ms / m.wall).toFixed(1)}x wall, ${(r.cpu_ms / m.cpu).toFixed(1)}x cpu`);
  }
  if (ratios.length > 0) console.log(`\nOne reference proposal / our batch of 8 (goal: 10x): ${ratios.join("; ")}`);
}

const args = parseArgs(process.argv.slice(2));
const started = performance.now();
if (args.regret) regretTable(args);
if (args.timing) timingTable(args);
const load = os.loadavg()[0]!.toFixed(1);
console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s; node ${process.version}; ${os.cpus().length} cpus, load average ${load})`);
