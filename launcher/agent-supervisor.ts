// The leader's side of its agents (docs/architecture.md, Leader and agents): it starts them in one
// step, and while the search runs it watches their launcher rows. An agent that died (its
// heartbeat stale next to the leader's own) has its evaluations recovered at once; one that died
// or stopped on an error of its own (its spawner gone) is started again on its node. Without this a
// lost agent left its node idle, and its rows RUNNING, until the allocation ended.
import type { ChildProcess } from "node:child_process";
import { listLaunchers, recoverEvaluations, type LauncherSettings, type Store } from "../src/store/index.js";
import type { LauncherRow } from "../src/store/types.js";

export interface AgentSupervisorOptions {
  store: Store;
  workflowId: number;
  leaderId: number;
  settings: LauncherSettings;
  /** The other nodes of the allocation, one agent each. */
  hosts: readonly string[];
  /** Starts agents on these hosts (again: beside the first step still running). */
  start: (leaderId: number, hosts: readonly string[], again: boolean) => ChildProcess;
  /** Nothing is started again from then on (the dispatch deadline); null = no walltime. */
  deadline: number | null;
  log: (line: string) => void;
}

/** A node whose agent keeps dying is left alone after this many new starts. */
export const MAX_AGENT_RESTARTS = 3;
/** How long agents get to notice the end and record their last results before they are killed. */
const AGENT_EXIT_GRACE_MS = 30_000;

export class AgentSupervisor {
  private readonly steps: { child: ChildProcess; exited: Promise<void> }[] = [];
  private readonly restarts = new Map<string, number>();
  /** When each host's latest agent was started: its row registers some seconds later. */
  private readonly startedAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private halted = false;
  private checking: Promise<void> | null = null;

  constructor(private readonly o: AgentSupervisorOptions) {}

  /** Starts the agents, and watches them every heartbeat interval until halt(). */
  start(): void {
    this.spawn(this.o.hosts, false);
    this.timer = setInterval(() => {
      this.checking ??= this.check().finally(() => (this.checking = null));
    }, this.o.settings.heartbeatSeconds * 1000);
  }

  /** No more checks nor new starts: the leader is ending (or stopping on a signal). */
  async halt(): Promise<void> {
    this.halted = true;
    clearInterval(this.timer);
    await this.checking;
  }

  /**
   * One look at the agents' rows. An agent is dead when its row is open and its heartbeat is older
   * than the stale bound, measured against the leader's own heartbeat: a database that paused
   * everyone stales nobody. Its RUNNING rows go back to READY (within the attempts bound) and its
   * row is ended (an agent declared dead that still runs learns so at its next heartbeat, and
   * stops). A dead agent, and one that ended its row on an error of its own while the leader
   * searches, is started again on its node. An agent that never registered is started again once
   * it has had the stale bound to do so.
   */
  async check(now = Date.now()): Promise<void> {
    if (this.halted) return;
    try {
      const rows = await listLaunchers(this.o.store, this.o.workflowId);
      const leader = rows.find((l) => l.id === this.o.leaderId);
      if (!leader || leader.endedAt !== null) return;
      const staleMs = this.o.settings.staleAfterSeconds * 1000;
      const dead: LauncherRow[] = [];
      const again: string[] = [];
      for (const host of this.o.hosts) {
        const since = this.startedAt.get(host) ?? 0;
        const latest = rows.filter((l) => l.id > this.o.leaderId && l.batchJobId === null && l.host === host).at(-1);
        if (!latest || latest.startedAt < since - 1_000) {
          if (now - since > staleMs) again.push(host);
        } else if (latest.endedAt === null && leader.heartbeatAt - latest.heartbeatAt > staleMs) {
          dead.push(latest);
          again.push(host);
        } else if (latest.endedAt !== null) {
          again.push(host);
        }
      }
      if (dead.length > 0) {
        const ids = dead.map((l) => l.id);
        const r = await recoverEvaluations(this.o.store, {
          workflowId: this.o.workflowId,
          launcherIds: ids,
          maxAttempts: this.o.settings.maxAttempts,
          note: `agent(s) ${ids.join(",")} stopped heartbeating`,
        });
        this.o.log(`agent(s) ${dead.map((l) => `${l.id}@${l.host}`).join(", ")} stopped heartbeating: ${r.requeued} evaluation(s) to re-run, ${r.failed} failed after ${this.o.settings.maxAttempts} attempts`);
      }
      const hosts = again.filter((h) => (this.restarts.get(h) ?? 0) < MAX_AGENT_RESTARTS);
      if (hosts.length === 0 || this.halted || (this.o.deadline !== null && now >= this.o.deadline)) return;
      for (const h of hosts) this.restarts.set(h, (this.restarts.get(h) ?? 0) + 1);
      this.spawn(hosts, true);
    } catch (e) {
      // The database may be out for a while: the next check tries again.
      this.o.log(`checking the agents failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private spawn(hosts: readonly string[], again: boolean): void {
    let child: ChildProcess;
    try {
      child = this.o.start(this.o.leaderId, hosts, again);
    } catch (e) {
      this.o.log(`starting agent(s) on ${hosts.join(",")} failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const now = Date.now();
    for (const h of hosts) this.startedAt.set(h, now);
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      child.once("exit", (code, signal) => {
        this.o.log(`agents on ${hosts.join(",")} exited (${signal ?? `exit code ${code}`})`);
        resolve();
      });
    });
    this.steps.push({ child, exited });
    this.o.log(`${again ? "started again" : "started"} agent(s) on ${hosts.join(",")} (pid ${child.pid})`);
  }

  /**
   * Waits for every agent step to exit by itself (agents stop when the leader's row ends), then
   * SIGTERMs and SIGKILLs the groups of those still running.
   */
  async stop(): Promise<void> {
    await this.halt();
    const timer = (ms: number) => new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms).unref());
    const all = Promise.all(this.steps.map((s) => s.exited));
    if ((await Promise.race([all, timer(AGENT_EXIT_GRACE_MS)])) !== "timeout") return;
    this.o.log("agents did not exit: terminating them");
    for (const sig of ["SIGTERM", "SIGKILL"] as const) {
      for (const { child } of this.steps) {
        try {
          if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, sig);
        } catch {
          // already gone
        }
      }
      if ((await Promise.race([all, timer(5_000)])) !== "timeout") return;
    }
  }
}
