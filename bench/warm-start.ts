// bench/warm-start: median regret at 25, 50 and 100 evaluations of ambs warm-started from an earlier
// search of the same function (100 evaluations of ambs under another seed, its results as
// `--warm-start` stores them) against ambs started cold, in the same run; plus an overlapping space:
// Hartmann6 warm-started from a search over x0..x4 with x5 fixed at 0.5, whose priors lack x5.
// The earlier search runs on to 200 evaluations: `source@200` is what continuing it would have
// found instead (the same 200 evaluations in all as the warm start's 100 priors and 100 of its own).
// 8 simulated asynchronous workers, exponential(1) times, as bench/search.
//
//   npx tsx bench/warm-start.ts [--seeds 10] [--functions branin,hartmann6,ackley5,mixed3,conditional,hartmann6-5d]
import { createAmbsSearcher } from "../src/search/ambs/index.js";
import type { EvaluationResult, Searcher } from "../src/search/searcher.js";
import type { PriorObservation } from "../src/search/warm-start.js";
import { Space } from "../src/space/space.js";
import type { JsonValue, Point, ProblemSpec } from "../src/space/types.js";
import { BENCH_FUNCTIONS, hartmann6, type BenchFunction } from "./functions.js";
import { regretAt, simulate } from "./simulate.js";

const AT = [25, 50, 100] as const;
const BUDGET = 100;
const SOURCE_BUDGET = 100;

interface Case {
  name: string;
  fn: BenchFunction;
  /** The earlier search's space and objective; its points, projected onto fn's names, are the priors. */
  source: { spec: ProblemSpec; objective: (p: Point) => number };
}

/** Hartmann6 searched earlier over five of its six inputs, the sixth fixed at 0.5. */
const hartmann5: Case["source"] = {
  spec: { hyperparameters: hartmann6.spec.hyperparameters.slice(0, 5), startingPoints: [] },
  objective: (p) => hartmann6.objective({ ...p, x5: 0.5 }),
};

const CASES: Case[] = [
  ...BENCH_FUNCTIONS.map((fn) => ({ name: fn.name, fn, source: { spec: fn.spec, objective: fn.objective } })),
  { name: "hartmann6-5d", fn: hartmann6, source: hartmann5 },
];

function parseArgs(argv: string[]): { seeds: number; cases: Case[] } {
  let seeds = 10;
  let names = CASES.map((c) => c.name);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const v = argv[++i];
    if (v === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--seeds") seeds = Number(v);
    else if (flag === "--functions") names = v.split(",");
    else throw new Error(`unknown flag ${flag}`);
  }
  return {
    seeds,
    cases: names.map((n) => {
      const c = CASES.find((x) => x.name === n);
      if (!c) throw new Error(`unknown function ${n} (known: ${CASES.map((x) => x.name).join(", ")})`);
      return c;
    }),
  };
}

/** The searcher, recording every result it is told (the earlier search's results.csv). */
function recording(s: Searcher, into: EvaluationResult[]): Searcher {
  return {
    name: s.name,
    ask: (n) => s.ask(n),
    tell: (r) => {
      into.push(...r);
      s.tell(r);
    },
    state: () => s.state(),
    restore: (st, h) => s.restore(st, h),
    exhausted: () => s.exhausted(),
  };
}

function ambs(spec: ProblemSpec, seed: number, priors?: PriorObservation[]): Searcher {
  const options: Record<string, JsonValue> = priors ? { warm_start: { source: "bench", dropped: 0, observations: priors as unknown as JsonValue } } : {};
  return createAmbsSearcher({ space: new Space(spec), seed, direction: "minimize", options });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const fmt = (v: number): string => (v === 0 ? "0" : Math.abs(v) >= 0.01 ? v.toFixed(3) : v.toExponential(2));

function main(): void {
  const { seeds, cases } = parseArgs(process.argv.slice(2));
  const header = ["function", ...AT.flatMap((n) => [`cold@${n}`, `warm@${n}`]), "source@100", "source@200"];
  const w = header.map((h) => Math.max(12, h.length));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(w[i]!)).join(" ");
  console.log(`Median regret over ${seeds} seeds, ${BUDGET} evaluations, 8 async workers, exp(1) times; warm: priors from ${SOURCE_BUDGET} evaluations of ambs (seed + 1000)`);
  console.log(line(header));
  for (const c of cases) {
    const cold: number[][] = AT.map(() => []);
    const warm: number[][] = AT.map(() => []);
    const source: number[] = [];
    const continued: number[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const told: EvaluationResult[] = [];
      const srcValues = simulate(recording(ambs(c.source.spec, seed + 1000), told), c.source.objective, { workers: 8, budget: 2 * SOURCE_BUDGET, meanTime: 1, seed: 5000 + seed });
      source.push(regretAt(srcValues, SOURCE_BUDGET, c.fn.optimum));
      continued.push(regretAt(srcValues, 2 * SOURCE_BUDGET, c.fn.optimum));
      // What --warm-start stores of its first SOURCE_BUDGET results: the points (on the source's names) and objectives.
      const priors = told.slice(0, SOURCE_BUDGET).map((r) => ({ point: r.point, objective: r.objective! }));
      const vCold = simulate(ambs(c.fn.spec, seed), c.fn.objective, { workers: 8, budget: BUDGET, meanTime: 1, seed: 1000 + seed });
      const vWarm = simulate(ambs(c.fn.spec, seed, priors), c.fn.objective, { workers: 8, budget: BUDGET, meanTime: 1, seed: 1000 + seed });
      AT.forEach((n, i) => {
        cold[i]!.push(regretAt(vCold, n, c.fn.optimum));
        warm[i]!.push(regretAt(vWarm, n, c.fn.optimum));
      });
    }
    console.log(line([c.name, ...AT.flatMap((_, i) => [fmt(median(cold[i]!)), fmt(median(warm[i]!))]), fmt(median(source)), fmt(median(continued))]));
  }
}

main();
