// Unit tests of the agebo searcher: one-line refusals (no architecture, no hyperparameters), random
// architectures until a tournament can be held and then children that keep a member's architecture
// but one choice, hyperparameters from the BO (and from the evolution once the BO has none left),
// state round trip (whole, from the rows' history, and a state saved before that change), no point
// twice, determinism.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { NasProblem } from "../../src/problem/nas-problem.js";
import { Problem } from "../../src/problem/problem.js";
import { createSearcher } from "../../src/search/registry.js";
import type { EvaluationResult, Searcher } from "../../src/search/searcher.js";
import { Space } from "../../src/space/space.js";
import type { JsonValue, Point } from "../../src/space/types.js";

const OPS: JsonValue[] = [{ op: "identity" }, { op: "dense", units: 8 }, { op: "dense", units: 16 }, { op: "dense", units: 32 }];

function nas(hps: (p: NasProblem) => NasProblem = (p) => p.add("lr", [1e-4, 1e-1, "log-uniform"]), layers = 4): Space {
  const p = new NasProblem();
  for (let i = 1; i <= layers; i++) p.variable(`n${i}`, OPS, { skips: i > 1 ? ["input"] : [] });
  return new Space(hps(p).toSpec());
}

/** The architecture's choices summed, and a learning rate best near 0.01. */
function score(p: Point): number {
  const arch = Object.entries(p).reduce((s, [k, v]) => s + (k.startsWith("vnode_") ? (v as number) : 0), 0);
  return arch - (typeof p.lr === "number" ? Math.abs(Math.log10(p.lr) + 2) : 0);
}

let evalId = 0;
const results = (points: Point[]): EvaluationResult[] => points.map((point) => ({ evalId: evalId++, point, status: "DONE" as const, objective: score(point) }));

function agebo(space: Space, seed = 1, options: Record<string, JsonValue> = {}): Searcher {
  return createSearcher("agebo", { space, seed, direction: "maximize", options: { population_size: 8, sample_size: 3, ...options } });
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as Error).message).not.toContain("\n");
    return (e as Error).message;
  }
  throw new Error("expected a ValidationError");
}

