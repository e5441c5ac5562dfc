// The per-node worker agent of serial mode across nodes (DESIGN §6): started once per extra node
// by the leader (through srun or the MPI launcher, one rank per node), it claims READY evaluations
// for its own slots, runs them and records their outcomes. It never searches: the leader proposes
// points and learns the results from the database (evaluations.told_at).
import {
  endLauncher,
  finishEvaluations,
  readControls,
  recordReports,
  getWorkflowById,
  heartbeatLauncher,
  listLaunchers,
  registerLauncher,
  requeueRunning,
  type Store,
} from "../src/store/index.js";
import type { WorkflowRow } from "../src/store/types.js";
import { launcherSettings } from "./settings.js";
import { finishedResults, handBackAfterError, SlotRunner } from "./slot-runner.js";
import { trialOutcome } from "./fidelity.js";
import type { Slot } from "./slots.js";

export interface AgentOptions {
  store: Store;
  workflow: WorkflowRow;
  /** The leader's launcher id: the agent ends when the leader's row ends. */
  leaderId: number;
  host: string;
  slots: Slot[];
  /** Absolute time (ms) after which nothing new is started; null = no walltime. */
  dispatchDeadline: number | null;
  log: (line: string) => void;
}

/** How often an idle agent looks for new READY rows (the leader writes them as slots free). */
const POLL_MS = 200;
/**
 * How often the leader's answers and stops are read: often just after a run reported (a run
 * module may be waiting for the answer), otherwise seldom (a custom method's stop can come any
 * time, but need not be quick), so that a large allocation does not poll the database for nothing.
 */
const CONTROL_POLL_MS = 50;
const CONTROL_IDLE_POLL_MS = 1_000;
/** How long after a report the leader's answer is waited for at the fast pace. */
const ANSWER_WINDOW_MS = 3_000;
/** How often it checks that the leader and the workflow are still going. */
const LEADER_CHECK_MS = 2_000;

export async function runAgent(o: AgentOptions): Promise<{ launcherId: number; finishedHere: number; end: string }> {
  const { store, workflow: wf, log } = o;
  const settings = launcherSettings(wf.settings);
  const me = await registerLauncher(store, { workflowId: wf.id, batchJobId: null, host: o.host, pid: process.pid });
  log(`agent ${me.id} on ${o.host} (pid ${process.pid}) for leader ${o.leaderId}: ${o.slots.length} slot(s)`);
  // Searchers that decide on reports: runs' reports go to the leader through the database, and the
  // leader's answers and stops come back the same way.
  const steered = wf.searcher === "asha" || wf.searcher === "custom";
  const runner = new SlotRunner({ store, workflow: wf, launcherId: me.id, slots: o.slots, settings, streamReports: steered, log });
  const lastReport = new Map<number, { step: number; value: number }>();
  const answered = new Map<number, number>();
  const stoppedEarly = new Set<number>();
  let lastReportAt = 0;
  let lastControlRead = 0;
  const heartbeat = setInterval(() => {
    heartbeatLauncher(store, me.id).catch((e: unknown) => log(`heartbeat failed: ${String(e)}`));
  }, settings.heartbeatSeconds * 1000);
  let stopping: string | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    stopping ??= `signal ${sig}`;
    runner.stopAll("walltime");
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  let finishedHere = 0;
  let lastCheck = 0;
  let failed = false;
  try {
    for (;;) {
      const reports = runner.takeReports();
      for (const r of reports) lastReport.set(r.evalId, { step: r.step, value: r.value });
      if (reports.length > 0) {
        lastReportAt = Date.now();
        await recordReports(store, wf.id, reports.map((r) => ({ evaluationId: r.evalId, seq: r.seq, launcherId: me.id, step: r.step, value: r.value, at: r.at })));
      }
      const batch = runner.takeFinished().map(({ row, outcome }) => {
        const last = lastReport.get(row.id);
        lastReport.delete(row.id);
        answered.delete(row.id);
        const stopped = stoppedEarly.delete(row.id) ? "early" : undefined;
        // A trial's run is recorded as the leader records its own (only its searcher knows more).
        return { row, outcome: row.fidelity ? trialOutcome(outcome, row.fidelity.trial, last, row.fidelity.length, stopped) : outcome };
      });
      const results = finishedResults(batch);
      // Not told: the leader's searcher learns these from the database.
      if (results.length > 0) finishedHere += (await finishEvaluations(store, results, { launcherId: me.id })).length;
      if (!stopping && o.dispatchDeadline !== null && Date.now() >= o.dispatchDeadline) {
        stopping = "walltime";
        runner.stopAll("walltime");
      }
      if (!stopping && Date.now() - lastCheck >= LEADER_CHECK_MS) {
        lastCheck = Date.now();
        stopping = await reasonToStop(store, wf.id, o.leaderId);
        if (stopping) runner.stopAll("walltime");
      }
      if (stopping) {
        if (runner.runningCount === 0 && runner.pendingFinished === 0) break;
      } else if (runner.freeCount > 0) {
        await runner.claimAndStart(runner.freeCount);
      }
      const answering = Date.now() - lastReportAt < ANSWER_WINDOW_MS;
      if (steered && runner.runningCount > 0 && (answering || Date.now() - lastControlRead >= CONTROL_IDLE_POLL_MS)) {
        lastControlRead = Date.now();
        for (const c of await readControls(store, runner.runningIds())) {
          if (c.answer && c.answer.seq > (answered.get(c.evaluationId) ?? 0)) {
            answered.set(c.evaluationId, c.answer.seq);
            runner.answer(c.evaluationId, c.answer.seq, c.answer.action, c.answer.length);
          }
          if (c.stop === "early") {
            runner.stopEarly(c.evaluationId);
            stoppedEarly.add(c.evaluationId);
          }
          else if (c.stop === "searcher") runner.stop(c.evaluationId);
        }
      }
      await runner.sleep(steered && runner.runningCount > 0 && answering ? CONTROL_POLL_MS : POLL_MS);
    }
    await requeueRunning(store, { workflowId: wf.id, launcherId: me.id, note: `agent stopped (${stopping})` });
    log(`agent ${me.id} ended (${stopping}): ${finishedHere} evaluation(s) finished here`);
    return { launcherId: me.id, finishedHere, end: stopping ?? "stopped" };
  } catch (e) {
    failed = true;
    log(`agent ${me.id} error: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  } finally {
    clearInterval(heartbeat);
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await runner.close();
    if (failed) await handBackAfterError(store, { workflowId: wf.id, launcherId: me.id, maxAttempts: settings.maxAttempts, who: `agent ${me.id}`, log });
    await endLauncher(store, me.id);
  }
}

/** The agent stops when the workflow is no longer running or its leader has ended. */
async function reasonToStop(store: Store, workflowId: number, leaderId: number): Promise<string | null> {
  const wf = await getWorkflowById(store, workflowId);
  if (!wf || wf.state === "FINISHED" || wf.state === "STOPPED") return `workflow ${wf?.state ?? "deleted"}`;
  const leader = (await listLaunchers(store, workflowId)).find((l) => l.id === leaderId);
  if (!leader || leader.endedAt !== null) return "leader ended";
  return null;
}
