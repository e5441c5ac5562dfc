// Unit tests of the regevo searcher (aging evolution): random points until a tournament can be
// held (sample_size results), then children that differ from a tournament winner in one choice and
// stay in the space; the oldest member dies; the state round-trips (whole, or from the rows'
// history); no point twice, a small space exhausted exactly;
// the same seed gives the same search; option checks; several objectives ranked by Pareto rank.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { NasProblem } from "../../src/problem/nas-problem.js";
import { Problem } from "../../src/problem/problem.js";
import { createSearcher } from "../../src/search/registry.js";
import { mutate } from "../../src/search/regevo/mutate.js";
import { Population } from "../../src/search/regevo/population.js";
import { RegevoSearcher } from "../../src/search/regevo/regevo.js";
import { parseRegevoOptions } from "../../src/search/regevo/index.js";
import type { EvaluationResult, Searcher } from "../../src/search/searcher.js";
import { Space } from "../../src/space/space.js";
import type { JsonValue, ObjectiveSpec, Point } from "../../src/space/types.js";
import { Rng } from "../../src/util/rng.js";

const OPS: JsonValue[] = [{ op: "identity" }, { op: "dense", units: 8 }, { op: "dense", units: 16 }, { op: "dense", units: 32 }];

function nasSpace(layers = 4, hps = true): Space {
  const p = new NasProblem();
  for (let i = 1; i <= layers; i++) p.variable(`n${i}`, OPS, { skips: i > 1 ? ["input"] : [] });
  if (hps) p.add("lr", [1e-4, 1e-1, "log-uniform"]).add("batch", [16, 32, 64]);
  return new Space(p.toSpec());
}

/** A made-up objective: the sum of the choices (a NAS toy with a unique best architecture). */
function score(p: Point): number {
  return Object.entries(p).reduce((s, [k, v]) => s + (k.startsWith("vnode_") ? (v as number) : 0), 0);
}

let evalId = 0;
function results(points: Point[], f = score): EvaluationResult[] {
  return points.map((point) => ({ evalId: evalId++, point, status: "DONE" as const, objective: f(point) }));
}

function regevo(space: Space, populationSize = 10, sampleSize = 3, seed = 1): Searcher {
  return createSearcher("regevo", { space, seed, direction: "maximize", options: { population_size: populationSize, sample_size: sampleSize } });
}

describe("mutation", () => {
  it("changes exactly one choice to another value of the space", () => {
    const space = nasSpace();
    const rng = new Rng(5);
    for (let i = 0; i < 500; i++) {
      const parent = space.sample(rng);
      const child = mutate(space, parent, rng)!;
      expect(space.contains(child)).toBeNull();
      const changed = space.names.filter((n) => JSON.stringify(child[n]) !== JSON.stringify(parent[n]));
      expect(changed).toHaveLength(1);
      expect(Object.keys(child)).toEqual(space.names);
    }
  });

  it("settles activity when a parent changes, and never gives a forbidden child", () => {
    const space = new Space(
      new Problem()
        .add("opt", ["sgd", "adam"])
        .add("momentum", [0, 0.99], { when: { parent: "opt", equals: "sgd" } })
        .add("units", [1, 4])
        .addForbidden({ opt: "adam", units: 4 })
        .toSpec(),
    );
    const rng = new Rng(2);
    let activated = 0;
    for (let i = 0; i < 500; i++) {
      const parent = space.sample(rng);
      const child = mutate(space, parent, rng);
      if (child === null) continue;
      expect(space.contains(child)).toBeNull();
      if (!("momentum" in parent) && "momentum" in child) activated++;
    }
    expect(activated).toBeGreaterThan(0);
  });

  it("mutates only the names given", () => {
    const space = nasSpace();
    const rng = new Rng(9);
    const names = new Set(["lr", "batch"]);
    for (let i = 0; i < 100; i++) {
      const parent = space.sample(rng);
      const child = mutate(space, parent, rng, names)!;
      for (const n of space.names) if (!names.has(n)) expect(child[n]).toEqual(parent[n]);
    }
  });
});

