// Results of a search with several objectives: results.csv's objective_0... columns (and the one
// `objective` column kept with one), topk's Pareto order with ranks, status's front and hypervolume.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { appendResults, csvHeader, readCsvRecords } from "../../src/results/csv.js";
import { frontLine } from "../../src/results/report-status.js";
import { workflowStatus, type FrontEntry } from "../../src/results/summary.js";
import { paretoTopkFromCsv, paretoTopkFromEvaluations } from "../../src/results/topk.js";
import type { ObjectiveSpec } from "../../src/space/types.js";
import type { EvaluationRow, EvaluationState, WorkflowRow } from "../../src/store/types.js";

const T0 = 1_700_000_000_000;
const OBJECTIVES: ObjectiveSpec[] = [
  { name: "acc", direction: "maximize" },
  { name: "time", direction: "minimize" },
];

function ev(id: number, objectives: number[] | null, state: EvaluationState = "DONE", point: EvaluationRow["point"] = { x: id }): EvaluationRow {
  return {
    id,
    workflowId: 1,
    state,
    point,
    objective: objectives?.[0] ?? null,
    objectives,
    metrics: null,
    attempt: 0,
    claimedBy: 1,
    createdAt: T0,
    startedAt: T0 + 1000,
    finishedAt: T0 + 2000 + id,
    exitCode: 0,
    error: null,
    hosts: ["n1"],
    fidelity: null,
  };
}

// acc up, time down. Front: 1 (0.9, 10), 3 (0.7, 2), 4 (0.8, 5); 2 is dominated by 1 and 4; 5 by 2 and more.
const ROWS = [ev(1, [0.9, 10]), ev(2, [0.6, 8]), ev(3, [0.7, 2]), ev(4, [0.8, 5]), ev(5, [0.5, 9]), ev(6, null, "FAILED"), ev(7, null, "DONE")];

const dir = mkdtempSync(join(tmpdir(), "spruce-moo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("results.csv with several objectives", () => {
  it("has objective_0 ... in declared order, and `objective` with one", () => {
    expect(csvHeader(["x"], 2)).toEqual(["p:x", "objective_0", "objective_1", "eval_id", "status", "m:timestamp_submit", "m:timestamp_start", "m:timestamp_end", "m:duration", "m:host"]);
    expect(csvHeader(["x"])).toEqual(["p:x", "objective", "eval_id", "status", "m:timestamp_submit", "m:timestamp_start", "m:timestamp_end", "m:duration", "m:host"]);
    const file = join(dir, "results.csv");
    appendResults(file, ["x", "y"], ROWS.slice(0, 1).concat(ROWS.slice(5, 6)), T0, 2);
    const records = readCsvRecords(file);
    expect(records[0]).toMatchObject({ "p:x": "1", "p:y": "", objective_0: "0.9", objective_1: "10", status: "DONE" });
    expect(records[1]).toMatchObject({ objective_0: "", objective_1: "", status: "FAILED" });
    expect(readFileSync(file, "utf8").split("\n")[0]).toBe("p:x,p:y,objective_0,objective_1,eval_id,status,m:timestamp_submit,m:timestamp_start,m:timestamp_end,m:duration,m:host");
  });
});

describe("topk with several objectives", () => {
  it("prints the whole front by default, with ranks; -k takes the first k in Pareto order", () => {
    const front = paretoTopkFromEvaluations(ROWS, OBJECTIVES);
    expect(Object.values(front).map((e) => e.eval_id)).toEqual([1, 3, 4]);
    expect(front["0"]).toEqual({ x: 1, objective_0: 0.9, objective_1: 10, eval_id: 1, pareto_rank: 1 });
    const five = paretoTopkFromEvaluations(ROWS, OBJECTIVES, 5);
    expect(Object.values(five).map((e) => [e.eval_id, e.pareto_rank])).toEqual([[1, 1], [3, 1], [4, 1], [2, 2], [5, 3]]);
  });

  it("reads the same from results.csv when told the directions", () => {
    const file = join(dir, "all.csv");
    // time negated so that both objectives are maximized, as a file with --maximize means.
    appendResults(file, ["x"], ROWS.map((r) => ({ ...r, objectives: r.objectives && [r.objectives[0]!, -r.objectives[1]!] })), T0, 2);
    const table = paretoTopkFromCsv(readCsvRecords(file), "maximize");
    expect(Object.values(table).map((e) => e.eval_id)).toEqual([1, 3, 4]);
    expect(table["1"]).toEqual({ x: 3, objective_0: 0.7, objective_1: -2, eval_id: 3, pareto_rank: 1 });
  });
});

describe("status with several objectives", () => {
  const wf = { name: "moo", state: "FINISHED", maxEvals: 7, direction: "maximize", objectives: OBJECTIVES } as unknown as WorkflowRow;
  const counts = { READY: 0, RUNNING: 0, DONE: 6, FAILED: 1, TIMEOUT: 0, KILLED: 0 };

  it("gives the front as best, its size and hypervolume from the worst observed values", () => {
    const status = workflowStatus(wf, counts, ROWS, []);
    expect(status.objectives).toEqual(OBJECTIVES);
    expect((status.best as FrontEntry[]).map((f) => f.eval_id)).toEqual([1, 3, 4]);
    expect((status.best as FrontEntry[])[0]).toEqual({ objectives: { acc: 0.9, time: 10 }, point: { x: 1 }, eval_id: 1 });
    // Reference: the worst acc (0.5) and time (10). Losses (-acc, time), ref (-0.5, 10):
    // sorted by -acc: (-0.9, 10) adds nothing (time at the reference), (-0.8, 5): 0.3 x 5,
    // (-0.7, 2): 0.2 x 3. Total 1.5 + 0.6.
    expect(status.pareto).toMatchObject({ front_size: 3, reference_point: { acc: 0.5, time: 10 }, reference: "worst observed" });
    expect(status.pareto!.hypervolume).toBeCloseTo(2.1, 12);
    expect(frontLine(status)).toBe("3 points, hypervolume 2.1 (reference acc=0.5, time=10: worst observed)");
  });

  it("measures from a declared reference point", () => {
    const declared = { ...wf, objectives: [{ ...OBJECTIVES[0]!, reference: 0 }, { ...OBJECTIVES[1]!, reference: 20 }] } as WorkflowRow;
    const status = workflowStatus(declared, counts, ROWS, []);
    // ref (0, 20): (-0.9,10): 0.9 x 10 = 9; (-0.8, 5): 0.8 x 5 = 4 ... sorted by -acc ascending:
    // (-0.9, 10): (0.9)(20 - 10) = 9; (-0.8, 5): (0.8)(10 - 5) = 4; (-0.7, 2): (0.7)(5 - 2) = 2.1.
    expect(status.pareto!.hypervolume).toBeCloseTo(15.1, 12);
    expect(status.pareto!.reference).toBe("declared");
  });

  it("keeps one objective's best as before", () => {
    const single = { ...wf, objectives: null } as unknown as WorkflowRow;
    const status = workflowStatus(single, counts, ROWS, []);
    expect(status.best).toEqual({ objective: 0.9, point: { x: 1 }, eval_id: 1 });
    expect(status.pareto).toBeNull();
    expect(status.objectives).toEqual([{ name: "objective", direction: "maximize" }]);
  });
});
