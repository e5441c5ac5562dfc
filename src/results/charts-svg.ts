// SVG building blocks for the report's charts: escaping, linear/log scales, "nice" ticks and axes.
// Hand-written instead of a charting library so the report is one self-contained file with no
// network fetches and no bundle to ship.

/** Escapes text for HTML/SVG content and double-quoted attributes. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Short numeric labels: 4 significant digits, exponent notation for very large/small magnitudes. */
export function fmt(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2).replace(/\.?0+e/, "e");
  return String(Number(v.toPrecision(4)));
}

/** Seconds as a compact duration label: 0.2s, 3.9s, 45s, 2m30s, 1h05m (tenths below 10 s, so a short search is not "0s"). */
export function fmtSeconds(s: number): string {
  if (s < 9.95) return `${Number(s.toFixed(1))}s`;
  const r = Math.round(s);
  if (r < 60) return `${r}s`;
  if (r < 3600) return `${Math.floor(r / 60)}m${String(r % 60).padStart(2, "0")}s`;
  return `${Math.floor(r / 3600)}h${String(Math.floor((r % 3600) / 60)).padStart(2, "0")}m`;
}

/** Coordinates to 1 decimal: plenty for screen pixels, and keeps large reports small. */
export function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}

export interface Scale {
  (v: number): number;
  domain: [number, number];
  ticks: number[];
}

/** A domain with room around the data; a single value gets a unit-wide window. */
export function paddedDomain(values: readonly number[], pad = 0.05): [number, number] {
  if (values.length === 0) return [0, 1];
  // Loops, not Math.min(...values): spreading a large search's values overflows the call stack.
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - d, hi + d];
  }
  const d = (hi - lo) * pad;
  lo -= d;
  hi += d;
  return [lo, hi];
}

export function linearScale(domain: [number, number], range: [number, number], tickCount = 5): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const f = ((v: number) => r0 + (v - d0) * k) as Scale;
  f.domain = domain;
  f.ticks = niceTicks(d0, d1, tickCount);
  return f;
}

/** Log10 scale for log-sampled hyperparameters; ticks at powers of ten (or the ends if none fit). */
export function logScale(domain: [number, number], range: [number, number]): Scale {
  const l0 = Math.log10(domain[0]);
  const l1 = Math.log10(domain[1]);
  const lin = linearScale([l0, l1], range);
  const f = ((v: number) => lin(Math.log10(v))) as Scale;
  f.domain = domain;
  const ticks: number[] = [];
  for (let e = Math.ceil(l0); e <= Math.floor(l1); e++) ticks.push(10 ** e);
  f.ticks = ticks.length >= 2 ? ticks : [domain[0], domain[1]];
  return f;
}

/** Ticks at 1, 2 or 5 times a power of ten, about `count` of them inside [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  // The 1-2-5 multiple nearest to the raw step, so the count stays close to asked.
  const step = niceStep((hi - lo) / Math.max(1, count));
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/**
 * Steps of a time axis, in seconds: decimal fractions below a second, then the clock's own divisions
 * (a minute of 15 s steps, an hour of 15 min steps), then days.
 */
const TIME_STEPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** The time step nearest (by ratio) to a span over about `count` ticks; beyond a day, 1-2-5 days. */
export function timeStep(lo: number, hi: number, count = 8): number {
  const raw = (hi - lo) / Math.max(1, count);
  if (!(raw > 0)) return 1;
  if (raw > 86400) return 86400 * niceStep(raw / 86400);
  let best = TIME_STEPS[0]!;
  for (const s of TIME_STEPS) if (Math.abs(Math.log(s / raw)) < Math.abs(Math.log(best / raw))) best = s;
  return best;
}

