// The search loop of a launcher (started by runLauncher in launcher.ts): as soon as evaluations
// finish it records them, tells the searcher all of them and asks for as many new points at once,
// starts them in the free slots, steers running ones through their progress, and publishes results
// off the path from a finish to the next start.
import { mkdirSync } from "node:fs";
import type { Space } from "../src/space/space.js";
import type { EvaluationResult, Searcher, SearcherHistory, SearcherJournal } from "../src/search/searcher.js";
import type { CustomSearcher } from "../src/search/custom/searcher.js";
import type { LoadedSearcher } from "../src/search/registry.js";
import {
  countEvaluations,
  createEvaluations,
  finishEvaluations,
  finishedCount,
  getWorkflowState,
  listUntold,
  markTold,
  getEvaluation,
  listProgress,
  recordProgress,
  requeueRunning,
  setWorkflowState,
  type Store,
} from "../src/store/index.js";
import type { EvaluationControl, EvaluationRow, WorkflowRow } from "../src/store/types.js";
import type { JsonValue, Point } from "../src/space/types.js";
import type { EvaluationOutcome } from "./executor/process.js";
import { appendResults, recordedRows } from "../src/results/csv.js";
import { recordNames } from "../src/nas/index.js";
import { resultsLayout } from "../src/results/layout.js";
import { refreshReport, shouldRefresh } from "../src/results/report.js";
import { finishedResults, SlotRunner, unstreamedProgress } from "./slot-runner.js";
import type { LauncherSettings } from "../src/store/settings.js";
import type { FidelityDriver } from "./fidelity.js";
import type { Slot } from "./slots.js";
import type { LaunchPrefix, LauncherEnd } from "./types.js";

/** What the search loop works with: the leader's row, its slots and its searcher. */
export interface SearchLoopInputs {
  store: Store;
  workflow: WorkflowRow;
  launcherId: number;
  settings: LauncherSettings;
  slots: Slot[];
  launchPrefix?: LaunchPrefix;
  /** The slots the agents add on other nodes; null when there are no agents. */
  agentSlots: number | null;
  /** Absolute time (ms) after which nothing new is dispatched; null = no walltime. */
  dispatchDeadline: number | null;
  log: (line: string) => void;
  space: Space;
  searcher: LoadedSearcher;
  /** Searchers that count trials: the driver that runs them as rows. */
  driver: FidelityDriver | null;
  /** The workflow's latest tell stamp (lastToldAt): this leader's stamps follow it. */
  lastToldAt: number;
}

/** How often a leader with agents looks for their results. */
const AGENT_POLL_MS = 250;

export class SearchLoop {
  private readonly runner: SlotRunner;
  private stopping: LauncherEnd | null = null;
  private readonly csvFile: string;
  private lastProgressAt: number | null = null;
  /** Recorded in the database, not yet in results.csv and the log. */
  private readonly unpublished: EvaluationRow[] = [];
  /** Answers and stops for runs on other nodes, written with the next progress (handleProgress). */
  private controls: EvaluationControl[] = [];
  /** The last agents' report read (evaluation_reports.id). */
  private progressCursor = 0;
  /** Points of evaluations running elsewhere, for a custom method's onReport. */
  private readonly remotePoints = new Map<number, Point>();
  /** Evaluations stopped at the searcher's request: their end is told to it (as failures). */
  private readonly stoppedBySearcher = new Set<number>();
  /** Slots of the whole allocation: this node's and the agents'. */
  private readonly capacity: number;
  private readonly launcherId: number;
  private readonly searcher: Searcher;
  /** A custom method's runner (its stop operations, its onReport); null for other searchers. */
  private readonly custom: CustomSearcher | null;
  private readonly hearsProgress: boolean;
  private readonly driver: FidelityDriver | null;
  /** Agents run evaluations on other nodes: their results and progress come through the database. */
  private readonly agents: boolean;
  finishedHere = 0;
  /** The last tell stamp written (see toldStamp). */
  private lastToldAt: number;
  /** Evaluations finishing per second (a moving average), and how long the last ask took: see lookahead(). */
  private finishRate = 0;
  private finishedSince = 0;
  private rateSince = Date.now();
  private lastAskSeconds = 0;

