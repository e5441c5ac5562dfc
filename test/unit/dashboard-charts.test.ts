// The dashboard's thinning of the report's charts (src/dashboard/charts.ts): a small search drawn
// whole, exactly as the report draws it; a large one within bounds, keeping every improvement of the
// best so far, the axes' extremes, and the busy chart's area; a NAS workflow's best architectures.
import { describe, expect, it } from "vitest";
import { binRunning, chartSample, latestBars, MAX_BARS, MAX_MARKS, renderCharts, sampleIndexes, thinProgress } from "../../src/dashboard/charts.js";
import { bestSoFar, utilisation } from "../../src/results/report-data.js";
import { buildReportModel } from "../../src/results/report-model.js";
import { architecturesSection, progressSection } from "../../src/results/report-html.js";
import { ARCH_CSS } from "../../src/results/charts-arch.js";
import { bestRows, REPORT_ARCHITECTURES } from "../../src/results/report-model.js";
import { NasProblem } from "../../src/problem/nas-problem.js";
import { dashboardPage } from "../../src/dashboard/page.js";
import type { EvaluationRow, WorkflowRow } from "../../src/store/types.js";
import { sampleWorkflow } from "../helpers/db.js";

const T0 = 1_700_000_000_000;
const wf: WorkflowRow = { ...sampleWorkflow({ direction: "maximize" }), id: 1, state: "RUNNING", createdAt: T0, error: null };

/** n evaluations on 4 slots of 2 hosts, 1 s each, a failure every 10th, objectives noisy and slowly rising. */
function rows(n: number): EvaluationRow[] {
  const out: EvaluationRow[] = [];
  for (let i = 0; i < n; i++) {
    const start = T0 + Math.floor(i / 4) * 1000;
    const failed = i % 10 === 9;
    out.push({
      id: i + 1, workflowId: 1, state: failed ? "FAILED" : "DONE", point: { x: (i * 7919) % 1000 / 100 - 5, act: ["relu", "tanh", null][i % 3]! },
      objective: failed ? null : Math.sin(i) + i / n, objectives: null, metrics: null, attempt: 0, claimedBy: 1,
      createdAt: start, startedAt: start, finishedAt: start + 1000, exitCode: failed ? 1 : 0, error: failed ? "exit code 1" : null,
      hosts: [i % 4 < 2 ? "n1" : "n2"], fidelity: null,
    });
  }
  return out;
}

const model = (n: number) => buildReportModel({ workflow: wf, evaluations: rows(n), batchJobs: [], launchers: [], now: T0 + n * 1000 });
const count = (html: string, re: RegExp) => (html.match(re) ?? []).length;

describe("sampleIndexes", () => {
  it("keeps everything that fits, else an even sample with the last and the forced ones", () => {
    expect(sampleIndexes(5, 10)).toEqual([0, 1, 2, 3, 4]);
    expect(sampleIndexes(10, 4, [7])).toEqual([0, 3, 6, 7, 9]);
  });
});

