// The life of a launcher row, shared by the leader and its agents: registering it, ticking its
// heartbeat, passing SIGTERM/SIGINT on, and ending it (after an error, handing its evaluations back).
import { endLauncher, heartbeatLauncher, launcherSettings, recoverEvaluations, registerLauncher, type LauncherSettings, type Store } from "../src/store/index.js";
import type { WorkflowRow } from "../src/store/types.js";

export class LauncherLife {
  private heartbeat: NodeJS.Timeout | undefined;
  private onSignal: ((sig: NodeJS.Signals) => void) | undefined;

  private constructor(
    private readonly store: Store,
    private readonly workflowId: number,
    readonly id: number,
    /** "launcher 3", "agent 4": how the log names it. */
    readonly who: string,
    /** The workflow's launcher settings, defaults filled in. */
    readonly settings: LauncherSettings,
    private readonly log: (line: string) => void,
  ) {}

  /** Registers a launcher row for this process: the leader's (with its batch job) or an agent's. */
  static async register(
    store: Store,
    o: { role: "launcher" | "agent"; workflow: WorkflowRow; batchJobId: number | null; host: string; log: (line: string) => void },
  ): Promise<LauncherLife> {
    const row = await registerLauncher(store, { workflowId: o.workflow.id, batchJobId: o.batchJobId, host: o.host, pid: process.pid });
    return new LauncherLife(store, o.workflow.id, row.id, `${o.role} ${row.id}`, launcherSettings(o.workflow.settings), o.log);
  }

  /**
   * Ticks the heartbeat (others take a launcher without one for dead) and passes SIGTERM and SIGINT
   * to onSignal, until quiet(). A heartbeat that finds the row ended calls onLost once: another
   * launcher declared this one dead and recovered its evaluations, so whatever it still runs is no
   * longer its own (its results would be refused) and it must stop.
   */
  watch(onSignal: (sig: NodeJS.Signals) => void, onLost?: () => void): void {
    let lost = false;
    this.heartbeat = setInterval(() => {
      heartbeatLauncher(this.store, this.id)
        .then((alive) => {
          if (alive || lost || this.heartbeat === undefined) return;
          lost = true;
          this.log(`${this.who} was declared dead and its evaluations recovered by another launcher: stopping`);
          onLost?.();
        })
        .catch((e: unknown) => this.log(`heartbeat failed: ${String(e)}`));
    }, this.settings.heartbeatSeconds * 1000);
    this.onSignal = onSignal;
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  }

  quiet(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (this.onSignal) {
      process.off("SIGTERM", this.onSignal);
      process.off("SIGINT", this.onSignal);
      this.onSignal = undefined;
    }
  }

  /**
   * Ends the row: agents watch their leader's. afterError: the process stopped on an error of its
   * own (its spawner died, a working directory could not be written) and its evaluations were
   * ended: its RUNNING rows go back to READY for the next launcher first, as after a crash, within
   * the attempts bound. Without this they would stay RUNNING under an ended launcher, which no
   * recovery looks at. If the database is what failed, this fails too and the row is left
   * un-ended: the next launcher recovers it as dead.
   */
  async end(o: { afterError: boolean }): Promise<void> {
    this.quiet();
    if (o.afterError) {
      const { maxAttempts } = this.settings;
      const { requeued, failed } = await recoverEvaluations(this.store, { workflowId: this.workflowId, launcherIds: [this.id], maxAttempts, note: `${this.who} stopped on an error` });
      this.log(`${this.who} stopped on an error: ${requeued} evaluation(s) to re-run, ${failed} failed after ${maxAttempts} attempts`);
    }
    await endLauncher(this.store, this.id);
  }
}
