// What must hold once a search under chaos is over (bench/chaos): the workflow FINISHED with exactly
// its budget, every evaluation's history a legal path of the state machine (none finished twice,
// none left RUNNING), results.csv complete without duplicates, the searcher's saved state agreeing
// with the told rows, and nothing of the search left running on any node.
import { existsSync } from "node:fs";
import { loadSpace } from "../../src/problem/load.js";
import { readCsvRecords } from "../../src/results/csv.js";
import { resultsLayout } from "../../src/results/layout.js";
import { loadSearcher } from "../../src/search/registry.js";
import { searcherHistory } from "../../launcher/search-loop.js";
import type { EvaluationResult } from "../../src/search/searcher.js";
import {
  listSearcherHistory,
  countEvaluations,
  finishedCount,
  getWorkflow,
  illegalPath,
  isFinished,
  listBatchJobs,
  listEvaluations,
  listEvents,
  listUntold,
  loadSearcherState,
  type Store,
} from "../../src/store/index.js";
import type { EvaluationRow, WorkflowRow } from "../../src/store/types.js";
import { processesUnder, processTable } from "./procs.js";
import { slurm } from "./testbed.js";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface CheckInputs {
  store: Store;
  workflow: string;
  budget: number;
  /** The workspace: every process of the search works inside it. */
  workspace: string;
  jobName: string;
  /** Evaluations the driver SIGKILLed itself: FAILED is their right end. */
  killed: ReadonlySet<number>;
  /** Batch jobs the search must have used (2 under chaos: its walltimes and faults need several). */
  minJobs: number;
}

/**
 * Why an evaluation may end FAILED or TIMEOUT under chaos: its own doing (the script fails 1 in 25
 * points, hangs 1 in 150), a SIGKILL the driver aimed at it, recovery out of attempts, or an asha
 * run stopped before its first progress point. Any other failure is the chaos's, wrongly charged
 * to the evaluation (counted in the budget, told to the searcher as a bad point).
 */
function ownFailure(r: EvaluationRow, killed: ReadonlySet<number>): boolean {
  const e = r.error ?? "";
  if (r.state === "TIMEOUT") return e.startsWith("timed out after");
  if (e.startsWith("killed by signal SIGKILL")) return killed.has(r.id);
  return (e.startsWith("exit code 1") && e.includes("chaos: this point fails")) || e.startsWith("gave up after") || e.startsWith("stopped early by the searcher before any report");
}

export async function checkSearch(o: CheckInputs): Promise<{ checks: Check[]; rows: EvaluationRow[]; wf: WorkflowRow | undefined }> {
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const wf = await getWorkflow(o.store, o.workflow);
  if (!wf) {
    add("workflow exists", false, `no workflow ${o.workflow}`);
    return { checks, rows: [], wf };
  }
  const rows = await listEvaluations(o.store, wf.id);
  const counts = await countEvaluations(o.store, wf.id);
  const finished = rows.filter((r) => isFinished(r.state));
  const trials = wf.searcher === "asha";
  add("workflow FINISHED", wf.state === "FINISHED", `state ${wf.state}${wf.error ? `: ${wf.error}` : ""}`);
  if (trials) {
    // asha counts trials: each trial's last row is finished, and there are exactly the budget of them.
    const byTrial = new Map<number, EvaluationRow[]>();
    for (const r of rows) byTrial.set(r.fidelity!.trial, [...(byTrial.get(r.fidelity!.trial) ?? []), r]);
    const open = [...byTrial].filter(([, rs]) => !rs.every((r) => isFinished(r.state))).map(([t]) => t);
    add("exactly the budget of trials, all finished", byTrial.size === o.budget && open.length === 0, `${byTrial.size} trial(s) for a budget of ${o.budget}; unfinished: ${open.join(",") || "none"}`);
  } else {
    add("exactly the budget finished", finishedCount(counts) === o.budget, `${finishedCount(counts)} finished (DONE ${counts.DONE}, FAILED ${counts.FAILED}, TIMEOUT ${counts.TIMEOUT}) for a budget of ${o.budget}`);
  }
  const charged = finished.filter((r) => r.state !== "DONE" && !ownFailure(r, o.killed));
  add("no evaluation failed by a fault not aimed at it", charged.length === 0,
    charged.slice(0, 5).map((r) => `evaluation ${r.id} ${r.state}: ${(r.error ?? "").split("\n")[0]}`).join("; ") || `${finished.filter((r) => r.state !== "DONE").length} failed on their own or were killed on purpose`);
  add("none left RUNNING or READY", counts.RUNNING + counts.READY === 0, `RUNNING ${counts.RUNNING}, READY ${counts.READY}, KILLED ${counts.KILLED}`);

  // Every history a legal path; a second finish would be an illegal move out of a finished state.
  const illegal: string[] = [];
  for (const r of rows) {
    const why = illegalPath(await listEvents(o.store, r.id), r);
    if (why) illegal.push(`evaluation ${r.id}: ${why}`);
  }
  add("every evaluation's events a legal path (none finished twice)", illegal.length === 0, illegal.slice(0, 5).join("; ") || `${rows.length} histories`);

  const csvFile = resultsLayout(wf.resultsDir).resultsCsv;
  const csv = existsSync(csvFile) ? readCsvRecords(csvFile).map((c) => Number(c.eval_id)) : [];
  const dupes = csv.filter((id, i) => csv.indexOf(id) !== i);
  const want = new Set(finished.map((r) => r.id));
  const missing = [...want].filter((id) => !csv.includes(id));
  const extra = csv.filter((id) => !want.has(id));
  add("results.csv: one row per finished evaluation, no duplicates", dupes.length === 0 && missing.length === 0 && extra.length === 0,
    `${csv.length} row(s); duplicates ${dupes.join(",") || "none"}; missing ${missing.join(",") || "none"}; not finished ${extra.join(",") || "none"}`);

  const untold = new Set((await listUntold(o.store, wf.id)).map((r) => r.id));
  add("every finished evaluation told", untold.size === 0, untold.size ? `untold: ${[...untold].join(",")}` : `${finished.length} told`);
  add("searcher state agrees with the told rows", ...(await searcherAgrees(o.store, wf, finished.filter((r) => !untold.has(r.id)), rows)));

  const jobs = await listBatchJobs(o.store, wf.id);
  add(`at least ${o.minJobs} batch job(s)`, jobs.length >= o.minJobs, `${jobs.length} batch job(s): ${jobs.map((j) => `${j.schedulerId ?? "-"} ${j.state}`).join(", ")}`);
  return { checks, rows, wf };
}