describe("agebo", () => {
  it("is refused with one line for a NAS problem without hyperparameters, or an hps problem", () => {
    expect(refusal(() => agebo(nas((p) => p)))).toMatch(/this NAS problem has none to search/);
    expect(refusal(() => agebo(nas((p) => p.add("batch", 32))))).toMatch(/none to search/);
    expect(refusal(() => agebo(new Space(new Problem().add("x", [1, 5]).toSpec())))).toMatch(/this problem has no architecture/);
    expect(refusal(() => agebo(nas(), 1, { kappa: -1 }))).toMatch(/--kappa/);
  });

  it("evolves architectures and takes hyperparameters from the BO", () => {
    const space = nas();
    const s = agebo(space, 3);
    const first = s.ask(4);
    expect(first).toHaveLength(4);
    s.tell(results(first));
    const second = s.ask(4);
    s.tell(results(second));
    const members = [...first, ...second];
    for (let round = 0; round < 15; round++) {
      const kids = s.ask(2);
      expect(kids).toHaveLength(2);
      for (const k of kids) {
        expect(space.contains(k)).toBeNull();
        // The architecture is one choice away from a member's (its parent's), whatever the learning rate.
        const distance = (m: Point) => Object.keys(k).filter((n) => n.startsWith("vnode_") && k[n] !== m[n]).length;
        expect(members.some((m) => distance(m) === 1)).toBe(true);
      }
      s.tell(results(kids));
      members.push(...kids);
    }
    // The BO's learning rates gather near the best (1e-2) once it has learnt: later ones are closer than the first.
    const dist = (p: Point) => Math.abs(Math.log10(p.lr as number) + 2);
    const early = members.slice(0, 8).reduce((a, p) => a + dist(p), 0) / 8;
    const late = members.slice(-10).reduce((a, p) => a + dist(p), 0) / 10;
    expect(late).toBeLessThan(early);
  });

  it("round-trips its state, BO included", () => {
    const space = nas();
    const a = agebo(space, 5);
    for (let i = 0; i < 6; i++) a.tell(results(a.ask(3)));
    const b = agebo(space, 5);
    b.restore(JSON.parse(JSON.stringify(a.state())) as JsonValue);
    for (let i = 0; i < 4; i++) {
      const pa = a.ask(3);
      expect(b.ask(3)).toEqual(pa);
      const r = results(pa);
      a.tell(r);
      b.tell(r);
    }
  });

  it("restores a state saved before the BO's exhaustion handed the hyperparameters to the evolution", () => {
    const space = nas();
    const a = agebo(space, 5);
    for (let i = 0; i < 3; i++) a.tell(results(a.ask(3)));
    const old = { ...(JSON.parse(JSON.stringify(a.state())) as Record<string, JsonValue>), version: 1, hpStats: [] };
    const b = agebo(space, 5);
    b.restore(old);
    const pa = a.ask(3);
    expect(b.ask(3)).toEqual(pa);
  });

  it("restores a stateWithoutRows() from the rows' history, BO included: the same search, few bytes", () => {
    // Asynchronous: each round asks 3 and tells the oldest 2 pending, so points stay pending across restores.
    const space = nas();
    const a = agebo(space, 9);
    let b = agebo(space, 9);
    const told: EvaluationResult[] = [];
    let pending: Point[] = [];
    const keys = new Set<string>();
    for (let round = 0; round < 25; round++) {
      const saved = JSON.parse(JSON.stringify(b.stateWithoutRows!())) as JsonValue;
      expect(JSON.stringify(saved).length).toBeLessThan(300);
      b = agebo(space, 9);
      b.restore(saved, { told: [...told], pending: [...pending] });
      const pa = a.ask(3);
      expect(b.ask(3)).toEqual(pa);
      for (const p of pa) keys.add(space.key(p));
      pending.push(...pa);
      const r = results(pending.slice(0, 2));
      pending = pending.slice(2);
      a.tell(r);
      b.tell(r);
      told.push(...r);
    }
    expect(keys.size).toBe(75);
  });

  it("is deterministic under a seed", () => {
    const space = nas();
    const run = (seed: number): Point[] => {
      const s = agebo(space, seed);
      const all: Point[] = [];
      for (let i = 0; i < 8; i++) {
        const p = s.ask(2);
        all.push(...p);
        s.tell(results(p));
      }
      return all;
    };
    expect(run(9)).toEqual(run(9));
    expect(run(10)).not.toEqual(run(9));
  });

  it("never proposes a point twice and exhausts a small space, children carrying their parent's hyperparameters once the BO has none left", () => {
    // 4 x 4 x 2 architectures x 2 batch sizes = 64 points; the BO alone has only 2 sets.
    const space = nas((p) => p.categorical("batch", [16, 64]), 2);
    expect(space.size()).toBe(64);
    const s = agebo(space, 7, { population_size: 6, sample_size: 2 });
    const keys: string[] = [];
    const told: Point[] = [];
    for (let i = 0; i < 40 && !s.exhausted(); i++) {
      const points = s.ask(3);
      if (i >= 2 && i < 10) {
        // The BO's 2 sets went in the first ask; from here every point is a whole-point child: one
        // choice (an architecture's or the batch size) away from a point told before.
        for (const p of points) {
          const distance = (m: Point) => Object.keys(p).filter((n) => JSON.stringify(p[n]) !== JSON.stringify(m[n])).length;
          expect(told.some((m) => distance(m) === 1)).toBe(true);
        }
      }
      keys.push(...points.map((p) => space.key(p)));
      s.tell(results(points));
      told.push(...points);
    }
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(64);
    expect(s.exhausted()).toBe(true);
  });
});
