// The report's charts for several objectives, as inline SVG strings: with two, a scatter of every
// evaluation with the Pareto front drawn as its staircase and the reference point marked; with more,
// parallel coordinates (one axis per objective, better at the top), the front's lines on top. Marks
// carry data-eval-id and data-state like the other charts, for the page's tooltips and highlighting.
import type { ObjectiveSpec } from "../space/types.js";
import { axes, esc, fmt, frame, linearScale, paddedDomain, px, svg } from "./charts-svg.js";

export interface ParetoPoint {
  evalId: number;
  /** The objectives in declared order. */
  values: number[];
  /** On the Pareto front (non-dominated). */
  front: boolean;
}

const arrow = (o: ObjectiveSpec): string => `${o.name} (${o.direction === "maximize" ? "max" : "min"})`;

/**
 * Two objectives: every evaluation a point, the front's points and staircase highlighted (the region
 * it dominates lies towards the reference point), the reference point a cross.
 */
export function paretoScatter(id: string, objectives: readonly ObjectiveSpec[], points: readonly ParetoPoint[], reference: readonly number[] | null): string {
  const f = frame(720, 420, { left: 64 });
  const xs = points.map((p) => p.values[0]!).concat(reference ? [reference[0]!] : []);
  const ys = points.map((p) => p.values[1]!).concat(reference ? [reference[1]!] : []);
  const x = linearScale(paddedDomain(xs), [f.left, f.right], 8);
  const y = linearScale(paddedDomain(ys), [f.bottom, f.top], 6);
  let body = axes(f, x, y, { x: arrow(objectives[0]!), y: arrow(objectives[1]!) });
  const front = points.filter((p) => p.front);
  // The staircase: sorted along x from the side where x is best, each step holds y until the next point.
  const xBest = objectives[0]!.direction === "maximize" ? -1 : 1;
  const sorted = [...front].sort((a, b) => xBest * (a.values[0]! - b.values[0]!));
  if (sorted.length > 0) {
    // From the reference's y up to the best-x point, then across and down (or up) to each next one.
    const first = sorted[0]!;
    let d = `M${px(x(first.values[0]!))} ${px(y(reference ? reference[1]! : first.values[1]!))}V${px(y(first.values[1]!))}`;
    for (const p of sorted.slice(1)) d += `H${px(x(p.values[0]!))}V${px(y(p.values[1]!))}`;
    if (reference) d += `H${px(x(reference[0]!))}`;
    body += `<path class="front-line" d="${d}"/>`;
  }
  for (const p of points) {
    body += `<circle class="pt ok${p.front ? " front" : ""}" data-eval-id="${p.evalId}" data-state="DONE" cx="${px(x(p.values[0]!))}" cy="${px(y(p.values[1]!))}" r="${p.front ? 4.5 : 3.5}"/>`;
  }
  if (reference) {
    const rx = x(reference[0]!);
    const ry = y(reference[1]!);
    body += `<path class="ref" d="M${px(rx - 5)} ${px(ry - 5)}l10 10m0 -10l-10 10"/><text class="tick" x="${px(rx + 7)}" y="${px(ry - 7)}">reference</text>`;
  }
  return svg(id, f, body, `Pareto front of ${objectives[0]!.name} and ${objectives[1]!.name}`);
}

/**
 * Three or more objectives: one vertical axis per objective, scaled to its observed range with the
 * better end at the top; one line per evaluation, the front's drawn last and highlighted.
 */
export function parallelCoordinates(id: string, objectives: readonly ObjectiveSpec[], points: readonly ParetoPoint[]): string {
  const f = frame(Math.max(560, 180 * objectives.length), 420, { left: 40, right: 40, bottom: 44 });
  const k = objectives.length;
  const ax = (j: number): number => f.left + ((f.right - f.left) * j) / Math.max(1, k - 1);
  const scales = objectives.map((o, j) => {
    const [lo, hi] = paddedDomain(points.map((p) => p.values[j]!));
    // Better at the top: a maximized objective's high values, a minimized one's low values.
    return linearScale([lo, hi], o.direction === "maximize" ? [f.bottom, f.top] : [f.top, f.bottom], 5);
  });
  let body = `<g class="axes">`;
  objectives.forEach((o, j) => {
    const xx = px(ax(j));
    body += `<line class="pc-axis" x1="${xx}" x2="${xx}" y1="${f.top}" y2="${f.bottom}"/>`;
    for (const t of scales[j]!.ticks) body += `<text class="tick" x="${px(ax(j) - 5)}" y="${px(scales[j]!(t))}" text-anchor="end" dominant-baseline="middle">${esc(fmt(t))}</text>`;
    body += `<text class="label" x="${xx}" y="${f.bottom + 18}" text-anchor="middle">${esc(arrow(o))}</text>`;
  });
  body += `<text class="tick" x="${f.left}" y="${f.height - 4}">better at the top</text></g>`;
  const ordered = [...points].sort((a, b) => Number(a.front) - Number(b.front) || a.evalId - b.evalId);
  for (const p of ordered) {
    const d = p.values.map((v, j) => `${j === 0 ? "M" : "L"}${px(ax(j))} ${px(scales[j]!(v))}`).join("");
    body += `<path class="pc${p.front ? " front" : ""}" data-eval-id="${p.evalId}" data-state="DONE" d="${d}"/>`;
  }
  return svg(id, f, body, `parallel coordinates of ${objectives.map((o) => o.name).join(", ")}`);
}
