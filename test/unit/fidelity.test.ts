// Unit tests of the launcher's multi-fidelity driver (launcher/fidelity.ts) and of report lines:
// rows become trials, reports become decisions, and each way a run can end is recorded as the
// trial's result (stopped runs with their last report, promoted runs that end early resume).
import { describe, expect, it } from "vitest";
import { FidelityDriver } from "../../launcher/fidelity.js";
import { parseProgressLine, parseProgress } from "../../launcher/executor/objective.js";
import type { EvaluationOutcome } from "../../launcher/executor/process.js";
import { createAshaSearcher } from "../../src/search/asha/index.js";
import { Space } from "../../src/space/space.js";
import type { EvaluationRow, Fidelity } from "../../src/store/types.js";

const space = new Space({ hyperparameters: [{ type: "float", name: "x", low: 0, high: 1, log: false }], startingPoints: [] });

function setup(options: Record<string, number | boolean | string> = {}) {
  const searcher = createAshaSearcher({ space, seed: 1, direction: "maximize", options: { max_length: 9, max_trials: 9, divisor: 3, mode: "aggressive", ...options } });
  const driver = new FidelityDriver(searcher, []);
  let nextId = 1;
  const rows = (n: number): EvaluationRow[] => {
    const made = driver.next(n).map((w) => row(nextId++, w.point, w.fidelity));
    driver.created(made);
    return made;
  };
  return { searcher, driver, rows };
}

function row(id: number, point: EvaluationRow["point"], fidelity: Fidelity): EvaluationRow {
  return { id, workflowId: 1, state: "RUNNING", point, objective: null, metrics: null, attempt: 0, claimedBy: 1, createdAt: 0, startedAt: 0, finishedAt: null, exitCode: 0, error: null, hosts: null, fidelity };
}

function outcome(status: EvaluationOutcome["status"], objective: number | null = null): EvaluationOutcome {
  return { status, objective, metadata: null, exitCode: status === "DONE" ? 0 : null, signal: null, error: null, reports: [], startedAt: 0, finishedAt: 1 };
}

describe("report lines", () => {
  it("parses `report: step=N value=X` and nothing else", () => {
    expect(parseProgressLine("report: step=3 value=0.25")).toEqual({ step: 3, value: 0.25 });
    expect(parseProgressLine("  REPORT : step = 1.5  value = -2e-3 ")).toEqual({ step: 1.5, value: -0.002 });
    expect(parseProgressLine("report: step=3 value=nan")).toBeNull(); // a diverged value is no report
    expect(parseProgressLine("report: value=1 step=2")).toBeNull();
    expect(parseProgressLine("objective: 1")).toBeNull();
    expect(parseProgress("epoch 1\nreport: step=1 value=0.5\nobjective: 0.5\nreport: step=2 value=0.7\n")).toEqual([
      { step: 1, value: 0.5 },
      { step: 2, value: 0.7 },
    ]);
  });
});

