// Test helper: what every crash-recovery test asserts after the relaunch finished the search.
import { expect } from "vitest";
import { countEvaluations, listEvaluations, listEvents, type EvaluationRow, type Store } from "../../src/store/index.js";

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
