// ambs's trust region and kappa schedule (docs/architecture.md, ambs, random, grid): seeded
// determinism, state round trips (whole and from the rows), no duplicate proposals, every
// proposal a point of the space (conditions and forbidden clauses included), option checks.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { createAmbsSearcher } from "../../src/search/ambs/index.js";
import { frontProgress, scheduledKappa, staleness, trustLength } from "../../src/search/ambs/trust.js";
import type { EvaluationResult, Searcher } from "../../src/search/searcher.js";
import { Space } from "../../src/space/space.js";
import type { JsonValue, Point, ProblemSpec } from "../../src/space/types.js";

const MIXED: ProblemSpec = {
  hyperparameters: [
    { type: "float", name: "x0", low: -5, high: 5, log: false },
    { type: "float", name: "x1", low: -5, high: 5, log: false },
    { type: "float", name: "lr", low: 1e-4, high: 1, log: true },
    { type: "int", name: "units", low: 1, high: 64, log: false },
    { type: "categorical", name: "act", values: ["relu", "tanh", "sigmoid"] },
    { type: "ordinal", name: "depth", values: [1, 2, 4, 8] },
  ],
  startingPoints: [],
};
const mixedObjective = (p: Point): number =>
  ((p.x0 as number) - 1.3) ** 2 + ((p.x1 as number) + 0.7) ** 2 + (Math.log10(p.lr as number) + 2) ** 2 +
  ((p.units as number) - 20) ** 2 / 400 + (p.act === "tanh" ? 0 : 0.3) + Math.log2(p.depth as number) / 10;

/** A method choice with per-method children, a grandchild, and two forbidden clauses. */
const CONDITIONAL: ProblemSpec = {
  hyperparameters: [
    { type: "categorical", name: "method", values: ["svm", "forest", "mlp"] },
    { type: "float", name: "lr", low: 1e-4, high: 0.1, log: true },
    { type: "float", name: "C", low: 1e-3, high: 1e3, log: true },
    { type: "categorical", name: "kernel", values: ["rbf", "linear"] },
    { type: "float", name: "gamma", low: 1e-4, high: 1, log: true },
    { type: "int", name: "depth", low: 1, high: 20, log: false },
    { type: "int", name: "layers", low: 1, high: 4, log: false },
    { type: "ordinal", name: "units", values: [16, 32, 64, 128, 256] },
  ],
  startingPoints: [],
  conditions: [
    { child: "C", when: { op: "eq", parent: "method", value: "svm" } },
    { child: "kernel", when: { op: "eq", parent: "method", value: "svm" } },
    { child: "gamma", when: { op: "eq", parent: "kernel", value: "rbf" } },
    { child: "depth", when: { op: "eq", parent: "method", value: "forest" } },
    { child: "layers", when: { op: "eq", parent: "method", value: "mlp" } },
    { child: "units", when: { op: "eq", parent: "method", value: "mlp" } },
  ],
  forbidden: [
    { op: "and", terms: [{ op: "eq", name: "layers", value: 4 }, { op: "in", name: "units", values: [128, 256] }] },
    { op: "and", terms: [{ op: "eq", name: "method", value: "forest" }, { op: "in", name: "depth", values: [1, 2, 3] }] },
  ],
};
function conditionalObjective(p: Point): number {
  const lr = Math.log10(p.lr as number) + 2;
  if (p.method === "mlp") return -(p.layers as number) * 0.25 + Math.abs(Math.log2((p.units as number) / 64)) * 0.2 + 0.1 * lr * lr;
  if (p.method === "forest") return (p.depth as number) / 20 + 0.1 * lr * lr;
  return 1 - Math.log10(p.C as number) * 0.1 + 0.1 * lr * lr;
}

/** The new parts on, small candidate sets to keep the tests fast. */
const NEW: Record<string, JsonValue> = { n_candidates: 1000, trust_region: "on", kappa_period: 10 };

function searcher(spec: ProblemSpec, seed: number, options: Record<string, JsonValue> = NEW): Searcher {
  return createAmbsSearcher({ space: new Space(spec), seed, direction: "minimize", options });
}

