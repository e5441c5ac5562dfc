// The dashboard's charts: the report's own sections (src/results), drawn from the report model after
// thinning it, so a 100 000-evaluation workflow is a page of a few thousand marks rather than a
// million. Thinning keeps what the eye reads: every improvement of the best so far, the extremes
// that set each axis, the Pareto front, the latest bars of the Gantt, and an even sample of the rest;
// the busy fraction is averaged per pixel column. Pure functions of the model.
import { architecturesSection, curvesSection, influenceSection, paretoSection, progressSection, utilisationSection } from "../results/report-html.js";
import type { BestSoFarPoint, Influence, Utilisation } from "../results/report-data.js";
import type { ReportEvaluation, ReportModel } from "../results/report-model.js";
import { bestSoFar } from "../results/report-data.js";
import { bestRows } from "../results/report-model.js";
import type { EvaluationRow } from "../store/index.js";

/** Marks per chart at most (plus the improvements and extremes kept on top). */
export const MAX_MARKS = 2000;
/** Marks per hyperparameter panel at most: a workflow may have a dozen panels. */
export const MAX_PANEL_MARKS = 1000;
/** Bars of the Gantt at most: the latest ones by start. */
export const MAX_BARS = 2000;
/** Columns the busy fraction is averaged into (the chart is 1400 units wide). */
export const BUSY_COLUMNS = 1400;

/** Indexes 0..n-1 to keep: every k-th so that about `max` remain, the last, and those in `keep`. */
export function sampleIndexes(n: number, max: number, keep: Iterable<number> = []): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const k = Math.ceil(n / max);
  const out = new Set<number>(keep);
  for (let i = 0; i < n; i += k) out.add(i);
  out.add(n - 1);
  return [...out].filter((i) => i >= 0 && i < n).sort((a, b) => a - b);
}

/** Where the objective is lowest and highest: the points that set the y axis. */
function extremes<T>(items: readonly T[], value: (t: T) => number | null): number[] {
  let lo = -1;
  let hi = -1;
  items.forEach((t, i) => {
    const v = value(t);
    if (v === null) return;
    if (lo < 0 || v < (value(items[lo]!) as number)) lo = i;
    if (hi < 0 || v > (value(items[hi]!) as number)) hi = i;
  });
  return [lo, hi].filter((i) => i >= 0);
}

/** Progress points: every improvement of the best (so the step line is exact), the extremes, a sample. */
export function thinProgress(points: readonly BestSoFarPoint[], max = MAX_MARKS): BestSoFarPoint[] {
  if (points.length <= max) return [...points];
  const keep: number[] = extremes(points, (p) => p.objective);
  let prev: number | null = null;
  points.forEach((p, i) => {
    if (p.best !== null && p.best !== prev) keep.push(i);
    prev = p.best;
  });
  return sampleIndexes(points.length, max, keep).map((i) => points[i]!);
}

/** Each hyperparameter panel: its extremes and a sample. */
export function thinInfluence(items: readonly Influence[], max = MAX_PANEL_MARKS): Influence[] {
  return items.map((it) => {
    if (it.points.length <= max) return it;
    const points = sampleIndexes(it.points.length, max, extremes(it.points, (p) => p.objective)).map((i) => it.points[i]!);
    return { ...it, points };
  });
}

/**
 * The Gantt of a large search: its latest `max` bars (by start) over their own time window; every
 * slot keeps its row. Null when everything fits.
 */
export function latestBars(u: Utilisation, max = MAX_BARS): { utilisation: Utilisation; note: string } | null {
  if (u.intervals.length <= max) return null;
  const kept = [...u.intervals].sort((a, b) => b.start - a.start || b.evalId - a.evalId).slice(0, max);
  let start = Infinity;
  let end = -Infinity;
  for (const i of kept) {
    start = Math.min(start, i.start);
    end = Math.max(end, i.end);
  }
  return {
    utilisation: { ...u, intervals: kept, window: { start, end } },
    note: `The Gantt shows the latest ${max} of ${u.intervals.length} bars; the busy fraction below covers the whole search.`,
  };
}

