// Every searcher on a space with conditions and forbidden clauses: 200 proposals each, none
// forbidden, each with exactly its active hyperparameters; the grid without duplicates; AMBS's
// candidates encoded with inactive columns apart; a sampler that finds nothing allowed stops.
import { describe, expect, it } from "vitest";
import { SpruceError } from "../../src/errors.js";
import { createAmbsSearcher } from "../../src/search/ambs/index.js";
import { CandidateSampler } from "../../src/search/ambs/candidates.js";
import { createAshaSearcher } from "../../src/search/asha/index.js";
import type { SearchMethod, SearchMethodContext } from "../../src/search/custom/method.js";
import { createCustomSearcher } from "../../src/search/custom/searcher.js";
import { createGridSearcher, gridSizeFor } from "../../src/search/grid.js";
import { createRandomSearcher } from "../../src/search/random.js";
import type { Searcher, SearcherContext } from "../../src/search/searcher.js";
import { INACTIVE, Space, type ConstraintFunction } from "../../src/space/space.js";
import type { JsonValue, Point, ProblemSpec } from "../../src/space/types.js";
import { Rng } from "../../src/util/rng.js";

/** A choice of method with per-method parameters, a chain (gamma under kernel under method), two forbidden clauses. */
const SPEC: ProblemSpec = {
  hyperparameters: [
    { type: "categorical", name: "method", values: ["svm", "forest", "mlp"] },
    { type: "float", name: "lr", low: 1e-4, high: 0.1, log: true },
    { type: "float", name: "C", low: 1e-3, high: 1e3, log: true },
    { type: "categorical", name: "kernel", values: ["rbf", "linear"] },
    { type: "float", name: "gamma", low: 1e-4, high: 1, log: true },
    { type: "int", name: "trees", low: 10, high: 500, log: false },
    { type: "int", name: "depth", low: 1, high: 20, log: false },
    { type: "int", name: "layers", low: 1, high: 4, log: false },
    { type: "ordinal", name: "units", values: [16, 32, 64, 128, 256] },
  ],
  startingPoints: [{ method: "mlp", lr: 0.01, layers: 2, units: 64 }],
  conditions: [
    { child: "C", when: { op: "eq", parent: "method", value: "svm" } },
    { child: "kernel", when: { op: "eq", parent: "method", value: "svm" } },
    { child: "gamma", when: { op: "eq", parent: "kernel", value: "rbf" } },
    { child: "trees", when: { op: "eq", parent: "method", value: "forest" } },
    { child: "depth", when: { op: "eq", parent: "method", value: "forest" } },
    { child: "layers", when: { op: "eq", parent: "method", value: "mlp" } },
    { child: "units", when: { op: "eq", parent: "method", value: "mlp" } },
  ],
  forbidden: [
    { op: "and", terms: [{ op: "eq", name: "layers", value: 4 }, { op: "in", name: "units", values: [128, 256] }] },
    { op: "and", terms: [{ op: "eq", name: "method", value: "forest" }, { op: "in", name: "depth", values: [1, 2, 3] }] },
  ],
};
const space = new Space(SPEC);

/** Best with mlp (1.8 at 4 layers of 64 units, the allowed optimum); forest worse, svm worst; lr near 0.01 everywhere. */
function objective(p: Point): number {
  const lr = Math.log10(p.lr as number) + 2;
  const penalty = 0.1 * lr * lr;
  if (p.method === "mlp") return 1 + (p.layers as number) * 0.25 - Math.abs(Math.log2((p.units as number) / 128)) * 0.2 - penalty;
  if (p.method === "forest") return ((p.depth as number) / 20) * 0.8 + (p.trees as number) / 5000 - penalty;
  return -1 + Math.log10(p.C as number) * 0.1 - penalty;
}

function checkPoint(p: Point): void {
  expect(space.contains(p)).toBeNull();
  expect(Object.keys(p)).toEqual(space.activeNames(p));
  expect(p.layers === 4 && (p.units as number) >= 128).toBe(false);
  expect(p.method === "forest" && (p.depth as number) <= 3).toBe(false);
}

/** Asks in batches of 8 (every second batch told at once), 200 points in all. */
function drive(searcher: Searcher, total = 200): Point[] {
  const asked: Point[] = [];
  let evalId = 0;
  while (asked.length < total) {
    const batch = searcher.ask(Math.min(8, total - asked.length));
    if (batch.length === 0) break;
    for (const p of batch) checkPoint(p);
    asked.push(...batch);
    searcher.tell(batch.map((point) => ({ evalId: evalId++, point, status: "DONE" as const, objective: objective(point) })));
  }
  return asked;
}

const ctx = (options: Record<string, JsonValue> = {}): SearcherContext => ({ space, seed: 5, direction: "maximize", options });

/** A custom method that proposes through the space it is given: space.sample, then space.isForbidden and contains as checks. */
function sampler(c: SearchMethodContext): SearchMethod {
  const rng = new Rng(c.seed);
  let made = 0;
  const next = () => {
    const p = c.space.sample(rng);
    if (c.space.isForbidden(p) || c.space.contains(p) !== null) throw new Error("the space gave a point it refuses");
    made++;
    return { create: p };
  };
  return {
    initialPoints: () => Array.from({ length: 8 }, next),
    onResult: () => (made < 200 ? [next()] : []),
    onFailure: () => [],
    progress: () => made / 200,
    saveState: () => made,
    loadState: (s) => {
      made = s as number;
    },
  };
}