let evalId = 0;
const done = (point: Point, f: (p: Point) => number): EvaluationResult => ({ evalId: evalId++, point, status: "DONE", objective: f(point) });

/** Asks batches of `batch` and tells them one ask late (so points are pending at every ask). */
function run(s: Searcher, f: (p: Point) => number, total: number, batch: number, told: EvaluationResult[] = []): { all: Point[]; pending: Point[] } {
  const all: Point[] = [];
  let pending: Point[] = [];
  while (all.length < total) {
    const pts = s.ask(Math.min(batch, total - all.length));
    if (pts.length === 0) break;
    all.push(...pts);
    const results = pending.map((p) => done(p, f));
    s.tell(results);
    told.push(...results);
    pending = pts;
  }
  return { all, pending };
}

describe("ambs trust region and kappa schedule", () => {
  it("gives the same points for the same seed, and other points for another seed", () => {
    const a = run(searcher(MIXED, 4), mixedObjective, 80, 8).all;
    const b = run(searcher(MIXED, 4), mixedObjective, 80, 8).all;
    const c = run(searcher(MIXED, 5), mixedObjective, 80, 8).all;
    expect(a).toEqual(b);
    expect(c.slice(20)).not.toEqual(a.slice(20));
  });

  it("never proposes a point twice, and every proposal is a point of the space", () => {
    const space = new Space(MIXED);
    const { all } = run(searcher(MIXED, 7), mixedObjective, 150, 8);
    expect(all).toHaveLength(150);
    expect(new Set(all.map((p) => space.key(p))).size).toBe(150);
    for (const p of all) expect(space.contains(p)).toBeNull();
  });

  it("respects conditions and forbidden clauses, without duplicates", () => {
    const space = new Space(CONDITIONAL);
    const { all } = run(searcher(CONDITIONAL, 2), conditionalObjective, 120, 8);
    expect(all).toHaveLength(120);
    expect(new Set(all.map((p) => space.key(p))).size).toBe(120);
    for (const p of all) {
      expect(space.contains(p)).toBeNull();
      expect(Object.keys(p).sort()).toEqual(space.activeNames(p).sort());
    }
  });

  it("restores from state() and from the rows to the same next points", () => {
    const original = searcher(MIXED, 11);
    const told: EvaluationResult[] = [];
    const { pending } = run(original, mixedObjective, 64, 8, told);
    const whole = JSON.parse(JSON.stringify(original.state())) as JsonValue;
    const rowless = JSON.parse(JSON.stringify(original.stateWithoutRows!())) as JsonValue;
    const fromWhole = searcher(MIXED, 999);
    fromWhole.restore(whole);
    const fromRows = searcher(MIXED, 999);
    fromRows.restore(rowless, { told, pending });
    const next = original.ask(8);
    expect(fromWhole.ask(8)).toEqual(next);
    expect(fromRows.ask(8)).toEqual(next);
    // And they go on alike.
    const results = next.map((p) => done(p, mixedObjective));
    for (const s of [original, fromWhole, fromRows]) s.tell(results);
    const after = original.ask(8);
    expect(fromWhole.ask(8)).toEqual(after);
    expect(fromRows.ask(8)).toEqual(after);
  });

  it("refuses bad values of the new options", () => {
    expect(() => searcher(MIXED, 1, { trust_region: "maybe" })).toThrow(ValidationError);
    expect(() => searcher(MIXED, 1, { trust_picks: 1.5 })).toThrow(ValidationError);
    expect(() => searcher(MIXED, 1, { kappa_period: -1 })).toThrow(ValidationError);
    expect(() => searcher(MIXED, 1, { kappa_final: "low" })).toThrow(ValidationError);
  });
});

