// Unit tests of the random searcher: starting points first and once, exact exhaustion of finite
// spaces, state/restore continuing the same sequence, and a saved state that stays small in a
// continuous space (it is written with every batch of results and proposals).
import { describe, expect, it } from "vitest";
import { createRandomSearcher } from "../../src/search/random.js";
import { Space } from "../../src/space/space.js";
import type { Hyperparameter, JsonValue, Point } from "../../src/space/types.js";

const float: Hyperparameter = { type: "float", name: "x", low: 0, high: 1, log: false };
const choice: Hyperparameter = { type: "categorical", name: "c", values: ["a", "b", "c"] };
const small: Hyperparameter = { type: "int", name: "n", low: 1, high: 4, log: false };

function searcher(hyperparameters: Hyperparameter[], startingPoints: Point[] = []) {
  const space = new Space({ hyperparameters, startingPoints });
  return { space, s: createRandomSearcher({ space, seed: 7, direction: "maximize", options: {} }) };
}

describe("random searcher", () => {
  it("proposes the starting points first, a repeated one only once", () => {
    const { s } = searcher([float, choice], [{ x: 0.5, c: "a" }, { x: 0.5, c: "a" }, { x: 0.25, c: "b" }]);
    const points = s.ask(4);
    expect(points.slice(0, 2)).toEqual([{ x: 0.5, c: "a" }, { x: 0.25, c: "b" }]);
    expect(points).toHaveLength(4);
  });

  it("exhausts a finite space exactly, never proposing a point twice, across a restore", () => {
    const { space, s } = searcher([small, choice]);
    const first = s.ask(5);
    const resumed = createRandomSearcher({ space, seed: 7, direction: "maximize", options: {} });
    resumed.restore(JSON.parse(JSON.stringify(s.state())) as JsonValue);
    const rest = resumed.ask(100);
    const keys = [...first, ...rest].map((p) => space.key(p));
    expect(keys).toHaveLength(12);
    expect(new Set(keys).size).toBe(12);
    expect(resumed.exhausted()).toBe(true);
  });

  it("continues the same sequence after state/restore in a continuous space", () => {
    const { space, s } = searcher([float, choice], [{ x: 0.5, c: "a" }]);
    s.ask(3);
    const restored = createRandomSearcher({ space, seed: 7, direction: "maximize", options: {} });
    restored.restore(JSON.parse(JSON.stringify(s.state())) as JsonValue);
    expect(restored.ask(5)).toEqual(s.ask(5));
  });

  it("keeps a continuous space's state the same size however many points were proposed and told", () => {
    const { s } = searcher([float, choice], [{ x: 0.5, c: "a" }]);
    const sizeAfter = (n: number): number => {
      const points = s.ask(n);
      s.tell(points.map((point, i) => ({ evalId: i, point, status: "DONE" as const, objective: 1 })));
      return JSON.stringify(s.state()).length;
    };
    const early = sizeAfter(10);
    // Only the generator's numbers change (and with them their digits).
    expect(sizeAfter(5000)).toBeLessThan(early + 20);
    expect((s.state() as { seen: string[] }).seen).toEqual(['[0.5,"a"]']);
  });

  it("restores a continuous space's state that listed every sample (older format) to the starting points only", () => {
    const { space, s } = searcher([float], [{ x: 0.5 }]);
    s.ask(3);
    const old = { ...(s.state() as object), seen: ["[0.5]", "[0.1]", "[0.2]"] };
    const restored = createRandomSearcher({ space, seed: 7, direction: "maximize", options: {} });
    restored.restore(old as JsonValue);
    expect((restored.state() as { seen: string[] }).seen).toEqual(["[0.5]"]);
    expect(restored.ask(2)).toEqual(s.ask(2));
  });
});
