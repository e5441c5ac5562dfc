// The evaluation state machine as data (src/store/states.ts): which moves are legal, and
// illegalPath, with which the chaos test (bench/chaos) checks every evaluation's history.
import { describe, expect, it } from "vitest";
import { EVALUATION_TRANSITIONS, illegalPath, type EvaluationState } from "../../src/store/states.js";

const ev = (...moves: [EvaluationState | null, EvaluationState][]) => moves.map(([fromState, toState]) => ({ fromState, toState }));

describe("evaluation state machine", () => {
  it("finished states lead nowhere", () => {
    for (const s of ["DONE", "FAILED", "TIMEOUT", "KILLED"] as const) expect(EVALUATION_TRANSITIONS[s]).toEqual([]);
  });

  it("accepts the paths the launcher, recovery and cancel write", () => {
    expect(illegalPath(ev([null, "READY"], ["READY", "RUNNING"], ["RUNNING", "DONE"]), { state: "DONE", attempt: 0 })).toBeNull();
    const handedBack = ev([null, "READY"], ["READY", "RUNNING"], ["RUNNING", "READY"], ["READY", "RUNNING"], ["RUNNING", "READY"], ["READY", "RUNNING"], ["RUNNING", "FAILED"]);
    expect(illegalPath(handedBack, { state: "FAILED", attempt: 2 })).toBeNull();
    expect(illegalPath(ev([null, "READY"], ["READY", "KILLED"]), { state: "KILLED", attempt: 0 })).toBeNull();
    expect(illegalPath(ev([null, "READY"]), { state: "READY", attempt: 0 })).toBeNull();
  });

  it("names what is wrong with an illegal history", () => {
    expect(illegalPath(ev([null, "READY"], ["READY", "RUNNING"], ["RUNNING", "DONE"], ["RUNNING", "DONE"]), { state: "DONE", attempt: 0 })).toBe("event 4 leaves RUNNING, but the evaluation was DONE");
    expect(illegalPath(ev([null, "READY"], ["READY", "RUNNING"], ["RUNNING", "DONE"], ["DONE", "FAILED"]), { state: "FAILED", attempt: 0 })).toBe("event 4: DONE -> FAILED is not a legal move");
    expect(illegalPath(ev([null, "READY"], ["READY", "DONE"]), { state: "DONE", attempt: 0 })).toBe("event 2: READY -> DONE is not a legal move");
    expect(illegalPath(ev(["READY", "RUNNING"]), { state: "RUNNING", attempt: 0 })).toBe("event 1 leaves READY, but the evaluation was not created");
    expect(illegalPath(ev([null, "READY"], ["READY", "RUNNING"]), { state: "DONE", attempt: 0 })).toBe("its events end in RUNNING, its row says DONE");
    expect(illegalPath(ev([null, "READY"], ["READY", "RUNNING"], ["RUNNING", "READY"]), { state: "READY", attempt: 0 })).toBe("1 hand-back(s) or recoveries in its events, its row says attempt 0");
  });
});
