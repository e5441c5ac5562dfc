// The ambs searcher's contract: starting points first, distinct points, an exhausted discrete
// space, failures never fed as values, seeded determinism, state round trips, both directions.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { CandidateSampler } from "../../src/search/ambs/candidates.js";
import { createAmbsSearcher } from "../../src/search/ambs/index.js";
import type { Direction, EvaluationResult, Searcher } from "../../src/search/searcher.js";
import { Space } from "../../src/space/space.js";
import type { JsonValue, Point, ProblemSpec } from "../../src/space/types.js";
import { Rng } from "../../src/util/rng.js";

const MIXED: ProblemSpec = {
  hyperparameters: [
    { type: "float", name: "lr", low: 1e-4, high: 1, log: true },
    { type: "int", name: "units", low: 1, high: 64, log: false },
    { type: "int", name: "batch", low: 8, high: 512, log: true },
    { type: "categorical", name: "act", values: ["relu", "tanh", "sigmoid"] },
    { type: "ordinal", name: "depth", values: [1, 2, 4, 8] },
    { type: "const", name: "epochs", value: 3 },
  ],
  startingPoints: [],
};
const mixedObjective = (p: Point): number =>
  (Math.log10(p.lr as number) + 2) ** 2 + ((p.units as number) - 20) ** 2 / 400 + (p.act === "tanh" ? 0 : 0.3) + Math.log2(p.depth as number) / 10;

/** Small candidate sets keep the tests fast; the behaviour under test does not depend on it. */
const FAST: Record<string, JsonValue> = { n_candidates: 1000 };

function searcher(spec: ProblemSpec, seed = 1, direction: Direction = "minimize", options: Record<string, JsonValue> = {}): Searcher {
  return createAmbsSearcher({ space: new Space(spec), seed, direction, options: { ...FAST, ...options } });
}

let evalId = 0;
function done(point: Point, objective: number): EvaluationResult {
  return { evalId: evalId++, point, status: "DONE", objective };
}

/** Asks batches of `batch`, tells all of them, until `total` points; returns every point asked. */
function run(s: Searcher, f: (p: Point) => number, total: number, batch: number): Point[] {
  const all: Point[] = [];
  while (all.length < total) {
    const pts = s.ask(Math.min(batch, total - all.length));
    if (pts.length === 0) break;
    all.push(...pts);
    s.tell(pts.map((p) => done(p, f(p))));
  }
  return all;
}

