// The custom search-method runner driven directly: events reach the handlers in order,
// operations are checked, the saved state resumes the method exactly, and bad methods get clear errors.
import { describe, expect, it } from "vitest";
import Evolution from "../../examples/custom-searcher/method.js";
import { Space } from "../../src/space/space.js";
import { assertSearchMethod, type SearchMethod } from "../../src/search/custom/method.js";
import { createCustomSearcher, type CustomSearcher } from "../../src/search/custom/searcher.js";
import type { SearcherContext } from "../../src/search/searcher.js";
import type { JsonValue, Point } from "../../src/space/types.js";
import { SpruceError, ValidationError } from "../../src/errors.js";

const space = new Space({
  hyperparameters: [
    { type: "float", name: "x", low: -1, high: 1, log: false },
    { type: "float", name: "y", low: -1, high: 1, log: false },
  ],
  startingPoints: [],
});
const ctx: SearcherContext = { space, seed: 11, direction: "maximize", options: {} };
const f = (p: Point): number => -(((p.x as number) - 0.3) ** 2) - ((p.y as number) + 0.2) ** 2;

function make(args: JsonValue = { budget: 12, population: 3 }): { searcher: CustomSearcher; method: Evolution } {
  const method = new Evolution({ space, seed: ctx.seed, direction: "maximize", args });
  return { searcher: createCustomSearcher(ctx, method), method };
}

/** One slot: ask one point, tell its result, until the method ends; optionally stop after k events. */
function drive(searcher: CustomSearcher, nextId: { v: number }, stopAfterEvents = Infinity): void {
  while (!searcher.exhausted() && searcher.events < stopAfterEvents) {
    const [p] = searcher.ask(1);
    if (!p) break;
    const id = nextId.v++;
    if (id % 5 === 0) searcher.tell([{ evalId: id, point: p, status: "FAILED", objective: null, error: "exit code 1" }]);
    else searcher.tell([{ evalId: id, point: p, status: "DONE", objective: f(p) }]);
  }
}

describe("custom search method runner", () => {
  it("calls initialPoints once, queues its points and hands them out as slots free", () => {
    const { searcher } = make();
    expect(searcher.ask(2)).toHaveLength(2);
    expect(searcher.events).toBe(1);
    expect(searcher.ask(5)).toHaveLength(1); // the population of 3: one left
    expect(searcher.ask(5)).toHaveLength(0);
    expect(searcher.exhausted()).toBe(false); // results pending: more events will come
  });

  it("ends after the budget: shutdown, no pending result", () => {
    const { searcher, method } = make();
    drive(searcher, { v: 1 });
    expect(searcher.exhausted()).toBe(true);
    expect(method.progress()).toBe(1);
  });

  it("resumes from the saved state with the same sequence of events as an uninterrupted run", () => {
    const whole = make();
    drive(whole.searcher, { v: 1 });
    const expected = (whole.searcher.state() as { method: { handled: string[] } }).method.handled;

    const first = make();
    const ids = { v: 1 };
    drive(first.searcher, ids, 6);
    const saved = JSON.parse(JSON.stringify(first.searcher.state())) as JsonValue;
    const second = make();
    second.searcher.restore(saved);
    drive(second.searcher, ids);
    const resumed = (second.searcher.state() as { method: { handled: string[] } }).method.handled;
    expect(resumed).toEqual(expected);
    expect(expected.some((e) => e.startsWith("failure 5: exit code 1"))).toBe(true);
  });

  it("names missing handlers of a method module", () => {
    expect(() => assertSearchMethod({ initialPoints() {}, onResult() {} }, "m.ts")).toThrow(ValidationError);
    expect(() => assertSearchMethod({ initialPoints() {}, onResult() {} }, "m.ts")).toThrow(/no onFailure, progress, saveState, loadState handlers/);
  });

  it("reports a handler's bad return value naming the handler", () => {
    const bad = { initialPoints: () => "nope", onResult: () => [], onFailure: () => [], progress: () => 0, saveState: () => null, loadState: () => {} } as unknown as SearchMethod;
    const s = createCustomSearcher(ctx, bad);
    expect(() => s.ask(1)).toThrow(SpruceError);
    expect(() => createCustomSearcher(ctx, bad).ask(1)).toThrow(/initialPoints returned string nope, not an array/);
    const outside = { ...bad, initialPoints: () => [{ create: { x: 5, y: 0 } }] } as SearchMethod;
    expect(() => createCustomSearcher(ctx, outside).ask(1)).toThrow(/creates a point outside the space: x=5/);
  });
});
