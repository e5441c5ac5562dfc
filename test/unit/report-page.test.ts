// The report page built from rows (no database, no browser): one mark per finished evaluation with
// failures marked, a Gantt bar per interval, safe embedding of user text, the launcher's refresh
// throttle, axis helpers, and the readable status text.
import { describe, expect, it } from "vitest";
import { niceTicks, esc, fmt, fmtSeconds } from "../../src/results/charts-svg.js";
import { buildReportModel } from "../../src/results/report-model.js";
import { renderReport } from "../../src/results/report-html.js";
import { refreshIntervalMs, shouldRefresh } from "../../src/results/report.js";
import { statusText } from "../../src/results/report-status.js";
import { workflowStatus } from "../../src/results/summary.js";
import type { EvaluationRow, WorkflowRow } from "../../src/store/types.js";

const T0 = 1_700_000_000_000;

const wf: WorkflowRow = {
  id: 1,
  name: "wf</script><b>",
  state: "RUNNING",
  problem: {
    hyperparameters: [
      { type: "float", name: "x", low: 0, high: 1, log: false },
      { type: "categorical", name: "kind", values: ["a", "b"] },
    ],
    startingPoints: [],
  },
  problemSource: "problem.ts",
  run: { kind: "module", path: "run.ts" },
  searcher: "random",
  searcherOptions: {},
  direction: "maximize",
  maxEvals: 10,
  seed: 1,
  settings: {},
  request: { scheduler: "local", nodes: 1, walltimeMinutes: 60, queue: null, project: null, mode: "serial", evalsPerNode: 2, nodesPerEval: 1, ranksPerNode: 1 },
  resultsDir: "/tmp/r",
  createdAt: T0,
};

function ev(id: number, state: EvaluationRow["state"], objective: number | null, start: number | null, end: number | null, point: EvaluationRow["point"]): EvaluationRow {
  return {
    id, workflowId: 1, state, point, objective, metrics: null, attempt: 0, claimedBy: 1, createdAt: T0,
    startedAt: start === null ? null : T0 + start * 1000, finishedAt: end === null ? null : T0 + end * 1000,
    exitCode: null, error: state === "FAILED" ? "boom </script><script>alert(1)</script>\nstack" : null, hosts: ["n1"],
  };
}

const rows = [
  ev(1, "DONE", 1, 0, 2, { x: 0.1, kind: "a" }),
  ev(2, "DONE", 3, 0, 3, { x: 0.5, kind: "b" }),
  ev(3, "FAILED", null, 2, 4, { x: 0.9, kind: "b" }),
  ev(4, "DONE", 2, 3, 6, { x: 0.3, kind: "a" }),
  ev(5, "RUNNING", null, 4, null, { x: 0.7, kind: "a" }),
  ev(6, "READY", null, null, null, { x: 0.2, kind: "b" }),
];
const model = buildReportModel({ workflow: wf, evaluations: rows, batchJobs: [], launchers: [], now: T0 + 8000 });
const html = renderReport(model);

function marks(svgId: string, cls = "pt"): string[] {
  const svg = new RegExp(`<svg id="${svgId}"[\\s\\S]*?</svg>`).exec(html)?.[0] ?? "";
  return [...svg.matchAll(new RegExp(`class="[^"]*\\b${cls}\\b[^"]*" data-eval-id="(\\d+)"`, "g"))].map((m) => m[1] as string);
}

describe("report page", () => {
  it("draws one point per finished evaluation on both progress charts, failures as crosses", () => {
    for (const id of ["chart-evals", "chart-time"]) {
      expect(marks(id).sort()).toEqual(["1", "2", "3", "4"]);
      expect(marks(id, "fail")).toEqual(["3"]);
    }
  });

  it("draws a Gantt bar per started evaluation, the running one included, on the derived slots", () => {
    expect(marks("chart-gantt", "bar").sort()).toEqual(["1", "2", "3", "4", "5"]);
    expect(model.utilisation.lanes).toHaveLength(2);
  });

  it("has a panel per hyperparameter with every finished evaluation", () => {
    expect(marks("chart-hp-0").sort()).toEqual(["1", "2", "3", "4"]);
    expect(marks("chart-hp-1", "fail")).toEqual(["3"]);
  });

  it("ranks the top-k and reports the best", () => {
    expect(model.best).toEqual({ evalId: 2, objective: 3, point: { x: 0.5, kind: "b" } });
    expect(Object.values(model.topk).map((r) => r.eval_id)).toEqual([2, 4, 1]);
  });

  it("embeds the evaluations as JSON that cannot close its script element", () => {
    const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
    const data = JSON.parse(json) as { evaluations: { id: number; error: string | null }[]; workflow: { name: string } };
    expect(data.evaluations).toHaveLength(6);
    expect(data.evaluations[2]?.error).toBe("boom </script><script>alert(1)</script>");
    expect(data.workflow.name).toBe(wf.name);
    // Exactly the two script elements of the page: user text never opens or closes one.
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).toContain("<title>wf&lt;/script&gt;&lt;b&gt; — Spruce report</title>");
  });

  it("is self-contained: nothing loaded from elsewhere", () => {
    expect(html).not.toMatch(/<(link|img|iframe)\b|\bsrc=|@import|url\(/);
  });
});

