// The launcher's side of a multi-fidelity search (asha). The searcher thinks in trials
// and lengths; the launcher runs evaluation rows. A trial's first row trains from 0; each report a
// running row prints goes to the searcher, whose decision is carried out at once (stop the run, or
// let it train on); a paused trial promoted later continues in a new row from the length it had
// reached (its checkpoint directory is the trial's). No barrier anywhere: slots take the next
// resume or new trial as soon as they free.
import type { AshaSearcher } from "../src/search/asha/searcher.js";
import type { JsonValue, Point } from "../src/space/types.js";
import type { EvaluationRow, Fidelity } from "../src/store/types.js";
import type { EvaluationOutcome } from "./executor/process.js";

export interface FidelityWork {
  point: Point;
  fidelity: Fidelity;
}

export interface ProgressDecision {
  action: "continue" | "stop";
  /** The length of the next decision (what a waiting run module trains on to). */
  length: number;
  /** Why, for the log: training, promoted, paused, stopped, completed, or decided earlier. */
  reason: string;
}

export class FidelityDriver {
  /** Evaluation row -> trial, for every row of the workflow that belongs to a trial. */
  private readonly trialOf = new Map<number, number>();
  /** A running row's last report: a run the searcher stopped is recorded with this value. */
  private readonly lastReport = new Map<number, { step: number; value: number }>();
  /** Rows whose run a decision stopped before max length (paused or stopped), with the reason. */
  private readonly stoppedRuns = new Map<number, string>();
  /** Rows that passed a rung during their run: if one ends by itself, its trial resumes. */
  private readonly promotedDuringRun = new Set<number>();
  private readonly maxLength: number;

  constructor(private readonly searcher: AshaSearcher, rows: readonly EvaluationRow[]) {
    for (const r of rows) if (r.fidelity) this.trialOf.set(r.id, r.fidelity.trial);
    this.maxLength = searcher.scheduler.config.maxLength;
  }

  /** Rows created for work from next(): their trials are known from now on. */
  created(rows: readonly EvaluationRow[]): void {
    for (const r of rows) if (r.fidelity) this.trialOf.set(r.id, r.fidelity.trial);
  }

  /** Up to n pieces of work: promoted trials to resume first, then new trials. */
  next(n: number): FidelityWork[] {
    const work: FidelityWork[] = this.searcher.takeResumes(n).map((r) => ({
      point: this.searcher.point(r.trialId),
      fidelity: { trial: r.trialId, fromLength: r.fromLength, length: r.length, maxLength: this.maxLength },
    }));
    if (work.length < n) {
      for (const t of this.searcher.newTrials(n - work.length)) {
        work.push({ point: t.point, fidelity: { trial: t.trialId, fromLength: 0, length: t.length, maxLength: this.maxLength } });
      }
    }
    return work;
  }

  /** A running row reported `value` after `step` units: the searcher decides what it does next. */
  onReport(evalId: number, step: number, value: number): ProgressDecision {
    const trial = this.trialOf.get(evalId);
    this.lastReport.set(evalId, { step, value });
    if (trial === undefined) return { action: "continue", length: Infinity, reason: "not a trial" };
    // Reports printed after the stop decision, before the run noticed: the decision stands, even
    // if the trial has been promoted since and runs on in a new row (it speaks for the trial now).
    const stopped = this.stoppedRuns.get(evalId);
    if (stopped !== undefined) return { action: "stop", length: step, reason: `already ${stopped}` };
    const info = this.searcher.scheduler.info(trial);
    if (info.status !== "running") return { action: "stop", length: step, reason: `already ${info.status}` };
    const d = this.searcher.report(trial, step, value);
    if (d.reason === "promoted") this.promotedDuringRun.add(evalId);
    if (d.action === "stop" && d.reason !== "completed") this.stoppedRuns.set(evalId, d.reason);
    return { action: d.action, length: d.length, reason: d.reason };
  }

  /**
   * A row ended: returns the outcome to record. A run the searcher stopped is DONE with its last
   * reported value (that is what the trial achieved); one that ended by itself tells the searcher
   * what happened if no report decided it already.
   */
  finish(row: EvaluationRow, outcome: EvaluationOutcome): EvaluationOutcome {
    const trial = this.trialOf.get(row.id);
    const last = this.lastReport.get(row.id);
    const promoted = this.promotedDuringRun.delete(row.id);
    const stopped = this.stoppedRuns.get(row.id);
    this.stoppedRuns.delete(row.id);
    this.lastReport.delete(row.id);
    if (trial === undefined) return outcome;
    // Re-run later (walltime) or cancelled: the trial's fate is not the run's.
    if (outcome.status === "INTERRUPTED" || outcome.status === "KILLED") return outcome;
    const info = this.searcher.scheduler.info(trial);
    // A run module told to stop returns by itself (DONE): the row still says it was stopped.
    const recorded = trialOutcome(outcome, trial, last, info.length, stopped ?? (outcome.status === "STOPPED_EARLY" ? info.status : undefined));
    // A run a decision stopped told the searcher all it had to (its trial may run on in a new row).
    if (outcome.status === "STOPPED_EARLY" || stopped !== undefined) return recorded;
    if (info.status === "running") {
      if (outcome.status !== "DONE") this.searcher.fail(trial);
      // It passed a rung while running, then ended without reaching the next: continue it later
      // from where it got to (its checkpoint), as if it had been paused there and promoted.
      else if (promoted && last !== undefined) this.searcher.requeue(trial, last.step);
      // It never reported (or not up to its decision length): its objective counts at that length.
      else this.searcher.tell([{ evalId: row.id, point: row.point, status: "DONE", objective: outcome.objective }]);
    }
    return recorded;
  }

  /** Every trial created and none running or waiting to resume: the search is over. */
  finished(): boolean {
    return this.searcher.finished();
  }
}

/**
 * What is recorded for a run of a trial (by the leader, or by the agent that ran it): its metrics
 * say which trial, how far it trained and, when a decision ended it, why (`stopped`). A run the
 * searcher stopped early is DONE with the value it reported last: that is what the trial achieved.
 */
export function trialOutcome(
  outcome: EvaluationOutcome,
  trial: number,
  last: { step: number; value: number } | undefined,
  plannedLength: number,
  stopped: string | undefined,
): EvaluationOutcome {
  const metadata: Record<string, JsonValue> = { ...(outcome.metadata ?? {}), trial, length: last?.step ?? plannedLength };
  if (stopped !== undefined) metadata.stopped = stopped;
  if (outcome.status === "STOPPED_EARLY") {
    if (last === undefined) return { ...outcome, status: "FAILED", error: "stopped early by the searcher before any report" };
    return { ...outcome, status: "DONE", objective: last.value, metadata, error: null };
  }
  return outcome.status === "DONE" ? { ...outcome, metadata } : outcome;
}