/**
 * The running-slot step function averaged over `columns` equal spans of the window (time-weighted),
 * when it has more steps than that: the busy chart's area is the same, its path a thousand times shorter.
 */
export function binRunning(u: Utilisation, columns = BUSY_COLUMNS): Utilisation {
  const w = u.window;
  if (!w || u.running.length <= columns || !(w.end > w.start)) return u;
  const width = (w.end - w.start) / columns;
  const area = new Array<number>(columns).fill(0);
  const steps = u.running;
  for (let i = 0; i < steps.length; i++) {
    const [t0, n] = steps[i]!;
    const t1 = i + 1 < steps.length ? steps[i + 1]![0] : w.end;
    if (n === 0 || !(t1 > t0)) continue;
    // Spread n over the columns [t0, t1) covers.
    let a = t0;
    while (a < t1) {
      const c = Math.min(columns - 1, Math.floor((a - w.start) / width));
      const columnEnd = w.start + (c + 1) * width;
      const b = Math.min(t1, columnEnd);
      area[c]! += n * (b - a);
      if (b <= a) break;
      a = b;
    }
  }
  const running: [number, number][] = area.map((s, c) => [w.start + c * width, s / width]);
  return { ...u, running };
}

/**
 * The evaluations whose points the thinned charts can draw, chosen from rows read without their
 * points: those thinProgress keeps (improvements, extremes, an even sample in finish order; the
 * hyperparameter panels draw these too) and the latest MAX_BARS to start (the Gantt's, for their
 * tooltips), and the best `keepBest` (a NAS workflow's architectures, drawn from their points). Null
 * when every row fits: then all are drawn.
 */
export function chartSample(rows: readonly EvaluationRow[], direction: "maximize" | "minimize", origin: number, keepBest = 0, progress = bestSoFar(rows, direction, origin)): Set<number> | null {
  const started = rows.filter((r) => r.startedAt !== null && r.state !== "READY");
  if (progress.length <= MAX_MARKS && started.length <= MAX_BARS) return null;
  const ids = new Set(thinProgress(progress).map((p) => p.evalId));
  started.sort((a, b) => (b.startedAt as number) - (a.startedAt as number) || b.id - a.id);
  for (const r of started.slice(0, MAX_BARS)) ids.add(r.id);
  for (const r of bestRows(rows, direction, keepBest)) ids.add(r.id);
  return ids;
}

export interface RenderedCharts {
  html: string;
  /** The evaluations drawn, by id, for the page's tooltips (only those: a sample of a large search). */
  evaluations: Record<string, ReportEvaluation>;
  /** How many marks were left out by thinning (0: every evaluation is drawn). */
  thinned: boolean;
}

/** The report's chart sections for one workflow, thinned to what a browser draws quickly. */
export function renderCharts(m: ReportModel): RenderedCharts {
  const progress = thinProgress(m.progress);
  const influence = thinInfluence(m.influence);
  const pareto = m.pareto && m.pareto.points.length > MAX_MARKS
    ? { ...m.pareto, points: sampleIndexes(m.pareto.points.length, MAX_MARKS, m.pareto.points.flatMap((p, i) => (p.front ? [i] : []))).map((i) => m.pareto!.points[i]!) }
    : m.pareto;
  const gantt = latestBars(m.utilisation);
  const thinnedModel: ReportModel = { ...m, progress, influence, pareto, utilisation: binRunning(m.utilisation) };
  const html = paretoSection(thinnedModel) + progressSection(thinnedModel) + curvesSection(thinnedModel) + utilisationSection(thinnedModel, gantt ?? undefined) + architecturesSection(thinnedModel) + influenceSection(thinnedModel);
  const drawn = new Set<number>();
  for (const match of html.matchAll(/data-eval-id="(\d+)"/g)) drawn.add(Number(match[1]));
  const evaluations: Record<string, ReportEvaluation> = {};
  for (const e of m.evaluations) if (drawn.has(e.id)) evaluations[e.id] = e;
  const thinned = progress.length < m.progress.length || gantt !== null || influence.some((it, i) => it.points.length < m.influence[i]!.points.length) || pareto !== m.pareto;
  return { html, evaluations, thinned };
}
