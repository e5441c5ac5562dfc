// The data behind the report's charts and the status line: best so far in either direction,
// per-host slot packing and busy fraction, hyperparameter influence, finish rate and ETA.
import { describe, expect, it } from "vitest";
import {
  bestSoFar,
  categoryLabel,
  countsByState,
  etaMs,
  finishRate,
  influence,
  runningSteps,
  utilisation,
} from "../../src/results/report-data.js";
import { learningCurves, MAX_CURVES } from "../../src/results/report-model.js";
import type { ProgressPoint, EvaluationRow } from "../../src/store/types.js";

const T0 = 1_700_000_000_000;

/** An evaluation row; times in seconds after T0. */
function ev(id: number, o: { state?: EvaluationRow["state"]; objective?: number | null; start?: number | null; end?: number | null; hosts?: string[] | null; point?: EvaluationRow["point"] } = {}): EvaluationRow {
  const state = o.state ?? "DONE";
  return {
    id,
    workflowId: 1,
    state,
    point: o.point ?? {},
    objective: o.objective === undefined ? (state === "DONE" ? id : null) : o.objective,
    metrics: null,
    attempt: 0,
    claimedBy: 1,
    createdAt: T0,
    startedAt: o.start === null ? null : T0 + (o.start ?? 0) * 1000,
    finishedAt: o.end === null || (o.end === undefined && (state === "RUNNING" || state === "READY")) ? null : T0 + (o.end ?? id) * 1000,
    exitCode: null,
    error: null,
    hosts: o.hosts === undefined ? ["n1"] : o.hosts,
  };
}

describe("bestSoFar", () => {
  const rows = [
    ev(1, { objective: 3, end: 10 }),
    ev(2, { objective: 5, end: 4 }),
    ev(3, { state: "FAILED", end: 6 }),
    ev(4, { objective: 1, end: 12 }),
    ev(5, { state: "RUNNING", start: 1 }),
    ev(6, { state: "READY", start: null }),
    ev(7, { state: "KILLED", end: 13 }),
  ];

  it("orders finished evaluations by finish time and keeps the running maximum", () => {
    const s = bestSoFar(rows, "maximize", T0);
    expect(s.map((p) => p.evalId)).toEqual([2, 3, 1, 4]);
    expect(s.map((p) => p.n)).toEqual([1, 2, 3, 4]);
    expect(s.map((p) => p.t)).toEqual([4, 6, 10, 12]);
    expect(s.map((p) => p.best)).toEqual([5, 5, 5, 5]);
    expect(s[1]).toMatchObject({ state: "FAILED", objective: null });
  });

  it("respects minimize", () => {
    expect(bestSoFar(rows, "minimize", T0).map((p) => p.best)).toEqual([5, 5, 3, 1]);
  });

  it("has no best until the first success, and failures never become the best", () => {
    const s = bestSoFar([ev(1, { state: "FAILED", end: 1 }), ev(2, { state: "TIMEOUT", end: 2 }), ev(3, { objective: -7, end: 3 })], "maximize", T0);
    expect(s.map((p) => p.best)).toEqual([null, null, -7]);
  });

  it("breaks finish-time ties by id", () => {
    expect(bestSoFar([ev(9, { end: 5 }), ev(2, { end: 5 })], "maximize", T0).map((p) => p.evalId)).toEqual([2, 9]);
  });
});