  constructor(private readonly o: SearchLoopInputs) {
    this.lastToldAt = o.lastToldAt;
    this.launcherId = o.launcherId;
    this.searcher = o.searcher.searcher;
    this.custom = o.searcher.custom;
    this.hearsProgress = o.searcher.capabilities.hearsProgress;
    this.driver = o.driver;
    this.agents = o.agentSlots !== null;
    this.runner = new SlotRunner({
      store: o.store,
      workflow: o.workflow,
      launcherId: o.launcherId,
      slots: o.slots,
      settings: o.settings,
      launchPrefix: o.launchPrefix,
      streamProgress: this.hearsProgress,
      log: o.log,
    });
    this.capacity = o.slots.length + (o.agentSlots ?? 0);
    const layout = resultsLayout(o.workflow.resultsDir);
    mkdirSync(layout.evals, { recursive: true });
    this.csvFile = layout.resultsCsv;
  }

  stop(reason: LauncherEnd): void {
    if (this.stopping) return;
    this.stopping = reason;
    this.runner.stopAll(reason === "stopped" ? "cancel" : "walltime");
  }

  async close(): Promise<void> {
    await this.runner.close();
  }

  /** Set when the searcher (a user's search method, say) threw: the search stops cleanly. */
  failure: string | undefined;

  async run(): Promise<LauncherEnd> {
    try {
      return await this.loop();
    } catch (e) {
      if (!(e instanceof SearcherFailure)) throw e;
      const { store, workflow: wf } = this.o;
      this.failure = e.message;
      this.o.log(`the searcher failed; stopping the search:\n${e.message}`);
      this.stopping = "failed";
      this.runner.stopAll("walltime");
      while (this.runner.runningCount > 0) await this.runner.sleep(1000);
      this.runner.takeFinished();
      await requeueRunning(store, { workflowId: wf.id, launcherId: this.launcherId, note: "the searcher failed" });
      await setWorkflowState(store, wf.id, "FAILED", e.message);
      return "failed";
    }
  }

  /**
   * The state saved with every event: without the rows' results and pending points when the
   * searcher can rebuild them from the rows, so its cost does not grow with the search
   * (docs/architecture.md, Searcher state from the rows).
   */
  private savedState(): { searcherState: JsonValue; searcherJournal?: SearcherJournal } {
    if (!this.searcher.stateWithoutRows) return { searcherState: this.searcher.state() };
    // The journal entries since the last save go in the same transaction as the state that counts them.
    return { searcherState: this.searcher.stateWithoutRows(), searcherJournal: this.searcher.takeJournal?.() };
  }

  /**
   * told_at of the results told now: after every earlier stamp of the workflow, even when this
   * node's clock is behind the last leader's, so (told_at, id) orders the rows as they were told.
   */
  private toldStamp(): number {
    this.lastToldAt = Math.max(Date.now(), this.lastToldAt + 1);
    return this.lastToldAt;
  }

