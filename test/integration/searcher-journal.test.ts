// Store integration: a searcher's journal (searcher_journal, docs/architecture.md, Searcher state
// from the rows) is appended in the transactions that save its state, read back in order with the
// rows' history, counted once when a batch is saved again, and deleted with its workflow.
import { describe, expect, it } from "vitest";
import {
  createEvaluations,
  createWorkflow,
  deleteWorkflow,
  finishEvaluations,
  listSearcherHistory,
  loadSearcherState,
  markTold,
  recordProgress,
  registerLauncher,
} from "../../src/store/index.js";
import { makeTempStore, sampleWorkflow } from "../helpers/db.js";
import { DIALECTS } from "../helpers/pg.js";

describe.each(DIALECTS)("%s", (dialect) => {
  it("appends the journal with the state that counts it, in order, each batch once", async () => {
    const { store } = await makeTempStore(dialect);
    const wf = await createWorkflow(store, sampleWorkflow());
    const other = await createWorkflow(store, { ...sampleWorkflow(), name: "other" });
    const launcher = await registerLauncher(store, { workflowId: wf.id, batchJobId: null, host: "n", pid: process.pid });
    const [a, b] = await createEvaluations(store, wf.id, [{ x: 1 }, { x: 2 }], {
      searcherState: { entries: 2 },
      searcherJournal: { from: 0, entries: [["n", 2, 0], ["k", 1]] },
      claim: { launcherId: launcher.id, hosts: [["n"], ["n"]] },
    });
    await createEvaluations(store, other.id, [{ x: 9 }], { searcherState: { entries: 1 }, searcherJournal: { from: 0, entries: [["other"]] } });
    await recordProgress(store, wf.id, [{ evaluationId: a!.id, seq: 1, launcherId: launcher.id, step: 1, value: 0.5, at: 1 }], {
      searcherState: { entries: 3 },
      searcherJournal: { from: 2, entries: [["r", 0, 1, 0.5]] },
    });
    // No journal, or an empty one: nothing appended.
    await recordProgress(store, wf.id, [], { searcherState: { entries: 3 }, searcherJournal: { from: 3, entries: [] } });
    await finishEvaluations(store, [{ id: a!.id, attempt: 0, state: "DONE", objective: 0.5 }], {
      launcherId: launcher.id,
      searcherState: { entries: 4 },
      searcherJournal: { from: 3, entries: [["f", 1]] },
      told: { at: 10 },
    });
    // A transaction retried after a lost COMMIT saves the same batch again: it counts once.
    await markTold(store, wf.id, [], { entries: 4 }, 11, { from: 3, entries: [["f", 1]] });
    await markTold(store, wf.id, [b!.id], { entries: 5 }, 12, { from: 4, entries: [["t", 1, null]] });

    const history = await listSearcherHistory(store, wf.id);
    expect(history.journal).toEqual([["n", 2, 0], ["k", 1], ["r", 0, 1, 0.5], ["f", 1], ["t", 1, null]]);
    expect(history.told.map((r) => r.id)).toEqual([a!.id, b!.id]);
    expect(await loadSearcherState(store, wf.id)).toEqual({ entries: 5 });
    expect((await listSearcherHistory(store, other.id)).journal).toEqual([["other"]]);

    expect(await deleteWorkflow(store, wf.id)).toBe(true);
    expect((await listSearcherHistory(store, wf.id)).journal).toEqual([]);
    expect((await listSearcherHistory(store, other.id)).journal).toEqual([["other"]]);
    await store.close();
  });
});