describe("ambs trust region length and kappa schedule", () => {
  it("shrinks the region while results stop improving, grows it on improvements, restarts it when tiny", () => {
    const initial = [5, 4, 3];
    expect(trustLength(initial, 3, 2)).toBe(0.2);
    // 8 results without improvement (max(8, 2 x 2)) halve it, 16 quarter it.
    expect(trustLength([...initial, ...Array<number>(8).fill(9)], 3, 2)).toBe(0.1);
    expect(trustLength([...initial, ...Array<number>(16).fill(9)], 3, 2)).toBe(0.05);
    // More hyperparameters wait longer: 2 x 10 results for 10.
    expect(trustLength([...initial, ...Array<number>(16).fill(9)], 3, 10)).toBe(0.2);
    // Three improvements in a row double it, up to 0.4.
    expect(trustLength([...initial, 2, 1, 0], 3, 2)).toBe(0.4);
    expect(trustLength([...initial, 2, 1, 0, -1, -2, -3], 3, 2)).toBe(0.4);
    // Halved from 0.2 six times it falls below 0.005 and starts again.
    expect(trustLength([...initial, ...Array<number>(40).fill(9)], 3, 2)).toBe(0.00625);
    expect(trustLength([...initial, ...Array<number>(48).fill(9)], 3, 2)).toBe(0.2);
  });

  it("counts how long the best has stood, improvements below a thousandth of the median's gap not counting", () => {
    const initial = [100, 50, 10];
    // Spans of 2 x max(8, 2 x 2) = 16 results.
    expect(staleness([...initial, ...Array<number>(15).fill(60)], 3, 2)).toEqual({ level: 0, at: -1 });
    expect(staleness([...initial, ...Array<number>(16).fill(60)], 3, 2)).toEqual({ level: 1, at: 18 });
    expect(staleness([...initial, ...Array<number>(33).fill(60)], 3, 2)).toEqual({ level: 2, at: 18 });
    // Steps of 0.001 (the median's gap is 50, the tolerance 0.05) do not count one by one ...
    const fill = Array<number>(20).fill(60);
    const creep = Array.from({ length: 16 }, (_, k) => 10 - 0.001 * (k + 1));
    expect(staleness([100, 90, 10, ...creep, ...fill], 3, 2)).toEqual({ level: 2, at: 18 });
    // ... but add up from the last counted best: of 9.99, 9.98, ..., 9.90, the sixth (9.94) counts.
    const steps = Array.from({ length: 10 }, (_, k) => 10 - 0.01 * (k + 1));
    expect(staleness([100, 90, 10, ...steps, ...fill], 3, 2)).toEqual({ level: 1, at: 24 });
    expect(staleness([5, 4], 3, 2)).toEqual({ level: 0, at: -1 });
  });

  it("decays kappa from kappa to kappa_final over each period, and keeps it constant without one", () => {
    expect(scheduledKappa(1.96, 0.01, 0, 7)).toBe(1.96);
    expect(scheduledKappa(1.96, 0.01, 10, 0)).toBe(1.96);
    expect(scheduledKappa(1.96, 0.01, 10, 10)).toBe(1.96);
    expect(scheduledKappa(1.96, 0.01, 10, 5)).toBeCloseTo(Math.sqrt(1.96 * 0.01), 12);
    const k9 = scheduledKappa(1.96, 0.01, 10, 9);
    expect(k9).toBeLessThan(0.02);
    expect(k9).toBeGreaterThan(0.01);
  });

  it("counts, with several objectives, the results that dominate a point of the front before them", () => {
    const losses = [
      [2, 2], // the first: enters an empty front, dominates nothing
      [1, 3], // beside it on the front
      [3, 3], // dominated
      [1, 1], // dominates both: progress
      [0, 5], // on the front, dominates nothing
      [1, 1], // equal to a front point: covered
      [0.5, 0.5], // dominates [1, 1]
    ];
    const empty = { count: 0, front: [], entries: 0, seq: [] };
    const all = frontProgress(losses, empty);
    expect(all.seq).toEqual([0, 0, 0, -1, -1, -1, -2]);
    expect(all.front).toEqual([[0, 5], [0.5, 0.5]]);
    // Going on from a prefix gives the same as starting over.
    expect(frontProgress(losses.slice(4), frontProgress(losses.slice(0, 4), empty))).toEqual(all);
  });
});
