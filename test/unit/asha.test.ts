// Unit tests of the ASHA core against hand-computed cases: rung and bracket arithmetic (Determined's
// adaptive_asha), trial allocation, the promotion order for a fixed arrival sequence, stop-once,
// failures, and state/restore.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import {
  AshaPromoter,
  bracketRungs,
  bracketTrials,
  effectiveMaxRungs,
  floorLog,
  rungLengths,
  type AshaConfig,
  type AshaDecision,
} from "../../src/search/asha/index.js";
import type { JsonValue } from "../../src/space/types.js";

function config(over: Partial<AshaConfig>): AshaConfig {
  return { maxLength: 16, maxTrials: 16, divisor: 4, maxRungs: 5, mode: "aggressive", stopOnce: false, ...over };
}

/** Creates n trials (ids 0..n-1 in a single bracket). */
function start(s: AshaPromoter, n: number): void {
  for (let i = 0; i < n; i++) expect(s.newTrial()).not.toBeNull();
}

const stop = (reason: AshaDecision["reason"], length: number) => ({ action: "stop", reason, length, resume: [] });

describe("rung and bracket arithmetic", () => {
  it("floorLog counts powers exactly", () => {
    expect(floorLog(64, 4)).toBe(3);
    expect(floorLog(63, 4)).toBe(2);
    expect(floorLog(1, 4)).toBe(0);
    expect(floorLog(1000, 10)).toBe(3);
  });

  it("caps the rungs by max length and by trials", () => {
    expect(effectiveMaxRungs(5, 256, 1024, 4)).toBe(5);
    expect(effectiveMaxRungs(5, 100, 1000, 4)).toBe(4); // 4^3 = 64 <= 100 < 256
    expect(effectiveMaxRungs(5, 256, 16, 4)).toBe(3); // 16 trials: 4^2
    expect(effectiveMaxRungs(5, 3, 100, 4)).toBe(1);
  });

  it("computes rung lengths r_k = floor(maxLength / divisor^(n-1-k)), at least 1", () => {
    expect(rungLengths(256, 4, 5)).toEqual([1, 4, 16, 64, 256]);
    expect(rungLengths(100, 4, 4)).toEqual([1, 6, 25, 100]);
    expect(rungLengths(10, 4, 5)).toEqual([1, 1, 1, 2, 10]);
    expect(rungLengths(81, 3, 3)).toEqual([9, 27, 81]);
    expect(rungLengths(50, 4, 1)).toEqual([50]);
  });

  it("picks the brackets of each mode, most rungs first", () => {
    expect(bracketRungs("aggressive", 5)).toEqual([5]);
    expect(bracketRungs("standard", 5)).toEqual([5, 4, 3]);
    expect(bracketRungs("standard", 4)).toEqual([4, 3, 2]);
    expect(bracketRungs("standard", 1)).toEqual([1]);
    expect(bracketRungs("conservative", 5)).toEqual([5, 4, 3, 2, 1]);
  });

  it("shares trials by weight divisor^(n-1)/n, remainder to the first bracket", () => {
    // weights 51.2, 16, 5.33 of 72.53: 70.59 -> 70, 22.06 -> 22, 7.35 -> 7, +1 remainder
    expect(bracketTrials(100, 4, [5, 4, 3])).toEqual([71, 22, 7]);
    // weights 51.2, 16, 5.33, 2, 1 of 75.53: 67, 21, 7, 2, 1, +2 remainder
    expect(bracketTrials(100, 4, [5, 4, 3, 2, 1])).toEqual([69, 21, 7, 2, 1]);
    // 2.1 -> 2, 0.66 -> 1, 0.22 -> 1 is 4 > 3 trials: the last bracket gives its trial back.
    expect(bracketTrials(3, 4, [5, 4, 3])).toEqual([2, 1, 0]);
    expect(bracketTrials(10, 4, [5])).toEqual([10]);
  });

  it("plans the brackets of a standard search", () => {
    const s = new AshaPromoter(config({ maxLength: 256, maxTrials: 1024, mode: "standard" }), "minimize");
    expect(s.numRungs).toBe(5);
    // weights 51.2, 16, 5.33 of 72.53: 722.8, 225.9, 75.3 -> 722, 225, 75, +2 remainder
    expect(s.bracketPlan()).toEqual([
      { numRungs: 5, lengths: [1, 4, 16, 64, 256], maxTrials: 724 },
      { numRungs: 4, lengths: [4, 16, 64, 256], maxTrials: 225 },
      { numRungs: 3, lengths: [16, 64, 256], maxTrials: 75 },
    ]);
  });

  it("rejects bad settings naming the flag", () => {
    expect(() => new AshaPromoter(config({ maxLength: 0 }), "minimize")).toThrow(/--max-length must be a positive integer/);
    expect(() => new AshaPromoter(config({ divisor: 1 }), "minimize")).toThrow(/--divisor must be a number greater than 1/);
    expect(() => new AshaPromoter(config({ mode: "wild" as "standard" }), "minimize")).toThrow(/--mode must be one of/);
    expect(() => new AshaPromoter(config({ maxTrials: 2.5 }), "minimize")).toThrow(ValidationError);
  });
});

