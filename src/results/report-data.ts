// The data behind the report's charts, computed by pure functions from store rows: best objective so
// far, slot utilisation (per-host interval packing, busy fraction), hyperparameter influence, and
// finish rate / ETA for `spruce status`. No I/O here, so every number the report draws is unit-tested.
import type { Hyperparameter, JsonValue } from "../space/types.js";
import type { EvaluationRow, EvaluationState } from "../store/types.js";
import { EVALUATION_STATES, isFinished } from "../store/states.js";

export type Direction = "maximize" | "minimize";

/** One finished evaluation on the progress charts, in finish order. */
export interface BestSoFarPoint {
  /** 1-based rank in finish order: the x of the "vs evaluations" chart. */
  n: number;
  evalId: number;
  /** Seconds from origin to the finish: the x of the "vs wall time" chart. */
  t: number;
  state: EvaluationState;
  /** null for failures, which the charts mark separately. */
  objective: number | null;
  /** Best DONE objective up to and including this one; null until the first success. */
  best: number | null;
}

export function isBetter(a: number, b: number, direction: Direction): boolean {
  return direction === "maximize" ? a > b : a < b;
}

/**
 * Finished evaluations (DONE, FAILED, TIMEOUT) in finish order (ties by id), each with the best
 * objective so far in the workflow's direction. Failures keep the previous best.
 */
export function bestSoFar(rows: readonly EvaluationRow[], direction: Direction, origin: number): BestSoFarPoint[] {
  const ended = rows
    .filter((r) => isFinished(r.state) && r.finishedAt !== null)
    .sort((a, b) => (a.finishedAt as number) - (b.finishedAt as number) || a.id - b.id);
  let best: number | null = null;
  return ended.map((r, i) => {
    const objective = r.state === "DONE" ? r.objective : null;
    if (objective !== null && (best === null || isBetter(objective, best, direction))) best = objective;
    return { n: i + 1, evalId: r.id, t: ((r.finishedAt as number) - origin) / 1000, state: r.state, objective, best };
  });
}

/** One evaluation's occupation of one slot of one host, in seconds from origin. */
export interface SlotInterval {
  evalId: number;
  host: string;
  /** 0-based slot within the host, from greedy interval packing. */
  slot: number;
  start: number;
  end: number;
  state: EvaluationState;
}

export interface Utilisation {
  /** Every host's slots, in host order: the Gantt's rows. */
  lanes: { host: string; slot: number }[];
  intervals: SlotInterval[];
  /** The window the busy fraction is measured over (seconds from origin); null without intervals. */
  window: { start: number; end: number } | null;
  /** Busy slot-time over available slot-time in the window, in [0, 1]. */
  busyFraction: number;
  /** Step function of running slot count: [t, count] at every change, starting at window start. */
  running: [number, number][];
}

/**
 * Evaluations that have started become intervals (a RUNNING one ends at `now`). The database keeps
 * no slot numbers, so slots are derived per host by greedy packing: intervals sorted by start each
 * take the lowest-numbered slot that is free by then — the fewest slots that fit them, i.e. what
 * the launcher had at least. `capacityPerHost` (evaluations per node) raises a host's slot count to
 * what was allocated, so idle slots lower the busy fraction. An evaluation on several hosts (MPI
 * mode) occupies a slot on each.
 */
export function utilisation(rows: readonly EvaluationRow[], origin: number, now: number, capacityPerHost = 0): Utilisation {
  const byHost = new Map<string, { evalId: number; start: number; end: number; state: EvaluationState }[]>();
  for (const r of rows) {
    if (r.startedAt === null || r.state === "READY") continue;
    const endMs = r.finishedAt ?? (r.state === "RUNNING" ? now : null);
    if (endMs === null) continue;
    const item = { evalId: r.id, start: (r.startedAt - origin) / 1000, end: (Math.max(endMs, r.startedAt) - origin) / 1000, state: r.state };
    for (const host of r.hosts && r.hosts.length > 0 ? r.hosts : ["unknown"]) {
      let list = byHost.get(host);
      if (!list) byHost.set(host, (list = []));
      list.push(item);
    }
  }
  const lanes: Utilisation["lanes"] = [];
  const intervals: SlotInterval[] = [];
  for (const host of [...byHost.keys()].sort(compareHosts)) {
    const items = (byHost.get(host) ?? []).sort((a, b) => a.start - b.start || a.end - b.end || a.evalId - b.evalId);
    const slotEnds: number[] = [];
    for (const it of items) {
      let slot = slotEnds.findIndex((end) => end <= it.start);
      if (slot < 0) slot = slotEnds.push(it.end) - 1;
      else slotEnds[slot] = it.end;
      // A literal of one shape, not a spread: a large search makes hundreds of thousands of these.
      intervals.push({ evalId: it.evalId, host, slot, start: it.start, end: it.end, state: it.state });
    }
    const slots = Math.max(slotEnds.length, capacityPerHost);
    for (let s = 0; s < slots; s++) lanes.push({ host, slot: s });
  }
  if (intervals.length === 0) return { lanes, intervals, window: null, busyFraction: 0, running: [] };
  let start = Infinity;
  let end = -Infinity;
  let busy = 0;
  for (const i of intervals) {
    start = Math.min(start, i.start);
    end = Math.max(end, i.end);
    busy += i.end - i.start;
  }
  const span = end - start;
  // A window of zero length (everything instantaneous) has no idle time to speak of.
  const busyFraction = span > 0 ? Math.min(1, busy / (lanes.length * span)) : 1;
  return { lanes, intervals, window: { start, end }, busyFraction, running: runningSteps(intervals) };
}

