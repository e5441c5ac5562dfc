// The report of a search with several objectives, built from rows (no browser): two objectives draw
// a scatter with the front highlighted, its staircase and the reference point; three or more draw
// parallel coordinates; the cards give the front's size and hypervolume, the table the front.
import { describe, expect, it } from "vitest";
import { renderReport } from "../../src/results/report-html.js";
import { buildReportModel } from "../../src/results/report-model.js";
import type { ObjectiveSpec } from "../../src/space/types.js";
import type { EvaluationRow, WorkflowRow } from "../../src/store/types.js";

const T0 = 1_700_000_000_000;

function workflow(objectives: ObjectiveSpec[]): WorkflowRow {
  return {
    id: 1,
    name: "moo",
    state: "FINISHED",
    problem: { hyperparameters: [{ type: "float", name: "x", low: 0, high: 1, log: false }], startingPoints: [] },
    problemSource: "problem.ts",
    run: { kind: "module", path: "run.ts" },
    searcher: "ambs",
    searcherOptions: {},
    direction: objectives[0]!.direction,
    objectives,
    maxEvals: 10,
    seed: 1,
    settings: {},
    request: { scheduler: "local", nodes: 1, walltimeMinutes: 60, queue: null, project: null, mode: "serial", evalsPerNode: 2, nodesPerEval: 1, ranksPerNode: 1 },
    resultsDir: "/tmp/r",
    createdAt: T0,
  };
}

function ev(id: number, objectives: number[] | null): EvaluationRow {
  return {
    id, workflowId: 1, state: objectives ? "DONE" : "FAILED", point: { x: id / 10 }, objective: objectives?.[0] ?? null, objectives, metrics: null, attempt: 0,
    claimedBy: 1, createdAt: T0, startedAt: T0 + id * 1000, finishedAt: T0 + id * 1000 + 500, exitCode: 0, error: objectives ? null : "objective 'b' is missing", hosts: ["n1"], fidelity: null,
  };
}

/** The svg element with that id in the page. */
function chart(html: string, id: string): string {
  return new RegExp(`<svg id="${id}"[\\s\\S]*?</svg>`).exec(html)?.[0] ?? "";
}

describe("report with two objectives", () => {
  const two: ObjectiveSpec[] = [{ name: "acc", direction: "maximize" }, { name: "time", direction: "minimize" }];
  // Front: 1 (0.9, 10), 3 (0.7, 2), 4 (0.8, 5). 2 and 5 are dominated; 6 failed.
  const rows = [ev(1, [0.9, 10]), ev(2, [0.6, 8]), ev(3, [0.7, 2]), ev(4, [0.8, 5]), ev(5, [0.5, 9]), ev(6, null)];
  const model = buildReportModel({ workflow: workflow(two), evaluations: rows, batchJobs: [], launchers: [], now: T0 + 20_000 });
  const html = renderReport(model);

  it("draws every successful evaluation, the front in orange with its staircase, and the reference point", () => {
    const svg = chart(html, "chart-pareto");
    expect([...svg.matchAll(/class="pt ok[^"]*" data-eval-id="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([1, 2, 3, 4, 5]);
    expect([...svg.matchAll(/class="pt ok front" data-eval-id="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([1, 3, 4]);
    expect(svg).toContain('class="front-line"');
    expect(svg).toContain('class="ref"');
    expect(svg).toContain("acc (max)");
    expect(svg).toContain("time (min)");
  });

  it("gives the front's size and hypervolume in the cards and the note, and the front in the table", () => {
    expect(model.pareto).toMatchObject({ frontSize: 3, reference: [0.5, 10], declared: false });
    expect(model.pareto!.hypervolume).toBeCloseTo(2.1, 12);
    expect(html).toContain('<div class="k">front</div><div class="v">3</div>');
    expect(html).toContain('<div class="k">hypervolume</div><div class="v">2.1</div>');
    expect(html).toMatch(/3 point\(s\) on the front; hypervolume 2\.1 from the reference point \(acc 0\.5, time 10, the worst values observed\)/);
    const table = /<section id="topk">[\s\S]*?<\/section>/.exec(html)![0];
    expect(table).toContain("<h2>Pareto front (3)</h2>");
    expect(table).toContain("<th>acc</th><th>time</th><th>eval</th>");
    expect([...table.matchAll(/<tr data-eval-id="(\d+)">/g)].map((m) => Number(m[1]))).toEqual([1, 3, 4]);
    // The tooltips name each objective.
    expect(html).toContain('"objectiveNames":["acc","time"]');
    expect(html).toContain('"objectives":[0.9,10]');
  });
});

describe("report of a conditional space", () => {
  it("lists each hyperparameter with the condition it is active under, and the forbidden clauses", () => {
    const wf = workflow([{ name: "objective", direction: "maximize" }]);
    wf.objectives = null;
    wf.problem = {
      hyperparameters: [
        { type: "categorical", name: "opt", values: ["sgd", "adam"] },
        { type: "float", name: "momentum", low: 0, high: 0.9, log: false },
      ],
      startingPoints: [],
      conditions: [{ child: "momentum", when: { op: "eq", parent: "opt", value: "sgd" } }],
      forbidden: [{ op: "eq", name: "opt", value: "adam" }],
    };
    const m = buildReportModel({ workflow: wf, evaluations: [], batchJobs: [], launchers: [], now: T0 });
    expect(m.space).toEqual([
      ["opt", 'categorical {sgd, adam}'],
      ["momentum", 'float [0, 0.9], when opt == "sgd"'],
      ["forbidden", 'opt == "adam"'],
    ]);
    expect(m.pareto).toBeNull();
  });
});

describe("report with three objectives", () => {
  const three: ObjectiveSpec[] = [{ name: "a", direction: "minimize" }, { name: "b", direction: "minimize" }, { name: "c", direction: "maximize" }];
  // 3 is dominated by 1 (a 1<2, b 1<2, c 5>4); the others trade off.
  const rows = [ev(1, [1, 1, 5]), ev(2, [0, 3, 1]), ev(3, [2, 2, 4]), ev(4, [3, 0, 2])];
  const html = renderReport(buildReportModel({ workflow: workflow(three), evaluations: rows, batchJobs: [], launchers: [], now: T0 + 20_000 }));

  it("draws parallel coordinates: one axis per objective, one line per evaluation, the front highlighted", () => {
    const svg = chart(html, "chart-pareto");
    expect(svg.match(/class="pc-axis"/g)).toHaveLength(3);
    expect([...svg.matchAll(/class="pc[^"]*" data-eval-id="(\d+)"/g)].map((m) => Number(m[1])).sort()).toEqual([1, 2, 3, 4]);
    expect([...svg.matchAll(/class="pc front" data-eval-id="(\d+)"/g)].map((m) => Number(m[1])).sort()).toEqual([1, 2, 4]);
    expect(svg).toContain("c (max)");
    expect(svg).toContain("better at the top");
    expect(html).not.toContain('class="front-line"');
  });
});
