// Unit tests of Space: validation, sampling, the unit-cube encoding, membership, keys and size.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { Space } from "../../src/space/space.js";
import type { Hyperparameter, Point, ProblemSpec } from "../../src/space/types.js";
import { Rng } from "../../src/util/rng.js";

const HPS: Hyperparameter[] = [
  { type: "int", name: "units", low: 1, high: 100, log: false },
  { type: "int", name: "layers", low: 1, high: 8, log: true },
  { type: "float", name: "dropout", low: 0, high: 0.5, log: false },
  { type: "float", name: "lr", low: 1e-4, high: 1, log: true },
  { type: "categorical", name: "act", values: ["relu", "tanh", { kind: "leaky", slope: 0.1 }] },
  { type: "ordinal", name: "batch", values: [16, 32, 64, 128] },
  { type: "ordinal", name: "single", values: ["only"] },
  { type: "const", name: "epochs", value: 10 },
];

const space = new Space({ hyperparameters: HPS, startingPoints: [] });

function spaceWith(...hyperparameters: unknown[]): Space {
  return new Space({ hyperparameters, startingPoints: [] } as unknown as ProblemSpec);
}

/** Expects the constructor to throw a ValidationError whose message matches every pattern. */
function expectInvalid(build: () => unknown, ...patterns: RegExp[]): void {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ValidationError);
  const message = (error as ValidationError).message;
  expect(message).not.toContain("\n");
  for (const p of patterns) expect(message).toMatch(p);
  expect((error as ValidationError).exitCode).toBe(2);
}

function expectSamePoint(actual: Point, expected: Point): void {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  for (const [name, v] of Object.entries(expected)) {
    const a = actual[name];
    if (typeof v === "number" && !Number.isInteger(v)) {
      expect(Math.abs((a as number) - v)).toBeLessThanOrEqual(1e-9 * Math.abs(v));
    } else {
      expect(a).toEqual(v);
    }
  }
}

describe("Space construction", () => {
  it("exposes names, params and the encoded width", () => {
    expect(space.names).toEqual(["units", "layers", "dropout", "lr", "act", "batch", "single", "epochs"]);
    expect(space.params).toHaveLength(8);
    // int, int, float, float: 1 each; categorical: 3; ordinal: 1 each; const: 0.
    expect(space.dim).toBe(4 + 3 + 2);
  });

  it("keeps valid starting points, in the space's key order", () => {
    const s = new Space({
      hyperparameters: HPS.slice(0, 2),
      startingPoints: [{ layers: 2, units: 5 }],
    });
    expect(s.startingPoints).toEqual([{ units: 5, layers: 2 }]);
    expect(Object.keys(s.startingPoints[0]!)).toEqual(["units", "layers"]);
  });

  it("rejects invalid definitions with a message naming the hyperparameter and field", () => {
    expectInvalid(() => spaceWith(HPS[0], { ...HPS[2], name: "units" }), /'units'/, /defined twice/);
    expectInvalid(() => spaceWith({ type: "float", name: "lr", low: 1, high: 0.1, log: false }), /'lr'/, /low \(1\) must be less than high \(0\.1\)/);
    expectInvalid(() => spaceWith({ type: "int", name: "n", low: 3, high: 3, log: false }), /'n'/, /low \(3\)/);
    expectInvalid(() => spaceWith({ type: "float", name: "x", low: Number.NaN, high: 1, log: false }), /'x'/, /low must be a finite number \(got NaN\)/);
    expectInvalid(() => spaceWith({ type: "int", name: "n", low: 0.5, high: 3, log: false }), /'n'/, /low=0\.5 is not an integer/);
    expectInvalid(() => spaceWith({ type: "float", name: "lr", low: 0, high: 1, log: true }), /'lr'/, /log range needs low > 0/);
    expectInvalid(() => spaceWith({ type: "int", name: "n", low: 0, high: 9, log: true }), /'n'/, /low >= 1/);
    expectInvalid(() => spaceWith({ type: "categorical", name: "act", values: [] }), /'act'/, /at least one value/);
    expectInvalid(() => spaceWith({ type: "categorical", name: "act", values: ["a", "a"] }), /'act'/, /"a" is listed twice/);
    expectInvalid(() => spaceWith({ type: "ordinal", name: "o", values: [{ a: 1, b: 2 }, { b: 2, a: 1 }] }), /'o'/, /listed twice/);
    expectInvalid(() => spaceWith({ type: "gaussian", name: "g" }), /'g'/, /unknown type "gaussian"/);
    expectInvalid(() => spaceWith({ type: "float", name: "lr", low: 0, high: 1, lgo: true }), /'lr'/, /unknown key 'lgo'/);
    expectInvalid(() => spaceWith({ type: "const", name: "c" }), /'c'/, /missing 'value'/);
    expectInvalid(() => spaceWith({ type: "float", name: "a b", low: 0, high: 1 }), /invalid hyperparameter name "a b"/);
    expectInvalid(() => spaceWith(), /no hyperparameters/);
    expectInvalid(() => new Space({} as ProblemSpec), /'hyperparameters'/);
  });

  it("rejects starting points outside the space, incomplete or with extra names", () => {
    const build = (p: Point) => new Space({ hyperparameters: HPS.slice(0, 4), startingPoints: [p] });
    const ok = { units: 5, layers: 2, dropout: 0.1, lr: 0.01 };
    expect(() => build(ok)).not.toThrow();
    expectInvalid(() => build({ ...ok, lr: 2 }), /starting point 1: lr=2 is outside \[0\.0001, 1\]/);
    const { units: _units, ...missing } = ok;
    expectInvalid(() => build(missing), /starting point 1: missing 'units'/);
    expectInvalid(() => build({ ...ok, foo: 1 }), /unknown hyperparameter 'foo'/);
  });
});

