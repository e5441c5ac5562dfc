// The report's charts as inline SVG strings: objective and best-so-far (vs evaluations, vs wall time),
// the slot Gantt with the busy fraction, and one panel per hyperparameter. Every evaluation mark
// carries data-eval-id and data-state, which the page's script (tooltips, linked highlighting) and
// the browser test use.
import type { Influence, InfluencePoint, BestSoFarPoint, Utilisation } from "./report-data.js";
import type { LearningCurve } from "./report-model.js";
import { axes, esc, fmt, fmtTimeTick, frame, jitter, linearScale, logScale, paddedDomain, px, svg, timeScale, type Frame, type Scale } from "./charts-svg.js";

/** Width of the full-width charts (Gantt, busy): text keeps its size next to the half-width ones. */
const WIDE = 1400;

/** Height of the strip under a plot where failed evaluations (no objective) are marked. */
const FAIL_BAND = 18;

/** The y scale of objectives, leaving the failure strip free at the bottom of the plot. */
function objectiveScale(f: Frame, objectives: readonly number[]): Scale {
  return linearScale(paddedDomain(objectives), [f.bottom - FAIL_BAND - 4, f.top + 4], 5);
}

function failStrip(f: Frame): string {
  return `<rect class="failband" x="${f.left}" y="${f.bottom - FAIL_BAND}" width="${f.right - f.left}" height="${FAIL_BAND}"/>` +
    `<text class="failtext" x="${f.left - 6}" y="${f.bottom - FAIL_BAND / 2}" text-anchor="end" dominant-baseline="middle">failed</text>`;
}

/** One evaluation's mark: a circle for an objective, a cross in the failure strip otherwise. */
function mark(f: Frame, x: number, y: Scale, p: { evalId: number; objective: number | null; state: string }, extra = ""): string {
  const attrs = `data-eval-id="${p.evalId}" data-state="${esc(p.state)}"`;
  if (p.objective === null) {
    const cy = f.bottom - FAIL_BAND / 2;
    return `<path class="pt fail${extra}" ${attrs} d="M${px(x - 3.5)} ${px(cy - 3.5)}l7 7m0 -7l-7 7"/>`;
  }
  return `<circle class="pt ok${extra}" ${attrs} cx="${px(x)}" cy="${px(y(p.objective))}" r="3.5"/>`;
}

/**
 * Every finished evaluation's objective (failures crossed in the strip) and the best-so-far step
 * line, against finish rank ("n") or seconds since submission ("t").
 */
export function progressChart(id: string, points: readonly BestSoFarPoint[], axis: "n" | "t"): string {
  const f = frame(720, 300);
  // Points come in finish order, so the last one has the largest n and t.
  const last = points[points.length - 1]?.[axis] ?? 0;
  const time = axis === "t" ? timeScale([0, Math.max(1e-3, last) * 1.02], [f.left, f.right], 8) : null;
  const x = time ?? linearScale([0, Math.max(1, last) + 0.5], [f.left, f.right], 8);
  if (axis === "n") x.ticks = x.ticks.filter((t) => Number.isInteger(t));
  const objectives = points.flatMap((p) => (p.objective === null ? [] : [p.objective]));
  const y = objectiveScale(f, objectives);
  let body = axes(f, x, y, { x: axis === "n" ? "evaluations finished" : "wall time since submission", y: "objective" }, time ? (v) => fmtTimeTick(v, time.step) : fmt);
  body += failStrip(f);
  let line = "";
  let prevBest: number | null = null;
  for (const p of points) {
    if (p.best === null) continue;
    const xx = px(x(p[axis]));
    line += line === "" ? `M${xx} ${px(y(p.best))}` : `H${xx}` + (p.best !== prevBest ? `V${px(y(p.best))}` : "");
    prevBest = p.best;
  }
  if (line !== "") body += `<path class="best" d="${line}"/>`;
  for (const p of points) body += mark(f, x(p[axis]), y, p, p.objective !== null && p.objective === p.best ? " improve" : "");
  return svg(id, f, body, `objective and best so far vs ${axis === "n" ? "evaluations" : "wall time"}`);
}

