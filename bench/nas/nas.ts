// bench/nas: a tabular NAS benchmark whose answer is known. Every point of bench/nas's space
// (1 000 polynome2 architectures x 4 learning rates) was trained once by make-table.ts into
// table.csv; a search here looks its points up instead of training them. Median regret (the
// table's best validation R² minus the best R² found) at 50, 100 and 200 evaluations over 10
// seeds, 8 simulated asynchronous workers (bench/simulate.ts), for regevo, agebo, ambs and random
// with their defaults, in one run; regevo and agebo also with a population of 25 and tournaments
// of 5 (with the default 100, both draw their first 100 architectures at random).
//
//   nice -n 19 npx tsx bench/nas/nas.ts [--seeds 10] [--budget 200] [--workers 8] [--searchers regevo,agebo]
import { readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { recordPoint } from "../../src/nas/sequence.js";
import { createSearcher } from "../../src/search/registry.js";
import { Space } from "../../src/space/space.js";
import type { JsonValue, Point } from "../../src/space/types.js";
import { parseCsv } from "../../src/results/csv.js";
import { simulate } from "../simulate.js";
import { benchProblem } from "./space.js";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const SEEDS = flag("--seeds", 10);
const BUDGET = flag("--budget", 200);
const WORKERS = flag("--workers", 8);
const AT = [50, 100, 200].filter((n) => n <= BUDGET);
/** --searchers regevo,agebo: only these searchers' rows. */
const ONLY = args.includes("--searchers") ? new Set(args[args.indexOf("--searchers") + 1]!.split(",")) : null;

const CONFIGS: { label: string; searcher: string; options: Record<string, JsonValue> }[] = [
  { label: "random", searcher: "random", options: {} },
  { label: "ambs", searcher: "ambs", options: {} },
  { label: "regevo", searcher: "regevo", options: {} },
  { label: "regevo (population 25, sample 5)", searcher: "regevo", options: { population_size: 25, sample_size: 5 } },
  { label: "agebo", searcher: "agebo", options: {} },
  { label: "agebo (population 25, sample 5)", searcher: "agebo", options: { population_size: 25, sample_size: 5 } },
];

const spec = benchProblem();
const space = new Space(spec);
const table = new Map<string, number | null>();
const [, ...rows] = parseCsv(readFileSync(fileURLToPath(new URL("table.csv", import.meta.url)), "utf8"));
for (const [seq, lr, r2] of rows) table.set(`${seq} ${Number(lr)}`, r2 === "" || r2 === undefined ? null : Number(r2));
if (table.size !== space.size()) throw new Error(`table.csv has ${table.size} points, the space ${space.size()}: run bench/nas/make-table.ts`);
const best = Math.max(...[...table.values()].filter((v): v is number => v !== null));
const sorted = [...table.values()].filter((v): v is number => v !== null).sort((a, b) => b - a);

/** The searchers minimise -R²; a diverged training is a failure (not finite). */
function lookup(p: Point): number {
  const { arch_seq, lr } = recordPoint(spec, p);
  const r2 = table.get(`${JSON.stringify(arch_seq)} ${lr}`);
  if (r2 === undefined) throw new Error(`point not in the table: ${JSON.stringify(p)}`);
  return r2 === null ? Infinity : -r2;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
/** How many of the table's points are better than R² r (0: the best). */
const rankOf = (r: number): number => sorted.filter((v) => v > r).length;

process.stdout.write(
  `bench/nas: ${table.size} points (${table.size - sorted.length} diverged), best R² ${best.toFixed(4)}, ` +
    `${SEEDS} seeds, ${WORKERS} asynchronous workers, budget ${BUDGET}; ${os.cpus().length} CPUs, Node ${process.version}\n\n`,
);
process.stdout.write(`| searcher | ${AT.map((n) => `regret at ${n}`).join(" | ")} | rank of the best at ${AT[AT.length - 1]} | seconds per search |\n|---|${AT.map(() => "---|").join("")}---|---|\n`);
for (const c of CONFIGS) {
  if (ONLY && !ONLY.has(c.searcher)) continue;
  const regrets = AT.map(() => [] as number[]);
  const ranks: number[] = [];
  const started = Date.now();
  for (let seed = 0; seed < SEEDS; seed++) {
    const searcher = createSearcher(c.searcher, { space, seed, direction: "minimize", options: c.options });
    const values = simulate(searcher, lookup, { workers: WORKERS, budget: BUDGET, meanTime: 1, seed: 1000 + seed });
    AT.forEach((n, j) => regrets[j]!.push(best + Math.min(...values.slice(0, n))));
    ranks.push(rankOf(-Math.min(...values)));
  }
  const seconds = (Date.now() - started) / 1000 / SEEDS;
  process.stdout.write(`| ${c.label} | ${regrets.map((r) => median(r).toFixed(4)).join(" | ")} | ${median(ranks)} | ${seconds.toFixed(2)} |\n`);
}
