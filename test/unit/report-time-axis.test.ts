// The report's time axes (src/results/charts-svg.ts timeScale, fmtTimeTick): ticks at clock-friendly
// steps, labelled as precisely as the step needs, so neighbouring labels never repeat. A 4-second
// search used to label its slot utilisation ticks "1s 1s 2s 2s 3s 3s".
import { describe, expect, it } from "vitest";
import { busyChart, ganttChart, progressChart } from "../../src/results/charts.js";
import { fmtTimeTick, timeScale, timeStep } from "../../src/results/charts-svg.js";
import { bestSoFar, utilisation } from "../../src/results/report-data.js";
import type { EvaluationRow } from "../../src/store/types.js";

const T0 = 1_700_000_000_000;

/** Evaluations of `seconds` each on 2 slots, from `first` s after submission. */
function rows(n: number, seconds: number, first = 0.3): EvaluationRow[] {
  return Array.from({ length: n }, (_, i) => {
    const start = T0 + (first + Math.floor(i / 2) * seconds) * 1000;
    return {
      id: i + 1, workflowId: 1, state: "DONE", point: { x: i }, objective: i, objectives: null, metrics: null, attempt: 0, claimedBy: 1,
      createdAt: start, startedAt: start, finishedAt: start + seconds * 1000, exitCode: 0, error: null, hosts: ["n1"], fidelity: null,
    } satisfies EvaluationRow;
  });
}

/** The x tick labels of a chart (those under the plot, anchored in the middle). */
function xTicks(svg: string): string[] {
  return [...svg.matchAll(/<text class="tick" x="[\d.]+" y="[\d.]+" text-anchor="middle">([^<]*)<\/text>/g)].map((m) => m[1]!);
}

describe("time axes", () => {
  it("label a 4-second search's slot utilisation every half second, each label different", () => {
    const u = utilisation(rows(8, 0.98), T0, T0);
    expect(u.window!.end - u.window!.start).toBeCloseTo(3.92, 2);
    const expected = ["0.5s", "1s", "1.5s", "2s", "2.5s", "3s", "3.5s", "4s"];
    expect(xTicks(ganttChart("g", u))).toEqual(expected);
    expect(xTicks(busyChart("b", u))).toEqual(expected);
    const t = xTicks(progressChart("p", bestSoFar(rows(8, 0.98), "maximize", T0), "t"));
    expect(new Set(t).size).toBe(t.length);
    expect(t).toEqual(["0s", "0.5s", "1s", "1.5s", "2s", "2.5s", "3s", "3.5s", "4s"]);
  });

  it("pick clock steps and never repeat a label, from milliseconds to days", () => {
    const cases: [number, number, string[]][] = [
      [0, 0.04, ["0s", "0.005s", "0.01s", "0.015s", "0.02s", "0.025s", "0.03s", "0.035s", "0.04s"]],
      [0, 100, ["0s", "15s", "30s", "45s", "1m", "1m15s", "1m30s"]],
      [95, 102, ["1m35s", "1m36s", "1m37s", "1m38s", "1m39s", "1m40s", "1m41s", "1m42s"]],
      [0, 3700, ["0s", "10m", "20m", "30m", "40m", "50m", "1h"]],
      [3000, 4000, ["50m", "52m", "54m", "56m", "58m", "1h", "1h02m", "1h04m", "1h06m"]],
      [0, 6 * 3600, ["0s", "1h", "2h", "3h", "4h", "5h", "6h"]],
      [0, 10 * 86400, ["0s", "1d", "2d", "3d", "4d", "5d", "6d", "7d", "8d", "9d", "10d"]],
    ];
    for (const [lo, hi, labels] of cases) {
      const s = timeScale([lo, hi], [0, 1000], 8);
      expect(s.ticks.map((t) => fmtTimeTick(t, s.step)), `${lo}..${hi}`).toEqual(labels);
    }
    // Any span: distinct labels, all inside the domain.
    for (let span = 0.003; span < 30 * 86400; span *= 1.37) {
      const s = timeScale([span / 7, span], [0, 1000], 8);
      const labels = s.ticks.map((t) => fmtTimeTick(t, s.step));
      expect(new Set(labels).size, `span ${span}: ${labels.join(" ")}`).toBe(labels.length);
      expect(s.ticks.length).toBeGreaterThanOrEqual(2);
      expect(s.ticks.every((t) => t >= span / 7 - 1e-9 && t <= span + 1e-9)).toBe(true);
    }
  });

  it("choose the step nearest to an eighth of the span", () => {
    expect(timeStep(0, 4)).toBe(0.5);
    expect(timeStep(0, 60)).toBe(10);
    expect(timeStep(0, 3600)).toBe(600);
    expect(timeStep(0, 100 * 86400)).toBe(10 * 86400);
  });
});