/**
 * A Gantt of evaluations per host slot (rows), coloured by state, over wall time. Rows shrink for
 * large allocations so the chart stays on one screen; labels then mark each host's first slot only.
 */
export function ganttChart(id: string, u: Utilisation): string {
  const lanes = Math.max(1, u.lanes.length);
  const rowH = Math.max(2, Math.min(18, Math.floor(420 / lanes)));
  const f = frame(WIDE, 12 + lanes * rowH + 36, { left: 110 });
  const w = u.window ?? { start: 0, end: 1 };
  const x = timeScale([w.start, Math.max(w.end, w.start + 1e-3)], [f.left, f.right], 8);
  const laneIndex = new Map(u.lanes.map((l, i) => [`${l.host}\u0000${l.slot}`, i]));
  let body = `<g class="axes">`;
  for (const t of x.ticks) {
    body += `<line class="grid" x1="${px(x(t))}" x2="${px(x(t))}" y1="${f.top}" y2="${f.bottom}"/>`;
    body += `<text class="tick" x="${px(x(t))}" y="${f.bottom + 14}" text-anchor="middle">${fmtTimeTick(t, x.step)}</text>`;
  }
  const labelAll = rowH >= 10;
  u.lanes.forEach((l, i) => {
    if (!labelAll && l.slot !== 0) return;
    const yy = f.top + i * rowH + rowH / 2;
    body += `<text class="tick" x="${f.left - 6}" y="${px(yy)}" text-anchor="end" dominant-baseline="middle">${esc(labelAll ? `${l.host} #${l.slot}` : l.host)}</text>`;
  });
  body += `<rect class="plot" x="${f.left}" y="${f.top}" width="${f.right - f.left}" height="${f.bottom - f.top}"/>`;
  body += `<text class="label" x="${(f.left + f.right) / 2}" y="${f.height - 4}" text-anchor="middle">wall time since submission</text></g>`;
  for (const it of u.intervals) {
    const row = laneIndex.get(`${it.host}\u0000${it.slot}`) ?? 0;
    const x0 = x(it.start);
    const width = Math.max(1, x(it.end) - x0);
    const gap = rowH >= 6 ? 1 : 0;
    body += `<rect class="bar s-${esc(it.state)}" data-eval-id="${it.evalId}" data-state="${esc(it.state)}" x="${px(x0)}" y="${px(f.top + row * rowH + gap)}" width="${px(width)}" height="${px(rowH - 2 * gap)}"/>`;
  }
  return svg(id, f, body, "evaluations per slot over time");
}

/** Fraction of slots busy over time (a step area), on the Gantt's time axis. */
export function busyChart(id: string, u: Utilisation): string {
  const f = frame(WIDE, 150, { left: 110 });
  const w = u.window ?? { start: 0, end: 1 };
  const x = timeScale([w.start, Math.max(w.end, w.start + 1e-3)], [f.left, f.right], 8);
  const y = linearScale([0, 1], [f.bottom, f.top], 2);
  let body = axes(f, x, y, { x: "wall time since submission", y: "busy" }, (v) => fmtTimeTick(v, x.step));
  const slots = Math.max(1, u.lanes.length);
  if (u.running.length > 0) {
    let d = `M${px(x(w.start))} ${px(y(0))}`;
    for (const [t, n] of u.running) d += `H${px(x(t))}V${px(y(n / slots))}`;
    d += `H${px(x(w.end))}V${px(y(0))}Z`;
    body += `<path class="busy" d="${d}"/>`;
  }
  return svg(id, f, body, "fraction of slots busy over time");
}

/** One small panel per hyperparameter, sharing the objective axis so panels compare at a glance. */
export function influenceCharts(items: readonly Influence[]): string {
  const objectives = items.flatMap((i) => i.points.flatMap((p) => (p.objective === null ? [] : [p.objective])));
  return items.map((it, i) => `<figure class="panel"><figcaption>${esc(it.label ?? it.name)}${it.kind === "numeric" && it.log ? " (log)" : ""}</figcaption>${influenceChart(`chart-hp-${i}`, it, objectives)}</figure>`).join("");
}

