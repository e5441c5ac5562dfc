// Unit tests of several objectives: declarations, Pareto ranks, hypervolume in 2, 3 and 4
// dimensions against hand-computed volumes, reference points, the Chebyshev scalarization.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { checkObjectives, objectivesOf, parseObjectiveFlag } from "../../src/objectives/declare.js";
import { dominates, hypervolume, paretoFront, paretoRanks, referencePoint, toLosses } from "../../src/objectives/pareto.js";
import { chebyshev, rankedChebyshev, simplexWeights } from "../../src/objectives/scalarize.js";
import { Rng } from "../../src/util/rng.js";

describe("objective declarations", () => {
  it("reads NAME:max and NAME:min flags", () => {
    expect(parseObjectiveFlag("acc:max")).toEqual({ name: "acc", direction: "maximize" });
    expect(parseObjectiveFlag("time:minimize")).toEqual({ name: "time", direction: "minimize" });
    expect(() => parseObjectiveFlag("acc")).toThrow("--objective acc: expected NAME:max or NAME:min");
    expect(() => parseObjectiveFlag("acc:up")).toThrow('--objective acc:up: unknown direction "up"');
    expect(() => parseObjectiveFlag("a b:max")).toThrow(/invalid objective name "a b"/);
  });

  it("refuses an objective declared twice, in one line", () => {
    let error: unknown;
    try {
      checkObjectives([{ name: "acc", direction: "max" }, { name: "acc", direction: "min" }], "--objective");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe("objective 'acc' is declared twice");
  });

  it("gives a workflow without declared objectives its one unnamed objective", () => {
    expect(objectivesOf({ objectives: null, direction: "minimize" })).toEqual([{ name: "objective", direction: "minimize" }]);
  });
});

describe("Pareto ranks", () => {
  it("ranks fronts by non-dominated sorting, equal points sharing a rank", () => {
    expect(dominates([1, 1], [1, 2])).toBe(true);
    expect(dominates([1, 2], [1, 2])).toBe(false);
    expect(dominates([0, 3], [1, 2])).toBe(false);
    expect(paretoRanks([[1, 1], [2, 2], [1, 2], [3, 0], [2, 2]])).toEqual([1, 3, 2, 1, 3]);
    expect(paretoFront([[1, 1], [2, 2], [1, 2], [3, 0], [2, 2]])).toEqual([0, 3]);
  });

  it("finds the same front as a brute-force check on random points, and stops ranking at the limit", () => {
    const rng = new Rng(3);
    const points = Array.from({ length: 300 }, () => [rng.int(0, 20), rng.int(0, 20), rng.int(0, 20)]);
    const brute = points.flatMap((p, i) => (points.some((q) => dominates(q, p)) ? [] : [i]));
    expect(paretoFront(points)).toEqual(brute);
    const ranks = paretoRanks(points, 10);
    expect(ranks.filter((r) => r === 1)).toHaveLength(brute.length);
    expect(ranks.filter((r) => r !== Infinity).length).toBeGreaterThanOrEqual(10);
    expect(ranks.some((r) => r === Infinity)).toBe(true);
  });

  it("turns maximized objectives into losses", () => {
    const objectives = [{ name: "acc", direction: "maximize" as const }, { name: "time", direction: "minimize" as const }];
    expect(toLosses([0.9, 3], objectives)).toEqual([-0.9, 3]);
    // Higher accuracy at the same time dominates.
    expect(paretoRanks([[0.9, 3], [0.8, 3], [0.7, 1]].map((v) => toLosses(v, objectives)))).toEqual([1, 2, 1]);
  });
});

describe("hypervolume", () => {
  it("2-D: the staircase under three points", () => {
    // (4-1)(4-3) + (4-2)(3-2) + (4-3)(2-1) = 3 + 2 + 1.
    expect(hypervolume([[1, 3], [2, 2], [3, 1]], [4, 4])).toBe(6);
    // A dominated point, a duplicate and a point on the reference's edge change nothing.
    expect(hypervolume([[1, 3], [2, 2], [3, 1], [3, 3], [2, 2], [4, 0]], [4, 4])).toBe(6);
    expect(hypervolume([], [4, 4])).toBe(0);
  });

  it("3-D: two and three overlapping boxes (inclusion-exclusion by hand)", () => {
    // 0.5 + 0.25 - 0.125.
    expect(hypervolume([[0, 0, 0.5], [0.5, 0.5, 0]], [1, 1, 1])).toBeCloseTo(0.625, 12);
    // Boxes of 6 each; pairwise intersections 2 each; the triple one 1: 18 - 6 + 1.
    expect(hypervolume([[1, 2, 3], [2, 3, 1], [3, 1, 2]], [4, 4, 4])).toBeCloseTo(13, 12);
  });

  it("4-D: a unit box, and two boxes", () => {
    expect(hypervolume([[0, 0, 0, 0]], [1, 1, 1, 1])).toBe(1);
    // 1 * 1 * 1 * 0.5 + 0.5^4 ... : A = [0,1]^3 x [0.5,1] (0.5), B = [0.5,1]^3 x [0,1] (0.125), A∩B = 0.0625.
    expect(hypervolume([[0, 0, 0, 0.5], [0.5, 0.5, 0.5, 0]], [1, 1, 1, 1])).toBeCloseTo(0.5625, 12);
  });

  it("takes the declared reference, else the worst loss observed", () => {
    const losses = [[-0.9, 3], [-0.5, 1]];
    expect(referencePoint(losses, [{ name: "acc", direction: "maximize" }, { name: "time", direction: "minimize" }])).toEqual({ point: [-0.5, 3], declared: false });
    expect(referencePoint(losses, [{ name: "acc", direction: "maximize", reference: 0 }, { name: "time", direction: "minimize", reference: 10 }])).toEqual({
      point: [-0, 10],
      declared: true,
    });
  });
});

describe("Chebyshev scalarization", () => {
  it("scales each loss by its observed range and augments the max with a small sum", () => {
    const f = chebyshev([[0, 10], [10, 0]], [0.5, 0.5]);
    expect(f([5, 5])).toBeCloseTo(0.25 + 0.05 * 0.5, 12);
    expect(f([0, 10])).toBeCloseTo(0.5 + 0.05 * 0.5, 12);
    // A constant objective scales to 0.
    expect(chebyshev([[1, 2], [1, 4]], [0.5, 0.5])([1, 3])).toBeCloseTo(0.25 + 0.05 * 0.25, 12);
  });

  it("ranks on the Pareto rank first, then on the Chebyshev value scaled into [0, 0.5]", () => {
    // Ranks 1, 1, 1, 2; scaled losses (0, 1), (1, 0), (.5, .5), (.6, .6); Chebyshev 0.525, 0.525,
    // 0.275, 0.33, divided by 2 x 1.05.
    const v = rankedChebyshev([[0, 10], [10, 0], [5, 5], [6, 6]], [0.5, 0.5]);
    [1.25, 1.25, 1 + 0.275 / 2.1, 2 + 0.33 / 2.1].forEach((want, i) => expect(v[i]).toBeCloseTo(want, 12));
    // The point best for these weights in the front, (5, 5), beats the extremes; the dominated
    // (6, 6), though nearer than the extremes in Chebyshev terms, comes after every front point.
    expect(v[2]).toBeLessThan(v[0]!);
    expect(v[3]).toBeGreaterThan(Math.max(v[0]!, v[1]!));
  });

  it("draws weights on the simplex", () => {
    const rng = new Rng(1);
    for (let i = 0; i < 100; i++) {
      const w = simplexWeights(rng, 3);
      expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(w.every((v) => v >= 0)).toBe(true);
    }
  });
});
