// The exact points a seeded ambs proposes, pinned: changes meant to make a proposal cheaper (the
// forest, the candidates, the ranking) must keep the same draws in the same order and the same
// floating-point results, so the search itself, and its regret, stay what they were. The points
// were captured from the code before such a change (test/fixtures/ambs/pinned-points.json,
// rewritten when the local quadratic step became the default: the cases with one objective and no
// conditions changed, the conditional and two-objective ones kept to the digit; and when the step
// began to walk the other categories once the best has stood: only the two cases with a
// categorical changed; the 2-D case added with the distance term, the others unchanged);
// AMBS_PIN_WRITE=1 rewrites them, for a change meant to alter the proposals.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { branin, conditional as conditionalBench } from "../../bench/functions.js";
import { createAmbsSearcher } from "../../src/search/ambs/index.js";
import type { EvaluationResult, Searcher } from "../../src/search/searcher.js";
import { Space } from "../../src/space/space.js";
import type { JsonValue, ObjectiveSpec, Point, ProblemSpec } from "../../src/space/types.js";
import { Rng } from "../../src/util/rng.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/ambs/pinned-points.json", import.meta.url));

const float = (name: string, low: number, high: number, log = false) => ({ type: "float" as const, name, low, high, log });

/** Ackley in 5-D on [-5, 10]: continuous, and sparse enough for the refinement step. */
const CONTINUOUS: ProblemSpec = { hyperparameters: ["a", "b", "c", "d", "e"].map((n) => float(n, -5, 10)), startingPoints: [] };
const ackley = (p: Point): number => {
  const xs = ["a", "b", "c", "d", "e"].map((n) => p[n] as number);
  const sq = xs.reduce((s, x) => s + x * x, 0) / xs.length;
  const cs = xs.reduce((s, x) => s + Math.cos(2 * Math.PI * x), 0) / xs.length;
  return -20 * Math.exp(-0.2 * Math.sqrt(sq)) - Math.exp(cs) + 20 + Math.E;
};

const MIXED: ProblemSpec = {
  hyperparameters: [
    float("lr", 1e-4, 1, true),
    { type: "int", name: "units", low: 1, high: 64, log: false },
    { type: "int", name: "batch", low: 8, high: 512, log: true },
    { type: "categorical", name: "act", values: ["relu", "tanh", "sigmoid"] },
    { type: "ordinal", name: "depth", values: [1, 2, 4, 8] },
    { type: "const", name: "epochs", value: 3 },
  ],
  startingPoints: [],
};
const mixed = (p: Point): number =>
  (Math.log10(p.lr as number) + 2) ** 2 + ((p.units as number) - 20) ** 2 / 400 + (p.act === "tanh" ? 0 : 0.3) + Math.log2(p.depth as number) / 10 + Math.abs(Math.log2(p.batch as number) - 6) / 8;

/** Rosenbrock in 10-D on [-2, 2]: enough hyperparameters for each ask's first pick to be the trust region's. */
const TEN: ProblemSpec = { hyperparameters: Array.from({ length: 10 }, (_, i) => float(`x${i}`, -2, 2)), startingPoints: [] };
const rosenbrock = (p: Point): number => {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += 100 * ((p[`x${i + 1}`] as number) - (p[`x${i}`] as number) ** 2) ** 2 + (1 - (p[`x${i}`] as number)) ** 2;
  return sum;
};

// The conditional space and function of bench/search (bench/functions.ts).
const CONDITIONAL = conditionalBench.spec;
const conditional = conditionalBench.objective;

/** 30 x 30 ints: small enough to be enumerated instead of sampled. */
const FINITE: ProblemSpec = {
  hyperparameters: [
    { type: "int", name: "i", low: 0, high: 29, log: false },
    { type: "int", name: "j", low: 0, high: 29, log: false },
  ],
  startingPoints: [],
};
const finite = (p: Point): number => Math.sin((p.i as number) / 3) * Math.cos((p.j as number) / 4) + ((p.i as number) - 20) ** 2 / 300;

/** Two objectives on three floats, the second maximised: a scalarization and a fit per point. */
const TWO: ProblemSpec = { hyperparameters: [float("u", 0, 1), float("v", 0, 1), float("w", 0, 1)], startingPoints: [] };
const two = (p: Point): number[] => {
  const [u, v, w] = [p.u as number, p.v as number, p.w as number];
  const g = 1 + 4 * (v - 0.5) ** 2 + 2 * w * w;
  return [u * g, -(1 - Math.sqrt(u)) * g];
};
const OBJECTIVES: ObjectiveSpec[] = [
  { name: "f1", direction: "minimize" },
  { name: "f2", direction: "maximize" },
];