/**
 * The searcher a relaunch would restore: telling it every told row again changes nothing (it knew
 * them all), and asking it proposes no point already evaluated.
 */
async function searcherAgrees(store: Store, wf: WorkflowRow, toldRows: EvaluationRow[], rows: EvaluationRow[]): Promise<[boolean, string]> {
  const saved = await loadSearcherState(store, wf.id);
  if (saved === undefined) return [false, "no saved searcher state"];
  const space = await loadSpace(wf.problem);
  const fresh = async () => {
    const s = await loadSearcher(wf, space);
    if (!s.searcher.stateWithoutRows) {
      s.searcher.restore(saved);
      return s;
    }
    // As the launcher restores it: the saved state plus the history the rows hold.
    s.searcher.restore(saved, searcherHistory(await listSearcherHistory(store, wf.id)));
    return s;
  };
  const loaded = await fresh();
  const before = JSON.stringify(loaded.searcher.state());
  const told: EvaluationResult[] = toldRows.map((r) => ({ evalId: r.id, point: r.point, status: r.state as EvaluationResult["status"], objective: r.state === "DONE" ? r.objective : null, error: r.error }));
  try {
    loaded.searcher.tell(told);
  } catch (e) {
    return [false, `telling the told rows again failed: ${e instanceof Error ? e.message : String(e)}`];
  }
  const after = JSON.stringify(loaded.searcher.state());
  if (before !== after) return [false, "telling the told rows again changed the saved state: it had not learnt them all"];
  const evaluated = new Set(rows.map((r) => space.key(r.point)));
  const relaunch = await fresh();
  if (relaunch.trials) {
    const resumes = relaunch.trials.takeResumes();
    const ok = relaunch.trials.finished() && resumes.length === 0;
    return [ok, ok ? "every trial decided, nothing to resume" : `finished() ${relaunch.trials.finished()}, ${resumes.length} resume(s) pending`];
  }
  const asked = relaunch.searcher.ask(Math.min(25, Math.max(0, space.size() - evaluated.size)));
  const again = asked.filter((p) => evaluated.has(space.key(p)));
  return [again.length === 0, `${told.length} told row(s) known; a relaunch asked for ${asked.length} point(s), ${again.length} already evaluated`];
}

/** Processes of the search still alive (launchers, agents, spawners, evaluations), and its Slurm jobs. */
export function leftovers(workspace: string, jobName: string, except: ReadonlySet<number>): { processes: string[]; jobs: string[] } {
  const processes = processesUnder(processTable(), workspace, except).map((p) => `${p.pid} ${p.comm}: ${p.cmdline.slice(0, 120)}`);
  const jobs = slurm.jobsNamed(jobName).map((j) => `${j.id} ${j.state}`);
  return { processes, jobs };
}
