// Unit tests of the Problem builder (DeepHyper shorthand, explicit methods) and of the
// Determined-style YAML parser.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { parseShorthand, Problem, type HyperparameterShorthand } from "../../src/problem/problem.js";
import { parseProblemYaml } from "../../src/problem/yaml.js";
import type { Hyperparameter } from "../../src/space/types.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/problems/", import.meta.url));

/** Runs fn, expecting a one-line ValidationError whose message matches every pattern. */
function validationMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    const message = (e as ValidationError).message;
    expect(message).not.toContain("\n");
    expect((e as ValidationError).hint ?? "").not.toContain("\n");
    return message;
  }
  throw new Error("expected a ValidationError, nothing was thrown");
}

describe("Problem.add shorthand", () => {
  const table: [string, HyperparameterShorthand, Hyperparameter][] = [
    ["two integers", [1, 100], { type: "int", name: "h", low: 1, high: 100, log: false }],
    ["two numbers", [0.1, 0.9], { type: "float", name: "h", low: 0.1, high: 0.9, log: false }],
    ["integer and real", [0, 2.5], { type: "float", name: "h", low: 0, high: 2.5, log: false }],
    ["log-uniform reals", [1e-4, 1.5, "log-uniform"], { type: "float", name: "h", low: 1e-4, high: 1.5, log: true }],
    ["log-uniform integers", [1, 1024, "log-uniform"], { type: "int", name: "h", low: 1, high: 1024, log: true }],
    ["explicit uniform", [2, 8, "uniform"], { type: "int", name: "h", low: 2, high: 8, log: false }],
    ["strings", ["relu", "tanh"], { type: "categorical", name: "h", values: ["relu", "tanh"] }],
    ["mixed values", [1, "auto", null], { type: "categorical", name: "h", values: [1, "auto", null] }],
    ["booleans", [true, false], { type: "categorical", name: "h", values: [true, false] }],
    ["one number", [7], { type: "categorical", name: "h", values: [7] }],
    ["three numbers", [16, 32, 64], { type: "ordinal", name: "h", values: [16, 32, 64] }],
    ["a number", 0.5, { type: "const", name: "h", value: 0.5 }],
    ["a string", "adam", { type: "const", name: "h", value: "adam" }],
    ["an object without type", { depth: 3 }, { type: "const", name: "h", value: { depth: 3 } }],
    ["the object form", { type: "float", low: 1e-3, high: 1, log: true }, { type: "float", name: "h", low: 1e-3, high: 1, log: true }],
    ["object ordinal", { type: "ordinal", values: ["s", "m", "l"] }, { type: "ordinal", name: "h", values: ["s", "m", "l"] }],
  ];
  it.each(table)("%s", (_label, spec, expected) => {
    expect(parseShorthand("h", spec)).toEqual(expected);
  });

  it("takes log from the options for a two-number range", () => {
    expect(parseShorthand("lr", [1e-5, 1e-1], { log: true })).toEqual({ type: "float", name: "lr", low: 1e-5, high: 1e-1, log: true });
  });

  it("rejects bad shorthand with a message naming the hyperparameter", () => {
    expect(validationMessage(() => parseShorthand("lr", [0, 0.1, "log-uniform"]))).toMatch(/^hyperparameter 'lr': a log range needs low > 0 \(got low=0\)$/);
    expect(validationMessage(() => parseShorthand("lr", [-1, 1, "log-uniform"]))).toMatch(/'lr'.*low >= 1/);
    expect(validationMessage(() => parseShorthand("lr", [1, 0.5]))).toMatch(/'lr': low \(1\) must be less than high \(0\.5\)/);
    expect(validationMessage(() => parseShorthand("lr", [Number.NaN, 1]))).toMatch(/'lr': low must be a finite number \(got NaN\)/);
    expect(validationMessage(() => parseShorthand("lr", [0, 1, "log_uniform"]))).toMatch(/'lr': unknown distribution "log_uniform"/);
    expect(validationMessage(() => parseShorthand("act", []))).toMatch(/'act': empty list/);
    expect(validationMessage(() => parseShorthand("act", ["a", "b"], { log: true }))).toMatch(/'act': log applies only to a numeric range/);
    expect(validationMessage(() => parseShorthand("lr", [1e-3, 1, "uniform"], { log: true }))).toMatch(/'lr': "uniform" contradicts/);
    expect(validationMessage(() => parseShorthand("lr", { type: "flaot", low: 0, high: 1 } as never))).toMatch(/'lr': unknown type "flaot"/);
    expect(validationMessage(() => parseShorthand("lr", { type: "float", low: 0, high: 1, step: 2 } as never))).toMatch(/'lr': unknown key 'step'/);
    expect(validationMessage(() => parseShorthand("bad name", [0, 1]))).toMatch(/invalid hyperparameter name "bad name"/);
  });
});