  /** Calls the searcher; its exceptions (user code for custom methods) carry their stack out. */
  private searching<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw new SearcherFailure(`${this.searcher.name} searcher, ${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  /** A custom method's stop operations: evaluations running here end KILLED. */
  private applyStops(): void {
    for (const id of this.custom?.takeStops() ?? []) {
      if (this.runner.stop(id)) {
        this.stoppedBySearcher.add(id);
        this.o.log(`evaluation ${id}: stopped at the searcher's request`);
      } else if (this.agents) {
        // Running on another node: its agent reads the request from the row (handleProgress writes it).
        this.controls.push({ evaluationId: id, stop: "searcher" });
        this.o.log(`evaluation ${id}: stopped at the searcher's request (on another node)`);
      } else this.o.log(`evaluation ${id}: the searcher asked to stop it, but it is no longer running`);
    }
  }

  private async loop(): Promise<LauncherEnd> {
    const { store, workflow: wf } = this.o;
    for (;;) {
      if (!this.stopping && this.o.dispatchDeadline !== null && Date.now() >= this.o.dispatchDeadline) {
        this.o.log("walltime margin reached: stopping dispatch, interrupting running evaluations");
        this.stop("walltime");
      }
      await this.handleProgress();
      await this.recordFinished();
      if (this.agents) await this.tellOthers();
      if (this.stopping) {
        if (this.runner.runningCount === 0) break;
      } else {
        const end = await this.dispatch();
        if (end) {
          // An agent may have finished the last evaluations after this iteration's tellOthers.
          if (this.agents) await this.tellOthers();
          return end; // the workflow is marked FINISHED once the last results are published
        }
      }
      // Published only once the free slots are refilled: results.csv, the report and the log lines
      // stay off the path from a finish to the next start, where every millisecond is an idle slot.
      // What is left when the loop ends is published by runLauncher.
      await this.publish();
      await this.runner.sleep(this.sleepMs());
    }
    if (this.agents) await this.tellOthers();
    // Interrupted evaluations go back to READY for the next launcher (attempt+1).
    await requeueRunning(store, { workflowId: wf.id, launcherId: this.launcherId, note: `launcher stopped (${this.stopping})` });
    return this.stopping ?? "stopped";
  }

  /** Fills free slots: READY rows first (left by a previous launcher), then new points. */
  private async dispatch(): Promise<LauncherEnd | null> {
    const { store, workflow: wf } = this.o;
    const counts = await countEvaluations(store, wf.id);
    const done = finishedCount(counts);
    // A multi-fidelity search counts trials, not rows (a promoted trial continues in a new row):
    // its searcher says when it is over.
    if (!this.driver && done >= wf.maxEvals && this.runner.runningCount === 0) return "completed";
    // READY rows first (left by a previous launcher, or not yet taken by an agent). Usually there
    // are none: this loop claims what it creates at once, so the claim statement is skipped.
    if (this.runner.freeCount > 0 && counts.READY > 0) await this.runner.claimAndStart(this.runner.freeCount);
    // New points fill every slot of the allocation, agents' included; claims above moved rows from
    // READY to RUNNING, so the counts still describe what is outstanding. Never exceed max_evals:
    // everything finished, running anywhere or waiting counts (DeepHyper #120).
    // What runs here counts even if its rows were changed under us (cancelled, or recovered by a
    // launcher that took this one for dead).
    const running = Math.max(counts.RUNNING, this.runner.runningCount);
    const budget = this.driver ? Infinity : wf.maxEvals - done - running - counts.READY;
    // Points asked ahead wait READY for the slots that free while the next ask runs.
    const ahead = this.lookahead();
    const idle = this.capacity + ahead - running - counts.READY;
    const want = Math.min(idle, budget);
    let created = 0;
    // With rows ahead, ask once they are half used (fewer, larger asks: one surrogate fit each),
    // or when a slot here has nothing to claim, or for the last points of the budget.
    const due = want >= Math.ceil(ahead / 2) || want === budget || this.runner.freeCount > 0;
    if (want > 0 && due && (this.driver !== null || !this.searcher.exhausted())) {
      // No new work for a workflow the user stopped (spruce cancel): stop what runs here too.
      if ((await getWorkflowState(store, wf.id)) === "STOPPED") {
        this.o.log("the workflow was stopped (spruce cancel): stopping its evaluations");
        this.stop("stopped");
        return null;
      }
      const askedAt = Date.now();
      const work = this.driver ? this.searching("ask", () => this.driver!.next(want)) : null;
      const points = work ? work.map((w) => w.point) : this.searching("ask", () => this.searcher.ask(want));
      if (points.length > 0) {
        // The rows for this node's free slots are created claimed: they start without a claim
        // statement (a transaction per loop turn saved); the rest wait READY for agents.
        const slots = this.runner.takeSlots(Math.min(points.length, this.runner.freeCount));
        let rows: EvaluationRow[];
        try {
          rows = await createEvaluations(store, wf.id, points, {
            ...this.savedState(),
            fidelity: work?.map((w) => w.fidelity),
            claim: { launcherId: this.launcherId, hosts: slots.map((slot) => slot.hosts) },
          });
        } catch (e) {
          this.runner.releaseSlots(slots);
          throw e;
        }
        this.driver?.created(rows);
        created = rows.length;
        this.runner.startClaimed(rows.slice(0, slots.length), slots);
      }
      this.lastAskSeconds = (Date.now() - askedAt) / 1000;
    }
    if (this.runner.runningCount === 0 && this.runner.pendingFinished === 0) {
      const after = await countEvaluations(store, wf.id);
      if (after.READY === 0 && after.RUNNING === 0 && created === 0) {
        // Agents' results that ended after this iteration's tellOthers (after counts them as
        // finished) may give the searcher more to do, a promoted trial to resume: not over yet.
        if (this.agents && (await this.tellOthers()) > 0) return null;
        if (this.driver) {
          if (this.driver.finished()) return "completed";
          // Nothing runs, nothing waits, and the searcher gives nothing: it can never finish.
          this.o.log("the searcher has trials in progress but nothing to run: ending the search");
          return "exhausted";
        }
        if (this.searcher.exhausted()) {
          this.o.log(`search space exhausted after ${done} evaluation(s): nothing new to try`);
          return "exhausted";
        }
        if (budget <= 0) return "completed";
      }
    }
    return null;
  }

  /**
   * How many points to keep asked ahead, waiting READY beyond the allocation's idle slots: twice
   * the evaluations expected to finish while one ask runs (finish rate x the last ask's duration),
   * so that slots freed during an ask start on a waiting row (claimed at the next iteration)
   * instead of waiting for the next ask. 0 while asks are short against the finish rate: then
   * each point is asked when its slot frees, knowing every result until then
   * (docs/architecture.md, The search loop).
   */
  private lookahead(): number {
    const now = Date.now();
    const elapsed = (now - this.rateSince) / 1000;
    if (elapsed >= 1) {
      // A moving average over a few seconds: bursts of finishes should not swing it.
      const rate = this.finishedSince / elapsed;
      this.finishRate = this.finishRate === 0 ? rate : 0.7 * this.finishRate + 0.3 * rate;
      this.finishedSince = 0;
      this.rateSince = now;
    }
    return Math.floor(2 * this.finishRate * this.lastAskSeconds);
  }

  /** Writes every evaluation that ended since the last call in one transaction, with the searcher's state. */
  private async recordFinished(): Promise<void> {
    let batch = this.runner.takeFinished();
    if (batch.length === 0) return;
    this.finishedSince += batch.length;
    const { store, workflow: wf } = this.o;
    const driver = this.driver;
    // A multi-fidelity searcher learnt the runs' progress already; the driver tells it the rest.
    if (driver) batch = batch.map(({ row, outcome }) => ({ row, outcome: this.searching("tell", () => driver.finish(row, outcome)) }));
    const results = finishedResults(batch);
    // A run the searcher stopped ends KILLED and is told (see toldResult). Runs the user stopped
    // (cancel) and walltime interruptions are not told.
    const told: EvaluationResult[] = driver
      ? []
      : batch
          .filter((f) => f.outcome.status !== "INTERRUPTED" && (f.outcome.status !== "KILLED" || this.stoppedBySearcher.has(f.row.id)))
          .map(({ row, outcome }) => toldResult(row, outcome.status, outcome.objective, outcome.error, outcome.objectives))
          // In id order, as the rows replay them (listSearcherHistory).
          .sort((a, b) => a.evalId - b.evalId);
    for (const f of batch) this.stoppedBySearcher.delete(f.row.id);
    if (told.length > 0) {
      this.searching("tell", () => this.searcher.tell(told));
      this.applyStops();
    }
    if (results.length === 0) return;
    // Told: what the searcher learnt (the driver learnt every result); a run the user stopped is not.
    const toldIds = driver ? undefined : told.map((r) => r.evalId);
    const rows = await finishEvaluations(store, results, {
      ...this.savedState(),
      launcherId: this.launcherId,
      told: { at: this.toldStamp(), ids: toldIds },
    });
    this.finishedHere += rows.length;
    this.unpublished.push(...rows);
    // Reports of runs nobody streamed (searchers that do not hear them), for the report's curves.
    const progress = this.runner.streamsProgress ? [] : unstreamedProgress(batch, new Set(rows.map((r) => r.id)));
    if (progress.length > 0) await recordProgress(store, wf.id, progress);
  }

  /**
   * Searchers that decide on progress: multi-fidelity ones (each report of a running evaluation goes
   * to the searcher, its decision is carried out at once: a waiting run module gets its answer, a
   * stopped run ends) and custom methods with onReport. The progress are saved with the searcher
   * state that decided on them.
   */
  private async handleProgress(): Promise<void> {
    const { store, workflow: wf } = this.o;
    const driver = this.driver;
    const local = this.runner.takeProgress();
    // Agents record their runs' progress in the database; the leader decides on them here.
    const remote = this.hearsProgress && this.agents ? await listProgress(store, wf.id, { afterId: this.progressCursor, notBy: this.launcherId }) : [];
    this.progressCursor = remote.at(-1)?.id ?? this.progressCursor;
    if (local.length === 0 && remote.length === 0 && this.controls.length === 0) return;
    const all = [
      ...local.map((r) => ({ evalId: r.evalId, seq: r.seq, step: r.step, value: r.value, here: true })),
      ...remote.map((r) => ({ evalId: r.evaluationId, seq: r.seq ?? 0, step: r.step, value: r.value, here: false })),
    ];
    // The state is saved when a report decided something: below a rung a report only moves the
    // trial's reached length, which a re-run progress again (asha journals such reports all the
    // same: the entries go with the next save).
    let decided = !driver;
    if (driver) {
      for (const r of all) {
        const d = this.searching("report", () => driver.onReport(r.evalId, r.step, r.value));
        if (d.reason !== "training") decided = true;
        // "already": decided before this run (a re-run after a crash), which does not wait for answers below its rung.
        const again = d.reason.startsWith("already");
        if (r.here) {
          this.runner.answer(r.evalId, r.seq, d.action, d.length);
          if (d.action === "stop") this.runner.stopEarly(r.evalId, { now: again });
        } else {
          this.controls.push({ evaluationId: r.evalId, answer: { seq: r.seq, action: d.action, length: d.length }, stop: d.action === "stop" ? "early" : undefined });
        }
        if (d.reason === "promoted") this.o.log(`evaluation ${r.evalId}: promoted at step ${r.step} (value ${r.value}), training on to ${d.length}`);
        if (d.action === "stop" && !again) this.o.log(`evaluation ${r.evalId}: ${d.reason} at step ${r.step} (value ${r.value})`);
      }
    } else if (this.custom && this.hearsProgress) {
      // A custom method's onReport: its stop operations end runs (KILLED), here or through their agent.
      const custom = this.custom;
      for (const r of all) {
        const point = r.here ? this.runner.pointOf(r.evalId) : await this.pointOf(r.evalId);
        if (point) this.searching("report", () => custom.report(r.evalId, point, r.step, r.value));
      }
      this.applyStops();
    }
    const controls = this.controls.splice(0);
    await recordProgress(
      store,
      wf.id,
      local.map((r) => ({ evaluationId: r.evalId, seq: r.seq, launcherId: this.launcherId, step: r.step, value: r.value, at: r.at })),
      { ...(decided ? this.savedState() : {}), controls },
    );
  }

  skipProgressBefore(id: number): void {
    this.progressCursor = id;
  }

  /** The point of an evaluation running on another node (read once). */
  private async pointOf(evalId: number): Promise<Point | undefined> {
    let point = this.remotePoints.get(evalId);
    if (point === undefined) {
      point = (await getEvaluation(this.o.store, evalId))?.point;
      if (point !== undefined) this.remotePoints.set(evalId, point);
    }
    return point;
  }

  /** Tells the searcher results finished elsewhere (agents), marking them told with its new state; returns how many. */
  async tellOthers(): Promise<number> {
    const { store, workflow: wf } = this.o;
    const rows = await listUntold(store, wf.id);
    if (rows.length === 0) return 0;
    this.finishedSince += rows.length;
    for (const r of rows) this.remotePoints.delete(r.id);
    const driver = this.driver;
    if (driver) {
      // The agent recorded a stopped run with its last report already; the driver settles the rest.
      for (const r of rows) this.searching("tell", () => driver.finish(r, outcomeOfRow(r)));
    } else {
      // KILLED here means stopped at a custom method's request (listUntold only lists those).
      const told = rows.map((r) => toldResult(r, r.state, r.objective, r.error, r.objectives));
      this.searching("tell", () => this.searcher.tell(told));
    }
    this.applyStops();
    const saved = this.savedState();
    await markTold(store, wf.id, rows.map((r) => r.id), saved.searcherState, this.toldStamp(), saved.searcherJournal);
    this.unpublished.push(...rows);
    return rows.length;
  }

  /** results.csv (the leader is its only writer), the report, and a log line per result, for the
   * results recorded since the last call. */
  async publish(): Promise<void> {
    const rows = this.unpublished.splice(0);
    if (rows.length === 0) return;
    const { store, workflow: wf } = this.o;
    appendResults(this.csvFile, recordNames(wf.problem), recordedRows(wf.problem, rows), wf.createdAt, wf.objectives?.length ?? 1);
    // report.html is refreshed cheaply: throttled, and less often as the search grows.
    if (shouldRefresh(this.lastProgressAt, this.finishedHere, Date.now())) {
      this.lastProgressAt = Date.now();
      await refreshReport(store, wf, { log: this.o.log });
    }
    for (const r of rows) {
      const what = r.state !== "DONE" ? `${r.state}: ${firstLine(r.error)}` : r.objectives ? `objectives ${r.objectives.join(", ")}` : `objective ${r.objective}`;
      this.o.log(`evaluation ${r.id} ${what}`);
    }
  }

  /** Completions wake the loop at once; otherwise wake for the walltime margin, or poll while
   * another launcher holds the remaining work. */
  private sleepMs(): number {
    // Agents' results arrive through the database, not as wake-ups: poll for them.
    let ms = this.agents ? AGENT_POLL_MS : this.runner.runningCount > 0 ? this.o.settings.heartbeatSeconds * 1000 : 1000;
    if (!this.stopping && this.o.dispatchDeadline !== null) ms = Math.min(ms, Math.max(0, this.o.dispatchDeadline - Date.now()));
    return ms;
  }
}