describe("aging population", () => {
  it("breeds once a tournament can be held, grows up to its size, then keeps the last results in the order told, the oldest dying first", () => {
    const pop = new Population(3, 2, "maximize");
    pop.add(results([{ x: 1 }], (p) => p.x as number));
    expect(pop.breeding()).toBe(false);
    pop.add(results([{ x: 2 }], (p) => p.x as number));
    expect(pop.breeding()).toBe(true);
    pop.add(results([{ x: 6 }], (p) => p.x as number));
    // Grown to its size, nobody has died yet.
    expect(pop.points()).toEqual([{ x: 1 }, { x: 2 }, { x: 6 }]);
    pop.add(results([{ x: 3 }, { x: 4 }, { x: 5 }], (p) => p.x as number));
    expect(pop.points()).toEqual([{ x: 3 }, { x: 4 }, { x: 5 }]);
    pop.add(results([{ x: 0 }], (p) => p.x as number));
    expect(pop.points()).toEqual([{ x: 4 }, { x: 5 }, { x: 0 }]);
  });

  it("lets the best of a sample win; a failure never beats a success", () => {
    const pop = new Population(4, 4, "minimize");
    pop.add([
      { evalId: 1, point: { x: 1 }, status: "DONE", objective: 3 },
      { evalId: 2, point: { x: 2 }, status: "FAILED", objective: null },
      { evalId: 3, point: { x: 3 }, status: "DONE", objective: -1 },
      { evalId: 4, point: { x: 4 }, status: "DONE", objective: 7 },
    ]);
    // The whole population is the sample: the lowest objective wins (minimising).
    expect(pop.tournament(new Rng(1)).point).toEqual({ x: 3 });
    // A result told again (a relaunch) does not join twice.
    pop.add([{ evalId: 4, point: { x: 4 }, status: "DONE", objective: 7 }]);
    expect(pop.length).toBe(4);
  });

  it("with several objectives, lets the lowest Pareto rank in the population win, then the first objective", () => {
    const objectives: ObjectiveSpec[] = [{ name: "loss", direction: "minimize" }, { name: "size", direction: "minimize" }];
    const pop = new Population(5, 2, "minimize", objectives);
    const done = (evalId: number, values: number[] | null): EvaluationResult => ({ evalId, point: { id: evalId }, status: "DONE", objective: values ? values[0]! : 0.5, objectives: values });
    pop.add([
      done(1, [1, 1]), // rank 1
      done(2, [2, 5]), // rank 2: dominated by 1, yet second best in the first objective
      done(3, [3, 0]), // rank 1
      done(4, null), // lacks its second objective: behind every ranked member, before a failure
      { evalId: 5, point: { id: 5 }, status: "FAILED", objective: null },
    ]);
    const wins = new Map<number, number>();
    const rng = new Rng(7);
    for (let i = 0; i < 400; i++) {
      const id = pop.tournament(rng).point.id as number;
      wins.set(id, (wins.get(id) ?? 0) + 1);
    }
    // Two of five drawn: 1 wins the 4 pairs it is in; 3 wins {2,3}, {3,4}, {3,5}; 2 wins {2,4}, {2,5};
    // 4 wins {4,5}; 5 never. By the first objective alone, 2 would win {2,3} too.
    const share = (id: number) => (wins.get(id) ?? 0) / 400;
    expect(share(1)).toBeCloseTo(0.4, 1);
    expect(share(3)).toBeCloseTo(0.3, 1);
    expect(share(2)).toBeCloseTo(0.2, 1);
    expect(share(4)).toBeCloseTo(0.1, 1);
    expect(wins.has(5)).toBe(false);
    // The ranks follow the population: 2 never wins while 1 dominates it; once 1 ages out, 2 is on
    // the front and wins {2,3} (by the first objective) and {2,4}.
    const aging = new Population(3, 2, "minimize", objectives);
    aging.add([done(1, [1, 1]), done(2, [2, 5]), done(3, [3, 0])]);
    const winners = (n: number) => Array.from({ length: n }, () => aging.tournament(rng).point.id as number);
    expect(winners(200)).not.toContain(2);
    aging.add([done(4, [9, 9])]);
    const after = winners(300);
    expect(after.filter((id) => id === 2).length / 300).toBeCloseTo(2 / 3, 1);
    expect(after).not.toContain(4);
  });

  it("with several objectives, its state keeps them and a restored searcher asks the same children", () => {
    const objectives: ObjectiveSpec[] = [{ name: "a", direction: "maximize" }, { name: "b", direction: "minimize" }];
    const space = nasSpace(3, false);
    const make = () => createSearcher("regevo", { space, seed: 3, direction: "maximize", options: { population_size: 6, sample_size: 3 }, objectives });
    const two = (p: Point): number[] => [score(p), Math.abs(score(p) - 4) + (p.vnode_00000 as number)];
    const s = make();
    for (let i = 0; i < 4; i++) {
      const asked = s.ask(3);
      s.tell(asked.map((point) => ({ evalId: evalId++, point, status: "DONE" as const, objective: two(point)[0]!, objectives: two(point) })));
    }
    const saved = JSON.parse(JSON.stringify(s.state())) as { population: { objectives: number[] }[] };
    expect(saved.population).toHaveLength(6);
    for (const m of saved.population) expect(m.objectives).toHaveLength(2);
    const r = make();
    r.restore(saved as unknown as JsonValue);
    expect(r.ask(4)).toEqual(s.ask(4));
  });
});

