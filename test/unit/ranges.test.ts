// Unit tests of the Studio-style `--hp` range parser: every form, float steps computed by index,
// and malformed flags rejected with a ValidationError that names --hp and the flag.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { createGridSearcher } from "../../src/search/grid.js";
import { Space } from "../../src/space/space.js";
import { parseHpFlag, problemFromHpFlags } from "../../src/space/ranges.js";
import { Rng } from "../../src/util/rng.js";

/** The values of a flag that must parse to an ordinal. */
function valuesOf(flag: string): unknown[] {
  const hp = parseHpFlag(flag);
  if (hp.type !== "ordinal") throw new Error(`${flag} parsed to ${hp.type}`);
  return hp.values;
}

describe("parseHpFlag", () => {
  it("start:step:end gives the inclusive values, rounded to the step's decimals", () => {
    expect(parseHpFlag("lr=0.01:0.01:0.1")).toEqual({
      type: "ordinal",
      name: "lr",
      values: [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1],
    });
    expect(valuesOf("x=0:0.1:0.3")).toEqual([0, 0.1, 0.2, 0.3]);
    expect(valuesOf("n=1:2:9")).toEqual([1, 3, 5, 7, 9]);
  });

  it("start:step:end stops at the last step inside the range (MATLAB's 0:0.3:1)", () => {
    expect(valuesOf("x=0:0.3:1")).toEqual([0, 0.3, 0.6, 0.9]);
    expect(valuesOf("w=1e-5:1e-5:5e-5")).toEqual([1e-5, 2e-5, 3e-5, 4e-5, 5e-5]);
  });

  it("start:lN:end gives N log-spaced values with exact ends", () => {
    expect(parseHpFlag("lr=1e-5:l5:0.1")).toEqual({ type: "ordinal", name: "lr", values: [1e-5, 1e-4, 1e-3, 1e-2, 0.1] });
  });

  it("start:uN:end gives N evenly spaced values", () => {
    const values = valuesOf("lr=1e-5:u10:0.1");
    expect(values).toHaveLength(10);
    expect(values[0]).toBe(1e-5);
    expect(values[9]).toBe(0.1);
    expect(values[1]).toBe(0.01112);
    expect(valuesOf("d=0:u5:1")).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it("low:high is an int range when both are integers, else a float range", () => {
    expect(parseHpFlag("layers=0:3")).toEqual({ type: "int", name: "layers", low: 0, high: 3, log: false });
    expect(parseHpFlag("drop=0:0.5")).toEqual({ type: "float", name: "drop", low: 0, high: 0.5, log: false });
  });

  it("a list is categorical, ordinal when every item is a number", () => {
    expect(parseHpFlag("act=relu,tanh")).toEqual({ type: "categorical", name: "act", values: ["relu", "tanh"] });
    expect(parseHpFlag("mix=relu,1")).toEqual({ type: "categorical", name: "mix", values: ["relu", 1] });
    expect(parseHpFlag("units=32,64,128")).toEqual({ type: "ordinal", name: "units", values: [32, 64, 128] });
  });

  it("a single value is a const (a number when it reads as one)", () => {
    expect(parseHpFlag("lr=0.1")).toEqual({ type: "const", name: "lr", value: 0.1 });
    expect(parseHpFlag("opt=adam")).toEqual({ type: "const", name: "opt", value: "adam" });
  });

  const malformed: [string, RegExp][] = [
    ["lr=", /missing a value or range after 'lr='/],
    ["=3", /missing the hyperparameter name/],
    ["lr", /expected name=range/],
    ["lr=1:0", /start \(1\) must be less than the end \(0\)/],
    ["lr=2:2", /must be less than/],
    ["lr=a:b", /"a" is not a number/],
    ["lr=1:", /an empty bound is not a number/],
    ["lr=1:l0:2", /l0: at least 2 values/],
    ["lr=1:u1:2", /u1: at least 2 values/],
    ["lr=0:l5:1", /log spacing needs a positive start/],
    ["lr=0:x:1", /the step "x" is not a number/],
    ["lr=0:0:1", /the step must be positive/],
    ["lr=0:-1:1", /the step must be positive/],
    ["lr=0:2:1", /the step 2 is larger than the range/],
    ["lr=1:2:3:4", /at most three parts/],
    ["act=relu,,tanh", /empty item/],
    ["act=relu,relu", /listed twice/],
    ["1lr=0:1", /invalid hyperparameter name/],
  ];
  it.each(malformed)("rejects %s", (flag, pattern) => {
    let error: unknown;
    try {
      parseHpFlag(flag);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as ValidationError).message;
    expect(message.startsWith(`--hp ${flag}: `)).toBe(true);
    expect(message).toMatch(pattern);
    expect((error as ValidationError).exitCode).toBe(2);
  });
});

describe("problemFromHpFlags", () => {
  it("builds a problem any searcher can sample, and the grid walks the listed values", () => {
    const spec = problemFromHpFlags(["lr=1e-5:l3:1e-3", "layers=0:3", "act=relu,tanh", "epochs=5"]);
    expect(spec.startingPoints).toEqual([]);
    const space = new Space(spec);
    expect(space.names).toEqual(["lr", "layers", "act", "epochs"]);
    const p = space.sample(new Rng(3));
    expect(space.contains(p)).toBeNull();
    const grid = createGridSearcher({ space, seed: 0, direction: "maximize", options: { grid_count: 10 } }).ask(1000);
    // 3 listed lr values x 4 integers x 2 activations
    expect(grid).toHaveLength(24);
    expect([...new Set(grid.map((q) => q.lr))]).toEqual([1e-5, 1e-4, 1e-3]);
  });

  it("rejects duplicate names and an empty list of flags", () => {
    expect(() => problemFromHpFlags(["lr=0:1", "lr=0.1"])).toThrow(/--hp lr=0.1: 'lr' is already defined by --hp lr=0:1/);
    expect(() => problemFromHpFlags([])).toThrow(/--hp: no hyperparameters given/);
  });
});

describe("--hp low:high follows how the bounds are written", () => {
  it("0:1 is an int range, 0.0:1.0 and 1e-3:1 real ones (as Python reads them)", () => {
    expect(parseHpFlag("x=0:1")).toEqual({ type: "int", name: "x", low: 0, high: 1, log: false });
    expect(parseHpFlag("x=0.0:1.0")).toEqual({ type: "float", name: "x", low: 0, high: 1, log: false });
    expect(parseHpFlag("x=1e0:1e1")).toEqual({ type: "float", name: "x", low: 1, high: 10, log: false });
    expect(parseHpFlag("x=-3:+3")).toEqual({ type: "int", name: "x", low: -3, high: 3, log: false });
  });
});
