// bench/nas/evolution.ts: regevo and agebo away from bench/nas's table, so that their defaults are
// not judged on one benchmark (docs/architecture.md, regevo and agebo). Two kinds of problem:
//  - nk: a synthetic NAS-like space, a fresh landscape per seed: 6 variable nodes of 4 operations,
//    nodes 2-6 with a skip choice each (131 072 architectures), a learning rate of 4 values and a
//    batch size of 3 (agebo's hyperparameters). The score of an architecture is an NK landscape
//    (Kauffman's: each of the 11 choices contributes a uniform random value drawn for its own value
//    and its next two choices', cyclically; the mean of the 11), minus a penalty when the learning
//    rate or the batch size is away from the one that suits this architecture (a function of its
//    first and last choices). The best score is found by enumerating the architectures.
//  - suite: bench/suite's mixed problems (hps spaces: floats, ints, categoricals, ordinals), where
//    regevo is a plain evolutionary hps search.
// Median regret at 50, 100 and 200 evaluations over the seeds, 8 simulated asynchronous workers,
// random beside regevo and agebo (nk only) in the same run.
//
//   nice -n 19 npx tsx bench/nas/evolution.ts [--seeds 10] [--budget 200]
import os from "node:os";
import { recordPoint } from "../../src/nas/sequence.js";
import { NasProblem } from "../../src/problem/nas-problem.js";
import { createSearcher } from "../../src/search/registry.js";
import { Space } from "../../src/space/space.js";
import type { JsonValue, Point, ProblemSpec } from "../../src/space/types.js";
import { Rng } from "../../src/util/rng.js";
import { simulate } from "../simulate.js";
import { getProblem } from "../suite/suite.js";
import { mixedProblems } from "../suite/mixed.js";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const SEEDS = flag("--seeds", 10);
const BUDGET = flag("--budget", 200);
const WORKERS = 8;
const AT = [50, 100, 200].filter((n) => n <= BUDGET);

const CONFIGS: { label: string; searcher: string; options: Record<string, JsonValue>; nasOnly?: boolean }[] = [
  { label: "random", searcher: "random", options: {} },
  { label: "regevo", searcher: "regevo", options: {} },
  { label: "regevo (population 25, sample 5)", searcher: "regevo", options: { population_size: 25, sample_size: 5 } },
  { label: "agebo", searcher: "agebo", options: {}, nasOnly: true },
];

const NODES = 6;
const OPS = [0, 1, 2, 3].map((i) => ({ op: "op", id: i }));
const LR = [0.001, 0.003, 0.01, 0.03];
const BATCH = [16, 32, 64];

function nkSpec(): ProblemSpec {
  const p = new NasProblem().variable("n1", OPS);
  for (let i = 2; i <= NODES; i++) p.variable(`n${i}`, OPS, { skips: [i === 2 ? "input" : `n${i - 2}`] });
  return p.ordinal("lr", LR).ordinal("batch_size", BATCH).toSpec();
}

/** A seeded NK landscape on arch_seq (K = 2, cyclic) with hyperparameters tied to the architecture; larger is better. */
function nkLandscape(seed: number): { score: (seq: number[], lr: number, batch: number) => number; best: number } {
  const sizes = [4, ...Array.from({ length: NODES - 1 }, () => [4, 2]).flat()];
  const n = sizes.length;
  const rng = new Rng(7919 * seed + 13);
  const tables = sizes.map((_, i) => {
    const span = sizes[i]! * sizes[(i + 1) % n]! * sizes[(i + 2) % n]!;
    return Float64Array.from({ length: span }, () => rng.next());
  });
  const nk = (seq: number[]): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const a = seq[i]!;
      const b = seq[(i + 1) % n]!;
      const c = seq[(i + 2) % n]!;
      s += tables[i]![(a * sizes[(i + 1) % n]! + b) * sizes[(i + 2) % n]! + c]!;
    }
    return s / n;
  };
  // The learning rate that suits an architecture follows its first operation, the batch size its last.
  const score = (seq: number[], lr: number, batch: number): number => {
    const lrIdx = LR.indexOf(lr);
    const bIdx = BATCH.indexOf(batch);
    const lrBest = seq[0]!;
    const bBest = Math.min(2, seq[n - 2]!);
    return nk(seq) - 0.05 * (lrIdx - lrBest) ** 2 - 0.03 * (bIdx - bBest) ** 2;
  };
  let best = -Infinity;
  const seq = new Array<number>(n).fill(0);
  const visit = (i: number): void => {
    if (i === n) {
      best = Math.max(best, nk(seq));
      return;
    }
    for (let v = 0; v < sizes[i]!; v++) {
      seq[i] = v;
      visit(i + 1);
    }
  };
  visit(0);
  return { score, best };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Bench {
  name: string;
  spec: ProblemSpec;
  nas: boolean;
  /** The objective to minimise and the best value (its minimum) for a seed. */
  instance: (seed: number) => { loss: (p: Point) => number; best: number };
}

const nk = nkSpec();
const benches: Bench[] = [
  {
    name: "nk (6 nodes, lr, batch)",
    spec: nk,
    nas: true,
    instance: (seed) => {
      const land = nkLandscape(seed);
      return {
        loss: (p) => {
          const r = recordPoint(nk, p);
          return -land.score(r.arch_seq as number[], r.lr as number, r.batch_size as number);
        },
        best: -land.best,
      };
    },
  },
  ...mixedProblems().map((m) => {
    const problem = getProblem(m.name);
    return { name: m.name, spec: problem.spec, nas: false, instance: () => ({ loss: problem.objective, best: problem.fopt }) };
  }),
];

process.stdout.write(`bench/nas/evolution: ${SEEDS} seeds, ${WORKERS} asynchronous workers, budget ${BUDGET}; ${os.cpus().length} CPUs, Node ${process.version}\n\n`);
process.stdout.write(`| problem | searcher | ${AT.map((n) => `regret at ${n}`).join(" | ")} |\n|---|---|${AT.map(() => "---|").join("")}\n`);
for (const b of benches) {
  const space = new Space(b.spec);
  for (const c of CONFIGS) {
    if (c.nasOnly && !b.nas) continue;
    const regrets = AT.map(() => [] as number[]);
    for (let seed = 0; seed < SEEDS; seed++) {
      const { loss, best } = b.instance(seed);
      const searcher = createSearcher(c.searcher, { space, seed, direction: "minimize", options: c.options });
      const values = simulate(searcher, loss, { workers: WORKERS, budget: BUDGET, meanTime: 1, seed: 1000 + seed });
      AT.forEach((n, j) => regrets[j]!.push(Math.min(...values.slice(0, n)) - best));
    }
    const fmt = (v: number): string => (Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(4) : v.toExponential(2));
    process.stdout.write(`| ${b.name} | ${c.label} | ${regrets.map((r) => fmt(median(r))).join(" | ")} |\n`);
  }
}
process.stdout.write(`\n(load average ${os.loadavg()[0]!.toFixed(1)})\n`);