describe("ambs searcher", () => {
  it("asks the starting points first, then distinct valid points, with pending ones taken into account", () => {
    const starts = [
      { lr: 0.01, units: 20, batch: 64, act: "tanh", depth: 2, epochs: 3 },
      { lr: 0.1, units: 5, batch: 8, act: "relu", depth: 8, epochs: 3 },
    ];
    const spec = { ...MIXED, startingPoints: starts };
    const space = new Space(spec);
    const s = searcher(spec, 3, "minimize", { n_initial_points: 6 });
    const first = s.ask(3);
    expect(first.slice(0, 2)).toEqual(starts);
    // Ask again before telling: the pending points must not come back.
    const all = [...first, ...s.ask(5)];
    s.tell(all.map((p) => done(p, mixedObjective(p))));
    all.push(...run(s, mixedObjective, 40, 5));
    expect(all).toHaveLength(48);
    for (const p of all) expect(space.contains(p)).toBeNull();
    expect(new Set(all.map((p) => space.key(p))).size).toBe(all.length);
  });

  it("ends an all-discrete space without repeating a point", () => {
    const spec: ProblemSpec = {
      hyperparameters: [
        { type: "int", name: "n", low: 1, high: 3, log: false },
        { type: "categorical", name: "c", values: ["a", "b"] },
        { type: "ordinal", name: "o", values: [0.1, 0.5] },
      ],
      startingPoints: [],
    };
    const space = new Space(spec);
    const s = searcher(spec, 1, "minimize", { n_initial_points: 3 });
    const seen = run(s, (p) => (p.n as number) + (p.c === "a" ? 0 : 1) + (p.o as number), 100, 5);
    expect(seen).toHaveLength(12);
    expect(new Set(seen.map((p) => space.key(p))).size).toBe(12);
    expect(s.exhausted()).toBe(true);
    expect(s.ask(4)).toEqual([]);
  });

  it("stores failures without a value and keeps sampling at random while nothing succeeded", () => {
    const spec: ProblemSpec = { hyperparameters: [{ type: "float", name: "x", low: 0, high: 1, log: false }], startingPoints: [] };
    const s = searcher(spec, 2, "minimize", { n_initial_points: 2 });
    for (let i = 0; i < 5; i++) {
      const [p] = s.ask(1);
      // A status other than DONE carries no value, even if a caller passes one along.
      s.tell([{ evalId: evalId++, point: p!, status: i % 2 ? "TIMEOUT" : "FAILED", objective: -1e30 }]);
    }
    const saved = s.state() as { observations: { objective: number | null }[] };
    expect(saved.observations.map((o) => o.objective)).toEqual([null, null, null, null, null]);
    expect(s.ask(2)).toHaveLength(2);
  });

  it("avoids a failing region when failures are imputed with the worst value", () => {
    const spec: ProblemSpec = { hyperparameters: [{ type: "float", name: "x", low: 0, high: 1, log: false }], startingPoints: [] };
    // The objective falls towards x = 0, but every x < 0.3 crashes.
    const inFailingRegion = (failures: string): number => {
      const s = searcher(spec, 4, "minimize", { failures, n_initial_points: 5 });
      let hits = 0;
      for (let i = 0; i < 40; i++) {
        const pts = s.ask(2);
        s.tell(
          pts.map((p) =>
            (p.x as number) < 0.3 ? { evalId: evalId++, point: p, status: "FAILED" as const, objective: null } : done(p, p.x as number),
          ),
        );
        if (i >= 5) hits += pts.filter((p) => (p.x as number) < 0.3).length;
      }
      return hits;
    };
    expect(inFailingRegion("worst")).toBeLessThan(inFailingRegion("exclude"));
  });

  it("is reproducible under a seed, and the seed matters", () => {
    const a = run(searcher(MIXED, 7), mixedObjective, 30, 4);
    const b = run(searcher(MIXED, 7), mixedObjective, 30, 4);
    const c = run(searcher(MIXED, 8), mixedObjective, 30, 4);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it("continues identically after a JSON round trip of its state, pending points included", () => {
    const a = searcher(MIXED, 5);
    run(a, mixedObjective, 24, 4);
    const pending = a.ask(3);
    const b = searcher(MIXED, 999);
    b.restore(JSON.parse(JSON.stringify(a.state())) as JsonValue);
    expect(b.ask(2)).toEqual(a.ask(2));
    const results = pending.map((p) => done(p, mixedObjective(p)));
    a.tell(results);
    b.tell(results);
    expect(run(b, mixedObjective, 12, 3)).toEqual(run(a, mixedObjective, 12, 3));
  });

  it.each(["minimize", "maximize"] as const)("%s finds the right end of a 1-D function", (direction) => {
    const spec: ProblemSpec = { hyperparameters: [{ type: "float", name: "x", low: 0, high: 1, log: false }], startingPoints: [] };
    const f = (p: Point): number => ((p.x as number) - 0.3) ** 2;
    const s = searcher(spec, 9, direction);
    const xs = run(s, f, 40, 4).map((p) => p.x as number);
    const best = direction === "minimize" ? xs.reduce((a, x) => (f({ x }) < f({ x: a }) ? x : a)) : xs.reduce((a, x) => (f({ x }) > f({ x: a }) ? x : a));
    if (direction === "minimize") expect(Math.abs(best - 0.3)).toBeLessThan(0.02);
    else expect(best).toBeGreaterThan(0.98);
    // After the random start, the model's points gather at the optimum's end.
    const late = xs.slice(20);
    const nearEnd = late.filter((x) => (direction === "minimize" ? Math.abs(x - 0.3) < 0.15 : x > 0.8)).length;
    expect(nearEnd).toBeGreaterThan(late.length / 2);
  });

  it("in seven hyperparameters and up, each ask's first pick is the trust region's first row: unscreened, the best points' recombination", () => {
    const picks = (k: number): { asked: Point[]; want: Point[] } => {
      const names = Array.from({ length: k }, (_, i) => `x${i}`);
      const space = new Space({ hyperparameters: names.map((name) => ({ type: "float" as const, name, low: 0, high: 1, log: false })), startingPoints: [] });
      const f = (p: Point): number => names.reduce((sum, n, i) => sum + (i + 1) * ((p[n] as number) - 0.3) ** 2, 0);
      // 1 000 candidates are not screened, so the region's first row is still the recombination.
      const s = createAmbsSearcher({ space, seed: 4, direction: "minimize", options: FAST });
      const told: { x: Float64Array; y: number }[] = [];
      const tell = (pts: Point[]): void => {
        for (const p of pts) told.push({ x: space.encode(p), y: f(p) });
        s.tell(pts.map((p) => done(p, f(p))));
      };
      tell(s.ask(12));
      const asked: Point[] = [];
      const want: Point[] = [];
      const sampler = new CandidateSampler(space);
      for (let i = 0; i < 8; i++) {
        const centres = [...told].sort((a, b) => a.y - b.y).slice(0, 5).map((o) => o.x);
        want.push(space.decode(sampler.recombine(centres, k)));
        const pts = s.ask(1);
        asked.push(...pts);
        tell(pts);
      }
      return { asked, want };
    };
    const ten = picks(10);
    expect(ten.asked).toEqual(ten.want);
    // Below TRUST_FIRST_MIN the pick is the acquisition's, among all three pools.
    const six = picks(6);
    expect(six.asked.filter((p, i) => JSON.stringify(p) === JSON.stringify(six.want[i])).length).toBeLessThan(4);
  });

  it("rejects bad options with a validation error", () => {
    expect(() => searcher(MIXED, 1, "minimize", { surrogate: "gp" })).toThrow(ValidationError);
    expect(() => searcher(MIXED, 1, "minimize", { kappa: -1 })).toThrow(ValidationError);
    expect(() => searcher(MIXED, 1, "minimize", { n_initial_points: 2.5 })).toThrow(ValidationError);
  });
});

describe("ambs candidates", () => {
  it("are encodings of real points: decode then encode gives the vector back", () => {
    const space = new Space(MIXED);
    const sampler = new CandidateSampler(space);
    const rng = new Rng(1);
    const n = 200;
    const X = new Float64Array(n * space.dim);
    sampler.random(rng, X, 0, n / 2);
    for (let r = n / 2; r < n; r++) sampler.perturb(rng, X.subarray(0, space.dim), 0.05, 1, X, r);
    for (let r = 0; r < n; r++) {
      const row = X.subarray(r * space.dim, (r + 1) * space.dim);
      const again = space.encode(space.decode(row));
      for (let j = 0; j < space.dim; j++) expect(again[j]).toBeCloseTo(row[j]!, 12);
    }
  });

  it("redrawNear moves uniform draws out of a box around a centre, leaving the others and the rows outside the range", () => {
    const space = new Space({
      hyperparameters: [
        { type: "float", name: "a", low: 0, high: 1, log: false },
        { type: "float", name: "b", low: 0, high: 1, log: false },
      ],
      startingPoints: [],
    });
    const sampler = new CandidateSampler(space);
    const centre = [0.5, 0.5];
    const draw = (seed: number, gap: number): Float64Array => {
      const rng = new Rng(seed);
      const X = new Float64Array(2000 * 2);
      sampler.random(rng, X, 0, 2000);
      sampler.redrawNear(rng, X, 1000, 1000, centre, gap, 8);
      return X;
    };
    const inBox = (X: Float64Array, from: number, to: number, gap: number): number => {
      let k = 0;
      for (let r = from; r < to; r++) if (Math.abs(X[2 * r]! - 0.5) <= gap && Math.abs(X[2 * r + 1]! - 0.5) <= gap) k++;
      return k;
    };
    const X = draw(3, 0.25);
    // A box of a quarter of the cube: about 250 of 1 000 untouched draws inside, none after
    // redrawing (8 tries each leave 0.25^9 * 1 000 ~ 0.004 expected).
    expect(inBox(X, 0, 1000, 0.25)).toBeGreaterThan(180);
    expect(inBox(X, 1000, 2000, 0.25)).toBe(0);
    for (const v of X) expect(v >= 0 && v <= 1).toBe(true);
    expect(Array.from(draw(3, 0.25))).toEqual(Array.from(X));
  });

  it("recombine: CMA-ES's weighted mean of the best points on the continuous columns, the best point's value elsewhere", () => {
    const floats = Array.from({ length: 8 }, (_, i) => ({ type: "float" as const, name: `x${i}`, low: 0, high: 1, log: false }));
    const space = new Space({
      hyperparameters: [...floats, { type: "categorical", name: "c", values: ["a", "b", "d"] }, { type: "float", name: "g", low: 0, high: 1, log: false }],
      startingPoints: [],
      conditions: [{ child: "g", when: { op: "eq", parent: "c", value: "b" } }],
    });
    const sampler = new CandidateSampler(space);
    const rng = new Rng(5);
    // Six points, best first; g active in all but the third.
    const centres = [0, 1, 2, 3, 4, 5].map((i) => {
      const p: Point = { c: i === 2 ? "a" : i % 2 === 0 ? "b" : "d" };
      for (let j = 0; j < 8; j++) p[`x${j}`] = rng.next();
      if (p.c === "b") p.g = rng.next();
      return space.encode(p);
    });
    // 10 hyperparameters: population 4 + floor(3 ln 10) = 10, its better half mu = 5.
    const out = sampler.recombine(centres, 10);
    const raw = [1, 2, 3, 4, 5].map((i) => Math.log(5.5) - Math.log(i));
    const w = raw.map((v) => v / raw.reduce((a, b) => a + b, 0));
    const p = space.decode(out);
    for (let j = 0; j < 8; j++) {
      const want = w.reduce((sum, wi, i) => sum + wi * (space.decode(centres[i]!)[`x${j}`] as number), 0);
      expect(p[`x${j}`] as number).toBeCloseTo(want, 12);
    }
    // The categorical is the best point's, and g (inactive in the third point) too.
    expect(p.c).toBe("b");
    expect(p.g).toBe(space.decode(centres[0]!).g);
    // Fewer centres than mu: the mean of those there are.
    const two = space.decode(sampler.recombine(centres.slice(0, 2), 10));
    const w2 = [Math.log(2.5), Math.log(2.5) - Math.log(2)];
    const x0 = (i: number): number => space.decode(centres[i]!).x0 as number;
    expect(two.x0 as number).toBeCloseTo((w2[0]! * x0(0) + w2[1]! * x0(1)) / (w2[0]! + w2[1]!), 12);
  });
});
