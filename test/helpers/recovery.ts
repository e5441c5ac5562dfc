// Test helper: what every crash-recovery test asserts after the relaunch finished the search.
import { expect } from "vitest";
import { countEvaluations, listEvaluations, listEvents, listLaunchers, type EvaluationRow, type Store } from "../../src/store/index.js";

/** Exactly maxEvals evaluations finished, none left RUNNING or READY, and none finished twice. Returns the rows. */
export async function expectFinishedOnce(store: Store, workflowId: number, maxEvals: number): Promise<EvaluationRow[]> {
  const counts = await countEvaluations(store, workflowId);
  expect(counts.DONE + counts.FAILED + counts.TIMEOUT).toBe(maxEvals);
  expect(counts.RUNNING + counts.READY).toBe(0);
  const rows = await listEvaluations(store, workflowId);
  for (const r of rows) {
    const finishes = (await listEvents(store, r.id)).filter((e) => ["DONE", "FAILED", "TIMEOUT"].includes(e.toState));
    expect(finishes.length).toBeLessThanOrEqual(1);
  }
  return rows;
}

/**
 * Waits (up to 30 s) until the workflow's only launcher runs three evaluations after two finished,
 * the moment the crash tests strike; returns that launcher's pid, or 0 if it never came.
 */
export async function launcherMidSearch(store: Store, workflowId: number): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const c = await countEvaluations(store, workflowId);
    const launchers = await listLaunchers(store, workflowId);
    if (c.DONE >= 2 && c.RUNNING === 3 && launchers.length === 1) return launchers[0]!.pid;
    await new Promise((r) => setTimeout(r, 100));
  }
  return 0;
}
