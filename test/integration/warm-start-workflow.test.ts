// --warm-start WORKFLOW read from a real SQLite store (docs/architecture.md, Warm start): DONE rows
// with their objectives, FAILED rows counted as without one, several objectives mapped by name
// when both searches name the same set, a different count refused.
import { describe, expect, it } from "vitest";
import { loadWarmStart } from "../../src/cli/warm-start.js";
import { Space } from "../../src/space/space.js";
import type { ObjectiveSpec, ProblemSpec } from "../../src/space/types.js";
import { NasProblem } from "../../src/problem/nas-problem.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
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

  it("unfolds a NAS results.csv's arch_seq into the architecture's choices", async () => {
    const { workspace } = await makeTempStore();
    const ops = [{ op: "identity" }, { op: "dense", units: 8 }, { op: "dense", units: 16 }];
    const spec = new NasProblem().variable("n1", ops).variable("n2", ops, { skips: ["input"] }).add("lr", [0.001, 0.1, "log-uniform"]).toSpec();
    const space = new Space(spec);
    const file = join(workspace, "nas.csv");
    // Spruce's form (p:arch_seq, a JSON list) and DeepHyper's (a plain arch_seq column) alike.
    for (const header of ["p:arch_seq,p:lr,objective", "arch_seq,lr,objective"]) {
      writeFileSync(file, `${header}\n"[1, 2, 1]",0.01,0.9\n"[1, 5, 1]",0.01,0.8\n"[0, 0]",0.01,0.7\n`);
      const { warm, line } = await loadWarmStart({ workspace }, file, space, null, spec);
      expect(warm.observations).toEqual([{ point: { vnode_00000: 1, vnode_00001: 2, vnode_00002: 1, lr: 0.01 }, objective: 0.9 }]);
      expect(line).toContain("1 earlier result(s)");
      expect(line).toContain("dropped 2 outside this space");
    }
  });
});
