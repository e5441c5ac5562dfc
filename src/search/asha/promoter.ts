// The pure core of asynchronous successive halving (Determined's adaptive_asha, docs/architecture.md, asha): which
// bracket a new trial joins, and what happens to a trial when it reports a value at a length. No
// processes, no points, no clock: the launcher (through AshaSearcher) feeds reports in arrival order
// and carries the decisions out, and state()/restore() make a relaunched launcher decide the same.
//
// Two variants, as in Determined:
// - promotion (asha.go, the default): a trial that completes rung k is promoted at once when it is
//   among the best floor((n+1)/divisor) of the n+1 results rung k has recorded so far; otherwise it
//   is paused. When a later result raises that number, the best paused trial is promoted then and
//   must be resumed. No barrier: decisions never wait for other trials. Fewer than `divisor`
//   results promote nobody, so the first trials of a rung wait for company.
// - stopOnce (asha_stopping.go): trials train on towards maxLength; at each rung a trial outside
//   the best max(1, floor(n/divisor)) of the n results so far is stopped for good.
import { ValidationError } from "../../errors.js";
import type { JsonValue } from "../../space/types.js";
import type { Direction } from "../searcher.js";
import { bracketRungs, bracketTrials, checkAshaConfig, effectiveMaxRungs, rungLengths, type AshaConfig } from "./rungs.js";

export type TrialStatus = "running" | "paused" | "stopped" | "completed" | "failed";

export interface AshaTrial {
  trialId: number;
  bracket: number;
  /** Length to train to before the next decision (the target of its current rung). */
  length: number;
}

export interface AshaResume {
  trialId: number;
  /** The length it had reached when it was paused: continue from its checkpoint there. */
  fromLength: number;
  /** The length to train to now. */
  length: number;
}

export interface AshaDecision {
  /** continue: keep training until `length`, then report; stop: end the run now. */
  action: "continue" | "stop";
  /**
   * training: below its rung's length; promoted: passed a rung; paused: not promoted yet (it may be
   * resumed later); stopped: stop-once, for good; completed: reached maxLength; failed: told by fail().
   */
  reason: "training" | "promoted" | "paused" | "stopped" | "completed" | "failed";
  /** For continue: the next length at which a report will be decided. */
  length: number;
  /** Paused trials promoted by this result, to resume (before starting any new trial). */
  resume: AshaResume[];
}

/** One recorded result of a rung; loss is lower-is-better, null a failed trial (worse than any). */
interface RungEntry {
  trialId: number;
  loss: number | null;
  promoted: boolean;
}

interface Bracket {
  numRungs: number;
  lengths: number[];
  maxTrials: number;
  created: number;
  /** Per rung, its results best first. */
  rungs: RungEntry[][];
}

interface TrialRecord {
  bracket: number;
  /** Index of the rung it is working towards (or was last recorded at, once not running). */
  rung: number;
  status: TrialStatus;
  /** Last length reported. */
  reached: number;
}

interface SchedulerState {
  config: AshaConfig;
  direction: Direction;
  brackets: { created: number; rungs: [number, number | null, boolean][][] }[];
  trials: [number, number, TrialStatus, number][];
}

/** a is strictly worse than b (null, a failure, is the worst; two failures are equal). */
function worse(a: number | null, b: number | null): boolean {
  if (a === null) return b !== null;
  return b !== null && a > b;
}

export class AshaPromoter {
  readonly config: AshaConfig;
  readonly direction: Direction;
  /** Rungs of the largest bracket after Determined's caps. */
  readonly numRungs: number;
  private brackets: Bracket[];
  private trials: TrialRecord[] = [];

  constructor(config: AshaConfig, direction: Direction) {
    this.config = { ...checkAshaConfig(config) };
    this.direction = direction;
    const { maxLength, maxTrials, divisor } = this.config;
    this.numRungs = effectiveMaxRungs(this.config.maxRungs, maxLength, maxTrials, divisor);
    const rungsPerBracket = bracketRungs(this.config.mode, this.numRungs);
    const trialsPerBracket = bracketTrials(maxTrials, divisor, rungsPerBracket);
    this.brackets = rungsPerBracket.map((numRungs, i) => ({
      numRungs,
      lengths: rungLengths(maxLength, divisor, numRungs),
      maxTrials: trialsPerBracket[i]!,
      created: 0,
      rungs: Array.from({ length: numRungs }, () => []),
    }));
  }

