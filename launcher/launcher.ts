// The launcher: the search of one allocation (docs/architecture.md, The search loop). It registers, recovers what a dead
// launcher left RUNNING, loads the searcher, starts the agents, runs the search loop
// (search-loop.ts: every slot kept busy until max_evals evaluations have finished, the space is
// exhausted, the walltime margin is reached, or it is told to stop) and ends cleanly.
import { existsSync } from "node:fs";
import type { Space } from "../src/space/space.js";
import { loadSpace } from "../src/problem/load.js";
import { loadSearcher as buildSearcher, type LoadedSearcher } from "../src/search/registry.js";
import { isPidAlive } from "../src/util/process.js";
import { checkLauncherSettings } from "../src/store/settings.js";
import {
  endLauncher,
  findDeadLaunchers,
  FINISHED_STATES,
  listEvaluations,
  listUntold,
  lastToldAt,
  listSearcherHistory,
  loadSearcherState,
  lastProgressId,
  recoverEvaluations,
  setWorkflowState,
  updateBatchJob,
  type LauncherSettings,
  type Store,
} from "../src/store/index.js";
import type { EvaluationRow, WorkflowRow } from "../src/store/types.js";
import { appendResults, readCsvRecords, recordedRows } from "../src/results/csv.js";
import { recordNames } from "../src/nas/index.js";
import { resultsLayout } from "../src/results/layout.js";
import { refreshReport } from "../src/results/report.js";
import { LauncherLife } from "./lifecycle.js";
import { AgentSupervisor } from "./agent-supervisor.js";
import { FidelityDriver } from "./fidelity.js";
import { SearchLoop, searcherHistory } from "./search-loop.js";
import type { LauncherEnd, LauncherOptions, LauncherSummary } from "./types.js";

export async function runLauncher(o: LauncherOptions): Promise<LauncherSummary> {
  const { store, workflow: wf, log } = o;
  // The searcher first: a setting error stops the launcher before it has a row to end.
  checkLauncherSettings(wf.settings);
  // A problem with constraint functions is imported again: functions are not stored in the row.
  const space = await loadSpace(wf.problem);
  const searcher = await loadSearcher(store, wf, space);
  const life = await LauncherLife.register(store, { role: "launcher", workflow: wf, batchJobId: o.batchJobId, host: o.host, log });
  const { settings } = life;
  o.onRegistered?.(life.id);
  log(`launcher ${life.id} on ${o.host} (pid ${process.pid}): workflow ${wf.name}, ${o.slots.length} slot(s) on ${[...new Set(o.slots.flatMap((x) => x.hosts))].join(",")}`);
  if (o.batchJobId !== null) await updateBatchJob(store, o.batchJobId, { state: "RUNNING", startedAt: Date.now() });
  await setWorkflowState(store, wf.id, "RUNNING");

  const recovered = await recoverDeadLaunchers(store, wf, life.id, o.host, settings, log);
  // Searchers that count trials steer running evaluations through their progress.
  const driver = searcher.trials ? new FidelityDriver(searcher.trials, await listEvaluations(store, wf.id)) : null;

  // Results agents finished that no searcher was told of yet are published by tellOthers below,
  // once told: appending them here too would write them twice. Read in this order, a row finished
  // in between is left to tellOthers.
  const finished = await listEvaluations(store, wf.id, { states: FINISHED_STATES, orderBy: "finished_at" });
  const untold = new Set((await listUntold(store, wf.id)).map((r) => r.id));
  reconcileResults(finished.filter((r) => !untold.has(r.id)), wf, space);
  const loop = new SearchLoop({
    store,
    workflow: wf,
    launcherId: life.id,
    settings,
    slots: o.slots,
    launchPrefix: o.launchPrefix,
    agentSlots: o.agents ? o.agents.slots : null,
    dispatchDeadline: o.dispatchDeadline,
    log,
    space,
    searcher,
    driver,
    lastToldAt: await lastToldAt(store, wf.id),
  });
  // Agents' progress from before this leader were decided on by an earlier one (its decisions are in
  // the saved state); a run re-started since progress again from its beginning.
  if (o.agents) loop.skipProgressBefore(await lastProgressId(store, wf.id));
  await loop.tellOthers(); // results agents finished while no leader ran
  const agents = o.agents
    ? new AgentSupervisor({ store, workflowId: wf.id, leaderId: life.id, settings, hosts: o.agents.hosts, start: o.agents.start, deadline: o.dispatchDeadline, log })
    : null;
  agents?.start();
  life.watch(
    (sig) => {
      log(`received ${sig}: stopping; running evaluations go back to READY unless the workflow was cancelled`);
      void agents?.halt();
      loop.stop("signal");
    },
    () => {
      void agents?.halt();
      loop.stop("signal");
    },
  );
  let end: LauncherEnd | "error" = "error";
  try {
    end = await loop.run();
    return { end, launcherId: life.id, recovered, finishedHere: loop.finishedHere, error: loop.failure };
  } catch (e) {
    log(`error: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  } finally {
    await agents?.halt(); // no agent is started again from here on
    life.quiet();
    await loop.publish(); // results recorded by the last iteration, or just before a failure
    // FINISHED only now: `--wait` returns on it, and results.csv and report.html must then hold
    // every result (the report drawn as FINISHED; redrawn below with the batch job's end).
    if (end === "completed" || end === "exhausted") {
      await refreshReport(store, wf, { log, state: "FINISHED" });
      await setWorkflowState(store, wf.id, "FINISHED");
    }
    await loop.close();
    await life.end({ afterError: end === "error" }); // agents see this (or the workflow's end) and stop
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
 * finished evaluation out of it: the next launcher appends what the file lacks, of the results its
 * searcher has been told (the others are appended as they are told).
 */
function reconcileResults(finished: EvaluationRow[], wf: WorkflowRow, space: Space): void {
  const file = resultsLayout(wf.resultsDir).resultsCsv;
  const present = new Set(existsSync(file) ? readCsvRecords(file).map((r) => Number(r.eval_id)) : []);
  const missing = finished.filter((e) => !present.has(e.id));
  appendResults(file, recordNames(wf.problem), recordedRows(wf.problem, missing), wf.createdAt, wf.objectives?.length ?? 1);
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


/**
 * The workflow's searcher, with the state the last launcher saved; a searcher that keeps its
 * results in the rows gets them back from the rows (docs/architecture.md, Searcher state from the rows).
 */
async function loadSearcher(store: Store, wf: WorkflowRow, space: Space): Promise<LoadedSearcher> {
  const loaded = await buildSearcher(wf, space);
  const saved = await loadSearcherState(store, wf.id);
  if (saved === undefined) return loaded;
  if (!loaded.searcher.stateWithoutRows) {
    loaded.searcher.restore(saved);
    return loaded;
  }
  loaded.searcher.restore(saved, searcherHistory(await listSearcherHistory(store, wf.id)));
  return loaded;
}