describe("FidelityDriver", () => {
  it("gives new trials rows with their first rung length, and decides on reports", () => {
    const { driver, rows } = setup();
    const [a, b, c] = rows(3);
    expect(a!.fidelity).toEqual({ trial: 0, fromLength: 0, length: 1, maxLength: 9 });
    expect(driver.onReport(a!.id, 1, 0.1)).toMatchObject({ action: "stop", reason: "paused" }); // alone at its rung
    expect(driver.onReport(b!.id, 1, 0.2)).toMatchObject({ action: "stop", reason: "paused" });
    // The third result lets floor(3/3) = 1 trial through: c is the best, promoted on the spot.
    expect(driver.onReport(c!.id, 1, 0.9)).toMatchObject({ action: "continue", reason: "promoted", length: 3 });
    // Reports after a stop decision keep it.
    expect(driver.onReport(a!.id, 2, 0.5)).toMatchObject({ action: "stop", reason: "already paused" });
  });

  it("records a run the searcher stopped as DONE with its last reported value", () => {
    const { driver, rows } = setup();
    const [a] = rows(1);
    driver.onReport(a!.id, 1, 0.4);
    const out = driver.finish(a!, outcome("STOPPED_EARLY"));
    expect(out).toMatchObject({ status: "DONE", objective: 0.4, error: null, metadata: { trial: 0, length: 1, stopped: "paused" } });
  });

  it("keeps a paused trial's fate when it is promoted before its stopped run has ended", () => {
    // Seen on 3 Slurm nodes: the old run's late report, then its own end (a run module returns DONE
    // when told to stop), came after a promotion had resumed its trial in a new row; both were taken
    // for the resumed trial's progress, which then stopped it ("already paused") at once.
    const { searcher, driver, rows } = setup();
    const [a, b, c] = rows(3);
    expect(driver.onReport(a!.id, 1, 0.9)).toMatchObject({ action: "stop", reason: "paused" });
    driver.onReport(b!.id, 1, 0.1);
    driver.onReport(c!.id, 1, 0.2); // floor(3/3) = 1 promotion: a, the best, paused and still running
    const [resumed] = rows(1);
    expect(resumed!.fidelity).toMatchObject({ trial: a!.fidelity!.trial, fromLength: 1, length: 3 });
    // a's run prints one more step before it notices, then returns its value: neither counts.
    expect(driver.onReport(a!.id, 2, 0.3)).toMatchObject({ action: "stop" });
    expect(driver.finish(a!, outcome("DONE", 0.3)).metadata).toMatchObject({ stopped: "paused" });
    expect(searcher.scheduler.info(a!.fidelity!.trial)).toMatchObject({ status: "running", length: 3 });
    // The resumed row trains on to its rung (3), where its own value decides (alone there: paused).
    expect(driver.onReport(resumed!.id, 2, 0.95)).toMatchObject({ action: "continue" });
    expect(driver.onReport(resumed!.id, 3, 0.97)).toMatchObject({ action: "stop", reason: "paused", length: 3 });
    expect(searcher.scheduler.info(a!.fidelity!.trial)).toMatchObject({ status: "paused", reached: 3 });
  });

  it("tells a run that never reported its final objective at its rung length (restart semantics)", () => {
    const { searcher, driver, rows } = setup();
    const [a, b, c] = rows(3);
    driver.finish(a!, outcome("DONE", 0.1));
    driver.finish(b!, outcome("DONE", 0.2));
    const out = driver.finish(c!, outcome("DONE", 0.9));
    expect(out.metadata).toMatchObject({ trial: 2, length: 1 });
    // Promoted after its run ended: it resumes in a new row, from 1 to 3.
    const [resumed] = rows(1);
    expect(resumed!.fidelity).toEqual({ trial: 2, fromLength: 1, length: 3, maxLength: 9 });
    expect(searcher.scheduler.info(2).status).toBe("running");
  });

  it("resumes a promoted run that ended before its next rung from where it got to", () => {
    const { driver, rows } = setup();
    const [a, b, c] = rows(3);
    driver.onReport(a!.id, 1, 0.1);
    driver.onReport(b!.id, 1, 0.2);
    driver.onReport(c!.id, 1, 0.9); // promoted, trains on towards 3
    driver.onReport(c!.id, 2, 0.95);
    driver.finish(c!, outcome("DONE", 0.95)); // ...but stopped by itself at 2
    const [resumed] = rows(1);
    expect(resumed!.fidelity).toEqual({ trial: 2, fromLength: 2, length: 3, maxLength: 9 });
  });

  it("fails the trial of a crashed run, and leaves interrupted and killed runs to be re-run", () => {
    const { searcher, driver, rows } = setup();
    const [a, b, c] = rows(3);
    expect(driver.finish(a!, outcome("FAILED")).status).toBe("FAILED");
    expect(searcher.scheduler.info(0).status).toBe("failed");
    expect(driver.finish(b!, outcome("INTERRUPTED")).status).toBe("INTERRUPTED");
    expect(searcher.scheduler.info(1).status).toBe("running");
    expect(driver.finish(c!, outcome("KILLED")).status).toBe("KILLED");
    expect(searcher.scheduler.info(2).status).toBe("running");
  });

  it("is finished once every trial was created and none runs or waits", () => {
    const { driver, rows } = setup({ max_trials: 2, max_length: 1 });
    const made = rows(5);
    expect(made).toHaveLength(2);
    expect(driver.finished()).toBe(false);
    for (const r of made) {
      driver.onReport(r.id, 1, 0.5);
      driver.finish(r, outcome("DONE", 0.5));
    }
    expect(driver.finished()).toBe(true);
  });
});