describe("Space.contains", () => {
  const p = space.sample(new Rng(1));

  it("accepts sampled points and explains each kind of violation", () => {
    expect(space.contains(p)).toBeNull();
    expect(space.contains({ ...p, lr: 2 })).toBe("lr=2 is outside [0.0001, 1]");
    expect(space.contains({ ...p, units: 2.5 })).toBe("units=2.5 is not an integer");
    expect(space.contains({ ...p, units: "5" })).toBe('units="5" is not a number');
    const { units: _u, ...withoutUnits } = p;
    expect(space.contains(withoutUnits)).toBe("missing 'units'");
    expect(space.contains({ ...p, foo: 1 })).toBe("unknown hyperparameter 'foo'");
    expect(space.contains({ ...p, act: "sigmoid" })).toMatch(/^act="sigmoid" is not one of \["relu", "tanh"/);
    expect(space.contains({ ...p, epochs: 11 })).toMatch(/^epochs=11 differs from its const value 10/);
  });

  it("explains non-JSON values without throwing", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(space.contains({ ...p, act: cyclic } as unknown as Point)).toMatch(/^act=\[object Object\] is not one of/);
    expect(space.contains({ ...p, epochs: (() => 10) as unknown as number })).toMatch(/^epochs=a function differs/);
  });

  it("compares categorical values by deep equality", () => {
    expect(space.contains({ ...p, act: { slope: 0.1, kind: "leaky" } })).toBeNull();
    expect(space.contains({ ...p, act: { kind: "leaky", slope: 0.2 } })).not.toBeNull();
  });
});