describe("a small search", () => {
  it("is drawn whole, exactly as the report draws it", () => {
    const m = model(40);
    const c = renderCharts(m);
    expect(c.thinned).toBe(false);
    expect(c.html).toContain(progressSection(m));
    expect(count(c.html, /<circle class="pt ok[^"]*" data-eval-id="\d+"/g) + count(c.html, /<path class="pt fail"/g)).toBeGreaterThanOrEqual(2 * 40);
    expect(count(c.html, /class="bar s-/g)).toBe(40);
    expect(Object.keys(c.evaluations).length).toBe(40);
  });
});

describe("a large search", () => {
  const m = model(20_000);
  const c = renderCharts(m);

  it("draws at most a few thousand marks per chart, and says it thinned", () => {
    expect(c.thinned).toBe(true);
    const evalsChart = c.html.slice(c.html.indexOf('id="chart-evals"'), c.html.indexOf('id="chart-time"'));
    const marks = count(evalsChart, /class="pt /g);
    // The sample, plus every improvement of the best so far (this synthetic search improves often).
    const all = bestSoFar(rows(20_000), "maximize", T0);
    const improvements = all.filter((p, i) => p.best !== null && p.best !== (i > 0 ? all[i - 1]!.best : null)).length;
    expect(marks).toBeGreaterThan(MAX_MARKS / 2);
    expect(marks).toBeLessThanOrEqual(MAX_MARKS + improvements + 3);
    expect(count(c.html, /class="bar s-/g)).toBe(MAX_BARS);
    expect(c.html).toContain(`The Gantt shows the latest ${MAX_BARS} of 20000 bars`);
    expect(c.html.length).toBeLessThan(3_000_000);
    // Tooltips only for what is drawn.
    expect(Object.keys(c.evaluations).length).toBeLessThan(12_000);
  });

  it("keeps every improvement of the best so far and both extremes of the objective", () => {
    const all = bestSoFar(rows(20_000), "maximize", T0);
    const kept = thinProgress(all);
    const improvements = all.filter((p, i) => p.best !== null && p.best !== (i > 0 ? all[i - 1]!.best : null));
    const keptIds = new Set(kept.map((p) => p.evalId));
    expect(improvements.length).toBeGreaterThan(10);
    expect(improvements.filter((p) => !keptIds.has(p.evalId))).toEqual([]);
    const objectives = all.flatMap((p) => (p.objective === null ? [] : [p.objective]));
    const keptObjectives = kept.flatMap((p) => (p.objective === null ? [] : [p.objective]));
    expect(Math.max(...keptObjectives)).toBe(Math.max(...objectives));
    expect(Math.min(...keptObjectives)).toBe(Math.min(...objectives));
    expect(kept[kept.length - 1]).toEqual(all[all.length - 1]);
  });

  it("draws the latest bars over their own window, every slot keeping its row", () => {
    const u = utilisation(rows(20_000), T0, T0, 2);
    const g = latestBars(u)!;
    expect(g.utilisation.intervals).toHaveLength(MAX_BARS);
    expect(g.utilisation.lanes).toEqual(u.lanes);
    expect(Math.min(...g.utilisation.intervals.map((i) => i.start))).toBe(g.utilisation.window!.start);
    expect(g.utilisation.window!.end).toBe(u.window!.end);
    expect(latestBars(utilisation(rows(100), T0, T0, 2))).toBeNull();
  });

  it("averages the busy steps into columns without changing their area", () => {
    const u = utilisation(rows(20_000), T0, T0, 2);
    const binned = binRunning(u, 500);
    expect(binned.running).toHaveLength(500);
    const area = (steps: [number, number][], end: number) => steps.reduce((s, [t, n], i) => s + n * ((steps[i + 1]?.[0] ?? end) - t), 0);
    expect(area(binned.running, u.window!.end)).toBeCloseTo(area(u.running, u.window!.end), 3);
    expect(binRunning(u, 1e6)).toBe(u);
  });
});

describe("chartSample", () => {
  it("names the evaluations whose points the thinned charts draw, and none for a small search", () => {
    expect(chartSample(rows(1000), "maximize", T0)).toBeNull();
    const all = rows(20_000);
    const sample = chartSample(all, "maximize", T0)!;
    // What thinProgress keeps, and the latest bars of the Gantt.
    for (const p of thinProgress(bestSoFar(all, "maximize", T0))) expect(sample.has(p.evalId)).toBe(true);
    for (const i of latestBars(utilisation(all, T0, T0, 2))!.utilisation.intervals) expect(sample.has(i.evalId)).toBe(true);
    expect(sample.size).toBeLessThan(MAX_MARKS + MAX_BARS + 1000);
    // With the points of the sample alone, the progress and utilisation charts are those drawn with
    // every point; the hyperparameter panels draw sampled evaluations only, extremes included.
    const partial = all.map((r) => (sample.has(r.id) ? r : { ...r, point: {} }));
    const m = (evaluations: EvaluationRow[]) => buildReportModel({ workflow: wf, evaluations, batchJobs: [], launchers: [], now: T0 + 20_000_000, topk: 0, evaluationIds: sample });
    const fromSample = renderCharts(m(partial));
    const fromAll = renderCharts(m(all));
    const head = (html: string) => html.slice(0, html.indexOf('<section id="influence">'));
    expect(head(fromSample.html)).toBe(head(fromAll.html));
    const panels = fromSample.html.slice(fromSample.html.indexOf('<section id="influence">'));
    const drawn = [...panels.matchAll(/data-eval-id="(\d+)"/g)].map((x) => Number(x[1]));
    expect(drawn.length).toBeGreaterThan(1000);
    expect(drawn.every((id) => sample.has(id))).toBe(true);
    expect(Object.keys(fromSample.evaluations).every((id) => sample.has(Number(id)))).toBe(true);
  });
});

describe("a NAS workflow", () => {
  const problem = new NasProblem()
    .variable("n1", [{ op: "identity" }, { op: "dense", units: 8, activation: "relu" }])
    .variable("n2", [{ op: "identity" }, { op: "dense", units: 16, activation: "tanh" }], { skips: ["input"] })
    .constant("out", { op: "dense", units: 1 })
    .add("lr", [0.001, 0.1, "log-uniform"])
    .toSpec();
  const nas: WorkflowRow = { ...wf, problem, searcher: "regevo" };
  /** The hps rows with an architecture's choices in place of their point. */
  const nasRows = (n: number) => rows(n).map((r) => ({ ...r, point: { vnode_00000: r.id % 2, vnode_00001: (r.id >> 1) % 2, vnode_00002: (r.id >> 2) % 2, lr: 0.001 + (r.id % 97) / 1000 } }));
  const nasModel = (evaluations: EvaluationRow[], sample?: Set<number>) =>
    buildReportModel({ workflow: nas, evaluations, batchJobs: [], launchers: [], now: T0 + 20_000_000, topk: 0, evaluationIds: sample });

  it("draws its best architectures as the report does, with tooltips for them, and the page styles them", () => {
    const m = nasModel(nasRows(40));
    const c = renderCharts(m);
    const section = architecturesSection(m);
    expect(section).toContain('<section id="architectures">');
    expect(c.html).toContain(section);
    for (const a of m.architectures!) expect(c.evaluations[a.evalId]).toBeDefined();
    expect(dashboardPage("n")).toContain(ARCH_CSS);
    // None for an hps workflow.
    expect(renderCharts(model(40)).html).not.toContain('id="architectures"');
  });

  it("keeps the best architectures' points in a large workflow's sample", () => {
    const all = nasRows(20_000);
    const sample = chartSample(all, "maximize", T0, REPORT_ARCHITECTURES)!;
    const best = bestRows(all, "maximize", REPORT_ARCHITECTURES);
    expect(best.map((r) => sample.has(r.id))).toEqual([true, true, true]);
    const partial = all.map((r) => (sample.has(r.id) ? r : { ...r, point: {} }));
    const drawn = renderCharts(nasModel(partial, sample)).html;
    expect(drawn).toContain(architecturesSection(nasModel(all, sample)));
    expect(drawn).toContain(`arch_seq ${JSON.stringify([best[0]!.point.vnode_00000, best[0]!.point.vnode_00001, best[0]!.point.vnode_00002])}`);
  });

  it("bestRows: the best k by objective, ties by id, failures and missing objectives left out", () => {
    const rows = nasRows(300).map((r, i) => ({ ...r, objective: i % 7 === 0 ? null : Math.round(Math.sin(i) * 20) / 10, state: i % 11 === 0 ? ("FAILED" as const) : r.state }));
    for (const direction of ["maximize", "minimize"] as const) {
      const sorted = rows
        .filter((r) => r.state === "DONE" && r.objective !== null)
        .sort((a, b) => (a.objective === b.objective ? a.id - b.id : (direction === "maximize" ? b.objective! - a.objective! : a.objective! - b.objective!)));
      for (const k of [0, 1, 3, 10, 1000]) expect(bestRows(rows, direction, k).map((r) => r.id)).toEqual(sorted.slice(0, k).map((r) => r.id));
    }
  });
});