describe("trial allocation", () => {
  it("fills the brackets in proportion, most aggressive first, up to max trials", () => {
    const s = new AshaPromoter(config({ maxLength: 256, maxTrials: 1024, mode: "standard" }), "minimize");
    const first = [s.newTrial(), s.newTrial(), s.newTrial(), s.newTrial()];
    expect(first).toEqual([
      { trialId: 0, bracket: 0, length: 1 },
      { trialId: 1, bracket: 1, length: 4 },
      { trialId: 2, bracket: 2, length: 16 },
      { trialId: 3, bracket: 0, length: 1 },
    ]);
    const counts = [1 + 1, 1, 1];
    for (let i = 4; i < 1024; i++) counts[s.newTrial()!.bracket]!++;
    expect(counts).toEqual([724, 225, 75]);
    expect(s.newTrial()).toBeNull();
    expect(s.canCreate()).toBe(false);
  });
});

describe("promotion (asynchronous, no barrier)", () => {
  it("promotes in the order of a fixed arrival sequence", () => {
    // One bracket of 3 rungs: lengths 1, 4, 16. Smaller is better.
    const s = new AshaPromoter(config({}), "minimize");
    expect(s.bracketPlan()).toEqual([{ numRungs: 3, lengths: [1, 4, 16], maxTrials: 16 }]);
    start(s, 12);
    const values = [5, 3, 4, 6, 1, 2, 7, 0.5, 2.5, 8, 9, 10];
    const decisions = values.map((v, id) => s.report(id, 1, v));
    const promoted = (d: AshaDecision, id: number) => [...(d.reason === "promoted" ? [id] : []), ...d.resume.map((r) => r.trialId)];
    // 4th result: 1 of 4 promotable, the best paused (trial 1, value 3) is resumed.
    // 5th: trial 4 (1) is at once the best. 8th: 2 of 8, trial 7 (0.5) at once.
    // 12th: 3 of 12, the best unpromoted (trial 5, value 2) is resumed.
    expect(decisions.flatMap(promoted)).toEqual([1, 4, 7, 5]);
    expect(decisions[3]).toEqual({ action: "stop", reason: "paused", length: 1, resume: [{ trialId: 1, fromLength: 1, length: 4 }] });
    expect(decisions[4]).toEqual({ action: "continue", reason: "promoted", length: 4, resume: [] });
    expect(decisions[0]).toEqual(stop("paused", 1));
    expect(s.info(1)).toMatchObject({ status: "running", rung: 1, length: 4 });
    expect(s.info(3)).toMatchObject({ status: "paused", rung: 0 });
    expect(s.rungResults(0, 0).filter((r) => r.promoted).map((r) => r.trialId)).toEqual([7, 4, 5, 1]);
  });

  it("says continue below the rung length and decides at the first report that reaches it", () => {
    const s = new AshaPromoter(config({}), "minimize");
    start(s, 1);
    expect(s.report(0, 0.5, 3)).toEqual({ action: "continue", reason: "training", length: 1, resume: [] });
    expect(s.report(0, 2, 3)).toEqual(stop("paused", 2));
  });

  it("takes a trial to the top rung (divisor 2, lengths 1, 2, 4), maximizing", () => {
    const s = new AshaPromoter(config({ maxLength: 4, maxTrials: 4, divisor: 2 }), "maximize");
    expect(s.bracketPlan()[0]!.lengths).toEqual([1, 2, 4]);
    start(s, 3);
    expect(s.report(0, 1, 0.5)).toEqual(stop("paused", 1));
    // 2 results, 1 promotable: trial 0 (0.5 > 0.2) is resumed, trial 1 paused.
    expect(s.report(1, 1, 0.2)).toEqual({ action: "stop", reason: "paused", length: 1, resume: [{ trialId: 0, fromLength: 1, length: 2 }] });
    expect(s.report(0, 2, 0.6)).toEqual(stop("paused", 2));
    expect(s.report(2, 1, 0.9)).toEqual({ action: "continue", reason: "promoted", length: 2, resume: [] });
    expect(s.report(2, 2, 0.95)).toEqual({ action: "continue", reason: "promoted", length: 4, resume: [] });
    expect(s.report(2, 4, 0.97)).toEqual(stop("completed", 4));
    expect(s.rungResults(0, 2)).toEqual([{ trialId: 2, value: 0.97, promoted: false }]);
    expect(s.finished()).toBe(false);
    expect(s.newTrial()).toMatchObject({ trialId: 3 });
    expect(s.report(3, 1, 0)).toEqual(stop("paused", 1));
    expect(s.finished()).toBe(true);
  });

  it("records a coarse report at every rung it passes", () => {
    const s = new AshaPromoter(config({ maxLength: 4, maxTrials: 4, divisor: 2 }), "minimize");
    start(s, 2);
    s.report(0, 1, 5);
    // Trial 1 reports once at the end: best at rung 0 (promoted), alone at rung 1 (paused).
    expect(s.report(1, 4, 1)).toEqual(stop("paused", 4));
    expect(s.rungResults(0, 1)).toEqual([{ trialId: 1, value: 1, promoted: false }]);
  });

  it("counts a failure as the worst result, which may promote a paused trial", () => {
    const s = new AshaPromoter(config({}), "minimize");
    start(s, 4);
    [1, 2, 3].forEach((v, id) => s.report(id, 1, v));
    expect(s.fail(3)).toEqual({ action: "stop", reason: "failed", length: 0, resume: [{ trialId: 0, fromLength: 1, length: 4 }] });
    expect(s.info(3).status).toBe("failed");
    expect(s.rungResults(0, 0).at(-1)).toEqual({ trialId: 3, value: null, promoted: false });
  });

  it("passes a promoted failed trial on as the worst result of the next rung", () => {
    const s = new AshaPromoter(config({}), "minimize");
    start(s, 4);
    for (let id = 0; id < 4; id++) s.fail(id);
    expect(s.rungResults(0, 0).map((r) => [r.trialId, r.promoted])).toEqual([[0, true], [1, false], [2, false], [3, false]]);
    expect(s.rungResults(0, 1)).toEqual([{ trialId: 0, value: null, promoted: false }]);
  });

  it("refuses reports for unknown or stopped trials and non-finite values", () => {
    const s = new AshaPromoter(config({}), "minimize");
    start(s, 1);
    expect(() => s.report(5, 1, 1)).toThrow(/unknown trial 5/);
    expect(() => s.report(0, 1, Number.NaN)).toThrow(/not a finite number/);
    s.report(0, 1, 1);
    expect(() => s.report(0, 4, 1)).toThrow(/trial 0 is paused, not running/);
  });
});

