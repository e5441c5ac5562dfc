// Unit tests of conditions, forbidden clauses and constraint functions as problems write them: the
// Problem builder's forms, YAML's `when:` and `forbidden:`, and loading them (the constraint
// functions reach a space rebuilt from the stored spec by importing the module again).
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SpruceError, ValidationError } from "../../src/errors.js";
import { loadProblem, loadSpace } from "../../src/problem/load.js";
import { Problem } from "../../src/problem/problem.js";
import { parseProblemYaml } from "../../src/problem/yaml.js";
import { Space } from "../../src/space/space.js";
import { Rng } from "../../src/util/rng.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/problems/", import.meta.url));

function oneLine(fn: () => unknown): ValidationError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as Error).message).not.toContain("\n");
  return error as ValidationError;
}

describe("Problem.addCondition and addForbidden", () => {
  it("turns each form into the JSON shape the Python package writes", () => {
    const spec = new Problem()
      .add("optimizer", ["sgd", "adam", "rmsprop"])
      .add("momentum", [0.0, 0.99])
      .add("nesterov", [true, false])
      .add("beta", [0.9, 0.999])
      .add("layers", [1, 8])
      .add("decay", [0.0, 0.1])
      .addCondition("momentum", { parent: "optimizer", equals: "sgd" })
      .addCondition("nesterov", { all: [{ parent: "momentum", greaterThan: 0.5 }, { parent: "optimizer", notEquals: "adam" }] })
      .addCondition("beta", { any: [{ parent: "optimizer", in: ["adam", "rmsprop"] }, { parent: "layers", lessThan: 2 }] })
      .addCondition("decay", { op: "eq", parent: "optimizer", value: "sgd" })
      .addForbidden({ optimizer: "rmsprop", layers: { in: [7, 8] } })
      .addForbidden({ op: "eq", name: "layers", value: 5 })
      .toSpec();
    expect(spec.conditions).toEqual([
      { child: "momentum", when: { op: "eq", parent: "optimizer", value: "sgd" } },
      { child: "nesterov", when: { op: "and", terms: [{ op: "gt", parent: "momentum", value: 0.5 }, { op: "ne", parent: "optimizer", value: "adam" }] } },
      { child: "beta", when: { op: "or", terms: [{ op: "in", parent: "optimizer", values: ["adam", "rmsprop"] }, { op: "lt", parent: "layers", value: 2 }] } },
      { child: "decay", when: { op: "eq", parent: "optimizer", value: "sgd" } },
    ]);
    expect(spec.forbidden).toEqual([
      { op: "and", terms: [{ op: "eq", name: "optimizer", value: "rmsprop" }, { op: "in", name: "layers", values: [7, 8] }] },
      { op: "eq", name: "layers", value: 5 },
    ]);
    const space = new Space(spec);
    for (const p of space.sampleMany(new Rng(1), 300)) {
      expect(p.layers).not.toBe(5);
      expect(p.optimizer === "rmsprop" && (p.layers as number) >= 7).toBe(false);
    }
  });

  it("takes a condition as the when option of add and the typed builders", () => {
    const spec = new Problem()
      .categorical("kind", ["a", "b"])
      .float("x", 0, 1, { when: { parent: "kind", equals: "b" } })
      .add("y", [1, 3], { when: { parent: "kind", equals: "a" } })
      .toSpec();
    expect(spec.conditions?.map((c) => c.child)).toEqual(["x", "y"]);
  });

  it("says what is wrong in one line", () => {
    const p = new Problem().add("optimizer", ["sgd", "adam"]).add("momentum", [0.0, 0.99]);
    expect(oneLine(() => p.addCondition("momentum", { parent: "optimizer", equals: "sgd", in: ["adam"] } as never)).message).toBe(
      "condition of 'momentum': give exactly one test of 'optimizer' (got equals, in)",
    );
    expect(oneLine(() => p.addCondition("momentum", { parent: "optimizer", like: "s" } as never)).message).toBe("condition of 'momentum': unknown key 'like'");
    p.addCondition("momentum", { parent: "optimiser", equals: "sgd" });
    expect(oneLine(() => p.addCondition("momentum", { parent: "optimizer", equals: "sgd" })).message).toMatch(/has a condition already/);
    // Names and values are checked once the space is complete.
    expect(oneLine(() => p.toSpec()).message).toBe("condition of 'momentum': parent 'optimiser' is not a hyperparameter");
    expect(oneLine(() => new Problem().add("a", [0, 3]).addForbidden({ a: 9 }).toSpec()).message).toBe("forbidden clause 1: a=9 is outside [0, 3]");
    expect(oneLine(() => new Problem().add("a", [0, 3]).addConstraint(42 as never)).message).toMatch(/42 is not a function/);
  });
});

