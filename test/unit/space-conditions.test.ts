// Unit tests of conditional hyperparameters, forbidden clauses and constraint functions in Space:
// validation (one line each), activity, sampling, the encoding of inactive ones, counting, grids.
import { describe, expect, it } from "vitest";
import { SpruceError, ValidationError } from "../../src/errors.js";
import { buildGrid } from "../../src/space/grid.js";
import { INACTIVE, MAX_SAMPLE_TRIES, Space, type ConstraintFunction } from "../../src/space/space.js";
import type { Hyperparameter, Point, ProblemSpec } from "../../src/space/types.js";
import { Rng } from "../../src/util/rng.js";

const OPT: Hyperparameter[] = [
  { type: "categorical", name: "optimizer", values: ["sgd", "adam", "rmsprop"] },
  { type: "float", name: "lr", low: 1e-4, high: 0.1, log: true },
  { type: "float", name: "momentum", low: 0, high: 0.99, log: false },
  { type: "categorical", name: "nesterov", values: [true, false] },
  { type: "ordinal", name: "beta1", values: [0.8, 0.9, 0.99] },
];

/** momentum only with sgd; nesterov only with a momentum above 0.5 (a chain); beta1 only with adam. */
const OPT_SPEC: ProblemSpec = {
  hyperparameters: OPT,
  startingPoints: [],
  conditions: [
    { child: "nesterov", when: { op: "gt", parent: "momentum", value: 0.5 } },
    { child: "momentum", when: { op: "eq", parent: "optimizer", value: "sgd" } },
    { child: "beta1", when: { op: "in", parent: "optimizer", values: ["adam"] } },
  ],
};
const opt = new Space(OPT_SPEC);

/** A finite space: dropout only with the large model, which may not take the largest batch. 3 + 2 * 2 = 7 points. */
const FINITE: ProblemSpec = {
  hyperparameters: [
    { type: "categorical", name: "model", values: ["small", "large"] },
    { type: "ordinal", name: "batch", values: [16, 32, 64] },
    { type: "ordinal", name: "dropout", values: [0, 0.5] },
  ],
  startingPoints: [],
  conditions: [{ child: "dropout", when: { op: "eq", parent: "model", value: "large" } }],
  forbidden: [{ op: "and", terms: [{ op: "eq", name: "model", value: "large" }, { op: "eq", name: "batch", value: 64 }] }],
};
const finite = new Space(FINITE);

function invalid(build: () => unknown): ValidationError {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  const e = error as ValidationError;
  expect(e.message).not.toContain("\n");
  expect(e.exitCode).toBe(2);
  expect(e.hint).toBeTruthy();
  return e;
}

const withSpec = (extra: Partial<ProblemSpec>) => () => new Space({ ...OPT_SPEC, ...extra } as ProblemSpec);

