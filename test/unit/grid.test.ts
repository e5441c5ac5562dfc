// Unit tests of the grid (Determined's rules) and the `grid` searcher: values per hyperparameter
// type, the product's order, sizes, counts from options and YAML, and state/restore.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { parseProblemYaml } from "../../src/problem/yaml.js";
import { createGridSearcher, gridCountsFromOptions, gridSizeFor } from "../../src/search/grid.js";
import { gridAxes, gridSize, gridValues } from "../../src/space/grid.js";
import { Space } from "../../src/space/space.js";
import type { Hyperparameter, JsonValue, Point } from "../../src/space/types.js";

const int = (low: number, high: number, log = false): Hyperparameter => ({ type: "int", name: "n", low, high, log });
const float = (low: number, high: number, log = false): Hyperparameter => ({ type: "float", name: "x", low, high, log });

function spaceOf(...hyperparameters: Hyperparameter[]): Space {
  return new Space({ hyperparameters, startingPoints: [] });
}

function searcher(space: Space, options: Record<string, JsonValue> = {}) {
  return createGridSearcher({ space, seed: 1, direction: "maximize", options });
}

describe("gridValues", () => {
  it("spaces int ranges evenly with endpoints, rounding as Determined does", () => {
    // 8 + i * 56 / 3 = 8, 26.67, 45.33, 64
    expect(gridValues(int(8, 64), 4)).toEqual([8, 27, 45, 64]);
    expect(gridValues(int(0, 10), 3)).toEqual([0, 5, 10]);
  });

  it("clamps an int count to the number of integers in the range", () => {
    expect(gridValues(int(1, 3), 10)).toEqual([1, 2, 3]);
  });

  it("gives the midpoint for count 1, rounding halves away from zero", () => {
    expect(gridValues(int(1, 4), 1)).toEqual([3]);
    expect(gridValues(int(-4, -1), 1)).toEqual([-3]);
    expect(gridValues(float(0, 1), 1)).toEqual([0.5]);
    expect(gridValues(float(1e-4, 1, true), 1)[0]).toBeCloseTo(1e-2, 12);
  });

  it("spaces float ranges linearly and log ranges in log space, endpoints exact", () => {
    expect(gridValues(float(0, 1), 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const values = gridValues(float(0.1, 0.3), 3) as number[];
    expect(values[2]).toBe(0.3);
    const log = gridValues(float(1e-4, 1, true), 5) as number[];
    expect(log[0]).toBe(1e-4);
    expect(log[4]).toBe(1);
    [1e-3, 1e-2, 1e-1].forEach((v, i) => expect(log[i + 1]! / v).toBeCloseTo(1, 12));
  });

  it("removes integer duplicates after rounding a log int range", () => {
    // 8 ** (i / 7) = 1, 1.35, 1.81, 2.44, 3.28, 4.42, 5.94, 8
    expect(gridValues(int(1, 8, true), 8)).toEqual([1, 2, 3, 4, 6, 8]);
    // 100 ** (i / 4) = 1, 3.16, 10, 31.6, 100
    expect(gridValues(int(1, 100, true), 5)).toEqual([1, 3, 10, 32, 100]);
  });

  it("takes every categorical and ordinal value, and a const's value", () => {
    expect(gridValues({ type: "categorical", name: "a", values: ["relu", { k: 1 }] }, 2)).toEqual(["relu", { k: 1 }]);
    expect(gridValues({ type: "ordinal", name: "b", values: [16, 32, 64] }, 1)).toEqual([16, 32, 64]);
    expect(gridValues({ type: "const", name: "c", value: [1, 2] }, 5)).toEqual([[1, 2]]);
  });

  it("rejects a count that is not a positive integer", () => {
    expect(() => gridValues(int(0, 3), 0)).toThrow(ValidationError);
    expect(() => gridValues(int(0, 3), 1.5)).toThrow(/must be a whole number of at least 1 \(got 1.5\)/);
  });
});

describe("grid product", () => {
  const space = spaceOf(
    { type: "int", name: "a", low: 0, high: 1, log: false },
    { type: "categorical", name: "b", values: ["x", "y", "z"] },
    { type: "const", name: "c", value: 7 },
  );

  it("varies the first hyperparameter slowest", () => {
    const points = searcher(space).ask(100);
    expect(points.map((p) => `${p.a}${p.b}`)).toEqual(["0x", "0y", "0z", "1x", "1y", "1z"]);
    expect(points.every((p) => p.c === 7 && space.contains(p) === null)).toBe(true);
    expect(Object.keys(points[0]!)).toEqual(["a", "b", "c"]);
  });

  it("counts the grid's points with default and per-hyperparameter counts", () => {
    const s = spaceOf(float(0, 1), { type: "int", name: "k", low: 0, high: 100, log: false });
    expect(gridSize(s, { count: 5, perName: {} })).toBe(25);
    expect(gridSize(s, { count: 5, perName: { k: 2 } })).toBe(10);
    expect(gridSizeFor(s, { grid_count: 3, grid_counts: { x: 1 } })).toBe(3);
    expect(gridSizeFor(s, {})).toBe(25);
  });

  it("rejects counts for unknown hyperparameters and malformed options", () => {
    const s = spaceOf(float(0, 1));
    expect(() => gridAxes(s, { count: 5, perName: { y: 2 } })).toThrow(/unknown hyperparameter 'y'/);
    expect(() => gridSizeFor(s, { grid_count: 0 })).toThrow(/--grid-count must be a whole number of at least 1 \(got 0\)/);
    expect(() => gridCountsFromOptions({ grid_count: "5" })).toThrow(ValidationError);
    expect(() => gridCountsFromOptions({ grid_counts: [3] })).toThrow(/name: count/);
    expect(() => gridSizeFor(s, { grid_counts: { x: -1 } })).toThrow(/grid count of 'x'/);
  });
});

describe("grid searcher", () => {
  const space = spaceOf(float(0, 1), { type: "ordinal", name: "o", values: [1, 2] });

  it("walks the grid in chunks, then is exhausted", () => {
    const g = searcher(space, { grid_count: 3 });
    expect(g.name).toBe("grid");
    const first = g.ask(4);
    expect(first).toHaveLength(4);
    expect(g.exhausted()).toBe(false);
    const rest = g.ask(10);
    expect(rest).toHaveLength(2);
    expect(g.exhausted()).toBe(true);
    expect(g.ask(1)).toEqual([]);
    expect(new Set([...first, ...rest].map((p) => space.key(p))).size).toBe(6);
  });

  it("ignores starting points", () => {
    const s = new Space({ hyperparameters: [float(0, 1)], startingPoints: [{ x: 0.3 }] });
    expect(searcher(s, { grid_count: 2 }).ask(5)).toEqual([{ x: 0 }, { x: 1 }]);
  });

  it("continues after restore() exactly where state() was taken", () => {
    const a = searcher(space, { grid_count: 3 });
    a.ask(2);
    a.tell([]);
    const saved = JSON.parse(JSON.stringify(a.state())) as JsonValue;
    const b = searcher(space, { grid_count: 3 });
    b.restore(saved);
    expect(b.ask(10)).toEqual(a.ask(10));
  });

  it("refuses a state from another grid", () => {
    const saved = searcher(space, { grid_count: 3 }).state();
    expect(() => searcher(space, { grid_count: 4 }).restore(saved)).toThrow(/saved search had 6 grid points/);
    expect(() => searcher(space).restore({ next: -1, size: 10 })).toThrow(/invalid saved state/);
  });

  it("uses the count keys of a Determined YAML file passed as grid_counts", () => {
    const text = readFileSync(new URL("../fixtures/problems/good.yaml", import.meta.url), "utf8");
    const spec = parseProblemYaml(text, "good.yaml");
    expect(spec.gridCounts).toEqual({ units: 4 });
    const s = new Space(spec);
    const points: Point[] = searcher(s, { grid_count: 2, grid_counts: spec.gridCounts! }).ask(1000);
    expect([...new Set(points.map((p) => p.units))]).toEqual([8, 27, 45, 64]);
    // units 4, dropout 2, lr 2, decay 2, optimizer 2, two consts
    expect(points).toHaveLength(4 * 2 * 2 * 2 * 2);
    expect(points.every((p) => s.contains(p) === null)).toBe(true);
  });

  it("leaves gridCounts out of a YAML spec without counts", () => {
    const spec = parseProblemYaml("hyperparameters:\n  x: {type: double, minval: 0, maxval: 1}\n", "p.yaml");
    expect(spec).not.toHaveProperty("gridCounts");
  });
});