describe("YAML conditions and forbidden clauses", () => {
  it("reads when: and forbidden:", async () => {
    const { spec, space } = await loadProblem(FIXTURES + "conditional.yaml");
    expect(spec.conditions).toEqual([
      { child: "width", when: { op: "eq", parent: "model", value: "large" } },
      { child: "depth", when: { op: "and", terms: [{ op: "eq", parent: "model", value: "large" }, { op: "gt", parent: "width", value: 512 }] } },
    ]);
    expect(spec.forbidden).toEqual([{ op: "and", terms: [{ op: "eq", name: "model", value: "large" }, { op: "in", name: "batch_size", values: [128] }] }]);
    expect(space.startingPoints).toEqual([{ model: "small", batch_size: 128 }]);
    // small: 3 batch sizes; large: 2 batch sizes x (449 widths up to 512 + 512 wider x 7 depths).
    expect(space.size()).toBe(3 + 2 * (449 + 512 * 7));
  });

  it("names the file and the key path of a bad condition", async () => {
    const error = await loadProblem(FIXTURES + "bad-condition-parent.yaml").then(
      () => null,
      (e: unknown) => e as ValidationError,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error!.message).toBe(`${FIXTURES}bad-condition-parent.yaml: condition of 'momentum': parent 'optimiser' is not a hyperparameter`);
    expect(() => parseProblemYaml("hyperparameters:\n  a: {type: int, minval: 0, maxval: 3, when: {parent: b}}\n  b: 1\n", "p.yaml")).toThrow(
      "p.yaml: hyperparameters.a.when: give exactly one test of 'b' (got none)",
    );
    expect(() => parseProblemYaml("hyperparameters:\n  a: {type: int, minval: 0, maxval: 3}\nforbidden: {a: 1}\n", "p.yaml")).toThrow(
      "p.yaml: forbidden: expected a list of clauses",
    );
  });
});

describe("constraint functions through the loader", () => {
  it("records the module in the spec, and loadSpace imports it again for the stored spec", async () => {
    const { spec, space } = await loadProblem(FIXTURES + "conditional.ts");
    expect(spec.constraints).toEqual({ source: FIXTURES + "conditional.ts", count: 1 });
    expect(space.contains({ optimizer: "adam", lr: 0.01, units: 33 })).toBe("constraint function 1 rejects it");
    expect(space.contains({ optimizer: "adam", lr: 0.01, units: 64 })).toBe('it is forbidden by optimizer == "adam" && units in [63, 64]');
    // The row stores JSON: the function comes back through the module.
    const stored = JSON.parse(JSON.stringify(spec));
    expect(() => new Space(stored)).toThrow(SpruceError);
    const rebuilt = await loadSpace(stored);
    const points = rebuilt.sampleMany(new Rng(4), 300);
    expect(points.every((p) => (p.units as number) % 2 === 0)).toBe(true);
    expect(points.every((p) => ("momentum" in p) === (p.optimizer === "sgd"))).toBe(true);
  });

  it("says which module it could not load", async () => {
    const spec = { hyperparameters: [{ type: "int" as const, name: "a", low: 0, high: 3, log: false }], startingPoints: [], constraints: { source: "/nowhere/problem.ts", count: 1 } };
    const error = await loadSpace(spec).then(() => null, (e: unknown) => e as SpruceError);
    expect(error?.message).toMatch(/^cannot load the constraint functions of the problem: problem file not found: \/nowhere\/problem\.ts$/);
    expect(error?.hint).toMatch(/must stay where it was at submit/);
  });
});