interface Case {
  name: string;
  spec: ProblemSpec;
  f: (p: Point) => number;
  options: Record<string, JsonValue>;
  total: number;
  /** Several objectives: their values (f is then the first). */
  many?: (p: Point) => number[];
}

// Default options (10 000 candidates: screening, rescoring, refinement) on four kinds of space,
// and the other code paths: rf's histogram splits, EI, the trust region, a mean lie, failures.
const CASES: Case[] = [
  { name: "continuous", spec: CONTINUOUS, f: ackley, options: {}, total: 300 },
  { name: "mixed", spec: MIXED, f: mixed, options: {}, total: 300 },
  { name: "conditional", spec: CONDITIONAL, f: conditional, options: {}, total: 300 },
  { name: "ten", spec: TEN, f: rosenbrock, options: {}, total: 150 },
  { name: "mixed-rf-ei-trust", spec: MIXED, f: mixed, options: { surrogate: "rf", acq: "ei", trust_region: "on", liar: "cl_mean", failures: "worst" }, total: 200 },
  { name: "finite", spec: FINITE, f: finite, options: {}, total: 150 },
  // Branin in 2-D: uniform candidates dense, so the distance term (distance.ts) and the low-dimension redraws.
  { name: "low", spec: branin.spec, f: branin.objective, options: {}, total: 150 },
  { name: "two-objectives", spec: TWO, f: (p) => two(p)[0]!, many: two, options: {}, total: 100 },
];

/**
 * Asynchronous-looking use: a first batch of 8, then rounds that tell the 3 oldest pending
 * points and ask 3 (so fits carry pending points with the lie, and batches insert lies). Every
 * 13th evaluation fails.
 */
function drive(c: Case, seed: number): Point[] {
  const s: Searcher = createAmbsSearcher({ space: new Space(c.spec), seed, direction: "minimize", options: c.options, ...(c.many ? { objectives: OBJECTIVES } : {}) });
  const asked: Point[] = [];
  const pending: Point[] = [];
  let evalId = 0;
  const ask = (k: number): void => {
    const pts = s.ask(Math.min(k, c.total - asked.length));
    asked.push(...pts);
    pending.push(...pts);
  };
  ask(8);
  while (asked.length < c.total && pending.length > 0) {
    const told: EvaluationResult[] = pending.splice(0, 3).map((point) => {
      const id = evalId++;
      if (id % 13 === 12) return { evalId: id, point, status: "FAILED", objective: null };
      return { evalId: id, point, status: "DONE", objective: c.f(point), ...(c.many ? { objectives: c.many(point) } : {}) };
    });
    s.tell(told);
    ask(3);
  }
  return asked;
}

/** A batch of 8 after 2 000 random evaluations of the continuous space: trees grown on a subsample. */
function longSearch(seed: number): Point[] {
  const space = new Space(CONTINUOUS);
  const s = createAmbsSearcher({ space, seed, direction: "minimize", options: {} });
  const rng = new Rng(seed + 100);
  s.tell(space.sampleMany(rng, 2000).map((point, evalId) => ({ evalId, point, status: "DONE" as const, objective: ackley(point) })));
  const first = s.ask(8);
  s.tell(first.map((point, i) => ({ evalId: 2000 + i, point, status: "DONE" as const, objective: ackley(point) })));
  return [...first, ...s.ask(8)];
}

function current(): Record<string, Point[]> {
  const out: Record<string, Point[]> = {};
  for (const c of CASES) out[c.name] = drive(c, 11);
  out["long"] = longSearch(5);
  return out;
}

describe("ambs pinned proposals", () => {
  it("proposes exactly the points captured before the proposal-cost changes", () => {
    const got = current();
    if (process.env.AMBS_PIN_WRITE === "1") writeFileSync(FIXTURE, JSON.stringify(got, null, 0).replace(/\],"/g, '],\n"') + "\n");
    const want = JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, Point[]>;
    expect(Object.keys(got)).toEqual(Object.keys(want));
    for (const name of Object.keys(want)) {
      expect(got[name]!.length, name).toBe(want[name]!.length);
      // Point by point, so a failure names the first proposal that moved.
      got[name]!.forEach((p, i) => expect(p, `${name} #${i}`).toEqual(want[name]![i]));
    }
  });
});