describe("Space.sample", () => {
  const draws = space.sampleMany(new Rng(42), 3000);

  it("stays inside the space", () => {
    for (const d of draws) expect(space.contains(d)).toBeNull();
  });

  it("is reproducible for a seed and differs between seeds", () => {
    expect(space.sampleMany(new Rng(42), 50)).toEqual(draws.slice(0, 50));
    expect(space.sampleMany(new Rng(43), 50)).not.toEqual(draws.slice(0, 50));
  });

  it("reaches both ends of integer ranges, log or not", () => {
    const units = new Set(draws.map((d) => d.units));
    expect(units.has(1) && units.has(100)).toBe(true);
    const layers = new Set(draws.map((d) => d.layers));
    expect([...layers].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("is uniform in log space for log ranges and uniform for plain ones", () => {
    // lr is log-uniform on [1e-4, 1]: half the mass lies below the geometric midpoint 1e-2.
    const belowMid = draws.filter((d) => (d.lr as number) < 1e-2).length / draws.length;
    expect(belowMid).toBeGreaterThan(0.45);
    expect(belowMid).toBeLessThan(0.55);
    const lowDropout = draws.filter((d) => (d.dropout as number) < 0.25).length / draws.length;
    expect(lowDropout).toBeGreaterThan(0.45);
    expect(lowDropout).toBeLessThan(0.55);
    // log ints favour small values: 1 (from [1, 1.5)) is far more likely than 8 (from [7.5, 8)).
    const ones = draws.filter((d) => d.layers === 1).length;
    const eights = draws.filter((d) => d.layers === 8).length;
    expect(ones).toBeGreaterThan(3 * eights);
  });

  it("covers every choice and always includes the const", () => {
    expect(new Set(draws.map((d) => JSON.stringify(d.act))).size).toBe(3);
    expect(new Set(draws.map((d) => d.batch))).toEqual(new Set([16, 32, 64, 128]));
    expect(draws.every((d) => d.epochs === 10 && d.single === "only")).toBe(true);
  });
});

describe("Space.encode / decode", () => {
  it("maps into [0,1]^dim with the documented layout", () => {
    const p: Point = { units: 100, layers: 1, dropout: 0.25, lr: 1e-2, act: "tanh", batch: 64, single: "only", epochs: 10 };
    const x = Array.from(space.encode(p));
    expect(x).toHaveLength(space.dim);
    // units high -> 1; layers low -> 0; dropout mid -> 0.5; lr geometric mid -> 0.5 (log space);
    // act one-hot on its second column; batch index 2 of 4 -> 2/3; single-valued ordinal -> 0.5.
    const expected = [1, 0, 0.5, 0.5, 0, 1, 0, 2 / 3, 0.5];
    x.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
  });

  it("round-trips every sampled point", () => {
    for (const p of space.sampleMany(new Rng(7), 500)) expectSamePoint(space.decode(space.encode(p)), p);
  });

  it("round-trips the edges of every range exactly", () => {
    const low: Point = { units: 1, layers: 1, dropout: 0, lr: 1e-4, act: "relu", batch: 16, single: "only", epochs: 10 };
    const high: Point = { units: 100, layers: 8, dropout: 0.5, lr: 1, act: { kind: "leaky", slope: 0.1 }, batch: 128, single: "only", epochs: 10 };
    expect(space.decode(space.encode(low))).toEqual(low);
    expect(space.decode(space.encode(high))).toEqual(high);
  });

  it("round-trips every integer of a log-int range", () => {
    const s = spaceWith({ type: "int", name: "n", low: 1, high: 1000, log: true });
    for (let n = 1; n <= 1000; n++) expect(s.decode(s.encode({ n }))).toEqual({ n });
  });

  it("clamps out-of-cube vectors, rounds ints and picks the categorical argmax", () => {
    // batch: 0.6 * 3 = 1.8 rounds to index 2 (64); act: column 3 is the largest.
    const x = [1.7, -3, -0.2, 5, 0.2, 0.1, 0.9, 0.6, 0];
    const p = space.decode(x);
    expect(p).toEqual({ units: 100, layers: 1, dropout: 0, lr: 1, act: { kind: "leaky", slope: 0.1 }, batch: 64, single: "only", epochs: 10 });
    // units: 0.5 of [1, 100] is 50.5, rounded to an integer.
    expect(Number.isInteger(space.decode([0.5, 0.5, 0, 0, 1, 0, 0, 0, 0]).units)).toBe(true);
  });

  it("rejects points outside the space and vectors of the wrong shape", () => {
    const p = space.sample(new Rng(3));
    expect(() => space.encode({ ...p, lr: 5 })).toThrow(/lr=5 is outside/);
    expect(() => space.decode([0, 1])).toThrow(/length 9/);
    expect(() => space.decode(new Array(9).fill(Number.NaN))).toThrow(/NaN/);
  });
});

describe("Space.key and size", () => {
  it("gives equal keys to equal points whatever their key order", () => {
    const p = space.sample(new Rng(5));
    const reversed = Object.fromEntries(Object.entries(p).reverse());
    expect(space.key(reversed)).toBe(space.key(p));
    const a = { ...p, act: { kind: "leaky", slope: 0.1 } };
    const b = { ...p, act: { slope: 0.1, kind: "leaky" } };
    expect(space.key(a)).toBe(space.key(b));
    expect(space.key({ ...p, units: p.units === 1 ? 2 : 1 })).not.toBe(space.key(p));
  });

  it("counts the points of all-discrete spaces and is Infinity with a float", () => {
    const discrete = spaceWith(
      { type: "int", name: "n", low: 0, high: 9, log: false },
      { type: "categorical", name: "c", values: ["a", "b", "c"] },
      { type: "ordinal", name: "o", values: [1, 2] },
      { type: "const", name: "k", value: "x" },
    );
    expect(discrete.size()).toBe(10 * 3 * 2);
    expect(space.size()).toBe(Infinity);
  });
});

describe("Space.describe", () => {
  it("lists every hyperparameter with its type, domain and log flag, then the starting points", () => {
    const s = new Space({
      hyperparameters: HPS.slice(0, 5),
      startingPoints: [{ units: 5, layers: 2, dropout: 0.1, lr: 0.01, act: "relu" }],
    });
    const lines = s.describe().split("\n");
    expect(lines[0]).toMatch(/^name\s+type\s+range \/ values\s+log$/);
    expect(lines.find((l) => l.startsWith("lr "))).toMatch(/^lr\s+float\s+\[0\.0001, 1\]\s+log$/);
    expect(lines.find((l) => l.startsWith("units "))).toMatch(/^units\s+int\s+\[1, 100\]$/);
    expect(lines.find((l) => l.startsWith("act "))).toMatch(/categorical\s+"relu", "tanh", \{"kind":"leaky","slope":0\.1\}/);
    expect(lines).toContain("5 hyperparameters, 7 encoded dimensions, continuous space");
    expect(lines).toContain("starting points: 1");
    expect(lines).toContain('  1. {"units":5,"layers":2,"dropout":0.1,"lr":0.01,"act":"relu"}');
  });
});
