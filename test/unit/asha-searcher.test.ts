// Unit tests of the `asha` searcher: options, new trials with points from the inner searcher,
// streamed reports, the ask/tell fallback (a final objective counts at the trial's rung), and
// state/restore of the scheduler together with the inner searcher.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { createAshaSearcher, parseAshaOptions } from "../../src/search/asha/index.js";
import { Space } from "../../src/space/space.js";
import type { JsonValue } from "../../src/space/types.js";

const space = new Space({
  hyperparameters: [
    { type: "float", name: "x", low: 0, high: 1, log: false },
    { type: "categorical", name: "c", values: ["a", "b"] },
  ],
  startingPoints: [],
});

function asha(options: Record<string, JsonValue>) {
  return createAshaSearcher({ space, seed: 7, direction: "minimize", options: { max_length: 16, max_trials: 16, mode: "aggressive", ...options } });
}

describe("asha searcher", () => {
  it("reads its options with Determined's defaults and names missing flags", () => {
    expect(parseAshaOptions({ max_length: 9, max_trials: 20 })).toEqual({
      maxLength: 9,
      maxTrials: 20,
      divisor: 4,
      maxRungs: 5,
      mode: "standard",
      stopOnce: false,
    });
    expect(() => parseAshaOptions({ max_trials: 20 })).toThrow(/asha needs --max-length/);
    expect(() => parseAshaOptions({ max_length: 20 })).toThrow(/asha needs --max-evals/);
    expect(() => asha({ asha_searcher: "tpe" })).toThrow(ValidationError);
  });

  it("gives new trials distinct points of the space, never more than max trials", () => {
    const s = asha({});
    expect(s.name).toBe("asha");
    const work = s.newTrials(10);
    expect(work.map((w) => w.trialId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(work.every((w) => w.length === 1 && w.bracket === 0 && space.contains(w.point) === null)).toBe(true);
    expect(s.ask(10)).toHaveLength(6);
    expect(s.ask(1)).toEqual([]);
    expect(s.exhausted()).toBe(true);
    expect(s.finished()).toBe(false);
    expect(s.point(3)).toEqual(work[3]!.point);
    expect(new Set(work.map((w) => space.key(w.point))).size).toBe(10);
  });

  it("streams reports to the scheduler and is finished when no trial runs", () => {
    // 4 trials cap the rungs at 2 (4^1 trials): lengths 4 and 16.
    const s = asha({ max_trials: 4 });
    expect(s.scheduler.bracketPlan()[0]!.lengths).toEqual([4, 16]);
    const work = s.newTrials(4);
    const decisions = work.map((w, i) => s.report(w.trialId, 4, [3, 1, 2, 4][i]!));
    // 4 results at rung 0: one promotable, trial 1 (value 1), resumed by the 4th report.
    expect(decisions[3]!.resume).toEqual([{ trialId: 1, fromLength: 4, length: 16 }]);
    expect(s.finished()).toBe(false);
    expect(s.report(1, 16, 0.5)).toMatchObject({ action: "stop", reason: "completed" });
    expect(s.finished()).toBe(true);
  });

  it("treats told results as reports at the trial's rung and queues the resulting resumes", () => {
    const s = asha({ max_trials: 4 });
    const work = s.newTrials(4);
    s.tell(work.slice(0, 3).map((w, i) => ({ evalId: 100 + i, point: w.point, status: "DONE" as const, objective: [3, 1, 2][i]! })));
    expect(s.takeResumes()).toEqual([]);
    s.tell([{ evalId: 103, point: work[3]!.point, status: "FAILED", objective: null }]);
    expect(s.takeResumes()).toEqual([{ trialId: 1, fromLength: 4, length: 16 }]);
    expect(s.takeResumes()).toEqual([]);
    expect(s.scheduler.info(3).status).toBe("failed");
    // Results of trials already decided by report() are the runs ending as told: ignored.
    s.tell([{ evalId: 100, point: work[0]!.point, status: "DONE", objective: 0 }]);
    expect(s.scheduler.rungResults(0, 0).map((r) => r.trialId)).toEqual([1, 2, 0, 3]);
    expect(() => s.tell([{ evalId: 9, point: { x: 0.123456, c: "a" }, status: "DONE", objective: 1 }])).toThrow(/never asked/);
  });

  it("resumes a told trial promoted at once: its run has already ended", () => {
    const s = asha({});
    const work = s.newTrials(4);
    s.tell(work.map((w, i) => ({ evalId: i, point: w.point, status: "DONE" as const, objective: [3, 1, 2, 0.5][i]! })));
    expect(s.takeResumes()).toEqual([{ trialId: 3, fromLength: 1, length: 4 }]);
  });

  it("continues identically after restore(), with AMBS as the inner searcher", () => {
    const options = { asha_searcher: "ambs", n_initial_points: 3, max_trials: 12 };
    const drive = (s: ReturnType<typeof asha>, from: number, to: number): string[] => {
      const out: string[] = [];
      for (let i = from; i < to; i++) {
        const [w] = s.newTrials(1);
        const value = ((w!.point.x as number) - 0.3) ** 2 + (w!.point.c === "a" ? 0 : 0.1);
        out.push(`${space.key(w!.point)} ${JSON.stringify(s.report(w!.trialId, 1, value))}`);
      }
      return out;
    };
    const straight = asha(options);
    const expected = drive(straight, 0, 12);
    const first = asha(options);
    const head = drive(first, 0, 6);
    const second = asha(options);
    second.restore(JSON.parse(JSON.stringify(first.state())) as JsonValue);
    expect([...head, ...drive(second, 6, 12)]).toEqual(expected);
  });
});