describe("utilisation", () => {
  it("packs each host's evaluations greedily into the fewest slots", () => {
    const rows = [
      ev(1, { start: 0, end: 4 }),
      ev(2, { start: 0, end: 2 }),
      ev(3, { start: 2, end: 5 }), // reuses slot 1, free at 2
      ev(4, { start: 3, end: 6 }), // both busy: a third slot
      ev(5, { start: 4, end: 6 }), // slot 0 free again at 4
    ];
    const u = utilisation(rows, T0, T0 + 100_000);
    expect(u.intervals.map((i) => [i.evalId, i.slot])).toEqual([[2, 0], [1, 1], [3, 0], [4, 2], [5, 1]]);
    expect(u.lanes).toEqual([{ host: "n1", slot: 0 }, { host: "n1", slot: 1 }, { host: "n1", slot: 2 }]);
    expect(u.window).toEqual({ start: 0, end: 6 });
    // 4 + 2 + 3 + 3 + 2 = 14 busy slot-seconds out of 3 slots x 6 s.
    expect(u.busyFraction).toBeCloseTo(14 / 18);
    // No two intervals of one slot overlap.
    for (const a of u.intervals) for (const b of u.intervals) {
      if (a !== b && a.host === b.host && a.slot === b.slot) expect(a.end <= b.start || b.end <= a.start).toBe(true);
    }
  });

  it("keeps hosts apart (natural order), runs an MPI evaluation on each of its hosts, and counts allocated capacity", () => {
    const rows = [
      ev(1, { start: 0, end: 10, hosts: ["node10"] }),
      ev(2, { start: 0, end: 10, hosts: ["node2"] }),
      ev(3, { start: 10, end: 20, hosts: ["node2", "node10"] }),
    ];
    const u = utilisation(rows, T0, T0, 2);
    expect(u.lanes.map((l) => `${l.host}#${l.slot}`)).toEqual(["node2#0", "node2#1", "node10#0", "node10#1"]);
    expect(u.intervals.filter((i) => i.evalId === 3).map((i) => i.host)).toEqual(["node2", "node10"]);
    // 40 busy slot-seconds over 4 slots x 20 s: the two idle slots count.
    expect(u.busyFraction).toBeCloseTo(0.5);
  });

  it("ends a running evaluation now and leaves out those that never started", () => {
    const u = utilisation([ev(1, { state: "RUNNING", start: 5 }), ev(2, { state: "READY", start: null }), ev(3, { start: 0, end: 5, hosts: null })], T0, T0 + 9000);
    expect(u.intervals.map((i) => [i.evalId, i.host, i.start, i.end])).toEqual([[1, "n1", 5, 9], [3, "unknown", 0, 5]]);
  });

  it("is empty without started evaluations", () => {
    expect(utilisation([ev(1, { state: "READY", start: null })], T0, T0)).toEqual({ lanes: [], intervals: [], window: null, busyFraction: 0, running: [] });
  });

  it("steps the running count, ends before starts at the same instant", () => {
    expect(runningSteps([{ start: 0, end: 2 }, { start: 2, end: 3 }, { start: 1, end: 3 }])).toEqual([[0, 1], [1, 2], [2, 2], [3, 0]]);
  });
});

describe("influence", () => {
  const hps = [
    { type: "float" as const, name: "lr", low: 1e-4, high: 1, log: true },
    { type: "categorical" as const, name: "act", values: [null, "relu", 3] },
    { type: "const" as const, name: "epochs", value: 5 },
  ];

  it("gives numeric values and category indexes for finished evaluations, failures without objective", () => {
    const rows = [
      ev(1, { objective: 0.5, point: { lr: 0.01, act: null, epochs: 5 } }),
      ev(2, { state: "FAILED", point: { lr: 0.1, act: 3, epochs: 5 } }),
      ev(3, { state: "RUNNING", start: 1, point: { lr: 0.2, act: "relu", epochs: 5 } }),
    ];
    const [lr, act, ...rest] = influence(hps, rows);
    expect(rest).toEqual([]);
    expect(lr).toMatchObject({ name: "lr", kind: "numeric", log: true, low: 1e-4, high: 1 });
    expect(lr?.points).toEqual([
      { evalId: 1, x: 0.01, objective: 0.5, state: "DONE" },
      { evalId: 2, x: 0.1, objective: null, state: "FAILED" },
    ]);
    expect(act).toMatchObject({ kind: "categorical", categories: ["null", "relu", "3"] });
    expect(act?.points.map((p) => [p.evalId, p.x])).toEqual([[1, 0], [2, 2]]);
  });

  it("labels categories as the user wrote them", () => {
    expect([categoryLabel("a"), categoryLabel(null), categoryLabel(true), categoryLabel([1, 2])]).toEqual(["a", "null", "true", "[1,2]"]);
  });
});

