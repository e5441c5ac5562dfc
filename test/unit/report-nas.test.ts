// The report of a NAS workflow built from rows (no database, no browser): its best architectures
// drawn best first, one box per node with the chosen operation, an arrow per input and a dashed
// arc per skip connection that is on; arch_seq in the top-k table; nothing of it for hps.
import { describe, expect, it } from "vitest";
import { NasProblem } from "../../src/problem/nas-problem.js";
import { buildReportModel } from "../../src/results/report-model.js";
import { renderReport } from "../../src/results/report-html.js";
import type { EvaluationRow, WorkflowRow } from "../../src/store/types.js";

const T0 = 1_700_000_000_000;
const problem = new NasProblem()
  .variable("n1", [{ op: "identity" }, { op: "dense", units: 8, activation: "relu" }])
  .variable("n2", [{ op: "identity" }, { op: "dense", units: 16, activation: "tanh" }], { skips: ["input"] })
  .constant("out", { op: "dense", units: 1 })
  .add("lr", [0.001, 0.1, "log-uniform"])
  .toSpec();

const wf: WorkflowRow = {
  id: 1,
  name: "nas",
  state: "FINISHED",
  problem,
  problemSource: "problem.ts",
  run: { kind: "module", path: "run.ts" },
  searcher: "regevo",
  searcherOptions: {},
  direction: "maximize",
  maxEvals: 4,
  seed: 1,
  settings: {},
  request: { scheduler: "local", nodes: 1, walltimeMinutes: 60, queue: null, project: null, mode: "serial", evalsPerNode: 1, nodesPerEval: 1, ranksPerNode: 1 },
  resultsDir: "/tmp/r",
  createdAt: T0,
};

function ev(id: number, objective: number | null, seq: [number, number, number], lr: number): EvaluationRow {
  return {
    id, workflowId: 1, state: objective === null ? "FAILED" : "DONE", point: { vnode_00000: seq[0], vnode_00001: seq[1], vnode_00002: seq[2], lr }, objective,
    metrics: null, attempt: 0, claimedBy: 1, createdAt: T0, startedAt: T0 + id * 1000, finishedAt: T0 + id * 1000 + 500, exitCode: null, error: objective === null ? "diverged" : null, hosts: ["n1"],
  };
}

describe("report of a NAS search", () => {
  const rows = [ev(1, 0.5, [0, 0, 0], 0.01), ev(2, 0.9, [1, 1, 1], 0.02), ev(3, null, [1, 0, 1], 0.05), ev(4, 0.7, [1, 0, 0], 0.003), ev(5, 0.2, [0, 1, 1], 0.03)];
  const model = buildReportModel({ workflow: wf, evaluations: rows, batchJobs: [], launchers: [], now: T0 + 9000 });
  const html = renderReport(model);

  it("draws the three best architectures, best first, with their operations, inputs and skips", () => {
    expect(model.architectures!.map((a) => a.evalId)).toEqual([2, 4, 1]);
    expect(model.architectures![0]).toMatchObject({ objective: 0.9, archSeq: [1, 1, 1], hyperparameters: { lr: 0.02 } });
    const section = /<section id="architectures">[\s\S]*?<\/section>/.exec(html)![0];
    const figures = [...section.matchAll(/<figure data-eval-id="(\d+)">([\s\S]*?)<\/figure>/g)];
    expect(figures.map((f) => f[1])).toEqual(["2", "4", "1"]);
    const best = figures[0]![2]!;
    // Four nodes (input, n1, n2, out), the chosen operations, and the skip input -> n2 that is on.
    expect([...best.matchAll(/<g class="node/g)]).toHaveLength(4);
    expect(best).toContain("n2: dense(units=16, activation=tanh)");
    expect(best).toContain("<title>skip connection input → n2</title>");
    expect(best).toContain("evaluation 2, objective 0.9, arch_seq [1,1,1], lr = 0.02");
    // Evaluation 4 has the skip off: no arc.
    expect(figures[1]![2]).not.toContain("skip connection");
    // Marker ids differ between diagrams of one page.
    expect(new Set([...section.matchAll(/<marker id="([^"]+)"/g)].map((m) => m[1])).size).toBe(6);
  });

  it("shows arch_seq in the top-k table in place of the choices", () => {
    const topk = /<section id="topk">[\s\S]*?<\/section>/.exec(html)![0];
    expect(topk).toContain("<th>arch_seq</th>");
    expect(topk).toContain("[1,1,1]");
    expect(topk).not.toContain("vnode_00000");
  });

  it("says in the search space what each choice chooses, and lists the nodes", () => {
    expect(model.space).toContainEqual(["vnode_00002", "int [0, 1] (arch_seq[2], n2: skip from input)"]);
    expect(model.space).toContainEqual(["node n2", "one of identity | dense(units=16, activation=tanh); input n1; skips from input"]);
  });

  it("captions the choices' hyperparameter panels with what they choose, one strip per value", () => {
    const byName = new Map(model.influence.map((it) => [it.name, it]));
    expect(byName.get("vnode_00001")).toMatchObject({ kind: "categorical", label: "arch_seq[1] n2: operation", categories: ["identity", "dense(units=16, activation=tanh)"] });
    expect(byName.get("vnode_00002")).toMatchObject({ kind: "categorical", label: "arch_seq[2] n2: skip from input", categories: ["off", "on"] });
    expect(byName.get("vnode_00002")!.points.map((p) => [p.evalId, p.x])).toEqual([[1, 0], [2, 1], [3, 1], [4, 0], [5, 1]]);
    expect(byName.get("lr")).toMatchObject({ kind: "numeric", log: true });
    expect(byName.get("lr")!.label).toBeUndefined();
    const panels = /<section id="influence">[\s\S]*?<\/section>/.exec(html)![0];
    expect(panels).toContain("<figcaption>arch_seq[0] n1: operation</figcaption>");
    expect(panels).toContain(">arch_seq[2] n2: skip from input</text>");
    expect(panels).not.toContain("vnode_");
    // A shortened strip label gives its operation in full on hover.
    expect(panels).toContain(">dense(units…<title>dense(units=16, activation=tanh)</title></text>");
  });

  it("has no architecture section for an hps search", () => {
    const hps: WorkflowRow = { ...wf, problem: { hyperparameters: [{ type: "float", name: "lr", low: 0, high: 1, log: false }], startingPoints: [] } };
    const m = buildReportModel({ workflow: hps, evaluations: [], batchJobs: [], launchers: [], now: T0 });
    expect(m.architectures).toBeNull();
    expect(renderReport(m)).not.toContain('id="architectures"');
  });
});