describe("validation of conditions and forbidden clauses", () => {
  it("refuses a condition on an unknown parent, naming the child and the parent", () => {
    const e = invalid(withSpec({ conditions: [{ child: "momentum", when: { op: "eq", parent: "optimiser", value: "sgd" } }] }));
    expect(e.message).toBe("condition of 'momentum': parent 'optimiser' is not a hyperparameter");
    expect(e.hint).toContain("optimizer, lr, momentum");
  });

  it("refuses a condition of an unknown child, two conditions of one child, and a child its own parent", () => {
    expect(invalid(withSpec({ conditions: [{ child: "mom", when: { op: "eq", parent: "optimizer", value: "sgd" } }] })).message).toMatch(/'mom' is not a hyperparameter/);
    const twice = { child: "momentum", when: { op: "eq" as const, parent: "optimizer", value: "sgd" } };
    expect(invalid(withSpec({ conditions: [twice, twice] })).message).toMatch(/'momentum' has two conditions/);
    expect(invalid(withSpec({ conditions: [{ child: "lr", when: { op: "gt", parent: "lr", value: 0.01 } }] })).message).toMatch(/cannot be its own parent/);
  });

  it("names the cycle a set of conditions forms", () => {
    const e = invalid(
      withSpec({
        conditions: [
          { child: "lr", when: { op: "gt", parent: "momentum", value: 0.5 } },
          { child: "momentum", when: { op: "lt", parent: "lr", value: 0.01 } },
        ],
      }),
    );
    expect(e.message).toBe("the conditions form a cycle: lr -> momentum -> lr");
  });

  it("refuses condition values the parent cannot take and comparisons of non-numeric parents", () => {
    expect(invalid(withSpec({ conditions: [{ child: "momentum", when: { op: "eq", parent: "optimizer", value: "sgdd" } }] })).message).toMatch(
      /^condition of 'momentum': optimizer="sgdd" is not one of \["sgd", "adam", "rmsprop"\]$/,
    );
    expect(invalid(withSpec({ conditions: [{ child: "nesterov", when: { op: "gt", parent: "momentum", value: 2 } }] })).message).toMatch(/momentum=2 is outside \[0, 0\.99\]/);
    expect(invalid(withSpec({ conditions: [{ child: "lr", when: { op: "gt", parent: "optimizer", value: "sgd" } }] })).message).toMatch(/'gt' needs a numeric parent/);
    expect(invalid(withSpec({ conditions: [{ child: "lr", when: { op: "xor", parent: "optimizer", value: "sgd" } }] } as never)).message).toMatch(/unknown condition op "xor"/);
  });

  it("refuses a forbidden clause naming an unknown hyperparameter or a value outside the range", () => {
    expect(invalid(withSpec({ forbidden: [{ op: "eq", name: "batch", value: 1 }] })).message).toBe("forbidden clause 1: 'batch' is not a hyperparameter");
    expect(invalid(withSpec({ forbidden: [{ op: "in", name: "lr", values: [0.01, 0.5] }] })).message).toBe("forbidden clause 1: lr=0.5 is outside [0.0001, 0.1]");
    expect(invalid(withSpec({ forbidden: [{ op: "and", terms: [{ op: "eq", name: "optimizer", value: "nadam" }] }] })).message).toMatch(/^forbidden clause 1: optimizer="nadam" is not one of/);
  });

  it("refuses a space whose forbidden clauses or constraints leave no point", () => {
    const e = invalid(() => new Space({ ...FINITE, forbidden: [{ op: "in", name: "batch", values: [16, 32, 64] }] }));
    expect(e.message).toBe("no point of the space is allowed: the forbidden clauses exclude every combination");
    // A continuous space is tried by sampling.
    const never: ConstraintFunction = () => false;
    expect(invalid(() => new Space(OPT_SPEC, { constraints: [never] })).message).toBe(
      `no point of the space is allowed: the constraint functions rejected all of ${MAX_SAMPLE_TRIES} random points`,
    );
  });

  it("checks starting points against the conditions: inactive ones given, active ones missing, forbidden ones", () => {
    const start = (p: Point) => () => new Space({ ...OPT_SPEC, startingPoints: [p] });
    expect(() => start({ optimizer: "sgd", lr: 0.01, momentum: 0.3 })()).not.toThrow();
    expect(invalid(start({ optimizer: "adam", lr: 0.01, momentum: 0.3, beta1: 0.9 })).message).toBe(
      `starting point 1: 'momentum' is given but inactive (its condition optimizer == "sgd" does not hold)`,
    );
    expect(invalid(start({ optimizer: "sgd", lr: 0.01, momentum: 0.9 })).message).toBe("starting point 1: missing 'nesterov' (active since momentum > 0.5)");
    expect(invalid(() => new Space({ ...FINITE, startingPoints: [{ model: "large", batch: 64, dropout: 0 }] })).message).toBe(
      "starting point 1: it is forbidden by model == \"large\" && batch == 64",
    );
  });
});

describe("activity", () => {
  it("decides parents first, through chains, a term on an inactive parent being false", () => {
    expect(opt.dependencyOrder.map((p) => p.name)).toEqual(["optimizer", "lr", "momentum", "nesterov", "beta1"]);
    expect(opt.activeNames({ optimizer: "sgd", lr: 0.01, momentum: 0.9, nesterov: true })).toEqual(["optimizer", "lr", "momentum", "nesterov"]);
    // Values given for inactive names do not count: momentum is inactive with adam, so nesterov is too.
    expect(opt.activeNames({ optimizer: "adam", lr: 0.01, momentum: 0.9, nesterov: true, beta1: 0.9 })).toEqual(["optimizer", "lr", "beta1"]);
    expect(opt.isActive("nesterov", { optimizer: "sgd", momentum: 0.2 })).toBe(false);
    const ne = new Space({
      ...FINITE,
      forbidden: [],
      hyperparameters: [...FINITE.hyperparameters, { type: "const", name: "tag", value: "x" }],
      conditions: [...FINITE.conditions!, { child: "tag", when: { op: "ne", parent: "dropout", value: 0.5 } }],
    });
    // 'ne' on an inactive parent is false, as in ConfigSpace.
    expect(ne.isActive("tag", { model: "small", batch: 16 })).toBe(false);
    expect(ne.isActive("tag", { model: "large", batch: 16, dropout: 0 })).toBe(true);
  });
});