  /** Per bracket: its rung lengths and its share of the trials. */
  bracketPlan(): { numRungs: number; lengths: number[]; maxTrials: number }[] {
    return this.brackets.map((b) => ({ numRungs: b.numRungs, lengths: [...b.lengths], maxTrials: b.maxTrials }));
  }

  /**
   * A new trial, or null once maxTrials have been created. It joins the bracket furthest behind its
   * share (ties to the most aggressive), so the brackets fill in proportion as trials start.
   */
  newTrial(): AshaTrial | null {
    let best = -1;
    for (let i = 0; i < this.brackets.length; i++) {
      const b = this.brackets[i]!;
      if (b.created >= b.maxTrials) continue;
      const c = this.brackets[best];
      if (c === undefined || b.created / b.maxTrials < c.created / c.maxTrials) best = i;
    }
    if (best < 0) return null;
    const b = this.brackets[best]!;
    b.created++;
    const trialId = this.trials.length;
    this.trials.push({ bracket: best, rung: 0, status: "running", reached: 0 });
    return { trialId, bracket: best, length: b.lengths[0]! };
  }

  /** The value of a running trial after `length` units of training. */
  report(trialId: number, length: number, value: number): AshaDecision {
    const t = this.running(trialId);
    if (typeof length !== "number" || !Number.isFinite(length) || length < 0) {
      throw new ValidationError(`trial ${trialId}: reported length ${length} is not a non-negative number`, "report progress as report: step=<n> value=<x> with a step of 0 or more (ctx.report(step, value) in a run module)");
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new ValidationError(`trial ${trialId}: reported value ${value} is not a finite number`, "report a finite value (not NaN or Infinity) with each progress point");
    }
    t.reached = length;
    const b = this.brackets[t.bracket]!;
    const resume: AshaResume[] = [];
    if (length < b.lengths[t.rung]!) return { action: "continue", reason: "training", length: b.lengths[t.rung]!, resume };
    const loss = this.direction === "maximize" ? -value : value;
    // A coarse report may pass several rungs at once: it is recorded at each in turn.
    for (;;) {
      const k = t.rung;
      if (k === b.numRungs - 1) {
        insert(b.rungs[k]!, { trialId, loss, promoted: false }, false);
        t.status = "completed";
        return { action: "stop", reason: "completed", length, resume };
      }
      if (this.config.stopOnce) {
        const rung = b.rungs[k]!;
        const index = insert(rung, { trialId, loss, promoted: false }, true);
        if (index >= Math.max(1, Math.floor(rung.length / this.config.divisor))) {
          t.status = "stopped";
          return { action: "stop", reason: "stopped", length, resume };
        }
        rung[index]!.promoted = true;
      } else if (!this.record(b, k, trialId, loss, resume)) {
        t.status = "paused";
        return { action: "stop", reason: "paused", length, resume };
      }
      t.rung = k + 1;
      if (length < b.lengths[k + 1]!) return { action: "continue", reason: "promoted", length: b.lengths[k + 1]!, resume };
    }
  }

  /**
   * A running trial failed: it counts as the worst result of the rung it was working towards
   * (Determined's trialExitedEarly), which may promote a paused trial of that rung.
   */
  fail(trialId: number): AshaDecision {
    const t = this.running(trialId);
    const b = this.brackets[t.bracket]!;
    const resume: AshaResume[] = [];
    t.status = "failed";
    if (this.config.stopOnce || t.rung === b.numRungs - 1) insert(b.rungs[t.rung]!, { trialId, loss: null, promoted: false }, true);
    else this.record(b, t.rung, trialId, null, resume);
    return { action: "stop", reason: "failed", length: t.reached, resume };
  }

  /** True while more trials may be created. */
  canCreate(): boolean {
    return this.remainingTrials() > 0;
  }

  /** True when every trial has been created and none is running: nothing can change any more. */
  finished(): boolean {
    return !this.canCreate() && this.trials.every((t) => t.status !== "running");
  }

  /** Trials that may still be created. */
  remainingTrials(): number {
    return this.brackets.reduce((n, b) => n + b.maxTrials - b.created, 0);
  }

  /** Where a trial stands; length is the target of its current rung. */
  info(trialId: number): { bracket: number; rung: number; status: TrialStatus; reached: number; length: number } {
    const t = this.trial(trialId);
    return { ...t, length: this.brackets[t.bracket]!.lengths[t.rung]! };
  }

