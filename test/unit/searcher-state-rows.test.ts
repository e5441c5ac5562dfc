// Searchers that keep their results in the rows (docs/architecture.md, Searcher state from the
// rows): stateWithoutRows() stays the same size however long the search runs, and restoring it
// with the rows' history (results in the order told, the rest pending in proposal order) continues
// exactly as the searcher that saved it: the same state, the same next points, no point twice.
import { describe, expect, it } from "vitest";
import { createAmbsSearcher } from "../../src/search/ambs/index.js";
import { createRandomSearcher } from "../../src/search/random.js";
import type { EvaluationResult, Searcher, SearcherContext, SearcherHistory } from "../../src/search/searcher.js";
import { Space } from "../../src/space/space.js";
import type { JsonValue, Point, ProblemSpec } from "../../src/space/types.js";

const MIXED: ProblemSpec = {
  hyperparameters: [
    { type: "float", name: "lr", low: 1e-4, high: 1, log: true },
    { type: "int", name: "units", low: 1, high: 64, log: false },
    { type: "categorical", name: "act", values: ["relu", "tanh", "sigmoid"] },
    { type: "ordinal", name: "depth", values: [1, 2, 4, 8] },
  ],
  startingPoints: [{ lr: 0.01, units: 20, act: "tanh", depth: 2 }],
};
const f = (p: Point): number => (Math.log10(p.lr as number) + 2) ** 2 + ((p.units as number) - 20) ** 2 / 400 + (p.act === "tanh" ? 0 : 0.3) + Math.log2(p.depth as number) / 10;

/** What the rows would hold: every proposal (ids ascending) and the results in the order told. */
class Rows {
  private readonly proposed: Point[] = [];
  private readonly told: EvaluationResult[] = [];

  constructor(private readonly space: Space) {}

  ask(s: Searcher, n: number): Point[] {
    const points = s.ask(n);
    this.proposed.push(...points);
    return points;
  }

  /** Tells the results of `points` (every third one a failure), as the leader does: in id order. */
  tell(s: Searcher, points: Point[]): void {
    const results = points
      .map((point): EvaluationResult => {
        const evalId = this.proposed.findIndex((p) => this.space.key(p) === this.space.key(point));
        return evalId % 3 === 2 ? { evalId, point, status: "FAILED", objective: null, error: "boom" } : { evalId, point, status: "DONE", objective: f(point) };
      })
      .sort((a, b) => a.evalId - b.evalId);
    s.tell(results);
    this.told.push(...results);
  }

  copy(): Rows {
    const c = new Rows(this.space);
    c.proposed.push(...this.proposed);
    c.told.push(...this.told);
    return c;
  }

  history(): SearcherHistory {
    const toldKeys = new Set(this.told.map((r) => this.space.key(r.point)));
    // Through JSON, as rows are.
    return JSON.parse(JSON.stringify({ told: this.told, pending: this.proposed.filter((p) => !toldKeys.has(this.space.key(p))) })) as SearcherHistory;
  }
}

/** An asynchronous run: ask 4, then repeatedly tell the oldest 2 pending and ask 2, `rounds` times. */
function drive(s: Searcher, rows: Rows, pending: Point[], rounds: number): Point[] {
  const asked: Point[] = [];
  for (let i = 0; i < rounds; i++) {
    if (pending.length > 2) rows.tell(s, pending.splice(0, 2));
    const more = rows.ask(s, 2);
    pending.push(...more);
    asked.push(...more);
  }
  return asked;
}

const roundTrip = (v: JsonValue): JsonValue => JSON.parse(JSON.stringify(v)) as JsonValue;

