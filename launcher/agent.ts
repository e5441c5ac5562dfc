// The per-node worker agent of serial mode across nodes (docs/architecture.md, Leader and agents): started once per extra node
// by the leader (through srun or the MPI launcher, one rank per node), it claims READY evaluations
// for its own slots, runs them and records their outcomes. It never searches: the leader proposes
// points and learns the results from the database (evaluations.told_at).
import {
  finishEvaluations,
  readControls,
  recordProgress,
  getWorkflowById,
  isWorkflowOver,
  listLaunchers,
  requeueRunning,
  type Store,
} from "../src/store/index.js";
import type { WorkflowRow } from "../src/store/types.js";
import { loadSpace } from "../src/problem/load.js";
import { capabilitiesOf, hearsProgress } from "../src/search/registry.js";
import { finishedResults, SlotRunner, unstreamedProgress } from "./slot-runner.js";
import { trialOutcome } from "./fidelity.js";
import { LauncherLife } from "./lifecycle.js";
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
  // Searchers that hear progress get them through the database (runs' progress go to the leader), and
  // searchers that steer running evaluations send their answers and stops back the same way. The
  // leader decides hearing by the same rule (a custom method's module is asked, before any row is
  // written: a module that fails to load here leaves nothing behind).
  const steered = capabilitiesOf(wf).steersRunning;
  const hears = await hearsProgress(wf, await loadSpace(wf.problem));
  const life = await LauncherLife.register(store, { role: "agent", workflow: wf, batchJobId: null, host: o.host, log });
  log(`agent ${life.id} on ${o.host} (pid ${process.pid}) for leader ${o.leaderId}: ${o.slots.length} slot(s)`);
  const runner = new SlotRunner({ store, workflow: wf, launcherId: life.id, slots: o.slots, settings: life.settings, streamProgress: hears, log });
  const lastReport = new Map<number, { step: number; value: number }>();
  const answered = new Map<number, number>();
  const stoppedEarly = new Set<number>();
  let lastProgressAt = 0;
  let lastControlRead = 0;
  let stopping: string | null = null;
  life.watch(
    (sig) => {
      stopping ??= `signal ${sig}`;
      runner.stopAll("walltime");
    },
    () => {
      stopping ??= "declared dead";
      runner.stopAll("walltime");
    },
  );
  let finishedHere = 0;
  let lastCheck = 0;
  let failed = false;
  try {
    for (;;) {
      const progress = runner.takeProgress();
      for (const r of progress) lastReport.set(r.evalId, { step: r.step, value: r.value });
      if (progress.length > 0) {
        lastProgressAt = Date.now();
        await recordProgress(store, wf.id, progress.map((r) => ({ evaluationId: r.evalId, seq: r.seq, launcherId: life.id, step: r.step, value: r.value, at: r.at })));
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
      if (results.length > 0) {
        const rows = await finishEvaluations(store, results, { launcherId: life.id });
        finishedHere += rows.length;
        // Reports of runs nobody streamed, for the report's curves (as the leader keeps its own).
        const progress = hears ? [] : unstreamedProgress(batch, new Set(rows.map((r) => r.id)));
        if (progress.length > 0) await recordProgress(store, wf.id, progress);
      }
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
      const answering = Date.now() - lastProgressAt < ANSWER_WINDOW_MS;
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
    await requeueRunning(store, { workflowId: wf.id, launcherId: life.id, note: `agent stopped (${stopping})` });
    log(`agent ${life.id} ended (${stopping}): ${finishedHere} evaluation(s) finished here`);
    return { launcherId: life.id, finishedHere, end: stopping ?? "stopped" };
  } catch (e) {
    failed = true;
    log(`agent ${life.id} error: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  } finally {
    life.quiet();
    await runner.close();
    await life.end({ afterError: failed });
  }
}

/** The agent stops when the workflow is over (failed included) or its leader has ended. */
async function reasonToStop(store: Store, workflowId: number, leaderId: number): Promise<string | null> {
  const wf = await getWorkflowById(store, workflowId);
  if (!wf || isWorkflowOver(wf.state)) return `workflow ${wf?.state ?? "deleted"}`;
  const leader = (await listLaunchers(store, workflowId)).find((l) => l.id === leaderId);
  if (!leader || leader.endedAt !== null) return "leader ended";
  return null;
}