export class SearcherFailure extends Error {}

/**
 * What the searcher is told of an ended evaluation. KILLED is told only of runs stopped at the
 * searcher's own request: as a failure, so that it does not wait for their results.
 */
export function toldResult(row: EvaluationRow, status: string, objective: number | null, error: string | null, objectives: number[] | null): EvaluationResult {
  const killed = status === "KILLED";
  return {
    evalId: row.id,
    point: row.point,
    status: (killed ? "FAILED" : status) as EvaluationResult["status"],
    objective: status === "DONE" ? objective : null,
    objectives: status === "DONE" ? objectives : null,
    error: killed ? "stopped by the search method" : (error?.split("\n")[0] ?? null),
  };
}

/**
 * What a searcher restoring a stateWithoutRows() needs from the rows (listSearcherHistory), as the
 * launcher restores it: the results told, the pending points, each trial's point (searchers that
 * count trials) and the journal.
 */
export function searcherHistory(rows: { told: EvaluationRow[]; pending: EvaluationRow[]; journal: JsonValue[] }): SearcherHistory {
  const trials: Point[] = [];
  for (const r of [...rows.told, ...rows.pending]) if (r.fidelity) trials[r.fidelity.trial] = r.point;
  return {
    // A KILLED row told is one the searcher stopped: told as a failure, as when it ended.
    told: rows.told.map((r) => toldResult(r, r.state, r.objective, r.error, r.objectives)),
    pending: rows.pending.map((r) => r.point),
    trials,
    journal: rows.journal,
  };
}

/** A row an agent finished, as the outcome the driver expects. */
function outcomeOfRow(r: EvaluationRow): EvaluationOutcome {
  return {
    status: r.state as EvaluationOutcome["status"],
    objective: r.objective,
    objectives: r.objectives,
    metadata: r.metrics,
    exitCode: r.exitCode,
    signal: null,
    error: r.error,
    progress: [],
    startedAt: r.startedAt ?? 0,
    finishedAt: r.finishedAt ?? 0,
  };
}

function firstLine(s: string | null): string {
  return (s ?? "").split("\n")[0] ?? "";
}
