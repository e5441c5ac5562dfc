// bench/asha: best objective for the same total number of training steps, `asha` vs
// `random`, over 10 seeds, on a synthetic learning-curve problem with 8 asynchronous workers. A
// step takes one time unit; a promoted trial resumes from its checkpoint, so it pays only the
// extra steps. A search returns the configuration with the best loss observed at maxLength; its
// score is that configuration's noise-free final loss (the best observed value itself would
// flatter the searchers that observe more noisy values).
//
//   npx tsx bench/asha.ts [--seeds 10] [--budget 64] [--max-length 256] [--workers 8]
//                         [--searchers random,asha-standard,asha-aggressive,asha-stop-once,bohb]
import { createAshaSearcher, type AshaSearcher } from "../src/search/asha/index.js";
import { createRandomSearcher } from "../src/search/random.js";
import { Space } from "../src/space/space.js";
import type { JsonValue, Point } from "../src/space/types.js";
import { Rng } from "../src/util/rng.js";

const space = new Space({
  hyperparameters: [
    { type: "float", name: "lr", low: 1e-4, high: 1, log: true },
    { type: "int", name: "width", low: 8, high: 512, log: true },
    { type: "categorical", name: "act", values: ["relu", "tanh", "sigmoid"] },
  ],
  startingPoints: [],
});

const ACT_PENALTY: Record<string, number> = { relu: 0, tanh: 0.03, sigmoid: 0.1 };

/** Loss after training to convergence: best at lr 1e-2, width 128, relu (0.05). */
function finalLoss(p: Point): number {
  const lr = Math.log10(p.lr as number) + 2;
  const width = Math.log2(p.width as number) - 7;
  return 0.05 + 0.1 * lr * lr + 0.01 * width * width + ACT_PENALTY[p.act as string]!;
}

/**
 * Loss after t steps: a power-law approach to finalLoss whose initial gap grows as lr moves away
 * from 0.1, so short trainings rank configurations imperfectly (slow learners with a good final
 * loss look worse early), plus 1% noise per report.
 */
function lossAt(p: Point, t: number, noise: Rng): number {
  const gap = 0.5 + Math.abs(Math.log10(p.lr as number) + 1) / 6;
  return finalLoss(p) + gap * (1 + t) ** -0.7 + 0.01 * noise.normal();
}

interface Job {
  trialId: number;
  point: Point;
  from: number;
  to: number;
  end: number;
}

interface Outcome {
  best: number;
  trials: number;
  steps: number;
}

/** Event loop of `workers` slots; no new work starts once `budget` steps have been spent. */
function run(asha: AshaSearcher | null, seed: number, budget: number, maxLength: number, workers: number): Outcome {
  const random = createRandomSearcher({ space, seed, direction: "minimize", options: {} });
  const noise = new Rng(seed + 1_000_003);
  const running: Job[] = [];
  const resumes: { trialId: number; from: number; to: number }[] = [];
  const points: Point[] = [];
  let now = 0;
  let steps = 0;
  let bestSeen = Infinity;
  let best = Infinity;
  const start = (trialId: number, point: Point, from: number, to: number): void => {
    points[trialId] = point;
    steps += to - from;
    running.push({ trialId, point, from, to, end: now + (to - from) });
  };
  const fill = (): void => {
    while (running.length < workers && steps < budget) {
      const resume = resumes.shift();
      if (resume) {
        start(resume.trialId, points[resume.trialId]!, resume.from, resume.to);
        continue;
      }
      if (asha) {
        const [work] = asha.newTrials(1);
        if (!work) return;
        start(work.trialId, work.point, 0, work.length);
      } else {
        const [point] = random.ask(1);
        if (!point) return;
        start(points.length, point, 0, maxLength);
      }
    }
  };
  fill();
  while (running.length > 0) {
    running.sort((a, b) => a.end - b.end);
    const job = running.shift()!;
    now = job.end;
    const value = lossAt(job.point, job.to, noise);
    if (job.to === maxLength && value < bestSeen) {
      bestSeen = value;
      best = finalLoss(job.point);
    }
    if (asha) {
      const decision = asha.report(job.trialId, job.to, value);
      for (const r of asha.takeResumes()) resumes.push({ trialId: r.trialId, from: r.fromLength, to: r.length });
      // Promoted at once: the trial keeps its slot and trains on.
      if (decision.action === "continue") resumes.unshift({ trialId: job.trialId, from: job.to, to: decision.length });
    }
    fill();
  }
  return { best, trials: asha ? countTrials(asha) : points.length, steps };
}

function countTrials(asha: AshaSearcher): number {
  return asha.scheduler.bracketPlan().reduce((n, b) => n + b.maxTrials, 0) - asha.scheduler.remainingTrials();
}

const VARIANTS: Record<string, Record<string, JsonValue> | null> = {
  random: null,
  "asha-standard": { mode: "standard" },
  "asha-aggressive": { mode: "aggressive" },
  "asha-stop-once": { mode: "aggressive", stop_once: true },
  bohb: { mode: "aggressive", asha_searcher: "ambs" },
};

function main(argv: string[]): void {
  const arg = (flag: string, fallback: string): string => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
  };
  const seeds = Number(arg("--seeds", "10"));
  const maxLength = Number(arg("--max-length", "256"));
  const budget = Number(arg("--budget", "64")) * maxLength;
  const workers = Number(arg("--workers", "8"));
  const names = arg("--searchers", "random,asha-standard,asha-aggressive,asha-stop-once").split(",");
  console.log(`budget ${budget} steps (${budget / maxLength} full trainings of ${maxLength}), ${workers} workers, optimum 0.05`);
  const rows: string[][] = [];
  const summary: string[][] = [];
  const results: Record<string, Outcome[]> = {};
  for (const name of names) {
    const variant = VARIANTS[name];
    if (variant === undefined) throw new Error(`unknown searcher ${name}; use ${Object.keys(VARIANTS).join(",")}`);
    results[name] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const asha = variant
        ? createAshaSearcher({ space, seed, direction: "minimize", options: { max_length: maxLength, max_trials: 100_000, ...variant } })
        : null;
      results[name].push(run(asha, seed, budget, maxLength, workers));
    }
    const outs = results[name];
    const bests = outs.map((o) => o.best).sort((a, b) => a - b);
    const median = (bests[Math.floor((bests.length - 1) / 2)]! + bests[Math.ceil((bests.length - 1) / 2)]!) / 2;
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    rows.push([name, ...outs.map((o) => o.best.toFixed(4))]);
    summary.push([name, median.toFixed(4), mean(outs.map((o) => o.best)).toFixed(4), mean(outs.map((o) => o.trials)).toFixed(0), mean(outs.map((o) => o.steps)).toFixed(0)]);
  }
  table(["searcher", ...Array.from({ length: seeds }, (_, i) => `seed ${i + 1}`)], rows);
  console.log("");
  table(["searcher", "median best", "mean best", "mean trials", "mean steps"], summary);
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string => cells.map((s, c) => s.padEnd(widths[c]!)).join("  ");
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of rows) console.log(line(r));
}

main(process.argv.slice(2));