describe("regevo searcher", () => {
  it("proposes random points until a tournament can be held, then children one mutation from a member", () => {
    const space = nasSpace();
    const s = regevo(space, 10, 3);
    const first = s.ask(2);
    s.tell(results(first));
    // Two results, tournaments of 3: still random. A child of one member is one mutation from it;
    // a random point in this space of 4^4 * 2^3 architectures times lr and batch almost never is.
    const more = s.ask(1);
    s.tell(results(more));
    const members = [...first, ...more].map((p) => space.key(p));
    for (let round = 0; round < 20; round++) {
      const children = s.ask(2);
      expect(children).toHaveLength(2);
      for (const c of children) {
        expect(space.contains(c)).toBeNull();
        // Each child is one mutation away from some point proposed before (its parent).
        const distances = members.map((k) => {
          const m = JSON.parse(k) as JsonValue[];
          const cv = JSON.parse(space.key(c)) as JsonValue[];
          return m.filter((v, i) => JSON.stringify(v) !== JSON.stringify(cv[i])).length;
        });
        expect(Math.min(...distances)).toBe(1);
      }
      s.tell(results(children));
      members.push(...children.map((p) => space.key(p)));
    }
    // The population grew by children to its size (10), no more.
    expect((s.state() as { population: unknown[] }).population).toHaveLength(10);
  });

  it("climbs a toy NAS objective far above random search with the same budget", () => {
    const space = nasSpace(8, false);
    const best = (s: Searcher): number => {
      let top = -Infinity;
      for (let i = 0; i < 40; i++) {
        const points = s.ask(5);
        s.tell(results(points));
        for (const p of points) top = Math.max(top, score(p));
      }
      return top;
    };
    const evo = best(regevo(space, 20, 5, 3));
    const random = best(createSearcher("random", { space, seed: 3, direction: "maximize", options: {} }));
    expect(evo).toBeGreaterThan(random);
  });

  it("round-trips its state: a restored searcher continues the same search", () => {
    const space = nasSpace();
    const a = regevo(space, 8, 3, 11);
    for (let i = 0; i < 5; i++) a.tell(results(a.ask(3)));
    const b = regevo(space, 8, 3, 11);
    b.restore(JSON.parse(JSON.stringify(a.state())) as JsonValue);
    for (let i = 0; i < 5; i++) {
      const pa = a.ask(3);
      const pb = b.ask(3);
      expect(pb).toEqual(pa);
      const r = results(pa);
      a.tell(r);
      b.tell(r);
    }
  });

  it("restores a stateWithoutRows() from the rows' history: the same search, few bytes, no point twice", () => {
    // Asynchronous: each round asks 3 and tells the oldest 2 pending, so points stay pending across restores.
    const space = nasSpace(3, false); // 4 * 4 * 4 * 2 * 2 = 256 architectures
    const a = regevo(space, 6, 2, 13);
    let b = regevo(space, 6, 2, 13);
    const told: EvaluationResult[] = [];
    let pending: Point[] = [];
    const keys: string[] = [];
    for (let round = 0; round < 40; round++) {
      const saved = JSON.parse(JSON.stringify(b.stateWithoutRows!())) as JsonValue;
      expect(JSON.stringify(saved).length).toBeLessThan(200);
      b = regevo(space, 6, 2, 13);
      b.restore(saved, { told: [...told], pending: [...pending] });
      const pa = a.ask(3);
      expect(b.ask(3)).toEqual(pa);
      keys.push(...pa.map((p) => space.key(p)));
      pending.push(...pa);
      const r = results(pending.slice(0, 2));
      pending = pending.slice(2);
      a.tell(r);
      b.tell(r);
      told.push(...r);
    }
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(120);
    // The same population and the same points marked proposed (a set: its order may differ).
    const whole = (x: Searcher): { population: unknown; seen: number[] } => {
      const st = x.state() as unknown as { population: unknown; seen: number[] };
      return { population: st.population, seen: [...st.seen].sort((u, v) => u - v) };
    };
    expect(whole(b)).toEqual(whole(a));
  });

  it("is deterministic under a seed, and another seed searches otherwise", () => {
    const space = nasSpace();
    const run = (seed: number): Point[] => {
      const s = regevo(space, 6, 2, seed);
      const all: Point[] = [];
      evalId = 0;
      for (let i = 0; i < 10; i++) {
        const p = s.ask(2);
        all.push(...p);
        s.tell(results(p));
      }
      return all;
    };
    expect(run(4)).toEqual(run(4));
    expect(run(5)).not.toEqual(run(4));
  });

  it("never proposes a point twice and exhausts a small space exactly, across restores", () => {
    const space = nasSpace(2, false); // 4 * 4 * 2 = 32 architectures
    expect(space.size()).toBe(32);
    let s = regevo(space, 5, 2, 7);
    const keys: string[] = [];
    while (!s.exhausted()) {
      const points = s.ask(3);
      if (points.length === 0) break;
      keys.push(...points.map((p) => space.key(p)));
      s.tell(results(points));
      const restored = regevo(space, 5, 2, 7);
      restored.restore(JSON.parse(JSON.stringify(s.state())) as JsonValue);
      s = restored;
    }
    expect(keys).toHaveLength(32);
    expect(new Set(keys).size).toBe(32);
    expect(s.exhausted()).toBe(true);
    expect(s.ask(3)).toEqual([]);
  });

  it("proposes the starting points first, once", () => {
    const spec = new NasProblem().variable("n1", OPS).variable("n2", OPS).addStartingPoint({ arch_seq: [1, 2] }).addStartingPoint({ arch_seq: [1, 2] }).toSpec();
    const space = new Space(spec);
    const s = regevo(space);
    const points = s.ask(3);
    expect(points[0]).toEqual({ vnode_00000: 1, vnode_00001: 2 });
    expect(new Set(points.map((p) => space.key(p))).size).toBe(3);
  });

  it("works on an hps space too (floats are drawn anew when mutated)", () => {
    const space = new Space(new Problem().float("x", 0, 1).add("c", ["a", "b", "c"]).toSpec());
    const s = regevo(space, 4, 2);
    for (let i = 0; i < 10; i++) {
      const p = s.ask(2);
      expect(p).toHaveLength(2);
      for (const q of p) expect(space.contains(q)).toBeNull();
      s.tell(results(p, (q) => q.x as number));
    }
  });

  it("checks its options with one line naming the flag", () => {
    expect(parseRegevoOptions({})).toEqual({ populationSize: 100, sampleSize: 10 });
    expect(parseRegevoOptions({ population_size: 5 })).toEqual({ populationSize: 5, sampleSize: 5 });
    expect(() => parseRegevoOptions({ population_size: 0 })).toThrow(/--population-size must be a whole number of at least 1 \(got 0\)/);
    expect(() => parseRegevoOptions({ population_size: 5, sample_size: 6 })).toThrow(ValidationError);
    expect(() => parseRegevoOptions({ sample_size: 2.5 })).toThrow(/--sample-size/);
    expect(new RegevoSearcher(nasSpace(), { seed: 1, direction: "minimize" }, { populationSize: 2, sampleSize: 2 }).name).toBe("regevo");
  });
});
