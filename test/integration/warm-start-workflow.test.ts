// --warm-start WORKFLOW read from a real SQLite store (docs/architecture.md, Warm start): DONE rows
// with their objectives, FAILED rows counted as without one, several objectives mapped by name
// when both searches name the same set, a different count refused.
import { describe, expect, it } from "vitest";
import { loadWarmStart } from "../../src/cli/warm-start.js";
import { Space } from "../../src/space/space.js";
import type { ObjectiveSpec, ProblemSpec } from "../../src/space/types.js";
import { createEvaluations, createWorkflow, finishEvaluations, registerLauncher } from "../../src/store/index.js";
import { makeTempStore, sampleWorkflow } from "../helpers/db.js";

const OLD: ProblemSpec = {
  hyperparameters: [
    { type: "float", name: "x", low: 0, high: 1, log: false },
    { type: "int", name: "n", low: 1, high: 10, log: false },
  ],
  startingPoints: [],
};

describe("warm start from a workflow of the same database", () => {
  it("maps several objectives by name, counts failures, refuses another count", async () => {
    const { store, workspace } = await makeTempStore();
    const theirs: ObjectiveSpec[] = [
      { name: "acc", direction: "maximize" },
      { name: "time", direction: "minimize" },
    ];
    const wf = await createWorkflow(store, sampleWorkflow({ name: "old", problem: OLD, objectives: theirs, direction: "maximize" }));
    const launcher = await registerLauncher(store, { workflowId: wf.id, batchJobId: null, host: "h", pid: process.pid });
    const rows = await createEvaluations(store, wf.id, [{ x: 0.5, n: 3 }, { x: 0.9, n: 12 }, { x: 0.1, n: 2 }], { claim: { launcherId: launcher.id, hosts: [["h"], ["h"], ["h"]] } });
    await finishEvaluations(
      store,
      [
        { id: rows[0]!.id, attempt: 0, state: "DONE", objective: 0.8, objectives: [0.8, 12] },
        // n = 12 is outside the new space's 1..10
        { id: rows[1]!.id, attempt: 0, state: "DONE", objective: 0.9, objectives: [0.9, 30] },
        { id: rows[2]!.id, attempt: 0, state: "FAILED", objective: null, error: "boom" },
      ],
      { launcherId: launcher.id },
    );
    const space = new Space({ ...OLD, hyperparameters: [...OLD.hyperparameters, { type: "categorical", name: "opt", values: ["a", "b"] }] });
    // The new search declares them in the other order: values follow the names.
    const ours: ObjectiveSpec[] = [theirs[1]!, theirs[0]!];
    const { warm, line } = await loadWarmStart({ workspace }, "old", space, ours);
    expect(warm).toEqual({ source: "old", dropped: 2, observations: [{ point: { x: 0.5, n: 3 }, objective: 12, objectives: [12, 0.8] }] });
    expect(line).toBe("1 earlier result(s) from workflow old; dropped 1 outside this space, 1 without an objective; not in the source: opt");
    await expect(loadWarmStart({ workspace }, "old", space, null)).rejects.toThrow(/workflow 'old' has 2 objective\(s\), this search 1/);
    await expect(loadWarmStart({ workspace }, "older", space, null)).rejects.toThrow(/no workflow 'older' in the database/);
  });
});