describe.each([
  ["ambs", (ctx: SearcherContext) => createAmbsSearcher({ ...ctx, options: { n_candidates: 500 } })],
  ["random", createRandomSearcher],
] as const)("%s restored from stateWithoutRows() and the rows", (_name, create) => {
  const make = (spec: ProblemSpec, seed: number): Searcher => create({ space: new Space(spec), seed, direction: "minimize", options: {} });

  it("continues with the same state and the same points, none proposed twice", () => {
    const space = new Space(MIXED);
    const a = make(MIXED, 4);
    const rows = new Rows(space);
    const pending: Point[] = [];
    const before = drive(a, rows, pending, 20);
    expect(a.stateWithoutRows).toBeDefined();

    const b = make(MIXED, 999);
    b.restore(roundTrip(a.stateWithoutRows!()), rows.history());
    expect(b.state()).toEqual(a.state());

    // Both go on the same way: a with its own memory, b with what it rebuilt (on copies of the rows).
    const rowsB = rows.copy();
    const nextA = drive(a, rows, [...pending], 10);
    const nextB = drive(b, rowsB, [...pending], 10);
    expect(nextB).toEqual(nextA);
    const keys = [...before, ...nextA].map((p) => space.key(p));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("keeps the saved state the same size however long the search runs", () => {
    const a = make(MIXED, 2);
    const rows = new Rows(new Space(MIXED));
    const pending: Point[] = [];
    drive(a, rows, pending, 5);
    const early = JSON.stringify(a.stateWithoutRows!()).length;
    drive(a, rows, pending, 60);
    // Only the generator's words (and their digits) change.
    expect(JSON.stringify(a.stateWithoutRows!()).length).toBeLessThan(early + 20);
    expect(JSON.stringify(a.state()).length).toBeGreaterThan(early);
  });
});

describe("rows history", () => {
  it("ambs refuses a state without rows when it gets no history", () => {
    const a = createAmbsSearcher({ space: new Space(MIXED), seed: 1, direction: "minimize", options: {} });
    a.ask(2);
    const b = createAmbsSearcher({ space: new Space(MIXED), seed: 1, direction: "minimize", options: {} });
    expect(() => b.restore(roundTrip(a.stateWithoutRows!()))).toThrow(/history of the evaluation rows/);
  });

  it("ambs with several objectives rebuilds the same state and asks the same points", () => {
    const space = new Space(MIXED);
    const objectives = [
      { name: "loss", direction: "minimize" as const },
      { name: "size", direction: "minimize" as const },
    ];
    const make = (): Searcher => createAmbsSearcher({ space, seed: 3, direction: "minimize", objectives, options: { n_candidates: 300 } });
    const a = make();
    const proposed: Point[] = [];
    const told: EvaluationResult[] = [];
    for (let i = 0; i < 8; i++) {
      const pts = a.ask(3);
      proposed.push(...pts);
      // Two of each three told; every third stays pending.
      const results = pts.slice(0, 2).map((point): EvaluationResult => {
        const evalId = proposed.indexOf(point);
        return { evalId, point, status: "DONE", objective: f(point), objectives: [f(point), point.units as number] };
      });
      a.tell(results);
      told.push(...results);
    }
    const toldKeys = new Set(told.map((r) => space.key(r.point)));
    const history = roundTrip({ told, pending: proposed.filter((p) => !toldKeys.has(space.key(p))) } as unknown as JsonValue) as unknown as SearcherHistory;
    const b = make();
    b.restore(roundTrip(a.stateWithoutRows!()), history);
    expect(b.state()).toEqual(a.state());
    expect(b.ask(3)).toEqual(a.ask(3));
  });

  it("random: a finite space is exhausted exactly across a restore from the rows", () => {
    const spec: ProblemSpec = {
      hyperparameters: [
        { type: "int", name: "n", low: 1, high: 4, log: false },
        { type: "categorical", name: "c", values: ["a", "b", "c"] },
      ],
      startingPoints: [],
    };
    const space = new Space(spec);
    const a = createRandomSearcher({ space, seed: 7, direction: "maximize", options: {} });
    const first = a.ask(5);
    a.tell(first.slice(0, 2).map((point, evalId) => ({ evalId, point, status: "DONE", objective: 1 })));
    const b = createRandomSearcher({ space, seed: 7, direction: "maximize", options: {} });
    const told = first.slice(0, 2).map((point, evalId): EvaluationResult => ({ evalId, point, status: "DONE", objective: 1 }));
    b.restore(roundTrip(a.stateWithoutRows!()), { told, pending: first.slice(2) });
    const rest = b.ask(100);
    const keys = [...first, ...rest].map((p) => space.key(p));
    expect(keys).toHaveLength(12);
    expect(new Set(keys).size).toBe(12);
    expect(b.exhausted()).toBe(true);
  });
});
