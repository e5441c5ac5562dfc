// ambs's local quadratic step (docs/architecture.md, ambs, random, grid): the model exact on a
// quadratic, judged poor on noise, its minimiser where the Hessian allows one; the searcher with
// the step seeded-deterministic, restorable, without duplicates, and faster on a valley, a
// categorical's too.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { createAmbsSearcher } from "../../src/search/ambs/index.js";
import { fitQuadratic, quadNewton, quadValue, staleGroup } from "../../src/search/ambs/quadratic.js";
import type { EvaluationResult, Searcher } from "../../src/search/searcher.js";
import { Space } from "../../src/space/space.js";
import type { JsonValue, Point, ProblemSpec } from "../../src/space/types.js";
import { Rng } from "../../src/util/rng.js";
import { expectRestored } from "../helpers/restore.js";

function sample(rng: Rng, n: number, d: number, f: (x: Float64Array) => number): { xs: Float64Array[]; ys: number[] } {
  const xs: Float64Array[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = Float64Array.from({ length: d }, () => rng.next());
    xs.push(x);
    ys.push(f(x));
  }
  return { xs, ys };
}

describe("local quadratic model", () => {
  it("fits a rotated quadratic exactly and finds its minimiser", () => {
    const rng = new Rng(3);
    const opt = [0.3, 0.6, 0.45];
    const f = (x: Float64Array) => {
      const a = x[0]! - opt[0]!, b = x[1]! - opt[1]!, c = x[2]! - opt[2]!;
      return 5 + 10 * a * a + 3 * b * b + c * c + 4 * a * b - 2 * b * c;
    };
    const { xs, ys } = sample(rng, 40, 3, f);
    const q = fitQuadratic(xs, ys, xs[0]!, 3)!;
    expect(q.full).toBe(true);
    expect(q.r2).toBeGreaterThan(0.999);
    const x = quadNewton(q)!;
    x.forEach((v, j) => expect(v).toBeCloseTo(opt[j]!, 4));
    // Standardised scale: the model's value at the minimiser is below every row's.
    expect(quadValue(q, x)).toBeLessThan(q.best);
  });

  it("falls back to the diagonal model with few rows, and to none with fewer", () => {
    const rng = new Rng(5);
    const f = (x: Float64Array) => x.reduce((s, v) => s + (v - 0.5) ** 2, 0);
    const d = 10;
    // The full model has 66 coefficients, the diagonal 21.
    const few = sample(rng, 40, d, f);
    const q = fitQuadratic(few.xs, few.ys, few.xs[0]!, d)!;
    expect(q.full).toBe(false);
    expect(q.r2).toBeGreaterThan(0.99);
    quadNewton(q)!.forEach((v) => expect(v).toBeCloseTo(0.5, 3));
    expect(fitQuadratic(few.xs.slice(0, 20), few.ys.slice(0, 20), few.xs[0]!, d)).toBeNull();
  });

  it("judges noise a poor fit, and has no minimiser for a saddle", () => {
    const rng = new Rng(7);
    const noise = sample(rng, 60, 2, () => rng.next());
    expect(fitQuadratic(noise.xs, noise.ys, noise.xs[0]!, 2)!.r2).toBeLessThan(0.5);
    const saddle = sample(rng, 30, 2, (x) => (x[0]! - 0.5) ** 2 - (x[1]! - 0.5) ** 2);
    const q = fitQuadratic(saddle.xs, saddle.ys, saddle.xs[0]!, 2)!;
    expect(q.r2).toBeGreaterThan(0.999);
    expect(quadNewton(q)).toBeNull();
  });
});

