// `--wait`: follows a workflow in the database until max_evals evaluations have finished (exit 0),
// every batch job has ended with work left (exit 1), or --wait-timeout passes (exit 1). Progress
// goes to stderr: a redrawn bar on a TTY, a plain line per change otherwise.
import { budgetReached, capabilitiesOf } from "../search/registry.js";
import { SpruceError } from "../errors.js";
import { isActiveJob, syncActiveJobs } from "../jobs/index.js";
import { countEvaluations, endedSummary, finishedCount, getWorkflow, listBatchJobs, listEvaluations, type Store } from "../store/index.js";
import { isMultiObjective, objectivesOf } from "../objectives/declare.js";
import { frontSummary, scoredEvaluations } from "../results/front.js";
import { formatDuration, formatNumber } from "./output.js";

const POLL_MS = 500;
/** The scheduler is asked about jobs less often than the database: squeue is a shared service. */
const SCHEDULER_POLL_MS = 5_000;

export async function followWorkflow(store: Store, name: string, opts: { timeoutSeconds?: number; json?: boolean }): Promise<void> {
  const start = Date.now();
  const tty = process.stderr.isTTY === true;
  let lastLine = "";
  let lastSchedulerPoll = 0;
  // Several objectives: the line shows the front's size, recomputed only when more rows are DONE.
  let front = { done: -1, size: 0 };
  let endedJobsSeen = false;
  for (;;) {
    const wf = await getWorkflow(store, name);
    if (!wf) throw new SpruceError(`workflow '${name}' was deleted while waiting`, { hint: "someone ran 'spruce rm' on it: list the workflows with 'spruce ls'" });
    const counts = await countEvaluations(store, wf.id);
    const finished = finishedCount(counts);
    // A search that counts trials (a promoted trial continues in a new row) progresses in trials
    // that ran. The database computes both: a long search's rows are not read every poll.
    const countsTrials = capabilitiesOf(wf).counts === "trials";
    const summary = await endedSummary(store, wf.id, { direction: wf.direction, trials: countsTrials });
    let best = summary.best === null ? "-" : formatNumber(summary.best);
    if (isMultiObjective(wf)) {
      if (front.done !== counts.DONE) {
        const objectives = objectivesOf(wf);
        front = { done: counts.DONE, size: frontSummary(scoredEvaluations(await listEvaluations(store, wf.id, { states: ["DONE"] }), objectives), objectives).front.length };
      }
      best = `front ${front.size}`;
    }
    const progressed = summary.trials ?? finished;
    const line = progressLine(progressed, counts.FAILED + counts.TIMEOUT, counts.RUNNING, wf.maxEvals, best, Date.now() - start, tty, countsTrials ? "trials run" : "finished");
    // On a terminal the bar is redrawn in place; in a log file a line is written only when the
    // counts change (not for every tick of the elapsed time).
    const key = tty ? line : line.replace(/, [^,]* elapsed$/, "");
    if (key !== lastLine) {
      process.stderr.write(tty ? `\r${line}\x1b[K` : line + "\n");
      lastLine = key;
    }
    if (wf.state === "FAILED" || wf.state === "STOPPED") {
      if (tty) process.stderr.write("\n");
      throw workflowEnded(wf.name, wf.state, wf.error);
    }
    const idle = counts.RUNNING === 0 && counts.READY === 0;
    let jobs = await listBatchJobs(store, wf.id);
    if (Date.now() - lastSchedulerPoll >= SCHEDULER_POLL_MS) {
      lastSchedulerPoll = Date.now();
      jobs = await syncActiveJobs(store, jobs);
    }
    const active = jobs.some(isActiveJob);
    // Done when the launcher says so: it marks the workflow FINISHED after writing the last results
    // to results.csv, which the database's counts reach first (agents record their own). A budget
    // reached with no batch job left to say so (its launcher was killed at the end) is done too.
    const budget = budgetReached(wf, finished);
    if ((wf.state === "FINISHED" && (idle || budget)) || (budget && !active)) {
      if (tty) process.stderr.write("\n");
      const why = finished >= wf.maxEvals || countsTrials ? "" : " (search space exhausted)";
      process.stderr.write(`Search ${name} finished: ${finished} evaluation(s)${why}.\n`);
      return;
    }
    if (!active && !endedJobsSeen) {
      // The counts above were read before the jobs: a launcher may have finished the search and its
      // job ended in between. Read everything once more before saying that work is left.
      endedJobsSeen = true;
      continue;
    }
    if (!active) {
      if (tty) process.stderr.write("\n");
      throw new SpruceError(`every batch job of workflow '${name}' has ended with ${wf.maxEvals - finished} evaluation(s) left`, {
        hint: `see the job output in ${wf.resultsDir}; continue with 'spruce submit hps ${name} --resume'`,
        exitCode: 1,
      });
    }
    if (opts.timeoutSeconds !== undefined && Date.now() - start > opts.timeoutSeconds * 1000) {
      if (tty) process.stderr.write("\n");
      throw new SpruceError(`--wait-timeout: ${opts.timeoutSeconds} s passed with ${finished}/${wf.maxEvals} evaluations finished`, {
        hint: `the search goes on; follow it with 'spruce status ${name}'`,
        exitCode: 1,
      });
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** A workflow that will not go on by itself: FAILED (with its reason) or cancelled. */
export function workflowEnded(name: string, state: "FAILED" | "STOPPED", error: string | null): SpruceError {
  if (state === "STOPPED") {
    return new SpruceError(`workflow '${name}' was cancelled (STOPPED)`, { hint: `continue it with 'spruce submit hps ${name} --resume'`, exitCode: 1 });
  }
  return new SpruceError(`workflow '${name}' FAILED: ${(error ?? "no reason recorded").split("\n")[0]}`, {
    hint: `the launcher's log: 'spruce logs ${name}'; once the cause is fixed, 'spruce submit hps ${name} --resume' (a setting fixed at submit needs a new workflow: 'spruce rm ${name}' first)`,
    exitCode: 1,
  });
}

/** `best` is the best objective's text, or `front N` with several objectives. */
function progressLine(done: number, failed: number, running: number, total: number, best: string, elapsedMs: number, bar: boolean, what = "finished"): string {
  const width = 24;
  const filled = Math.min(width, Math.round((done / Math.max(1, total)) * width));
  const head = bar ? `[${"#".repeat(filled)}${".".repeat(width - filled)}] ` : "";
  return `${head}${done}/${total} ${what}, ${failed} failed, ${running} running, ${best.startsWith("front") ? best : `best ${best}`}, ${formatDuration(elapsedMs)} elapsed`;
}