describe("searchers on a conditional space with forbidden clauses", () => {
  it("random: 200 proposals, all allowed, inactive ones absent", () => {
    const points = drive(createRandomSearcher(ctx()));
    expect(points).toHaveLength(200);
    expect(points[0]).toEqual(SPEC.startingPoints[0]);
    expect(new Set(points.map((p) => p.method))).toEqual(new Set(["svm", "forest", "mlp"]));
  });

  it("ambs: 200 proposals, all allowed and distinct, the model favouring the best branch", () => {
    const points = drive(createAmbsSearcher(ctx({ n_candidates: 2000 })));
    expect(points).toHaveLength(200);
    expect(new Set(points.map((p) => space.key(p))).size).toBe(200);
    const late = points.slice(100);
    expect(late.filter((p) => p.method === "mlp").length).toBeGreaterThan(late.length / 2);
    // At least the corner next to the optimum (3 layers of 128 units, 1.75; the optimum is 4 of 64,
    // 1.8, as 4 of 128 is forbidden). With the trust region (the default, docs/architecture.md,
    // ambs) this seed stays in that corner: over seeds 1-8, 6 reach 1.8 by 200 proposals, 7 without.
    expect(Math.max(...points.map(objective))).toBeGreaterThanOrEqual(1.75);
  });

  it("asha (random and ambs trials): 200 proposals, all allowed", () => {
    for (const inner of ["random", "ambs"]) {
      const s = createAshaSearcher({ ...ctx({ max_length: 9, max_trials: 400, asha_searcher: inner, n_candidates: 2000 }), direction: "maximize" });
      expect(drive(s)).toHaveLength(200);
    }
  });

  it("custom: the method's space samples and checks; its 200 points are all allowed", () => {
    const s = createCustomSearcher(ctx(), sampler({ space, seed: 3, direction: "maximize", args: null }));
    expect(drive(s).length).toBeGreaterThanOrEqual(200);
  });

  it("custom: a method creating a forbidden point is stopped, naming its handler", () => {
    const method = { ...sampler({ space, seed: 3, direction: "maximize", args: null }), initialPoints: () => [{ create: { method: "mlp", lr: 0.01, layers: 4, units: 256 } }] };
    expect(() => createCustomSearcher(ctx(), method).ask(1)).toThrow(/initialPoints operation 0 creates a point outside the space: it is forbidden by layers == 4 && units in \[128, 256\]/);
  });
});

describe("grid on a conditional space", () => {
  it("walks each allowed combination of active values once; its size counts them", () => {
    const options = { grid_count: 3 };
    // Per lr value: svm: C 3 x (rbf: gamma 3 + linear 1) = 12; forest: trees 3 x depth {1, 11, 20}
    // without the forbidden 1 = 6; mlp: layers {1, 3, 4} x 5 units, without 4 x {128, 256} = 13.
    const size = (12 + 6 + 13) * 3;
    expect(gridSizeFor(space, options)).toBe(size);
    const grid = createGridSearcher(ctx(options));
    const points = drive(grid, 1000);
    expect(points).toHaveLength(size);
    expect(new Set(points.map((p) => space.key(p))).size).toBe(size);
    expect(grid.exhausted()).toBe(true);
    // The first hyperparameter varies slowest.
    expect(points.slice(0, 36).every((p) => p.method === "svm")).toBe(true);
    expect(points[36]!.method).toBe("forest");
  });
});

describe("AMBS candidates in a conditional space", () => {
  it("are repaired into encodings of allowed points, inactive columns apart from every real value", () => {
    const sampler = new CandidateSampler(space);
    expect(sampler.repairs).toBe(true);
    const rng = new Rng(9);
    const n = 2000;
    const X = new Float64Array(n * space.dim);
    sampler.random(rng, X, 0, n);
    // Perturbations of one point wake and silence children.
    const centre = space.encode({ method: "svm", lr: 0.01, C: 1, kernel: "linear" });
    for (let r = 0; r < 500; r++) sampler.perturb(rng, centre, 0.3, 1, X, r);
    const kept = sampler.repair(rng, X, 0, n);
    expect(kept).toBeGreaterThan(n * 0.8);
    expect(kept).toBeLessThan(n);
    for (let r = 0; r < kept; r++) {
      const row = X.subarray(r * space.dim, (r + 1) * space.dim);
      const p = space.decode(row);
      checkPoint(p);
      expect(Array.from(row)).toEqual(Array.from(space.encode(p)));
      // Column layout: method 0-2, lr 3, C 4, kernel 5-6, gamma 7, trees 8, depth 9, layers 10, units 11.
      if (!("C" in p)) expect(row[4]).toBe(INACTIVE);
      if (!("kernel" in p)) expect([row[5], row[6]]).toEqual([0, 0]);
      if (!("gamma" in p)) expect(row[7]).toBe(INACTIVE);
      for (let j = 0; j < space.dim; j++) expect(row[j] === INACTIVE || (row[j]! >= 0 && row[j]! <= 1)).toBe(true);
    }
  });
});

describe("a space whose draws are (almost) all forbidden", () => {
  // Allows the first point it is asked about, then nothing: the space is not empty, but no searcher can find more.
  const once = (): ConstraintFunction => {
    let calls = 0;
    return () => calls++ === 0;
  };

  it("stops random and ambs with a clear error instead of spinning", () => {
    for (const create of [createRandomSearcher, createAmbsSearcher]) {
      const s = create({ space: new Space({ ...SPEC, startingPoints: [] }, { constraints: [once()] }), seed: 1, direction: "maximize", options: {} });
      expect(() => s.ask(4)).toThrow(SpruceError);
      expect(() => s.ask(4)).toThrow(/no allowed point in 10000 random draws/);
    }
  });
});