describe("the step's categorical values once the best has stood", () => {
  // Two axes (columns 0 and 1) and a categorical of three values (one-hot columns 2 to 4).
  const axes = Int32Array.from([0, 1]);
  const row = (v: number, i: number, a = 0.5) => ({ x: Float64Array.from([a, 0.5, v === 0 ? 1 : 0, v === 1 ? 1 : 0, v === 2 ? 1 : 0]), i });

  it("walks the other groups that had too few results for a model, best first, one per level", () => {
    // Best first: value 0 is the incumbent's; value 2's best result beats value 1's.
    const rows = [row(0, 5), row(2, 3), row(0, 7), row(1, 1), row(2, 9), row(1, 2)];
    expect(staleGroup(rows, axes, 9, 0)).toBe(0);
    expect(staleGroup(rows, axes, 9, 1)).toBe(1);
    expect(staleGroup(rows, axes, 9, 2)).toBe(3);
    expect(staleGroup(rows, axes, 9, 3)).toBe(1);
    // Ranked by the results up to the stale one (index 2): value 1 first; its best row now is returned.
    expect(staleGroup(rows, axes, 2, 1)).toBe(3);
  });

  it("leaves out a group with enough results for a model, and keeps the incumbent's when none is left", () => {
    // A diagonal model in 2-D has 5 coefficients: 8 results (1.5 x 5, rounded up) are enough.
    const rows = [row(0, 0), ...Array.from({ length: 8 }, (_, k) => row(1, k + 1, 0.1 * k)), row(2, 20)];
    expect(staleGroup(rows, axes, 30, 1)).toBe(9);
    expect(staleGroup(rows, axes, 30, 2)).toBe(9);
    expect(staleGroup(rows.slice(0, 9), axes, 30, 1)).toBe(0);
  });
});

/** Four floats and an int: every column an axis, so the step is taken. */
const NUMERIC: ProblemSpec = {
  hyperparameters: [
    { type: "float", name: "a", low: -5, high: 5, log: false },
    { type: "float", name: "b", low: -5, high: 5, log: false },
    { type: "float", name: "c", low: -5, high: 5, log: false },
    { type: "float", name: "lr", low: 1e-4, high: 1, log: true },
    { type: "int", name: "units", low: 1, high: 200, log: false },
  ],
  startingPoints: [],
};
/** A rotated, conditioned valley (condition 100 between a+b and a-b). */
function valley(p: Point): number {
  const a = (p.a as number) - 1.2, b = (p.b as number) + 0.4, c = (p.c as number) - 2;
  const u = (a + b) / Math.SQRT2, v = (a - b) / Math.SQRT2;
  return 100 * u * u + v * v + c * c + (Math.log10(p.lr as number) + 2) ** 2 + ((p.units as number) - 120) ** 2 / 1000;
}

function searcher(seed: number, options: Record<string, JsonValue> = { n_candidates: 1000 }): Searcher {
  return createAmbsSearcher({ space: new Space(NUMERIC), seed, direction: "minimize", options });
}

let evalId = 0;
const done = (point: Point): EvaluationResult => ({ evalId: evalId++, point, status: "DONE", objective: valley(point) });


/** Four workers: asks one point per result after the first four (so three are pending at every ask). */
function run(s: Searcher, total: number, told: EvaluationResult[] = []): { all: Point[]; pending: Point[]; best: number } {
  const all = s.ask(4);
  const pending = [...all];
  while (all.length < total) {
    const r = done(pending.shift()!);
    s.tell([r]);
    told.push(r);
    const next = s.ask(1);
    if (next.length === 0) break;
    all.push(...next);
    pending.push(...next);
  }
  return { all, pending, best: Math.min(...told.map((r) => r.objective!)) };
}

