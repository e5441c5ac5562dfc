// Runs evaluations in slots: claims READY rows for free slots, starts them through the executor,
// and queues their outcomes for the caller. Shared by the leader launcher (which also searches) and
// the per-node agents (which only run what the leader proposed), so both behave alike.
import { join } from "node:path";
import { claimEvaluations, type Store } from "../src/store/index.js";
import type { EvaluationRow, FinishedEvaluation, WorkflowRow } from "../src/store/types.js";
import { startEvaluation, type EvaluationOutcome, type RunningEvaluation } from "./executor/process.js";
import { Spawner } from "./executor/spawner-client.js";
import type { LauncherSettings } from "./settings.js";
import { SlotPool, type Slot } from "./slots.js";

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
  /** mpi mode: the launch command put before each evaluation's program, for its slot's hosts. */
  launchPrefix?: (slot: Slot, evaluationEnv: Record<string, string>) => string[];
}

export class SlotRunner {
  private readonly running = new Map<number, { row: EvaluationRow; handle: RunningEvaluation; slot: Slot }>();
  private readonly pool: SlotPool;
  private readonly finished: Finished[] = [];
  private wake: (() => void) | null = null;
  private fatal: unknown;
  private readonly spawner: Spawner;

  constructor(private readonly o: SlotRunnerOptions) {
    this.spawner = Spawner.start();
    this.pool = new SlotPool(o.slots);
  }

  get runningCount(): number {
    return this.running.size;
  }

  get freeCount(): number {
    return this.pool.freeCount;
  }

  get pendingFinished(): number {
    return this.finished.length;
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

  /** SIGTERM (then SIGKILL) every running evaluation: "walltime" ones are re-run, "user" ones KILLED. */
  /** Stops one running evaluation here (it ends KILLED); false when it does not run in this runner. */
  stop(evalId: number): boolean {
    const entry = this.running.get(evalId);
    entry?.handle.stop("user");
    return entry !== undefined;
  }

  stopAll(reason: "walltime" | "user"): void {
    for (const { handle } of this.running.values()) handle.stop(reason);
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
    await this.spawner.close();
  }

  private start(row: EvaluationRow, slot: Slot): void {
    const { workflow: wf, settings } = this.o;
    const prefix = this.o.launchPrefix;
    const handle = startEvaluation(
      {
        evalId: row.id,
        attempt: row.attempt,
        point: row.point,
        run: wf.run,
        workdir: join(wf.resultsDir, "evals", String(row.id)),
        seed: wf.seed + row.id,
        timeoutSeconds: settings.evalTimeoutSeconds,
        env: slot.env,
        launchPrefix: prefix ? (env) => prefix(slot, env) : undefined,
      },
      { spawner: this.spawner, killGraceMs: settings.killGraceSeconds * 1000 },
    );
    this.running.set(row.id, { row, handle, slot });
    // done rejects only when the working directory could not be written: as when that failed
    // before the spawner prepared it, the launcher stops (takeFinished throws) and the row is
    // recovered by the next launcher, rather than the whole budget failing one evaluation at a time.
    handle.done.then(
      (outcome) => this.complete(row, outcome),
      (e: unknown) => {
        this.fatal ??= e;
        this.notify();
      },
    );
  }

  private complete(row: EvaluationRow, outcome: EvaluationOutcome): void {
    const entry = this.running.get(row.id);
    if (entry) this.pool.give(entry.slot);
    this.running.delete(row.id);
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
      metrics: outcome.metadata,
      exitCode: outcome.exitCode,
      error: outcome.error,
      finishedAt: outcome.finishedAt,
    }));
}