/** Natural order, so node2 comes before node10. */
function compareHosts(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}

/** The number of busy slots over time: +1 at each start, -1 at each end (ends first on ties). */
export function runningSteps(intervals: readonly { start: number; end: number }[]): [number, number][] {
  // Starts and ends sorted apart as typed arrays (a native numeric sort), then merged.
  const n = intervals.length;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    starts[k] = intervals[k]!.start;
    ends[k] = intervals[k]!.end;
  }
  starts.sort();
  ends.sort();
  const steps: [number, number][] = [];
  let count = 0;
  for (let i = 0, j = 0; i < n || j < n; ) {
    let t: number;
    if (j < n && (i >= n || ends[j]! <= starts[i]!)) {
      t = ends[j++]!;
      count--;
    } else {
      t = starts[i++]!;
      count++;
    }
    const last = steps[steps.length - 1];
    if (last && last[0] === t) last[1] = count;
    else steps.push([t, count]);
  }
  return steps;
}

/** One hyperparameter's panel: objective against value (numeric) or per category (strip). */
export type Influence = (
  | { name: string; kind: "numeric"; log: boolean; low: number; high: number; points: InfluencePoint[] }
  | { name: string; kind: "categorical"; categories: string[]; points: InfluencePoint[] }
) & {
  /** What the panel is captioned when not the name: a NAS choice says what it chooses. */
  label?: string;
};

export interface InfluencePoint {
  evalId: number;
  /** The value (numeric) or the category's index (categorical). */
  x: number;
  objective: number | null;
  state: EvaluationState;
}

/** Category labels as the report shows them: JSON text for anything but strings (null, true, 3). */
export function categoryLabel(v: JsonValue | undefined): string {
  return typeof v === "string" ? v : JSON.stringify(v ?? null);
}

/** Finished evaluations per hyperparameter (constants have nothing to show and are left out). */
export function influence(hyperparameters: readonly Hyperparameter[], rows: readonly EvaluationRow[]): Influence[] {
  const ended = rows.filter((r) => isFinished(r.state));
  const out: Influence[] = [];
  for (const hp of hyperparameters) {
    if (hp.type === "const") continue;
    if (hp.type === "int" || hp.type === "float") {
      const points = ended
        .filter((r) => typeof r.point[hp.name] === "number")
        .map((r) => pointOf(r, r.point[hp.name] as number));
      out.push({ name: hp.name, kind: "numeric", log: hp.log, low: hp.low, high: hp.high, points });
    } else {
      const categories = hp.values.map(categoryLabel);
      const points: InfluencePoint[] = [];
      for (const r of ended) {
        if (!(hp.name in r.point)) continue;
        const x = categories.indexOf(categoryLabel(r.point[hp.name]));
        if (x >= 0) points.push(pointOf(r, x));
      }
      out.push({ name: hp.name, kind: "categorical", categories, points });
    }
  }
  return out;
}

function pointOf(r: EvaluationRow, x: number): InfluencePoint {
  return { evalId: r.id, x, objective: r.state === "DONE" ? r.objective : null, state: r.state };
}

export function countsByState(rows: readonly EvaluationRow[]): Record<EvaluationState, number> {
  const counts = Object.fromEntries(EVALUATION_STATES.map((s) => [s, 0])) as Record<EvaluationState, number>;
  for (const r of rows) counts[r.state]++;
  return counts;
}

/** Evaluations per minute over the last `window` finished: null until two have finished apart. */
export function finishRate(rows: readonly EvaluationRow[], window = 20): { perMinute: number; over: number } | null {
  const times = rows
    .filter((r) => isFinished(r.state) && r.finishedAt !== null)
    .map((r) => r.finishedAt as number)
    .sort((a, b) => a - b)
    .slice(-window);
  if (times.length < 2) return null;
  const first = times[0] as number;
  const last = times[times.length - 1] as number;
  // n finish times bound n-1 inter-finish gaps: counting n would overstate the rate of a short window.
  if (last <= first) return null;
  return { perMinute: ((times.length - 1) * 60_000) / (last - first), over: times.length };
}

/** Milliseconds until `remaining` more evaluations finish at `perMinute`; null if unknown. */
export function etaMs(remaining: number, perMinute: number | null): number | null {
  if (remaining <= 0) return 0;
  if (perMinute === null || perMinute <= 0) return null;
  return (remaining / perMinute) * 60_000;
}