describe("ambs with the local quadratic step", () => {
  it("gives the same points for the same seed, never a point twice, every one in the space", () => {
    const space = new Space(NUMERIC);
    const a = run(searcher(3), 90).all;
    expect(run(searcher(3), 90).all).toEqual(a);
    expect(new Set(a.map((p) => space.key(p))).size).toBe(90);
    for (const p of a) expect(space.contains(p)).toBeNull();
  });

  it("restores from state() and from the rows to the same next points", () => {
    const original = searcher(11);
    const told: EvaluationResult[] = [];
    const { pending } = run(original, 70, told);
    expectRestored(original, () => searcher(999), told, pending);
  });

  it("finds the valley's floor sooner than without it", () => {
    const seeds = [1, 2, 3, 4, 5];
    const median = (v: number[]) => v.sort((x, y) => x - y)[2]!;
    const withStep = median(seeds.map((s) => run(searcher(s), 80).best));
    const without = median(seeds.map((s) => run(searcher(s, { n_candidates: 1000, quad_picks: 0 }), 80).best));
    expect(withStep).toBeLessThan(without / 2);
  });

  it("with a categorical, steps within the best point's category and probes the others there", () => {
    // The valley with a categorical: "b" holds the floor, the others add a bias. Refining the
    // first category found without probing the others ended on the wrong one in 6 of 10 seeds.
    const spec: ProblemSpec = { ...NUMERIC, hyperparameters: [...NUMERIC.hyperparameters, { type: "categorical", name: "kind", values: ["a", "b", "c"] }] };
    const f = (p: Point) => valley(p) + (p.kind === "b" ? 0 : 5);
    const space = new Space(spec);
    const best = (options: Record<string, JsonValue>, seed: number): number => {
      const s = createAmbsSearcher({ space, seed, direction: "minimize", options });
      const told: number[] = [];
      const pending = s.ask(4);
      while (told.length < 100) {
        const p = pending.shift()!;
        told.push(f(p));
        s.tell([{ evalId: evalId++, point: p, status: "DONE", objective: f(p) }]);
        pending.push(...s.ask(1));
      }
      return Math.min(...told);
    };
    const median = (v: number[]) => v.sort((x, y) => x - y)[2]!;
    const seeds = [1, 2, 3, 4, 5];
    const withStep = median(seeds.map((seed) => best({ n_candidates: 1000 }, seed)));
    const without = median(seeds.map((seed) => best({ n_candidates: 1000, quad_picks: 0 }, seed)));
    expect(withStep).toBeLessThan(without / 2);
  });

  describe("with categories that move the optimum", () => {
    // The valley moved by the category, each with its own bias: "b" holds the floor (0), "c" is
    // at 1, "a" at 2. Refining the first category found and probing the others at its floats,
    // 1 of these 8 seeds ended in "b" at 250 evaluations; with the walk of the other categories
    // once the best has stood (quadratic.ts, staleGroup), 5 of 8 and every other seed in "c".
    const spec: ProblemSpec = { ...NUMERIC, hyperparameters: [...NUMERIC.hyperparameters, { type: "categorical", name: "kind", values: ["a", "b", "c"] }] };
    const shift: Record<string, [number, number, number]> = { a: [0, 0, 2], b: [3, -3, 0], c: [-3, 3, 1] };
    const f = (p: Point): number => {
      const [dx, dy, bias] = shift[p.kind as string]!;
      return valley({ ...p, a: (p.a as number) - dx, b: (p.b as number) - dy }) + bias;
    };
    const space = new Space(spec);
    const make = (seed: number) => createAmbsSearcher({ space, seed, direction: "minimize", options: { n_candidates: 1000 } });
    /** Four workers, one point asked per result. */
    const drive = (s: Searcher, total: number, told: EvaluationResult[] = []): Point[] => {
      const pending = s.ask(4);
      while (told.length < total) {
        const p = pending.shift()!;
        const r: EvaluationResult = { evalId: evalId++, point: p, status: "DONE", objective: f(p) };
        told.push(r);
        s.tell([r]);
        pending.push(...s.ask(1));
      }
      return pending;
    };

    it("steps in the other categories once the best has stood, and finds the one whose optimum lies elsewhere", () => {
      const ends = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => {
        const told: EvaluationResult[] = [];
        drive(make(seed), 250, told);
        const best = told.reduce((x, y) => (y.objective! < x.objective! ? y : x));
        return { kind: best.point.kind, loss: best.objective! };
      });
      expect(ends.filter((e) => e.kind === "b").length).toBeGreaterThanOrEqual(4);
      expect(ends.every((e) => e.loss < 1.1)).toBe(true);
    });

    it("restores from state() and from the rows to the same next points while it walks them", () => {
      const original = make(2);
      const told: EvaluationResult[] = [];
      const pending = drive(original, 160, told);
      expectRestored(original, () => make(999), told, pending);
    });
  });

  it("refuses a share outside [0, 1]", () => {
    expect(() => searcher(1, { quad_picks: 1.5 })).toThrow(ValidationError);
  });
});