/** A time scale: linear, with ticks at whole multiples of a clock-friendly step (timeStep). */
export function timeScale(domain: [number, number], range: [number, number], tickCount = 8): Scale & { step: number } {
  const f = linearScale(domain, range, tickCount) as Scale & { step: number };
  const step = timeStep(domain[0], domain[1], tickCount);
  const ticks: number[] = [];
  for (let k = Math.ceil(domain[0] / step - 1e-9); k * step <= domain[1] + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
  f.ticks = ticks;
  f.step = step;
  return f;
}

/**
 * A tick of a time axis whose ticks are `step` apart: as precise as the step and no more, so
 * neighbouring labels always differ (0.5 s steps: 1s 1.5s 2s; 15 s steps: 45s 1m 1m15s; day steps:
 * 1d 2d).
 */
export function fmtTimeTick(v: number, step: number): string {
  const decimals = step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step) - 1e-9));
  const sign = v < 0 ? "-" : "";
  // Rounded once, to the step's precision, before splitting into hours, minutes and seconds.
  const total = Number(Math.abs(v).toFixed(decimals));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total - h * 3600) / 60);
  const sec = Number((total - h * 3600 - m * 60).toFixed(decimals));
  const secText = String(sec);
  if (h === 0 && m === 0) return `${sign}${secText}s`;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  const ss = sec === 0 ? "" : `${sec < 10 ? "0" : ""}${secText}s`;
  if (h === 0) return `${sign}${mm}m${ss}`;
  if (step >= 86400 && total % 86400 === 0) return `${sign}${total / 86400}d`;
  if (m === 0 && sec === 0) return `${sign}${h}h`;
  return `${sign}${h}h${mm}m${ss}`;
}

/** The 1-2-5 multiple of a power of ten nearest to `raw` (d3's thresholds). */
function niceStep(raw: number): number {
  const mag = 10 ** Math.floor(Math.log10(raw));
  const err = raw / mag;
  return mag * (err >= Math.sqrt(50) ? 10 : err >= Math.sqrt(10) ? 5 : err >= Math.sqrt(2) ? 2 : 1);
}

/** The plot area inside an SVG of width x height, leaving margins for the axes' labels. */
export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function frame(width: number, height: number, margin: { left?: number; right?: number; top?: number; bottom?: number } = {}): Frame {
  const left = margin.left ?? 56;
  const top = margin.top ?? 12;
  return { width, height, left, top, right: width - (margin.right ?? 14), bottom: height - (margin.bottom ?? 36) };
}

/**
 * Grid lines, tick labels and axis titles for a chart with numeric x and y scales. `xTitle` gives
 * an x tick's full text, shown on hover where its label is shortened.
 */
export function axes(f: Frame, x: Scale, y: Scale, labels: { x: string; y: string }, xLabel: (v: number) => string = fmt, xTitle?: (v: number) => string): string {
  let s = `<g class="axes">`;
  for (const t of y.ticks) {
    const yy = px(y(t));
    s += `<line class="grid" x1="${f.left}" x2="${f.right}" y1="${yy}" y2="${yy}"/>`;
    s += `<text class="tick" x="${f.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${esc(fmt(t))}</text>`;
  }
  for (const t of x.ticks) {
    const xx = px(x(t));
    s += `<line class="grid" x1="${xx}" x2="${xx}" y1="${f.top}" y2="${f.bottom}"/>`;
    const label = xLabel(t);
    const title = xTitle?.(t);
    s += `<text class="tick" x="${xx}" y="${f.bottom + 14}" text-anchor="middle">${esc(label)}${title && title !== label ? `<title>${esc(title)}</title>` : ""}</text>`;
  }
  s += `<rect class="plot" x="${f.left}" y="${f.top}" width="${f.right - f.left}" height="${f.bottom - f.top}"/>`;
  s += `<text class="label" x="${(f.left + f.right) / 2}" y="${f.height - 4}" text-anchor="middle">${esc(labels.x)}</text>`;
  s += `<text class="label" transform="translate(12 ${(f.top + f.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(labels.y)}</text>`;
  return s + `</g>`;
}

/** An <svg> element that scales to its container's width and keeps its aspect ratio. */
export function svg(id: string, f: Frame, body: string, title: string): string {
  return `<svg id="${esc(id)}" class="chart" viewBox="0 0 ${f.width} ${f.height}" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;
}

/** A deterministic jitter in [-0.5, 0.5) from an id, so strips look the same on every refresh. */
export function jitter(id: number): number {
  let h = Math.imul(id ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296 - 0.5;
}
