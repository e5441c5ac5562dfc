// The chaos driver's fault schedule (bench/chaos): which faults, in which order, at which point of
// the search, for how long. A pure function of the seed, so a failing seed replays the same
// schedule (the moments are progress of the search, so a slower machine meets them at the same
// stage rather than at the same second).
import { Rng } from "../../src/util/rng.js";

export const FAULT_KINDS = [
  "kill-leader",
  "kill-agent",
  "kill-spawner",
  "kill-evaluation",
  "scancel",
  "node-down",
  "pg-restart-fast",
  "pg-restart-immediate",
  "pg-pause",
  "kill-service",
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  /** Position in the schedule, from 1. */
  n: number;
  kind: FaultKind;
  /** Due once this fraction of the budget has finished... */
  atFraction: number;
  /** ...and this long after that (and after the previous fault). */
  delayMs: number;
  /** node-down: how long the node stays down; pg-pause: how long the server is stopped;
   * kill-service: how long until the service is started again. 0 for the others. */
  durationMs: number;
  /** Which target among those found (agents, nodes, evaluations), modulo their number. */
  pick: number;
}

export interface ScheduleOptions {
  seed: number;
  /** Times each kind is injected. */
  repeat: number;
  /** The launchers' heartbeat interval: a database pause lasts longer than it. */
  heartbeatSeconds: number;
  /** Kinds left out (e.g. node-down when the test bed's nodes are shared). */
  without?: readonly FaultKind[];
}

/** The faults of one run, in the order they are injected. */
export function planFaults(o: ScheduleOptions): PlannedFault[] {
  // Its own stream, apart from the search's seed use (the searcher and SPRUCE_SEED).
  const rng = new Rng((o.seed * 7919 + 104_729) >>> 0);
  const kinds = FAULT_KINDS.filter((k) => !o.without?.includes(k));
  const faults: Omit<PlannedFault, "n">[] = [];
  for (let r = 0; r < o.repeat; r++) {
    for (const kind of kinds) {
      faults.push({
        kind,
        // Early enough that the search is still going when it lands, never at the very start.
        atFraction: round(0.04 + 0.84 * rng.next(), 3),
        delayMs: Math.round(2_000 * rng.next()),
        durationMs: durationOf(kind, rng, o.heartbeatSeconds),
        pick: rng.uint32() % 1000,
      });
    }
  }
  faults.sort((a, b) => a.atFraction - b.atFraction || a.kind.localeCompare(b.kind));
  return faults.map((f, i) => ({ n: i + 1, ...f }));
}

function durationOf(kind: FaultKind, rng: Rng, heartbeatSeconds: number): number {
  switch (kind) {
    case "node-down":
      return Math.round(3_000 + 7_000 * rng.next());
    case "pg-pause":
      // Longer than a heartbeat interval (1.5 to 4 of them): launchers miss heartbeats meanwhile.
      return Math.round(heartbeatSeconds * 1000 * (1.5 + 2.5 * rng.next()));
    case "kill-service":
      return Math.round(500 + 4_500 * rng.next());
    default:
      return 0;
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