describe("sampling", () => {
  const draws = opt.sampleMany(new Rng(11), 3000);

  it("gives points of the space with exactly their active hyperparameters", () => {
    for (const p of draws) {
      expect(opt.contains(p)).toBeNull();
      expect(Object.keys(p)).toEqual(opt.activeNames(p));
    }
    const share = (f: (p: Point) => boolean) => draws.filter(f).length / draws.length;
    expect(share((p) => "momentum" in p)).toBeCloseTo(1 / 3, 1);
    expect(share((p) => "beta1" in p)).toBeCloseTo(1 / 3, 1);
    // nesterov: sgd (1/3) and momentum above 0.5 (0.49/0.99).
    expect(share((p) => "nesterov" in p)).toBeCloseTo((1 / 3) * (0.49 / 0.99), 1);
    expect(draws.every((p) => !("nesterov" in p) || (p.momentum as number) > 0.5)).toBe(true);
  });

  it("never gives a forbidden point, and is reproducible", () => {
    const points = finite.sampleMany(new Rng(3), 500);
    expect(points.some((p) => p.model === "large" && p.batch === 64)).toBe(false);
    expect(new Set(points.map((p) => finite.key(p))).size).toBe(7);
    expect(finite.sampleMany(new Rng(3), 20)).toEqual(points.slice(0, 20));
  });

  it("gives up with a clear error after MAX_SAMPLE_TRIES forbidden draws instead of spinning", () => {
    let calls = 0;
    // Allows the first point it sees (so the space is not empty), nothing after.
    const once: ConstraintFunction = () => calls++ === 0;
    const s = new Space(OPT_SPEC, { constraints: [once] });
    let error: unknown;
    try {
      s.sample(new Rng(1));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpruceError);
    expect((error as SpruceError).message).toBe(
      `no allowed point in ${MAX_SAMPLE_TRIES} random draws: the forbidden clauses and constraints leave (almost) nothing of the space`,
    );
    expect(calls).toBe(1 + MAX_SAMPLE_TRIES);
  });
});

describe("constraint functions", () => {
  const smallLr: ConstraintFunction = (p) => (p.lr as number) < 0.01 || p.optimizer !== "sgd";

  it("are part of membership and sampling", () => {
    const s = new Space(OPT_SPEC, { constraints: [smallLr] });
    expect(s.contains({ optimizer: "sgd", lr: 0.05, momentum: 0.1 })).toBe("constraint function 1 rejects it");
    expect(s.sampleMany(new Rng(2), 500).every((p) => smallLr(p))).toBe(true);
  });

  it("must return a boolean; a throw names the function and the point", () => {
    const s = new Space(OPT_SPEC, { constraints: [(p) => p.optimizer === "sgd"] });
    expect(() => new Space(OPT_SPEC, { constraints: [() => 1 as unknown as boolean] })).toThrow(/constraint function 1 returned 1 for .*, not true or false/);
    let armed = false;
    const boom: ConstraintFunction = (p) => {
      if (armed && p.batch === 32) throw new Error("boom");
      return true;
    };
    const thrower = new Space(FINITE, { constraints: [boom] });
    armed = true;
    expect(() => thrower.contains({ model: "small", batch: 32 })).toThrow(/constraint function 1 threw on \{"batch":32,"model":"small"\}: boom/);
    expect(s.isForbidden({ optimizer: "adam", lr: 0.01, beta1: 0.9 })).toBe(true);
  });

  it("must all be given when the spec records them", () => {
    const spec = { ...OPT_SPEC, constraints: { source: "/x/problem.ts", count: 2 } };
    expect(() => new Space(spec, { constraints: [smallLr] })).toThrow(/2 constraint function\(s\) defined in \/x\/problem\.ts, and 1 were loaded/);
    expect(new Space(spec, { constraints: [smallLr, smallLr] }).toSpec().constraints).toEqual({ source: "/x/problem.ts", count: 2 });
  });

  it("take part in counting a finite space exactly", () => {
    const s = new Space(FINITE, { constraints: [(p) => p.batch !== 16] });
    // small: 32, 64; large: 32 with dropout 0 or 0.5.
    expect(s.size()).toBe(4);
    expect(s.sizeIsExact()).toBe(true);
  });
});

