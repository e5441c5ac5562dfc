// What each searcher declares beyond ask and tell (what max_evals counts, whether it steers running
// evaluations, whether it hears their reports), read from a workflow row, and the one rule by which
// the leader and its agents decide whether a custom method hears reports: its module has onReport.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { budgetReached, capabilitiesOf, hearsProgress, loadSearcher, type SearcherSpec } from "../../src/search/registry.js";
import { Space } from "../../src/space/space.js";
import { EVALUATION_STATES, finishedCount, isFinished, isWorkflowOver, type WorkflowState } from "../../src/store/states.js";

const space = new Space({
  hyperparameters: [
    { type: "float", name: "x", low: -1, high: 1, log: false },
    { type: "float", name: "y", low: -1, high: 1, log: false },
  ],
  startingPoints: [],
});

function spec(searcher: string, searcherOptions: SearcherSpec["searcherOptions"] = {}): SearcherSpec {
  return { searcher, searcherOptions, seed: 3, direction: "maximize" };
}

const WITH_ON_REPORT = spec("custom", { search_method: fileURLToPath(new URL("../fixtures/methods/report-stopper.mjs", import.meta.url)), method_args: { points: [], threshold: 0 } });
const WITHOUT_ON_REPORT = spec("custom", { search_method: fileURLToPath(new URL("../../examples/custom-searcher/method.ts", import.meta.url)), method_args: { budget: 4 } });

describe("capabilitiesOf", () => {
  it("ask/tell searchers count evaluations and neither steer nor hear running ones", () => {
    for (const name of ["ambs", "random", "grid"]) {
      expect(capabilitiesOf({ searcher: name })).toEqual({ counts: "evaluations", steersRunning: false, hearsProgress: false });
    }
  });

  it("asha counts trials, steers running evaluations and hears their reports", () => {
    expect(capabilitiesOf({ searcher: "asha" })).toEqual({ counts: "trials", steersRunning: true, hearsProgress: true });
  });

  it("a custom method counts evaluations and steers (its stops); whether it hears is its module's", () => {
    expect(capabilitiesOf({ searcher: "custom" })).toEqual({ counts: "evaluations", steersRunning: true, hearsProgress: "method" });
  });

  it("a name this version does not know is read as ask/tell", () => {
    expect(capabilitiesOf({ searcher: "gone" })).toEqual({ counts: "evaluations", steersRunning: false, hearsProgress: false });
  });
});

describe("budgetReached", () => {
  it("counts finished rows against max_evals, except for searchers that count trials", () => {
    expect(budgetReached({ searcher: "random", maxEvals: 5 }, 4)).toBe(false);
    expect(budgetReached({ searcher: "random", maxEvals: 5 }, 5)).toBe(true);
    expect(budgetReached({ searcher: "custom", maxEvals: 5 }, 6)).toBe(true);
    expect(budgetReached({ searcher: "asha", maxEvals: 5 }, 50)).toBe(false);
  });
});

describe("hearsProgress and loadSearcher agree", () => {
  it("a custom method with onReport hears reports; the leader's loaded searcher says the same", async () => {
    expect(await hearsProgress(WITH_ON_REPORT, space)).toBe(true);
    const loaded = await loadSearcher(WITH_ON_REPORT, space);
    expect(loaded.capabilities).toEqual({ counts: "evaluations", steersRunning: true, hearsProgress: true });
    expect(loaded.custom).toBe(loaded.searcher);
    expect(loaded.trials).toBeNull();
  });

  it("a custom method without onReport does not", async () => {
    expect(await hearsProgress(WITHOUT_ON_REPORT, space)).toBe(false);
    expect((await loadSearcher(WITHOUT_ON_REPORT, space)).capabilities.hearsProgress).toBe(false);
  });

  it("built-in searchers are not loaded to know: asha hears, random does not", async () => {
    expect(await hearsProgress(spec("asha", { max_length: 8, max_trials: 4 }), space)).toBe(true);
    expect(await hearsProgress(spec("random"), space)).toBe(false);
  });

  it("loadSearcher gives asha's trial interface, and refuses an unknown name", async () => {
    const asha = await loadSearcher(spec("asha", { max_length: 8, max_trials: 4 }), space);
    expect(asha.trials).toBe(asha.searcher);
    expect(asha.custom).toBeNull();
    expect(asha.capabilities.counts).toBe("trials");
    await expect(loadSearcher(spec("gone"), space)).rejects.toThrow("unknown searcher 'gone'");
  });
});

describe("the state vocabulary", () => {
  it("finished means DONE, FAILED or TIMEOUT; a KILLED evaluation is not finished", () => {
    expect(finishedCount({ READY: 1, RUNNING: 2, DONE: 3, FAILED: 4, TIMEOUT: 5, KILLED: 6 })).toBe(12);
    expect(EVALUATION_STATES).toEqual(["READY", "RUNNING", "DONE", "FAILED", "TIMEOUT", "KILLED"]);
    expect(EVALUATION_STATES.filter(isFinished)).toEqual(["DONE", "FAILED", "TIMEOUT"]);
  });

  it("a workflow is over once FINISHED, STOPPED or FAILED", () => {
    const all: WorkflowState[] = ["CREATED", "RUNNING", "FINISHED", "STOPPED", "FAILED"];
    expect(all.filter(isWorkflowOver)).toEqual(["FINISHED", "STOPPED", "FAILED"]);
  });
});