  /** The recorded results of a rung of a bracket, best first, in the caller's direction (null: failed). */
  rungResults(bracket: number, rung: number): { trialId: number; value: number | null; promoted: boolean }[] {
    const entries = this.brackets[bracket]?.rungs[rung];
    if (entries === undefined) throw new RangeError(`no rung ${rung} in bracket ${bracket}`);
    const sign = this.direction === "maximize" ? -1 : 1;
    return entries.map((e) => ({ trialId: e.trialId, value: e.loss === null ? null : sign * e.loss, promoted: e.promoted }));
  }

  state(): JsonValue {
    const s: SchedulerState = {
      config: this.config,
      direction: this.direction,
      brackets: this.brackets.map((b) => ({
        created: b.created,
        rungs: b.rungs.map((r) => r.map((e) => [e.trialId, e.loss, e.promoted] as [number, number | null, boolean])),
      })),
      trials: this.trials.map((t) => [t.bracket, t.rung, t.status, t.reached] as [number, number, TrialStatus, number]),
    };
    return s as unknown as JsonValue;
  }

  /** Continues from a state(); the configuration and direction must be the same. */
  restore(state: JsonValue): void {
    const s = state as unknown as SchedulerState;
    if (JSON.stringify(s?.config) !== JSON.stringify(this.config) || s.direction !== this.direction) {
      throw new ValidationError(
        "asha: the saved search used other settings (max length, trials, divisor, rungs, mode, stop-once or direction)",
        "resume with the same settings",
      );
    }
    if (!Array.isArray(s.brackets) || s.brackets.length !== this.brackets.length || !Array.isArray(s.trials)) {
      throw new ValidationError("asha: invalid saved state", "the saved search state is damaged: submit the search again under a new name");
    }
    this.brackets.forEach((b, i) => {
      const saved = s.brackets[i]!;
      b.created = saved.created;
      b.rungs = saved.rungs.map((r) => r.map(([trialId, loss, promoted]) => ({ trialId, loss, promoted })));
    });
    this.trials = s.trials.map(([bracket, rung, status, reached]) => ({ bracket, rung, status, reached }));
  }

  private trial(trialId: number): TrialRecord {
    const t = this.trials[trialId];
    if (t === undefined) throw new ValidationError(`asha: unknown trial ${trialId}`, "this is a bug in spruce: report it with the output of --verbose");
    return t;
  }

  private running(trialId: number): TrialRecord {
    const t = this.trial(trialId);
    if (t.status !== "running") throw new ValidationError(`asha: trial ${trialId} is ${t.status}, not running`, "this is a bug in spruce: report it with the output of --verbose");
    return t;
  }

  /**
   * Records a result at rung k (not the top) with Determined's promotion rule; returns whether that
   * trial is promoted. Another trial promoted by the larger count is resumed, or, if it has failed
   * meanwhile, recorded as the worst result of the next rung as if it had run (Determined does the same).
   */
  private record(b: Bracket, k: number, trialId: number, loss: number | null, resume: AshaResume[]): boolean {
    const rung = b.rungs[k]!;
    const before = Math.floor(rung.length / this.config.divisor);
    const after = Math.floor((rung.length + 1) / this.config.divisor);
    const index = insert(rung, { trialId, loss, promoted: false }, false);
    if (index < after) {
      rung[index]!.promoted = true;
      return true;
    }
    const next = after !== before ? rung[before] : undefined;
    if (next !== undefined && !next.promoted) {
      next.promoted = true;
      const other = this.trials[next.trialId]!;
      other.rung = k + 1;
      if (other.status === "failed") {
        if (k + 1 === b.numRungs - 1) insert(b.rungs[k + 1]!, { trialId: next.trialId, loss: null, promoted: false }, false);
        else this.record(b, k + 1, next.trialId, null, resume);
      } else {
        other.status = "running";
        resume.push({ trialId: next.trialId, fromLength: other.reached, length: b.lengths[k + 1]! });
      }
    }
    return false;
  }
}

/**
 * Inserts an entry in a best-first rung and returns its index. Ties: the promotion variant places a
 * new result after equal ones (first come, first promoted), stop-once before them, as Determined does.
 */
function insert(rung: RungEntry[], entry: RungEntry, beforeEqual: boolean): number {
  // Binary search: the rung is sorted, so "the entry goes at or before i" holds for every i past the
  // place and none before it. A linear scan made a rung of n results cost n^2/2 comparisons, which a
  // restore replaying the whole search (searcher.ts, stateWithoutRows) pays at once.
  let lo = 0;
  let hi = rung.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const other = rung[mid]!.loss;
    if (beforeEqual ? !worse(entry.loss, other) : worse(other, entry.loss)) hi = mid;
    else lo = mid + 1;
  }
  rung.splice(lo, 0, entry);
  return lo;
}
