// The launcher: the search of one allocation (DESIGN §2, §6). It registers, recovers what a dead
// launcher left RUNNING, loads the searcher, starts the agents, runs the search loop
// (search-loop.ts: every slot kept busy until max_evals evaluations have finished, the space is
// exhausted, the walltime margin is reached, or it is told to stop) and ends cleanly.
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { Space } from "../src/space/space.js";
import { buildSearcher } from "../src/search/build.js";
import { isPidAlive } from "../src/util/process.js";
import type { Searcher } from "../src/search/searcher.js";
import type { AshaSearcher } from "../src/search/asha/searcher.js";
import {
  endLauncher,
  findDeadLaunchers,
  heartbeatLauncher,
  listEvaluations,
  loadSearcherState,
  lastReportId,
  recoverEvaluations,
  registerLauncher,
  setWorkflowState,
  updateBatchJob,
  type Store,
} from "../src/store/index.js";
import type { EvaluationRow, WorkflowRow } from "../src/store/types.js";
import { appendResults, readCsvRecords } from "../src/results/csv.js";
import { refreshReport } from "../src/results/report.js";
import { handBackAfterError } from "./slot-runner.js";
import { launcherSettings, type LauncherSettings } from "./settings.js";
import type { Slot } from "./slots.js";
import { FidelityDriver } from "./fidelity.js";
import { SearchLoop } from "./search-loop.js";

export interface LauncherOptions {
  store: Store;
  workflow: WorkflowRow;
  batchJobId: number | null;
  /** The allocation's name for this node (m:host), not os.hostname() (DESIGN §6). */
  host: string;
  /** Where evaluations run: one slot per concurrent evaluation (launcher/slots.ts). */
  slots: Slot[];
  /** mpi mode: the launch command put before each evaluation's program, for its slot's hosts. */
  launchPrefix?: (slot: Slot, evaluationEnv: Record<string, string>) => string[];
  /** Absolute time (ms) after which nothing new is dispatched; null = no walltime. */
  dispatchDeadline: number | null;
  log: (line: string) => void;
  /** Called once the launcher row exists (the CLI names its log file after the id). */
  onRegistered?: (launcherId: number) => void;
  /**
   * serial mode on several nodes: starts the per-node agents (one process tree, e.g. one srun step)
   * once the leader's row exists, and says how many slots they add.
   */
  agents?: { slots: number; start: (leaderId: number) => ChildProcess };
}

export type LauncherEnd = "completed" | "exhausted" | "walltime" | "signal" | "stopped" | "failed";

export interface LauncherSummary {
  end: LauncherEnd;
  launcherId: number;
  recovered: { requeued: number; failed: number };
  finishedHere: number;
  /** end "failed": the searcher's (user code's) error, with its stack. */
  error?: string;
}