describe("stop-once", () => {
  it("keeps the best max(1, floor(n/divisor)) at each rung; ties go to the newcomer", () => {
    const s = new AshaPromoter(config({ stopOnce: true }), "minimize");
    start(s, 6);
    expect(s.report(0, 1, 5)).toEqual({ action: "continue", reason: "promoted", length: 4, resume: [] });
    expect(s.report(1, 1, 6)).toEqual(stop("stopped", 1));
    expect(s.report(2, 1, 4)).toMatchObject({ action: "continue", length: 4 });
    expect(s.report(3, 1, 4)).toMatchObject({ action: "continue", length: 4 });
    expect(s.report(4, 1, 4.5)).toEqual(stop("stopped", 1));
    expect(s.info(1).status).toBe("stopped");
    // One report at maxLength passes every rung: first at rungs 0 and 1, then completed.
    expect(s.report(5, 16, 0)).toEqual(stop("completed", 16));
    expect(s.rungResults(0, 1)).toEqual([{ trialId: 5, value: 0, promoted: true }]);
    expect(s.report(0, 2, 5)).toEqual({ action: "continue", reason: "training", length: 4, resume: [] });
    // Rung 1 holds trial 5 (0): trial 0 (5) is second of two, outside max(1, 0).
    expect(s.report(0, 4, 5)).toEqual(stop("stopped", 4));
  });

  it("records a failure at its rung without promoting anyone", () => {
    const s = new AshaPromoter(config({ stopOnce: true }), "minimize");
    start(s, 2);
    s.report(0, 1, 1);
    expect(s.fail(1)).toEqual({ action: "stop", reason: "failed", length: 0, resume: [] });
    expect(s.rungResults(0, 0).map((r) => r.value)).toEqual([1, null]);
  });
});

describe("state and restore", () => {
  it("decides the same after a restore as without one", () => {
    const cfg = config({ maxLength: 64, maxTrials: 40, mode: "standard" });
    const run = (s: AshaPromoter, from: number, to: number): AshaDecision[] => {
      const out: AshaDecision[] = [];
      for (let i = from; i < to; i++) {
        const t = s.newTrial()!;
        out.push(s.report(t.trialId, t.length, ((i * 37) % 11) / 10));
      }
      return out;
    };
    const straight = new AshaPromoter(cfg, "minimize");
    const expected = run(straight, 0, 30);
    const first = new AshaPromoter(cfg, "minimize");
    const head = run(first, 0, 17);
    const saved = JSON.parse(JSON.stringify(first.state())) as JsonValue;
    const second = new AshaPromoter(cfg, "minimize");
    second.restore(saved);
    expect([...head, ...run(second, 17, 30)]).toEqual(expected);
    expect(second.state()).toEqual(straight.state());
  });

  it("refuses a state saved with other settings", () => {
    const saved = new AshaPromoter(config({}), "minimize").state();
    expect(() => new AshaPromoter(config({ divisor: 3 }), "minimize").restore(saved)).toThrow(/other settings/);
    expect(() => new AshaPromoter(config({}), "maximize").restore(saved)).toThrow(/other settings/);
  });
});