describe("counts, rate and ETA", () => {
  it("counts every state", () => {
    expect(countsByState([ev(1), ev(2, { state: "FAILED" }), ev(3, { state: "RUNNING", start: 0 })])).toEqual({ READY: 0, RUNNING: 1, DONE: 1, FAILED: 1, TIMEOUT: 0, KILLED: 0 });
  });

  it("measures evaluations per minute over the last N finishes", () => {
    // Finishes every 3 s, then every 1 s for the last five: a window of 5 sees the new pace.
    const rows = [...[3, 6, 9, 12].map((t, i) => ev(i + 1, { end: t })), ...[13, 14, 15, 16].map((t, i) => ev(i + 5, { state: i === 0 ? "FAILED" : "DONE", end: t }))];
    expect(finishRate(rows, 5)).toEqual({ perMinute: 60, over: 5 });
    expect(finishRate(rows, 100)?.perMinute).toBeCloseTo((7 * 60) / 13);
    expect(finishRate([ev(1, { end: 3 })])).toBeNull();
    expect(finishRate([ev(1, { end: 3 }), ev(2, { end: 3 })])).toBeNull();
    expect(finishRate([ev(1, { end: 3 }), ev(2, { state: "RUNNING", start: 1 })])).toBeNull();
  });

  it("estimates the time left", () => {
    expect(etaMs(10, 5)).toBe(120_000);
    expect(etaMs(0, null)).toBe(0);
    expect(etaMs(3, null)).toBeNull();
  });
});

describe("learningCurves", () => {
  /** A row of trial `trial` training from `from` to `to` (asha). */
  const trialRow = (id: number, trial: number, from: number, to: number, state: EvaluationRow["state"] = "DONE"): EvaluationRow =>
    ({ ...ev(id, { state, start: 0 }), fidelity: { trial, fromLength: from, length: to, maxLength: 9 } });
  const rep = (evaluationId: number, step: number, value: number): ProgressPoint => ({ evaluationId, step, value, at: T0 });

  it("joins a promoted trial's rows into one curve by step, and ranks curves by final value", () => {
    // Trial 1 stops at 3 in row 1, is promoted and goes on in row 3; trial 2 (row 2) stops at 3.
    const rows = [trialRow(1, 1, 0, 3), trialRow(2, 2, 0, 3), trialRow(3, 1, 3, 9, "RUNNING")];
    const reports = [rep(1, 1, 0.9), rep(2, 1, 0.8), rep(1, 2, 0.6), rep(2, 2, 0.7), rep(2, 3, 0.65), rep(1, 3, 0.5),
      rep(3, 6, 0.3), rep(3, 4, 0.45), rep(3, 6, 0.2)]; // out of order, and step 6 again: the later one counts
    const lc = learningCurves(rows, reports, "minimize", { lengths: true });
    expect(lc?.total).toBe(2);
    const [best, other] = lc?.curves ?? [];
    expect(best).toEqual({ kind: "trial", id: 1, points: [[1, 0.9], [2, 0.6], [3, 0.5], [4, 0.45], [6, 0.2]], final: 0.2, lastStep: 6, lastEvalId: 3, active: true });
    expect(other).toMatchObject({ kind: "trial", id: 2, final: 0.65, lastStep: 3, lastEvalId: 2, active: false });
    expect(lc?.lengths).toEqual([{ length: 3, trials: 1, active: 0 }, { length: 6, trials: 1, active: 1 }]);
    // Maximizing, trial 2 ends higher.
    expect(learningCurves(rows, reports, "maximize")?.curves.map((c) => c.id)).toEqual([2, 1]);
  });

  it("makes one curve per evaluation without fidelity, keeps the best MAX_CURVES, and has no length table unless asked", () => {
    const n = MAX_CURVES + 50;
    const rows = Array.from({ length: n }, (_, i) => ({ ...ev(i + 1), fidelity: null }));
    const reports = rows.flatMap((r) => [rep(r.id, 1, 0), rep(r.id, 2, r.id)]);
    const lc = learningCurves(rows, reports, "maximize");
    expect(lc?.total).toBe(n);
    expect(lc?.curves).toHaveLength(MAX_CURVES);
    expect(lc?.curves[0]).toMatchObject({ kind: "evaluation", id: n, final: n });
    expect(lc?.curves[MAX_CURVES - 1]?.id).toBe(n - MAX_CURVES + 1);
    expect(lc?.lengths).toBeNull();
    expect(learningCurves(rows, reports, "minimize", { maxCurves: 3 })?.curves.map((c) => c.id)).toEqual([1, 2, 3]);
  });

  it("is null without reports (or with nothing drawable)", () => {
    expect(learningCurves([ev(1)], [], "maximize")).toBeNull();
    expect(learningCurves([ev(1)], [rep(1, 1, NaN)], "maximize")).toBeNull();
  });
});