describe("learning curves", () => {
  it("has no section when no evaluation reported", () => {
    expect(model.curves).toBeNull();
    expect(html).not.toContain('id="curves"');
    expect(html).not.toContain("Learning curves");
  });

  // An asha search: trial t runs in row t to length 3; trial 1 is promoted and continues in row
  // 1000 up to 9. 250 trials, so the cap leaves 50 out. Minimizing: trial 1 ends lowest.
  const asha: WorkflowRow = { ...wf, searcher: "asha", direction: "minimize" };
  const n = 250;
  const trialRows: EvaluationRow[] = Array.from({ length: n }, (_, i) => ({ ...ev(i + 1, "DONE", 1, 0, 1, { x: 0.5, kind: "a" }), fidelity: { trial: i + 1, fromLength: 0, length: 3, maxLength: 9 } }));
  trialRows.push({ ...ev(1000, "RUNNING", null, 1, null, { x: 0.5, kind: "a" }), fidelity: { trial: 1, fromLength: 3, length: 9, maxLength: 9 } });
  const reports = [
    ...trialRows.slice(0, n).flatMap((r) => [1, 2, 3].map((step) => ({ evaluationId: r.id, step, value: 1 + r.id / 1000 - step / 10, at: T0 }))),
    ...[4, 5, 6].map((step) => ({ evaluationId: 1000, step, value: 0.5 - step / 100, at: T0 })),
  ];
  const m = buildReportModel({ workflow: asha, evaluations: trialRows, batchJobs: [], launchers: [], reports, now: T0 + 8000 });
  const page = renderReport(m);
  const chart = /<svg id="chart-curves"[\s\S]*?<\/svg>/.exec(page)?.[0] ?? "";
  const lines = [...chart.matchAll(/<path class="(curve[^"]*)" data-eval-id="(\d+)" data-curve="trial (\d+)" d="([^"]*)"/g)];

  it("draws the best 200 curves, one per trial across its rows, the best one highlighted and on top", () => {
    expect(lines).toHaveLength(200);
    expect(new Set(lines.map((l) => l[3])).size).toBe(200);
    const top = lines.filter((l) => l[1] === "curve top");
    expect(top).toHaveLength(1);
    expect(lines[lines.length - 1]).toBe(top[0]);
    // Trial 1: rows 1 and 1000 joined, six points, linked to its latest row.
    expect(top[0]?.[3]).toBe("1");
    expect(top[0]?.[2]).toBe("1000");
    expect(top[0]?.[4]?.match(/[ML]/g)).toHaveLength(6);
    // The 50 worst trials (highest final values) are left out.
    expect(lines.some((l) => Number(l[3]) > 200)).toBe(false);
    expect(page).toContain("the best 200 of 250 trials");
    expect(chart).toMatch(/class="tick"[^>]*>6<\/text>/);
  });

  it("thins long curves and draws a lone report as a dot", () => {
    const long = Array.from({ length: 1000 }, (_, i) => ({ evaluationId: 1, step: i, value: Math.sin(i), at: T0 }));
    const p = renderReport(buildReportModel({ workflow: wf, evaluations: rows, batchJobs: [], launchers: [], reports: [...long, { evaluationId: 2, step: 5, value: 0.3, at: T0 }], now: T0 }));
    const d = (id: string): string => new RegExp(`data-eval-id="${id}" data-curve="evaluation ${id}" d="([^"]*)"`).exec(p)?.[1] ?? "";
    expect(d("1").match(/[ML]/g)?.length).toBeLessThanOrEqual(300);
    expect(d("1")).toMatch(/^M/);
    expect(d("2")).toMatch(/^M[\d.]+ [\d.]+h0$/);
    // Not asha: no length table.
    expect(p).not.toContain("Trials per length reached");
    expect(p).toContain("2 evaluation(s)");
  });

  it("counts asha trials per length reached", () => {
    expect(m.curves?.lengths).toEqual([{ length: 3, trials: 249, active: 0 }, { length: 6, trials: 1, active: 1 }]);
    const section = /<section id="curves">[\s\S]*?<\/section>/.exec(page)?.[0] ?? "";
    expect(section).toContain("Trials per length reached");
    expect(section).toContain("<tr><td>3</td><td>249</td><td>0</td></tr><tr><td>6</td><td>1</td><td>1</td></tr>");
  });
});

