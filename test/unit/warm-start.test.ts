// Warm start (docs/architecture.md, Warm start): the results.csv forms read (Spruce's, DeepHyper
// 0.13's p: columns and objective_0.., older DeepHyper's plain names and F failures), overlapping
// spaces matched with out-of-space rows dropped and counted, and ambs learning from the priors:
// model-based from its first ask, near the prior optimum, priors never saved in its state.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { parseCsv } from "../../src/results/csv.js";
import { createAmbsSearcher } from "../../src/search/ambs/index.js";
import type { EvaluationResult, Searcher } from "../../src/search/searcher.js";
import { priorsFor, readWarmStart, tableFromCsv, type PriorObservation } from "../../src/search/warm-start.js";
import { Space } from "../../src/space/space.js";
import type { JsonValue, Point, ProblemSpec } from "../../src/space/types.js";
import { Rng } from "../../src/util/rng.js";

const SPEC: ProblemSpec = {
  hyperparameters: [
    { type: "float", name: "lr", low: 0.001, high: 1, log: true },
    { type: "int", name: "units", low: 1, high: 64, log: false },
    { type: "categorical", name: "act", values: ["relu", "tanh"] },
    { type: "categorical", name: "bn", values: [true, false] },
  ],
  startingPoints: [],
};
const space = new Space(SPEC);
const csv = (text: string): string[][] => parseCsv(text);

describe("reading a results.csv", () => {
  it("reads Spruce's form: p: columns, objective, failures without one", () => {
    const t = tableFromCsv(
      csv(
        "p:lr,p:units,p:act,p:bn,objective,eval_id,status,m:timestamp_submit\n" +
          "0.01,8,relu,true,0.5,1,DONE,0.1\n" +
          "0.1,16,tanh,false,,2,FAILED,0.2\n",
      ),
      space,
      1,
      "r.csv",
    );
    expect(t.names).toEqual(["lr", "units", "act", "bn"]);
    expect(t.rows).toEqual([
      { values: { lr: "0.01", units: "8", act: "relu", bn: "true" }, objectives: [0.5] },
      { values: { lr: "0.1", units: "16", act: "tanh", bn: "false" }, objectives: [null] },
    ]);
    const { warm, summary } = priorsFor(space, t, "r.csv");
    expect(warm.observations).toEqual([{ point: { lr: 0.01, units: 8, act: "relu", bn: true }, objective: 0.5 }]);
    expect(summary).toMatchObject({ used: 1, outside: 0, noObjective: 1, missing: [], ignored: [] });
    expect(warm.dropped).toBe(1);
  });

  it("reads DeepHyper 0.13's several objectives (objective_0, objective_1) and its F failures", () => {
    const text = "p:lr,p:units,p:act,p:bn,objective_0,objective_1,job_id,m:timestamp_end\n0.01,8,relu,True,0.9,-3,0,1.5\n0.5,3,tanh,False,F,F,1,2.0\n";
    const t = tableFromCsv(csv(text), space, 2, "dh.csv");
    const { warm, summary } = priorsFor(space, t, "dh.csv");
    // Python's True/False match the boolean categories.
    expect(warm.observations).toEqual([{ point: { lr: 0.01, units: 8, act: "relu", bn: true }, objective: 0.9, objectives: [0.9, -3] }]);
    expect(summary.noObjective).toBe(1);
    // A one-objective search cannot take it, and says what the file has.
    expect(() => tableFromCsv(csv(text), space, 1, "dh.csv")).toThrow(/no column 'objective' \(it has objective_0, objective_1\)/);
  });

  it("reads older DeepHyper's plain names, leaving its other columns out", () => {
    const t = tableFromCsv(csv("lr,units,act,objective,elapsed_sec,id\n1e-2,4,relu,0.25,3.2,a\n"), space, 1, "old.csv");
    expect(t.names).toEqual(["lr", "units", "act"]);
    const { warm, summary } = priorsFor(space, t, "old.csv");
    expect(warm.observations[0]).toEqual({ point: { lr: 0.01, units: 4, act: "relu" }, objective: 0.25 });
    expect(summary.missing).toEqual(["bn"]);
  });
});