describe("Problem builder", () => {
  it("chains explicit methods and shorthand into a ProblemSpec", () => {
    const problem = new Problem();
    expect(problem.int("units", 1, 64, { log: true })).toBe(problem);
    problem
      .float("dropout", 0, 0.5)
      .categorical("act", ["relu", "tanh"])
      .ordinal("batch", [16, 32])
      .const("epochs", 3)
      .add("lr", [1e-4, 1e-1, "log-uniform"])
      .addStartingPoint({ units: 8, dropout: 0.2, act: "tanh", batch: 32, epochs: 3, lr: 0.01 });
    expect(problem.toSpec()).toEqual({
      hyperparameters: [
        { type: "int", name: "units", low: 1, high: 64, log: true },
        { type: "float", name: "dropout", low: 0, high: 0.5, log: false },
        { type: "categorical", name: "act", values: ["relu", "tanh"] },
        { type: "ordinal", name: "batch", values: [16, 32] },
        { type: "const", name: "epochs", value: 3 },
        { type: "float", name: "lr", low: 1e-4, high: 1e-1, log: true },
      ],
      startingPoints: [{ units: 8, dropout: 0.2, act: "tanh", batch: 32, epochs: 3, lr: 0.01 }],
    });
  });

  it("gives a spec that is independent of later changes and survives JSON", () => {
    const point = { x: 1 };
    const problem = new Problem().add("x", [0, 5]).addStartingPoint(point);
    point.x = 99;
    const spec = problem.toSpec();
    expect(spec.startingPoints).toEqual([{ x: 1 }]);
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });

  it("rejects each invalid call, naming the field", () => {
    expect(validationMessage(() => new Problem().int("n", 1, 5).float("n", 0, 1))).toMatch(/^hyperparameter 'n' is defined twice$/);
    expect(validationMessage(() => new Problem().int("n", 5, 5))).toMatch(/'n': low \(5\) must be less than high \(5\)/);
    expect(validationMessage(() => new Problem().int("n", 1.5, 5))).toMatch(/'n': low=1\.5 is not an integer/);
    expect(validationMessage(() => new Problem().float("x", 0, Number.NaN))).toMatch(/'x': high must be a finite number/);
    expect(validationMessage(() => new Problem().categorical("act", []))).toMatch(/'act': categorical needs at least one value/);
    expect(validationMessage(() => new Problem().ordinal("o", [1, 1]))).toMatch(/'o': value 1 is listed twice/);
    expect(validationMessage(() => new Problem().const("c", undefined as never))).toMatch(/'c': the const value undefined is not a JSON value/);
    expect(validationMessage(() => new Problem().float("", 0, 1))).toMatch(/problem\.float\(""\): the name must be a non-empty string/);
  });

  it("checks starting points against the whole space in toSpec()", () => {
    const problem = new Problem().add("lr", [1e-4, 1, "log-uniform"]).add("units", [1, 100]);
    expect(validationMessage(() => problem.addStartingPoint({ lr: 2, units: 3 }).toSpec())).toBe("starting point 1: lr=2 is outside [0.0001, 1]");
    const missing = new Problem().add("lr", [1e-4, 1, "log-uniform"]).add("units", [1, 100]).addStartingPoint({ lr: 0.1 });
    expect(validationMessage(() => missing.toSpec())).toBe("starting point 1: missing 'units'");
    expect(validationMessage(() => new Problem().addStartingPoint([1, 2] as never))).toMatch(/starting point must be an object/);
  });
});

