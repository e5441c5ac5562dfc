// Searchers with several objectives: AMBS on a scalarization drawn anew per proposal beats random's
// hypervolume on ZDT1, proposes a batch as it would one point at a time, and resumes identically
// from its state; a custom method hears every
// objective by name; asha's inner searcher ranks on the first.
import { describe, expect, it } from "vitest";
import { hypervolume } from "../../src/objectives/pareto.js";
import { createAmbsSearcher } from "../../src/search/ambs/index.js";
import { createAshaSearcher } from "../../src/search/asha/index.js";
import type { MethodEvaluation, SearchMethod, SearchMethodContext } from "../../src/search/custom/method.js";
import { createCustomSearcher } from "../../src/search/custom/searcher.js";
import { createRandomSearcher } from "../../src/search/random.js";
import type { Searcher, SearcherContext } from "../../src/search/searcher.js";
import { Space } from "../../src/space/space.js";
import type { ObjectiveSpec, Point } from "../../src/space/types.js";

const D = 6;
const space = new Space({
  hyperparameters: Array.from({ length: D }, (_, i) => ({ type: "float" as const, name: `x${i}`, low: 0, high: 1, log: false })),
  startingPoints: [],
});
const OBJECTIVES: ObjectiveSpec[] = [
  { name: "f1", direction: "minimize" },
  { name: "f2", direction: "minimize" },
];

/** ZDT1 in 6 dimensions: a convex front f2 = 1 - sqrt(f1) where x1..x5 are 0. */
function zdt1(p: Point): number[] {
  const x = Array.from({ length: D }, (_, i) => p[`x${i}`] as number);
  const g = 1 + (9 * x.slice(1).reduce((a, b) => a + b, 0)) / (D - 1);
  return [x[0]!, g * (1 - Math.sqrt(x[0]! / g))];
}

function run(searcher: Searcher, n: number): number[][] {
  const values: number[][] = [];
  let id = 0;
  while (values.length < n) {
    const batch = searcher.ask(Math.min(4, n - values.length));
    const results = batch.map(zdt1);
    values.push(...results);
    searcher.tell(batch.map((point, i) => ({ evalId: id++, point, status: "DONE" as const, objective: results[i]![0]!, objectives: results[i]! })));
  }
  return values;
}

const ctx = (seed: number): SearcherContext => ({ space, seed, direction: "minimize", options: { n_candidates: 2000 }, objectives: OBJECTIVES });
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

describe("ambs with two objectives", () => {
  it("reaches a larger hypervolume than random on ZDT1 (median of 3 seeds, 60 evaluations)", () => {
    const hv = (create: (c: SearcherContext) => Searcher) => median([1, 2, 3].map((seed) => hypervolume(run(create(ctx(seed)), 60), [1.1, 11])));
    const ambs = hv(createAmbsSearcher);
    const random = hv(createRandomSearcher);
    expect(ambs).toBeGreaterThan(random);
  });

  it("continues identically after a JSON round trip of its state (the objectives included)", () => {
    const a = createAmbsSearcher(ctx(4));
    run(a, 24);
    const b = createAmbsSearcher(ctx(4));
    b.restore(JSON.parse(JSON.stringify(a.state())));
    expect(b.ask(3)).toEqual(a.ask(3));
  });

  it("gives each point of a batch its own weights and fit: a batch of 4 is 4 proposals one by one", () => {
    const a = createAmbsSearcher(ctx(6));
    run(a, 24);
    const b = createAmbsSearcher(ctx(6));
    b.restore(JSON.parse(JSON.stringify(a.state())));
    const batch = a.ask(4);
    expect(new Set(batch.map((p) => JSON.stringify(p))).size).toBe(4);
    expect([b.ask(1), b.ask(1), b.ask(1), b.ask(1)].flat()).toEqual(batch);
  });

  it("learns a result lacking an objective as a failure", () => {
    const s = createAmbsSearcher(ctx(5));
    const [p] = s.ask(1);
    s.tell([{ evalId: 1, point: p!, status: "DONE", objective: 0.5, objectives: null }]);
    const saved = s.state() as { observations: { objective: number | null }[] };
    expect(saved.observations[0]!.objective).toBeNull();
  });

  it("explores with kappa 1 unless kappa is set (AMBS_KAPPA_SEVERAL_OBJECTIVES)", () => {
    const points = (options: SearcherContext["options"]): string =>
      JSON.stringify(run(createAmbsSearcher({ ...ctx(3), options: { n_candidates: 500, ...options } }), 30));
    const unset = points({});
    expect(unset).toBe(points({ kappa: 1 }));
    expect(unset).not.toBe(points({ kappa: 1.96 }));
  });
});

describe("a custom method with two objectives", () => {
  it("gets every objective by name, and the declarations in its context", () => {
    const heard: Record<string, number>[] = [];
    let declared: ObjectiveSpec[] | undefined;
    const factory = (c: SearchMethodContext): SearchMethod => {
      declared = c.objectives;
      return {
        initialPoints: () => [{ create: { x0: 0.1, x1: 0, x2: 0, x3: 0, x4: 0, x5: 0 } }],
        onResult: (e: MethodEvaluation & { objectives?: Record<string, number> }) => {
          heard.push(e.objectives!);
          return [];
        },
        onFailure: () => [],
        progress: () => 0,
        saveState: () => null,
        loadState: () => undefined,
      };
    };
    const s = createCustomSearcher(ctx(1), factory({ space, seed: 1, direction: "minimize", objectives: OBJECTIVES, args: null }));
    const [p] = s.ask(1);
    s.tell([{ evalId: 1, point: p!, status: "DONE", objective: 0.1, objectives: [0.1, 0.7] }]);
    expect(heard).toEqual([{ f1: 0.1, f2: 0.7 }]);
    expect(declared).toEqual(OBJECTIVES);
  });
});

describe("asha with two objectives", () => {
  it("proposes through an inner searcher that learns the first objective alone", () => {
    const s = createAshaSearcher({ ...ctx(2), options: { max_length: 4, max_trials: 20, asha_searcher: "ambs", n_candidates: 500 } });
    const values = run(s, 20);
    expect(values).toHaveLength(20);
  });
});