function influenceChart(id: string, it: Influence, objectives: readonly number[]): string {
  const f = frame(340, 230, { left: 52 });
  const y = objectiveScale(f, objectives);
  const name = it.label ?? it.name;
  if (it.kind === "numeric") {
    const domain: [number, number] = it.log ? [it.low, it.high] : paddedDomain([it.low, it.high], 0.03);
    const x = it.log && it.low > 0 ? logScale(domain, [f.left, f.right]) : linearScale(domain, [f.left, f.right], 4);
    const body = axes(f, x, y, { x: name, y: "objective" }) + failStrip(f) + it.points.map((p) => mark(f, x(p.x), y, p)).join("");
    return svg(id, f, body, `objective vs ${name}`);
  }
  // Categorical: one strip per category, points jittered sideways by id so they do not stack.
  const bands = Math.max(1, it.categories.length);
  const x = linearScale([-0.5, bands - 0.5], [f.left, f.right]);
  x.ticks = it.categories.map((_, i) => i);
  const label = (v: number): string => {
    const c = it.categories[v] ?? "";
    return c.length > 12 ? c.slice(0, 11) + "…" : c;
  };
  const spread = 0.6;
  const body = axes(f, x, y, { x: name, y: "objective" }, label, (v) => it.categories[v] ?? "") + failStrip(f) +
    it.points.map((p: InfluencePoint) => mark(f, x(p.x + jitter(p.evalId) * spread), y, p)).join("");
  return svg(id, f, body, `objective per ${name}`);
}

/** Points drawn per curve at most: a run reporting every step would otherwise bloat the page. */
const MAX_CURVE_POINTS = 300;

/**
 * Value against step, one thin line per curve (curves[0], the best, drawn last and highlighted).
 * Each line carries its last row's data-eval-id, so hovering it shows that evaluation and a click
 * marks it everywhere else on the page.
 */
export function learningCurveChart(id: string, curves: readonly LearningCurve[]): string {
  const f = frame(1000, 360);
  let lo = Infinity;
  let hi = -Infinity;
  const values: number[] = [];
  for (const c of curves) for (const [step, value] of c.points) {
    if (step < lo) lo = step;
    if (step > hi) hi = step;
    values.push(value);
  }
  const x = linearScale([Math.min(0, lo), Math.max(hi, Math.min(0, lo) + 1)], [f.left, f.right], 8);
  // Integer steps (epochs, iterations) get integer ticks only.
  if (curves.every((c) => c.points.every(([s]) => Number.isInteger(s)))) x.ticks = x.ticks.filter((t) => Number.isInteger(t));
  const y = linearScale(paddedDomain(values), [f.bottom - 4, f.top + 4], 6);
  let body = axes(f, x, y, { x: "step", y: "reported value" });
  const line = (c: LearningCurve, cls: string): string => {
    const pts = thin(c.points, MAX_CURVE_POINTS);
    // A lone point is a zero-length line: its round caps draw it as a dot.
    const d = pts.map(([s, v], i) => `${i === 0 ? "M" : "L"}${px(x(s))} ${px(y(v))}`).join("") + (pts.length === 1 ? "h0" : "");
    return `<path class="${cls}" data-eval-id="${c.lastEvalId}" data-curve="${c.kind} ${c.id}" d="${d}"/>`;
  };
  for (let i = curves.length - 1; i >= 1; i--) body += line(curves[i] as LearningCurve, "curve");
  if (curves[0]) body += line(curves[0], "curve top");
  return svg(id, f, body, "reported value vs step per curve");
}

/** Every k-th point (the last always), so a long curve keeps its shape in at most `max` points. */
function thin(points: readonly [number, number][], max: number): readonly [number, number][] {
  if (points.length <= max) return points;
  const k = Math.ceil(points.length / max);
  return points.filter((_, i) => i % k === 0 || i === points.length - 1);
}