describe("parseProblemYaml", () => {
  it("reads Determined's syntax, with log minval/maxval as exponents of base", () => {
    const spec = parseProblemYaml(readFileSync(FIXTURES + "good.yaml", "utf8"), "good.yaml");
    expect(spec.hyperparameters).toEqual([
      { type: "int", name: "units", low: 8, high: 64, log: false },
      { type: "float", name: "dropout", low: 0, high: 0.5, log: false },
      { type: "float", name: "lr", low: 1e-4, high: 1e-1, log: true },
      { type: "float", name: "decay", low: 0.125, high: 8, log: true },
      { type: "categorical", name: "optimizer", values: ["adam", "sgd"] },
      { type: "const", name: "epochs", value: 5 },
      { type: "const", name: "seed", value: 42 },
    ]);
    expect(spec.startingPoints).toEqual([{ units: 16, dropout: 0.1, lr: 0.001, decay: 1, optimizer: "adam", epochs: 5, seed: 42 }]);
  });

  it("gives exact powers of ten and defaults base to 10", () => {
    const spec = parseProblemYaml("hyperparameters:\n  lr: {type: log, minval: -5, maxval: -4}\n", "x.yaml");
    expect(spec.hyperparameters[0]).toEqual({ type: "float", name: "lr", low: 1e-5, high: 1e-4, log: true });
    expect(parseProblemYaml("hyperparameters:\n  lr: {type: log, minval: -4, maxval: -1}\n", "x.yaml").startingPoints).toEqual([]);
  });

  const bad: [string, string, RegExp][] = [
    ["unknown type", "hyperparameters:\n  lr: {type: float, minval: 0, maxval: 1}\n", /^p\.yaml: hyperparameters\.lr\.type: unknown type "float"$/],
    ["unknown key", "hyperparameters:\n  lr: {tpye: double, type: double, minval: 0, maxval: 1}\n", /^p\.yaml: hyperparameters\.lr\.tpye: unknown key for type double$/],
    ["misspelt type key alone", "hyperparameters:\n  lr: {tpye: double, minval: 0, maxval: 1}\n", /hyperparameters\.lr\.tpye: unknown key/],
    ["missing maxval", "hyperparameters:\n  n: {type: int, minval: 1}\n", /hyperparameters\.n: missing 'maxval'/],
    ["real int bound", "hyperparameters:\n  n: {type: int, minval: 1, maxval: 2.5}\n", /hyperparameters\.n: high=2\.5 is not an integer/],
    ["reversed range", "hyperparameters:\n  x: {type: double, minval: 1, maxval: 0}\n", /hyperparameters\.x: low \(1\) must be less than high \(0\)/],
    ["reversed exponents", "hyperparameters:\n  lr: {type: log, minval: -1, maxval: -4}\n", /hyperparameters\.lr: minval \(-1\) must be less than maxval \(-4\)/],
    ["bad base", "hyperparameters:\n  lr: {type: log, base: 1, minval: -1, maxval: 1}\n", /hyperparameters\.lr\.base: must be a positive number other than 1/],
    ["empty vals", "hyperparameters:\n  act: {type: categorical, vals: []}\n", /hyperparameters\.act: categorical needs at least one value/],
    ["bad count", "hyperparameters:\n  n: {type: int, minval: 1, maxval: 5, count: 0}\n", /hyperparameters\.n\.count: must be a positive integer/],
    ["list as a definition", "hyperparameters:\n  act: [relu, tanh]\n", /hyperparameters\.act: a list is not a hyperparameter definition/],
    ["unknown top-level key", "hyperparameters:\n  x: 1\nsearcher: {name: grid}\n", /^p\.yaml: searcher: unknown key$/],
    ["no hyperparameters", "starting_points: []\n", /p\.yaml: hyperparameters: expected a mapping/],
    ["not a mapping", "- 1\n- 2\n", /p\.yaml: expected a mapping with a 'hyperparameters:' key/],
    ["starting point outside", "hyperparameters:\n  x: {type: double, minval: 0, maxval: 1}\nstarting_points:\n  - {x: 3}\n", /^p\.yaml: starting_points: point 1: x=3 is outside \[0, 1\]$/],
    ["syntax error", "hyperparameters:\n  x: {type: int, minval: 1\n  y: 2\n", /^p\.yaml: YAML syntax error at line \d+: /],
    ["duplicate key", "hyperparameters:\n  x: 1\n  x: 2\n", /^p\.yaml: YAML syntax error at line 3: /],
  ];
  it.each(bad)("rejects %s", (_label, text, pattern) => {
    expect(validationMessage(() => parseProblemYaml(text, "p.yaml"))).toMatch(pattern);
  });

  it("rejects the bad YAML fixtures naming the key path", () => {
    const type = FIXTURES + "bad-type.yaml";
    expect(validationMessage(() => parseProblemYaml(readFileSync(type, "utf8"), type))).toContain("hyperparameters.lr.type: unknown type");
    const key = FIXTURES + "bad-key.yaml";
    expect(validationMessage(() => parseProblemYaml(readFileSync(key, "utf8"), key))).toContain("hyperparameters.lr.tpye: unknown key");
  });
});

describe("Problem.warnings: shorthand int ranges that were probably meant as reals", () => {
  it("warns for a small two-integer range written with the shorthand, naming both explicit forms", () => {
    const p = new Problem().add("x", [0.0, 1.0]).add("layers", [1, 100]).add("lr", [1, 10, "log-uniform"]).float("y", 0, 1).int("n", 0, 1);
    const warnings = p.warnings();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain("hyperparameter 'x': [0, 1] is the integer range 0..1");
    expect(warnings[0]).toContain('.float("x", 0, 1)');
    expect(warnings[0]).toContain('.int("x", 0, 1)');
    expect(warnings[1]).toContain('.float("lr", 1, 10, { log: true })');
  });

  it("says nothing for the explicit forms, real ranges and large int ranges", () => {
    const p = new Problem().int("a", 0, 1).float("b", 0, 1).add("c", [0.5, 1.5]).add("d", [0, 11]).add("e", [0, 1, 2]);
    expect(p.warnings()).toEqual([]);
  });
});