describe("refresh throttle", () => {
  it("refreshes at once the first time, then at most every 5 s for small searches", () => {
    expect(shouldRefresh(null, 0, T0)).toBe(true);
    expect(shouldRefresh(T0, 10, T0 + 4_999)).toBe(false);
    expect(shouldRefresh(T0, 10, T0 + 5_000)).toBe(true);
  });

  it("waits longer as the search grows, never more than 5 minutes", () => {
    expect(refreshIntervalMs(100)).toBe(5_000);
    expect(refreshIntervalMs(1_000)).toBe(50_000);
    expect(refreshIntervalMs(1_000_000)).toBe(300_000);
    expect(shouldRefresh(T0, 1_000, T0 + 30_000)).toBe(false);
  });
});

describe("axis helpers", () => {
  it("picks 1-2-5 ticks inside the range", () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(-0.35, 0.82, 4)).toEqual([-0.2, 0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });

  it("formats labels", () => {
    expect([fmt(0), fmt(1234.5678), fmt(1e-5), fmt(2e6)]).toEqual(["0", "1235", "1e-5", "2e+6"]);
    expect([fmtSeconds(0.23), fmtSeconds(3.92), fmtSeconds(42), fmtSeconds(150), fmtSeconds(3900)]).toEqual(["0.2s", "3.9s", "42s", "2m30s", "1h05m"]);
    expect(esc(`<a href="x">&`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;");
  });
});

describe("status text", () => {
  const finished = rows.filter((r) => r.finishedAt !== null);
  const counts = model.counts;

  it("shows progress, rate, ETA, counts, the best point and a bar on a TTY", () => {
    const text = statusText(wf, counts, finished, workflowStatus(wf, counts, finished, []), 80, T0);
    // 4 finished at 2, 3, 4 and 6 s: 3 gaps in 4 s = 45/min; 6 left = 8 s.
    expect(text).toContain("progress   4/10 finished (40%)  [##########--------------]");
    expect(text).toContain("rate       45 evaluations/min (last 4 finished)");
    expect(text).toContain("eta        8s (about ");
    expect(text).toContain("best       3 (evaluation 2)");
    expect(text).toMatch(/READY\s+RUNNING\s+DONE\s+FAILED\s+TIMEOUT\s+KILLED\n1\s+1\s+3\s+1\s+0\s+0\n/);
    expect(text).toMatch(/x\s+0\.5\nkind\s+b\n/);
  });

  it("counts asha's progress in trials (a promoted trial continues in a new row), with no ETA from rows", () => {
    const asha = { ...wf, searcher: "asha", state: "RUNNING" as const };
    const trialRows = finished.map((r, i) => ({ ...r, fidelity: { trial: i % 2, length: 1, fromLength: 0, maxLength: 9 } }));
    const text = statusText(asha, counts, trialRows, workflowStatus(asha, counts, trialRows, []), null, T0);
    expect(text).toContain("progress   2/10 trials run, 4 evaluations finished (20%)");
    expect(text).toContain("eta        - (asha: the searcher decides)");
  });

  it("has no bar when piped, and no ETA once the workflow stopped", () => {
    const stopped = { ...wf, state: "STOPPED" as const };
    const text = statusText(stopped, counts, finished, workflowStatus(stopped, counts, finished, []), null);
    expect(text).not.toContain("[#");
    expect(text).toContain("eta        - (stopped)");
  });
});