describe("matching an earlier space to a new one", () => {
  it("drops rows with values outside the ranges or of unknown categories, and counts them", () => {
    const t = tableFromCsv(
      csv(
        "p:lr,p:units,p:act,p:dropout,objective\n" +
          "0.01,8,relu,0.1,1\n" + // used; dropout is not in the new space
          "2.0,8,relu,0.1,2\n" + // lr above 1
          "0.01,8.5,relu,0.1,3\n" + // units not whole
          "0.01,80,relu,0.1,4\n" + // units above 64
          "0.01,8,selu,0.1,5\n" + // unknown category
          "1.0000000001,8,tanh,0.2,6\n", // within printing slack of the bound: clamped, used
      ),
      space,
      1,
      "r.csv",
    );
    const { warm, summary } = priorsFor(space, t, "r.csv");
    expect(warm.observations.map((o) => o.objective)).toEqual([1, 6]);
    expect(warm.observations[1]!.point.lr).toBe(1);
    expect(summary).toMatchObject({ used: 2, outside: 4, noObjective: 0, missing: ["bn"], ignored: ["dropout"] });
    expect(warm.dropped).toBe(4);
  });

  it("gives a constant the source lacks its one value, and does not call it missing", () => {
    const withConst = new Space({ ...SPEC, hyperparameters: [...SPEC.hyperparameters, { type: "const", name: "epochs", value: 3 }] });
    const { warm, summary } = priorsFor(withConst, tableFromCsv(csv("p:lr,p:units,p:act,p:bn,objective\n0.1,2,relu,false,1\n"), withConst, 1, "r.csv"), "r.csv");
    expect(warm.observations[0]!.point).toEqual({ lr: 0.1, units: 2, act: "relu", bn: false, epochs: 3 });
    expect(summary.missing).toEqual([]);
    // A source that had another value of it searched elsewhere: its rows are outside.
    const other = priorsFor(withConst, tableFromCsv(csv("p:lr,p:epochs,objective\n0.1,3,1\n0.2,5,2\n"), withConst, 1, "r.csv"), "r.csv");
    expect(other.summary).toMatchObject({ used: 1, outside: 1 });
  });

  it("takes typed values from a workflow's rows as they are", () => {
    const { warm } = priorsFor(space, { names: ["lr", "act", "bn"], rows: [{ values: { lr: 0.5, act: "tanh", bn: false }, objectives: [7] }] }, "wf");
    expect(warm.observations).toEqual([{ point: { lr: 0.5, act: "tanh", bn: false }, objective: 7 }]);
  });

  it("refuses a source sharing no hyperparameter, and one with no usable row", () => {
    expect(() => priorsFor(space, { names: ["x", "y"], rows: [{ values: { x: 1, y: 2 }, objectives: [1] }] }, "other")).toThrow(ValidationError);
    expect(() => priorsFor(space, { names: ["x"], rows: [] }, "other")).toThrow(/shares no hyperparameter with this search \(it has x; this search has lr, units, act, bn\)/);
    const none = { names: ["lr"], rows: [{ values: { lr: 5 }, objectives: [1] }, { values: { lr: 0.1 }, objectives: [null] }] };
    expect(() => priorsFor(space, none, "old")).toThrow(/no usable row in old: 2 row\(s\), 1 with a value outside this search's space, 1 without an objective/);
  });

  it("keeps only the values a conditional space makes active", () => {
    const cond = new Space({
      hyperparameters: [
        { type: "categorical", name: "opt", values: ["sgd", "adam"] },
        { type: "float", name: "momentum", low: 0, high: 1, log: false },
      ],
      conditions: [{ child: "momentum", when: { op: "eq", parent: "opt", value: "sgd" } }],
      startingPoints: [],
    });
    const { warm } = priorsFor(cond, tableFromCsv(csv("p:opt,p:momentum,objective\nadam,0.5,1\nsgd,0.9,2\nadam,,3\n"), cond, 1, "c.csv"), "c.csv");
    expect(warm.observations.map((o) => o.point)).toEqual([{ opt: "adam" }, { opt: "sgd", momentum: 0.9 }, { opt: "adam" }]);
  });

  it("checks the stored observations a searcher is built from", () => {
    const stored: JsonValue = { source: "s", dropped: 0, observations: [{ point: { lr: 0.1 }, objective: 1 }] };
    expect(readWarmStart(stored, 1)).toEqual([{ point: { lr: 0.1 }, objective: 1 }]);
    expect(readWarmStart(undefined, 1)).toEqual([]);
    expect(() => readWarmStart({ observations: [{ point: { lr: 0.1 }, objective: "x" }] }, 1)).toThrow(/observation 0 has no finite objective/);
    expect(() => readWarmStart(stored, 2)).toThrow(/needs 2 finite objectives/);
  });
});

describe("ambs with a warm start", () => {
  const SQUARE: ProblemSpec = {
    hyperparameters: [
      { type: "float", name: "x", low: 0, high: 1, log: false },
      { type: "float", name: "y", low: 0, high: 1, log: false },
    ],
    startingPoints: [],
  };
  const square = new Space(SQUARE);
  const f = (p: Point): number => ((p.x as number) - 0.3) ** 2 + ((p.y as number) - 0.7) ** 2;
  const dist = (p: Point): number => Math.sqrt(f(p));

  function priors(n: number, seed: number): PriorObservation[] {
    const rng = new Rng(seed);
    return Array.from({ length: n }, () => {
      const point = square.sample(rng);
      return { point, objective: f(point) };
    });
  }
  const build = (warm: PriorObservation[] | null, seed: number, n_initial_points = 10): Searcher =>
    createAmbsSearcher({
      space: square,
      seed,
      direction: "minimize",
      options: { n_candidates: 2000, n_initial_points, ...(warm ? { warm_start: { source: "test", dropped: 0, observations: warm as unknown as JsonValue } } : {}) },
    });
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

  it("proposes near the prior optimum from its first ask, where a cold start draws at random", () => {
    const warmDist: number[] = [];
    const coldDist: number[] = [];
    for (let seed = 1; seed <= 5; seed++) {
      const warm = build(priors(60, 100 + seed), seed).ask(8);
      const cold = build(null, seed).ask(8);
      warmDist.push(median(warm.map(dist)));
      coldDist.push(median(cold.map(dist)));
    }
    // Uniform points in the unit square lie about 0.4 from (0.3, 0.7); the model's picks close by
    // (0.06-0.16 per seed: in 2-D the 8 points of a batch spread around it, since a lie may not
    // draw the next pick to itself, docs/architecture.md "Low dimension").
    expect(median(warmDist)).toBeLessThan(0.2);
    expect(median(coldDist)).toBeGreaterThan(0.25);
  });

  it("fewer priors than n_initial_points shorten the random start instead", () => {
    const after4 = (warm: PriorObservation[] | null): number => {
      const s = build(warm, 3, 10);
      const first = s.ask(4);
      s.tell(first.map((p, i) => ({ evalId: i, point: p, status: "DONE", objective: f(p) })));
      return median(s.ask(8).map(dist));
    };
    // 6 priors + 4 results reach the 10 results the surrogate needs: model picks (0.24 here), where
    // without the priors the random start goes on (uniform points, about 0.4).
    const warm = after4(priors(6, 7));
    expect(warm).toBeLessThan(0.3);
    expect(warm).toBeLessThan(after4(null));
  });

  it("learns from priors lacking a hyperparameter of the new space", () => {
    // The earlier search had only x; y is new. Priors near x = 0.3 still pull x there.
    const rng = new Rng(5);
    const onlyX: PriorObservation[] = Array.from({ length: 60 }, () => {
      const x = rng.next();
      return { point: { x }, objective: (x - 0.3) ** 2 };
    });
    const xs = build(onlyX, 2).ask(8).map((p) => p.x as number);
    expect(median(xs.map((x) => Math.abs(x - 0.3)))).toBeLessThan(0.1);
  });

  it("never saves the priors, and a restore gives the same next points", () => {
    const warm = priors(30, 11);
    const a = build(warm, 4);
    const told: EvaluationResult[] = [];
    for (let round = 0; round < 3; round++) {
      const batch = a.ask(4);
      const results = batch.map((p, i): EvaluationResult => ({ evalId: round * 4 + i, point: p, status: "DONE", objective: f(p) }));
      a.tell(results);
      told.push(...results);
    }
    const full = a.state() as { observations: unknown[] };
    expect(full.observations).toHaveLength(12);
    const b = build(warm, 4);
    b.restore(JSON.parse(JSON.stringify(a.state())) as JsonValue);
    const c = build(warm, 4);
    c.restore(JSON.parse(JSON.stringify(a.stateWithoutRows!())) as JsonValue, { told, pending: [] });
    const next = a.ask(4);
    expect(b.ask(4)).toEqual(next);
    expect(c.ask(4)).toEqual(next);
  });

  it("learns several objectives' priors: its first ask is model-based and deterministic", () => {
    const objectives = [
      { name: "a", direction: "minimize" as const },
      { name: "b", direction: "minimize" as const },
    ];
    const rng = new Rng(9);
    const warm = Array.from({ length: 40 }, () => {
      const point = square.sample(rng);
      const v = [f(point), ((point.x as number) - 0.7) ** 2];
      return { point, objective: v[0]!, objectives: v };
    });
    const make = (): Searcher =>
      createAmbsSearcher({ space: square, seed: 1, direction: "minimize", objectives, options: { n_candidates: 1000, warm_start: { source: "t", dropped: 0, observations: warm as unknown as JsonValue } } });
    const first = make().ask(4);
    expect(first).toHaveLength(4);
    expect(make().ask(4)).toEqual(first);
    // Between the two optima (x 0.3 and 0.7, y 0.7): the Pareto set is y = 0.7, x in [0.3, 0.7].
    expect(median(first.map((p) => Math.abs((p.y as number) - 0.7)))).toBeLessThan(0.15);
  });

  it("may evaluate a prior's point again: priors are not the search's own results", () => {
    const grid = new Space({ hyperparameters: [{ type: "int", name: "k", low: 0, high: 3, log: false }], startingPoints: [] });
    const s = createAmbsSearcher({
      space: grid,
      seed: 1,
      direction: "minimize",
      options: { n_initial_points: 2, warm_start: { source: "t", dropped: 0, observations: [{ point: { k: 1 }, objective: 0 }, { point: { k: 2 }, objective: 5 }] } },
    });
    const all = s.ask(10);
    expect(all.map((p) => p.k).sort()).toEqual([0, 1, 2, 3]);
    expect(s.exhausted()).toBe(true);
  });
});
