// Runs evaluations in slots: claims READY rows for free slots, starts them through the executor,
// and queues their outcomes for the caller. Shared by the leader launcher (which also searches) and
// the per-node agents (which only run what the leader proposed), so both behave alike.
import { closeSync, fstatSync, openSync, readSync, renameSync, writeFileSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { claimEvaluations, type Store } from "../src/store/index.js";
import type { ProgressPoint, EvaluationRow, FinishedEvaluation, WorkflowRow } from "../src/store/types.js";
import { evaluationFiles, resultsLayout, type ResultsLayout } from "../src/results/layout.js";
import { parseProgressLine } from "./executor/objective.js";
import { startEvaluation, type EvaluationOutcome, type RunningEvaluation } from "./executor/process.js";
import { Spawner } from "./executor/spawner-client.js";
import type { LauncherSettings } from "../src/store/settings.js";
import { SlotPool, type Slot } from "./slots.js";
import { runNames, runPoint } from "../src/nas/index.js";
import type { LaunchPrefix } from "./types.js";

export interface Finished {
  row: EvaluationRow;
  outcome: EvaluationOutcome;
}

export interface SlotRunnerOptions {
  store: Store;
  workflow: WorkflowRow;
  launcherId: number;
  slots: Slot[];
  settings: LauncherSettings;
  launchPrefix?: LaunchPrefix;
  /**
   * Searchers that hear progress: read running evaluations' `report:` lines as they are printed
   * (takeProgress), and let run modules wait for the answer to a report (answer()).
   */
  streamProgress?: boolean;
  /** The launcher's log, which says once when the slower fallback spawner is in use. */
  log?: (line: string) => void;
}

/** A report line of a running evaluation; seq counts its progress from 1 (the run's own count). */
export interface StreamedProgress {
  evalId: number;
  seq: number;
  step: number;
  value: number;
  at: number;
}

/** How often running evaluations' stdout is read for progress: the latency of an early stop. */
const REPORT_POLL_MS = 20;
/** The longest unfinished stdout line kept while waiting for its end (report lines are short). */
const MAX_LINE = 4096;
/** A run module told to stop gets this long to return its objective before it is terminated. */
const EARLY_STOP_GRACE_MS = 10_000;
/**
 * The signals a batch system ends a job with (scancel, qdel, bkill, the walltime, a node failure):
 * it sends them to every process of the job at once, evaluations included. A run killed by one of
 * them is held this long before it is recorded FAILED: if the launcher gets its own signal
 * meanwhile, the run was ended with its job, not by a fault of its own, and is handed back instead.
 */
const JOB_END_SIGNALS: ReadonlySet<string> = new Set(["SIGTERM", "SIGINT", "SIGHUP"]);
const JOB_END_HOLD_MS = 2_000;

function interruptedByJob(o: EvaluationOutcome): EvaluationOutcome {
  return { ...o, status: "INTERRUPTED", error: "stopped: the signal that ended its batch job reached it before the launcher" };
}

/** Killed by a job-ending signal: itself, or its child under a shell (exit code 128 + N). */
function endedByJobSignal(o: EvaluationOutcome): boolean {
  if (o.status !== "FAILED") return false;
  if (o.signal !== null) return JOB_END_SIGNALS.has(o.signal);
  return o.exitCode !== null && [...JOB_END_SIGNALS].some((name) => o.exitCode === 128 + (osConstants.signals as Record<string, number>)[name]!);
}

/** Where a running evaluation's stdout has been read up to. */
interface StdoutCursor {
  file: string;
  offset: number;
  partial: string;
  seq: number;
}

export class SlotRunner {
  private readonly running = new Map<number, { row: EvaluationRow; handle: RunningEvaluation; slot: Slot }>();
  private readonly pool: SlotPool;
  private readonly finished: Finished[] = [];
  private wake: (() => void) | null = null;
  private fatal: unknown;
  private readonly spawner: Spawner;
  private readonly progress: StreamedProgress[] = [];
  private readonly cursors = new Map<number, StdoutCursor>();
  private reportTimer: NodeJS.Timeout | undefined;
  /** Outcomes not yet settled (see start). */
  private readonly inFlight = new Set<Promise<void>>();
  /** Runs stopEarly() was called for (once is enough). */
  private readonly stoppedEarly = new Set<number>();
  /** Runs killed by a job-ending signal, not yet recorded (see JOB_END_SIGNALS). */
  private readonly held = new Map<number, Finished & { timer: NodeJS.Timeout }>();
  /** stopAll was called for the walltime or a signal: later ends are interruptions anyway. */
  private interrupting = false;
  private readonly layout: ResultsLayout;

  constructor(private readonly o: SlotRunnerOptions) {
    this.layout = resultsLayout(o.workflow.resultsDir);
    this.spawner = Spawner.start({ log: o.log });
    this.pool = new SlotPool(o.slots);
    if (o.streamProgress) {
      this.reportTimer = setInterval(() => this.pollProgress(), REPORT_POLL_MS);
      this.reportTimer.unref();
    }
  }

  get streamsProgress(): boolean {
    return this.o.streamProgress === true;
  }

  /** Ids of the evaluations running here. */
  runningIds(): number[] {
    return [...this.running.keys()];
  }

  /** The point of an evaluation running here. */
  pointOf(evalId: number): EvaluationRow["point"] | undefined {
    return this.running.get(evalId)?.row.point;
  }

  /** Reports printed since the last call, in arrival order (a finished run's last ones included). */
  takeProgress(): StreamedProgress[] {
    return this.progress.splice(0);
  }

  /**
   * Answers a run module waiting on its report `seq` (eval-entry.ts polls the control file): the
   * file is replaced whole, so the run never reads half an answer.
   */
  answer(evalId: number, seq: number, action: "continue" | "stop", length: number): void {
    const entry = this.running.get(evalId);
    if (!entry) return;
    const file = evaluationFiles(this.layout.evaluation(entry.row.id)).control;
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify({ seq, action, length }));
      renameSync(`${file}.tmp`, file);
    } catch {
      // The run has gone (its directory with it): nobody waits for the answer.
    }
  }

  /**
   * Ends a run the searcher stopped early (it ends STOPPED_EARLY, recorded DONE with its last progress point). A run module was told so in its
   * answer and normally returns its objective at once: it is only terminated if it does not
   * (or at once with `now`, when it was not waiting for the answer).
   */
  stopEarly(evalId: number, opts: { now?: boolean } = {}): void {
    const entry = this.running.get(evalId);
    if (!entry || this.stoppedEarly.has(evalId)) return;
    this.stoppedEarly.add(evalId);
    // Run modules (TypeScript or Python) wait for the answer and return; commands are terminated.
    if (this.o.workflow.run.kind !== "command" && !opts.now) setTimeout(() => entry.handle.stop("early"), EARLY_STOP_GRACE_MS).unref();
    else entry.handle.stop("early");
  }

  get runningCount(): number {
    return this.running.size;
  }

  get freeCount(): number {
    return this.pool.freeCount;
  }

  get pendingFinished(): number {
    return this.finished.length + this.held.size;
  }

  /** Outcomes that arrived since the last call, oldest first. Throws once an evaluation's working
   * directory could not be prepared. */
  takeFinished(): Finished[] {
    if (this.fatal !== undefined) throw this.fatal;
    return this.finished.splice(0);
  }

  /** Claims READY evaluations for up to n free slots and starts them; returns how many started. */
  async claimAndStart(n: number): Promise<number> {
    const slots = this.pool.take(n);
    // One claim statement per distinct host set: serial slots on one node are claimed together.
    const byHosts = new Map<string, Slot[]>();
    for (const slot of slots) {
      const key = slot.hosts.join(",");
      byHosts.set(key, [...(byHosts.get(key) ?? []), slot]);
    }
    let claimed = 0;
    for (const group of byHosts.values()) {
      const rows = await claimEvaluations(this.o.store, {
        workflowId: this.o.workflow.id,
        launcherId: this.o.launcherId,
        n: group.length,
        hosts: (group[0] as Slot).hosts,
      });
      rows.forEach((row, i) => this.start(row, group[i] as Slot));
      for (const unused of group.slice(rows.length)) this.pool.give(unused);
      claimed += rows.length;
    }
    return claimed;
  }

  /**
   * Takes up to n free slots for rows the caller creates already claimed (createEvaluations'
   * claim option), to be passed to startClaimed, or given back with releaseSlots if that fails.
   */
  takeSlots(n: number): Slot[] {
    return this.pool.take(n);
  }

  releaseSlots(slots: readonly Slot[]): void {
    for (const slot of slots) this.pool.give(slot);
  }

  /** Starts rows claimed for slots taken with takeSlots (row i on slot i); slots left over are freed. */
  startClaimed(rows: readonly EvaluationRow[], slots: readonly Slot[]): void {
    rows.forEach((row, i) => this.start(row, slots[i] as Slot));
    this.releaseSlots(slots.slice(rows.length));
  }

  /** Stops one running evaluation at the search method's request (it ends KILLED); false when it does not run in this runner. */
  stop(evalId: number): boolean {
    const entry = this.running.get(evalId);
    entry?.handle.stop("searcher");
    return entry !== undefined;
  }

  /**
   * SIGTERM (then SIGKILL) every running evaluation: "walltime" ones are re-run, "cancel" ones
   * KILLED. A "walltime" stop (the walltime margin, or the launcher's own signal) also hands back
   * the runs a job-ending signal killed just before: the same signal, sent to the whole job.
   */
  stopAll(reason: "walltime" | "cancel"): void {
    for (const { handle } of this.running.values()) handle.stop(reason);
    if (reason === "walltime") {
      this.interrupting = true;
      for (const [id, h] of this.held) {
        clearTimeout(h.timer);
        this.held.delete(id);
        this.finished.push({ row: h.row, outcome: interruptedByJob(h.outcome) });
      }
    }
    this.notify();
  }

  /** Waits until an evaluation ends, notify() is called, or ms pass. */
  sleep(ms: number): Promise<void> {
    if (this.finished.length > 0 || this.fatal !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async close(): Promise<void> {
    clearInterval(this.reportTimer);
    // Not recorded: their rows stay RUNNING for the hand-back or the next launcher's recovery.
    for (const h of this.held.values()) clearTimeout(h.timer);
    this.held.clear();
    await this.spawner.close();
    await Promise.all(this.inFlight);
  }

  private start(row: EvaluationRow, slot: Slot): void {
    const { workflow: wf, settings } = this.o;
    const prefix = this.o.launchPrefix;
    const workdir = this.layout.evaluation(row.id);
    const handle = startEvaluation(
      {
        evalId: row.id,
        attempt: row.attempt,
        // A NAS run gets arch_seq and its decoded architecture in place of the choices.
        point: runPoint(wf.problem, row.point),
        names: runNames(wf.problem),
        objectiveNames: wf.objectives && wf.objectives.length > 1 ? wf.objectives.map((o) => o.name) : null,
        run: wf.run,
        workdir,
        seed: wf.seed + row.id,
        timeoutSeconds: settings.evalTimeoutSeconds,
        env: { ...slot.env, ...this.fidelityEnv(row, workdir) },
        launchPrefix: prefix ? (env) => prefix(slot, env) : undefined,
      },
      { spawner: this.spawner, killGraceMs: settings.killGraceSeconds * 1000 },
    );
    this.running.set(row.id, { row, handle, slot });
    if (this.o.streamProgress) this.cursors.set(row.id, { file: evaluationFiles(workdir).stdout, offset: 0, partial: "", seq: 0 });
    // done rejects only when the working directory could not be written or the spawner died: the
    // launcher stops (takeFinished throws) and the row is recovered by the next launcher, rather
    // than the whole budget failing one evaluation at a time.
    const settled = handle.done.then(
      (outcome) => this.complete(row, outcome),
      (e: unknown) => {
        this.running.delete(row.id);
        this.fatal ??= e;
        this.notify();
      },
    );
    // close() waits for these: a run whose spawner died is ended by us, and must be before we go.
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }

  /** What a multi-fidelity run is told (eval-entry.ts turns it into ctx.length, ctx.resume...). */
  private fidelityEnv(row: EvaluationRow, workdir: string): Record<string, string> {
    const f = row.fidelity;
    const env: Record<string, string> = {};
    if (this.o.streamProgress) {
      env.SPRUCE_CONTROL_FILE = evaluationFiles(workdir).control;
      env.SPRUCE_REPORT_ACK = "1";
    }
    if (f) {
      env.SPRUCE_TRIAL = String(f.trial);
      env.SPRUCE_LENGTH = String(f.length);
      env.SPRUCE_MAX_LENGTH = String(f.maxLength);
      env.SPRUCE_RESUME_STEP = String(f.fromLength);
      env.SPRUCE_CHECKPOINT_DIR = this.layout.checkpoints(f.trial);
    }
    return env;
  }

  /** Reads what running evaluations printed since the last poll; wakes the loop on new progress. */
  private pollProgress(): void {
    let found = false;
    for (const id of this.cursors.keys()) found = this.readProgress(id) || found;
    if (found) this.notify();
  }

  private readProgress(evalId: number): boolean {
    const c = this.cursors.get(evalId);
    if (!c) return false;
    let fd: number;
    try {
      fd = openSync(c.file, "r");
    } catch {
      return false; // not created yet
    }
    let text = "";
    try {
      const size = fstatSync(fd).size;
      if (size <= c.offset) return false;
      const buffer = Buffer.alloc(size - c.offset);
      const n = readSync(fd, buffer, 0, buffer.length, c.offset);
      c.offset += n;
      text = buffer.subarray(0, n).toString("utf8");
    } finally {
      closeSync(fd);
    }
    const lines = (c.partial + text).split("\n");
    // A report line is short: an endless line (a progress bar redrawn with \r) is not kept whole.
    c.partial = (lines.pop() ?? "").slice(-MAX_LINE);
    let found = false;
    for (const line of lines) {
      const r = parseProgressLine(line);
      if (!r) continue;
      this.progress.push({ evalId, seq: ++c.seq, step: r.step, value: r.value, at: Date.now() });
      found = true;
    }
    return found;
  }

  private complete(row: EvaluationRow, outcome: EvaluationOutcome): void {
    // Its last progress come before its end.
    if (this.cursors.has(row.id)) {
      this.readProgress(row.id);
      const c = this.cursors.get(row.id)!;
      const last = parseProgressLine(c.partial); // a last line without its newline
      if (last) this.progress.push({ evalId: row.id, seq: ++c.seq, step: last.step, value: last.value, at: Date.now() });
      this.cursors.delete(row.id);
    }
    this.stoppedEarly.delete(row.id);
    const entry = this.running.get(row.id);
    if (entry) this.pool.give(entry.slot);
    this.running.delete(row.id);
    if (endedByJobSignal(outcome) && this.interrupting) {
      // Its exit was seen before the stop, its outcome settled after: the stop could not mark it.
      outcome = interruptedByJob(outcome);
    } else if (endedByJobSignal(outcome)) {
      const timer = setTimeout(() => {
        this.held.delete(row.id);
        this.finished.push({ row, outcome });
        this.notify();
      }, JOB_END_HOLD_MS);
      this.held.set(row.id, { row, outcome, timer });
      return;
    }
    this.finished.push({ row, outcome });
    this.notify();
  }
}

/** The store's view of ended evaluations (INTERRUPTED ones are re-run, not finished). */
export function finishedResults(batch: Finished[]): FinishedEvaluation[] {
  return batch
    .filter((f) => f.outcome.status !== "INTERRUPTED")
    .map(({ row, outcome }) => ({
      id: row.id,
      attempt: row.attempt,
      state: outcome.status as FinishedEvaluation["state"],
      objective: outcome.status === "DONE" ? outcome.objective : null,
      objectives: outcome.status === "DONE" ? outcome.objectives : null,
      metrics: outcome.metadata,
      exitCode: outcome.exitCode,
      error: outcome.error,
      finishedAt: outcome.finishedAt,
    }));
}


/**
 * The progress of recorded runs whose progress were not streamed (their searcher does not hear them),
 * read from their stdout at the end: kept for the report's learning curves.
 */
export function unstreamedProgress(batch: Finished[], recorded: ReadonlySet<number>): ProgressPoint[] {
  return batch.flatMap(({ row, outcome }) =>
    recorded.has(row.id) ? outcome.progress.map((r) => ({ evaluationId: row.id, step: r.step, value: r.value, at: outcome.finishedAt })) : [],
  );
}
