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
    exitCode: null, error: state === "FAILED" ? "boom </script><script>alert(1)</script>\nstack" : null, hosts: ["n1"], workdir: null,
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
    expect([fmtSeconds(42), fmtSeconds(150), fmtSeconds(3900)]).toEqual(["42s", "2m30s", "1h05m"]);
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

  it("has no bar when piped, and no ETA once the workflow stopped", () => {
    const stopped = { ...wf, state: "STOPPED" as const };
    const text = statusText(stopped, counts, finished, workflowStatus(stopped, counts, finished, []), null);
    expect(text).not.toContain("[#");
    expect(text).toContain("eta        - (stopped)");
  });
});
