// ambs's distance term (docs/architecture.md, ambs: "Spread that grows with the distance"): the
// nearest-point distances against a plain scan, their update after a pick, a search in 2-D that,
// with its results mostly in one corner, still proposes points in the empty rest, and in 2-D no
// duplicate proposals and the same next points after a restore.
import { describe, expect, it } from "vitest";
import { branin } from "../../bench/functions.js";
import { createAmbsSearcher } from "../../src/search/ambs/index.js";
import { DISTANCE_SPREAD, distanceVariance, shrinkDistance } from "../../src/search/ambs/distance.js";
import type { EvaluationResult } from "../../src/search/searcher.js";
import { Space } from "../../src/space/space.js";
import type { Point } from "../../src/space/types.js";
import { Rng } from "../../src/util/rng.js";
import { expectRestored } from "../helpers/restore.js";

const k = DISTANCE_SPREAD * DISTANCE_SPREAD;

function rows(rng: Rng, n: number, d: number): Float64Array {
  return Float64Array.from({ length: n * d }, () => rng.next());
}

/** The plain scan: k times the squared distance to the nearest point. */
function scan(X: Float64Array, n: number, d: number, points: Float64Array[]): number[] {
  return Array.from({ length: n }, (_, c) =>
    k * Math.min(...points.map((p) => p.reduce((s, v, j) => s + (X[c * d + j]! - v) ** 2, 0))),
  );
}

describe("ambs distance term", () => {
  it("gives each row the nearest point's distance, as a plain scan does, in 1 to 3 dimensions", () => {
    const rng = new Rng(3);
    for (const d of [1, 2, 3]) {
      const X = rows(rng, 500, d);
      // Ties on the first coordinate included: the sort must not lose a point.
      const points = Array.from({ length: 300 }, (_, i) => {
        const p = rows(rng, 1, d);
        if (i % 10 === 0) p[0] = 0.5;
        return p;
      });
      expect(Array.from(distanceVariance(X, 500, d, points))).toEqual(scan(X, 500, d, points));
    }
  });

  it("lowers each row's term to the distance from a new pick where that is nearer", () => {
    const rng = new Rng(4);
    const X = rows(rng, 200, 2);
    const points = [rows(rng, 1, 2), rows(rng, 1, 2)];
    const v = distanceVariance(X, 200, 2, points);
    const pick = rows(rng, 1, 2);
    shrinkDistance(v, X, 200, 2, pick);
    expect(Array.from(v)).toEqual(scan(X, 200, 2, [...points, pick]));
  });

  it("in 2-D with most results in one corner, proposes points in the largest gaps of the rest", () => {
    // A bowl around (0.9, 0.9), 12 draws over the square and 68 in the corner.
    const space = new Space({
      hyperparameters: [
        { type: "float", name: "x", low: 0, high: 1, log: false },
        { type: "float", name: "y", low: 0, high: 1, log: false },
      ],
      startingPoints: [],
    });
    const loss = (p: Point): number => Math.hypot((p.x as number) - 0.9, (p.y as number) - 0.9);
    const rng = new Rng(5);
    const history: EvaluationResult[] = [];
    for (let i = 0; i < 80; i++) {
      const p = i < 12 ? { x: rng.next(), y: rng.next() } : { x: 0.85 + 0.1 * rng.next(), y: 0.85 + 0.1 * rng.next() };
      history.push({ evalId: i, point: p, status: "DONE", objective: loss(p) });
    }
    const far: number[] = [];
    for (const seed of [1, 2, 3]) {
      const s = createAmbsSearcher({ space, seed, direction: "minimize", options: {} });
      s.tell(history);
      const tried = history.map((r) => space.encode(r.point));
      const batch = s.ask(8).map((p) => space.encode(p));
      far.push(Math.max(...batch.map((x) => Math.sqrt(distanceVariance(x, 1, 2, tried)[0]! / k))));
    }
    // With the term every seed's batch has a point 0.42-0.43 from all 80 (the empty cube's
    // largest gaps); without it 0.27-0.32 (the picks stay nearer the corner's bowl).
    for (const f of far) expect(f).toBeGreaterThan(0.38);
  });

  it("in 2-D: no point proposed twice, and a restore from state or from the rows gives the same next points", () => {
    const make = () => createAmbsSearcher({ space: new Space(branin.spec), seed: 7, direction: "minimize", options: {} });
    const s = make();
    // Four workers: one point asked per result, three pending at every ask.
    const all = s.ask(4);
    const pending = [...all];
    const told: EvaluationResult[] = [];
    while (all.length < 60) {
      const point = pending.shift()!;
      const r: EvaluationResult = { evalId: told.length, point, status: "DONE", objective: branin.objective(point) };
      s.tell([r]);
      told.push(r);
      const next = s.ask(1);
      all.push(...next);
      pending.push(...next);
    }
    const space = new Space(branin.spec);
    expect(new Set(all.map((p) => space.key(p))).size).toBe(all.length);
    expectRestored(s, make, told, pending);
  });
});