describe("encoding", () => {
  it("encodes inactive ranges and ordinals as INACTIVE and inactive categoricals as all zeros", () => {
    // Columns: optimizer 0-2, lr 3, momentum 4, nesterov 5-6, beta1 7.
    const x = Array.from(opt.encode({ optimizer: "adam", lr: 0.1, beta1: 0.99 }));
    expect(x).toEqual([0, 1, 0, 1, INACTIVE, 0, 0, 1]);
    const y = Array.from(opt.encode({ optimizer: "sgd", lr: 1e-4, momentum: 0.99, nesterov: false }));
    expect(y).toEqual([1, 0, 0, 0, 1, 0, 1, INACTIVE]);
    expect(INACTIVE < 0 || INACTIVE > 1).toBe(true);
  });

  it("round-trips every sampled point, inactive ones staying absent", () => {
    for (const p of opt.sampleMany(new Rng(5), 500)) {
      const q = opt.decode(opt.encode(p));
      expect(Object.keys(q)).toEqual(Object.keys(p));
      expect(opt.key(q)).toBe(opt.key(opt.decode(opt.encode(q))));
    }
  });

  it("decodes a vector to the hyperparameters its decoded parents make active", () => {
    // optimizer adam wins the one-hot: momentum's and nesterov's columns are ignored.
    const p = opt.decode([0.1, 0.9, 0, 0.5, 0.8, 1, 0, 0.5]);
    expect(Object.keys(p)).toEqual(["optimizer", "lr", "beta1"]);
    expect(p.optimizer).toBe("adam");
    expect(p.lr as number).toBeCloseTo(Math.sqrt(1e-4 * 0.1), 12);
    expect(p.beta1).toBe(0.9);
  });

  it("refuses to encode a point with an inactive hyperparameter", () => {
    expect(() => opt.encode({ optimizer: "adam", lr: 0.01, beta1: 0.9, momentum: 0.2 })).toThrow(/'momentum' is given but inactive/);
  });

  it("gives different keys to points with different active sets", () => {
    expect(finite.key({ model: "small", batch: 16 })).toBe('["small",16,-]');
    expect(finite.key({ model: "large", batch: 16, dropout: 0 })).not.toBe(finite.key({ model: "large", batch: 16, dropout: 0.5 }));
  });
});

describe("counting and grids", () => {
  it("counts only allowed points with their active hyperparameters", () => {
    expect(finite.size()).toBe(7);
    expect(finite.sizeIsExact()).toBe(true);
    expect(opt.size()).toBe(Infinity);
    expect(finite.describe()).toContain("3 hyperparameters, 4 encoded dimensions, 7 distinct points");
    expect(finite.describe()).toContain('model == "large" && batch == 64');
    expect(finite.describe()).toMatch(/dropout\s+ordinal\s+0, 0\.5\s+model == "large"/);
  });

  it("walks a conditional grid without duplicates, forbidden points or inactive values", () => {
    const grid = buildGrid(finite, { count: 5, perName: {} });
    expect(grid.size).toBe(7);
    const points = Array.from({ length: grid.size }, (_, i) => grid.point(i));
    expect(points).toEqual([
      { model: "small", batch: 16 },
      { model: "small", batch: 32 },
      { model: "small", batch: 64 },
      { model: "large", batch: 16, dropout: 0 },
      { model: "large", batch: 16, dropout: 0.5 },
      { model: "large", batch: 32, dropout: 0 },
      { model: "large", batch: 32, dropout: 0.5 },
    ]);
  });

  it("spaces grid_count values over a conditional range only where it is active", () => {
    const s = new Space({
      hyperparameters: [
        { type: "categorical", name: "kind", values: ["a", "b"] },
        { type: "float", name: "x", low: 0, high: 1, log: false },
      ],
      startingPoints: [],
      conditions: [{ child: "x", when: { op: "eq", parent: "kind", value: "b" } }],
    });
    const grid = buildGrid(s, { count: 3, perName: {} });
    expect(Array.from({ length: grid.size }, (_, i) => grid.point(i))).toEqual([{ kind: "a" }, { kind: "b", x: 0 }, { kind: "b", x: 0.5 }, { kind: "b", x: 1 }]);
  });
});