export async function runLauncher(o: LauncherOptions): Promise<LauncherSummary> {
  const { store, workflow: wf, log } = o;
  // Settings and searcher first: a setting error stops the launcher before it has a row to end.
  const settings = launcherSettings(wf.settings);
  const space = new Space(wf.problem);
  const searcher = await loadSearcher(store, wf, space);
  const me = await registerLauncher(store, { workflowId: wf.id, batchJobId: o.batchJobId, host: o.host, pid: process.pid });
  o.onRegistered?.(me.id);
  log(`launcher ${me.id} on ${o.host} (pid ${process.pid}): workflow ${wf.name}, ${o.slots.length} slot(s) on ${[...new Set(o.slots.flatMap((x) => x.hosts))].join(",")}`);
  if (o.batchJobId !== null) await updateBatchJob(store, o.batchJobId, { state: "RUNNING", startedAt: Date.now() });
  await setWorkflowState(store, wf.id, "RUNNING");

  const recovered = await recoverDeadLaunchers(store, wf, me.id, o.host, settings, log);
  // Multi-fidelity searchers steer running evaluations through their reports.
  const driver = isMultiFidelity(searcher) ? new FidelityDriver(searcher, await listEvaluations(store, wf.id)) : null;

  reconcileResults(await listEvaluations(store, wf.id, { states: ["DONE", "FAILED", "TIMEOUT"], orderBy: "finished_at" }), wf, space);
  const loop = new SearchLoop(o, me.id, settings, space, searcher, driver);
  // Agents' reports from before this leader were decided on by an earlier one (its decisions are in
  // the saved state); a run re-started since reports again from its beginning.
  if (o.agents) loop.skipReportsBefore(await lastReportId(store, wf.id));
  await loop.tellOthers(); // results agents finished while no leader ran
  const agents = o.agents ? startAgents(o.agents, me.id, log) : null;
  const heartbeat = setInterval(() => {
    heartbeatLauncher(store, me.id).catch((e: unknown) => log(`heartbeat failed: ${String(e)}`));
  }, settings.heartbeatSeconds * 1000);
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`received ${sig}: stopping; running evaluations go back to READY unless the workflow was cancelled`);
    loop.stop("signal");
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  let end: LauncherEnd | "error" = "error";
  try {
    end = await loop.run();
    return { end, launcherId: me.id, recovered, finishedHere: loop.finishedHere, error: loop.failure };
  } catch (e) {
    log(`error: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  } finally {
    clearInterval(heartbeat);
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await loop.publish(); // results recorded by the last iteration, or just before a failure
    // FINISHED only now: `--wait` returns on it, and results.csv must then hold every result.
    if (end === "completed" || end === "exhausted") await setWorkflowState(store, wf.id, "FINISHED");
    await loop.close();
    if (end === "error") await handBackAfterError(store, { workflowId: wf.id, launcherId: me.id, maxAttempts: settings.maxAttempts, who: `launcher ${me.id}`, log });
    await endLauncher(store, me.id); // agents see this (or the workflow's end) and stop
    if (agents) await agents.stop();
    // A launcher stopped by a signal (scancel, qdel) leaves the job's final state to the scheduler
    // sync (CANCELLED, TIMEOUT...); one that ran to its end knows the job is finishing normally.
    if (o.batchJobId !== null && end !== "signal") {
      await updateBatchJob(store, o.batchJobId, { state: end === "error" ? "FAILED" : "FINISHED", endedAt: Date.now() });
    }
    await refreshReport(store, wf, { log });
  }
}

/**
 * results.csv is appended after the database commit, so a launcher killed in between leaves a
 * finished evaluation out of it: the next launcher appends what the file lacks.
 */
function reconcileResults(finished: EvaluationRow[], wf: WorkflowRow, space: Space): void {
  const file = join(wf.resultsDir, "results.csv");
  const present = new Set(existsSync(file) ? readCsvRecords(file).map((r) => Number(r.eval_id)) : []);
  const missing = finished.filter((e) => !present.has(e.id));
  appendResults(file, space.names, missing, wf.createdAt);
}

/** How long agents get to notice the end and record their last results before they are killed. */
const AGENT_EXIT_GRACE_MS = 30_000;

/**
 * Starts the agents' process tree in its own process group; stop() waits for it to exit by itself
 * (agents stop when the leader's row ends), then SIGTERMs and SIGKILLs the group.
 */
function startAgents(agents: NonNullable<LauncherOptions["agents"]>, leaderId: number, log: (line: string) => void): { stop: () => Promise<void> } {
  const child = agents.start(leaderId);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once("exit", (code, signal) => {
      log(`agents exited (${signal ?? `exit code ${code}`})`);
      resolve();
    });
  });
  log(`started ${agents.slots} agent slot(s) (pid ${child.pid})`);
  return {
    stop: async () => {
      const timer = (ms: number) => new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms).unref());
      if ((await Promise.race([exited, timer(AGENT_EXIT_GRACE_MS)])) !== "timeout") return;
      log("agents did not exit: terminating them");
      for (const sig of ["SIGTERM", "SIGKILL"] as const) {
        try {
          if (child.pid) process.kill(-child.pid, sig);
        } catch {
          return;
        }
        if ((await Promise.race([exited, timer(5_000)])) !== "timeout") return;
      }
    },
  };
}

/** Evaluations left RUNNING by dead launchers go back to READY (or FAILED after maxAttempts). */
async function recoverDeadLaunchers(
  store: Store,
  wf: WorkflowRow,
  myId: number,
  host: string,
  settings: LauncherSettings,
  log: (line: string) => void,
): Promise<{ requeued: number; failed: number }> {
  const dead = (
    await findDeadLaunchers(store, {
      workflowId: wf.id,
      host,
      isPidAlive,
      staleAfterMs: settings.staleAfterSeconds * 1000,
    })
  ).filter((l) => l.id !== myId);
  if (dead.length === 0) return { requeued: 0, failed: 0 };
  const result = await recoverEvaluations(store, {
    workflowId: wf.id,
    launcherIds: dead.map((l) => l.id),
    maxAttempts: settings.maxAttempts,
    note: `launcher(s) ${dead.map((l) => l.id).join(",")} died`,
  });
  for (const l of dead) await endLauncher(store, l.id);
  log(`recovered from dead launcher(s) ${dead.map((l) => `${l.id}@${l.host}:${l.pid}`).join(", ")}: ` +
    `${result.requeued} evaluation(s) to re-run, ${result.failed} failed after ${settings.maxAttempts} attempts`);
  return result;
}


async function loadSearcher(store: Store, wf: WorkflowRow, space: Space): Promise<Searcher> {
  const ctx = { space, seed: wf.seed, direction: wf.direction, options: wf.searcherOptions };
  const searcher = await buildSearcher(wf.searcher, ctx);
  const saved = await loadSearcherState(store, wf.id);
  if (saved !== undefined) searcher.restore(saved);
  return searcher;
}

function isMultiFidelity(s: Searcher): s is AshaSearcher {
  return typeof (s as Partial<AshaSearcher>).newTrials === "function" && typeof (s as Partial<AshaSearcher>).report === "function";
}
