// What each fault cost the chaos search (bench/chaos): from the driver's samples of how many
// evaluations ran at each moment (processes, not rows: a dead launcher's rows stay RUNNING until
// recovered), the time until the search ran as many again, and the wall time lost (idle slots,
// in seconds of the whole allocation); from the rows' events, the evaluations re-run.
import type { EvaluationEventRow } from "../../src/store/types.js";
import type { PlannedFault } from "./schedule.js";

export interface Sample {
  t: number;
  /** Evaluations running (processes). */
  running: number;
  /** Finished evaluations (or trials) at that moment, as last read. */
  finished: number;
}

export interface FaultRecord extends PlannedFault {
  /** Epoch ms; null when it was skipped. */
  injectedAt: number | null;
  target: string;
  skipped: string | null;
  /** From the injection until the search ran as many evaluations as just before it; 0 when it never ran fewer; null when it never did again. */
  recoveredAfterMs: number | null;
  /** Idle slot-seconds it caused, divided by the slots: wall seconds of the whole allocation. */
  lostSeconds: number;
  /** Evaluations handed back or recovered (RUNNING -> READY) after it and before the next fault. */
  reruns: number;
}

/** Within this long after a fault, fewer evaluations running is its effect. */
const EFFECT_WINDOW_MS = 30_000;

/**
 * Fills recoveredAfterMs and lostSeconds against the search's normal level: the median number of
 * evaluations running while any runs (outages left out, however long). A fault's effect starts at the first
 * sample below that level within EFFECT_WINDOW_MS of it, and ends when the level is back. Samples
 * of the search's tail (fewer evaluations left than slots) are left out: slots idle there by
 * design. Overlapping faults share their idle time (each counts it): each figure is an upper bound.
 */
export function faultCosts(records: FaultRecord[], samples: readonly Sample[], budget: number, capacity: number): void {
  const usable = samples.filter((s) => s.finished < budget - capacity);
  const sorted = usable.map((s) => s.running).filter((n) => n > 0).sort((a, b) => a - b);
  const normal = Math.min(capacity, sorted[Math.floor(sorted.length / 2)] ?? capacity);
  for (const r of records) {
    if (r.injectedAt === null) continue;
    const t0 = r.injectedAt;
    const after = usable.filter((s) => s.t >= t0);
    const drop = after.findIndex((s) => s.t - t0 <= EFFECT_WINDOW_MS && s.running < normal);
    if (drop < 0) {
      r.recoveredAfterMs = 0;
      continue;
    }
    let back = after.findIndex((s, i) => i > drop && s.running >= normal);
    if (back < 0) back = after.length;
    let idle = 0;
    for (let i = drop; i < back && i + 1 < after.length; i++) idle += (normal - after[i]!.running) * (after[i + 1]!.t - after[i]!.t);
    r.lostSeconds = idle / 1000 / capacity;
    r.recoveredAfterMs = back < after.length ? after[back]!.t - t0 : null;
  }
}

/**
 * Evaluations re-run (RUNNING -> READY events), by cause (the event's note with its numbers
 * blanked), and each attributed to the last fault injected before it unless the walltime caused it.
 */
export function reruns(events: readonly EvaluationEventRow[], records: FaultRecord[]): { total: number; byCause: Record<string, number> } {
  const byCause: Record<string, number> = {};
  const injected = records.filter((r) => r.injectedAt !== null).sort((a, b) => a.injectedAt! - b.injectedAt!);
  let total = 0;
  for (const e of events) {
    if (e.fromState !== "RUNNING" || e.toState !== "READY") continue;
    total += 1;
    const cause = (e.note ?? "(no note)").replace(/\d+(,\d+)*/g, "N");
    byCause[cause] = (byCause[cause] ?? 0) + 1;
    if (/walltime/.test(cause)) continue;
    const by = injected.filter((r) => r.injectedAt! <= e.at).at(-1);
    if (by) by.reruns += 1;
  }
  return { total, byCause };
}
