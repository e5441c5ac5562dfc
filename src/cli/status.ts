// `spruce status WORKFLOW` and `spruce ls`: what the database says about searches, with the batch
// jobs' states asked from their schedulers and what the service (src/service) last did.
import type { Argv, CommandModule } from "yargs";
import { NotFoundError, SchedulerError } from "../errors.js";
import { syncActiveJobs } from "../jobs/index.js";
import { countEvaluations, FINISHED_STATES, finishedCount, getWorkflow, listBatchJobs, listEvaluations, listServiceEvents, listServiceHolds, listWorkflows, type Store } from "../store/index.js";
import type { BatchJobRow } from "../store/types.js";
import { bestEvaluation, workflowStatus } from "../results/summary.js";
import { isMultiObjective } from "../objectives/declare.js";
import { statusText } from "../results/report-status.js";
import { hasDatabase, withStore, type GlobalArgs } from "./context.js";
import { formatNumber, formatTable, printJson } from "./output.js";
import { serviceState } from "./service.js";

interface StatusArgs extends GlobalArgs {
  workflow: string;
  json?: boolean;
}

export const statusCommand: CommandModule<GlobalArgs, StatusArgs> = {
  command: "status <workflow>",
  describe: "show a workflow's state, evaluation counts, best point and batch jobs",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional("workflow", { type: "string", demandOption: true })
      .option("json", { type: "boolean", describe: "one JSON object: workflow, state, max_evals, counts, best, batch_jobs, service" }) as unknown as Argv<StatusArgs>,
  handler: async (argv) => {
    await withStore(argv, async (store) => {
      const wf = await getWorkflow(store, argv.workflow);
      if (!wf) throw new NotFoundError(`workflow '${argv.workflow}' not found`, "list workflows with 'spruce ls'");
      const jobs = await liveJobs(store, await listBatchJobs(store, wf.id));
      // All finished rows for the rate; workflowStatus takes the best from the DONE ones, so --json is unchanged.
      const [counts, evaluations] = await Promise.all([countEvaluations(store, wf.id), listEvaluations(store, wf.id, { states: FINISHED_STATES })]);
      const status = workflowStatus(wf, counts, evaluations, jobs);
      const service = await workflowService(store, wf.id);
      // New fields come after the ones the contract started with (docs/architecture.md, The status JSON contract).
      const { error, objectives, pareto, ...base } = status;
      if (argv.json) return printJson({ ...base, service, error, objectives, ...(pareto ?? {}) });
      process.stdout.write(statusText(wf, counts, evaluations, status, process.stdout.isTTY ? process.stdout.columns || 100 : null) + serviceText(service));
    });
  },
};

/** The service's view of one workflow (docs/architecture.md, Holds): its last tick, its last action here, a hold. */
async function workflowService(store: Store, workflowId: number) {
  const state = await serviceState(store);
  const [last] = await listServiceEvents(store, { workflowId, limit: 1 });
  const hold = (await listServiceHolds(store)).find((h) => h.workflowId === workflowId);
  return {
    running: state.running,
    last_tick_at: state.last_tick_at,
    last_action: last?.action ?? null,
    last_action_at: last ? new Date(last.at).toISOString() : null,
    held: hold?.reason ?? null,
  };
}

function serviceText(s: Awaited<ReturnType<typeof workflowService>>): string {
  let out = `\nservice    ${s.running ? "running" : "not running"}, last tick ${s.last_tick_at ?? "-"}\n`;
  out += `last action ${s.last_action_at ? `${s.last_action_at}: ${(s.last_action ?? "").split("\n")[0]}` : "-"}\n`;
  if (s.held) out += `HELD (not resubmitted): ${s.held}\n`;
  return out;
}

/**
 * The jobs with their scheduler's state. Status must work where the scheduler cannot be asked (a
 * laptop with a copy of the database, a controller that is down): then the stored states are
 * shown, with a warning saying they may be stale.
 */
async function liveJobs(store: Store, jobs: BatchJobRow[]): Promise<BatchJobRow[]> {
  try {
    return await syncActiveJobs(store, jobs);
  } catch (e) {
    if (!(e instanceof SchedulerError)) throw e;
    process.stderr.write(`warning: batch job states as last recorded, the scheduler could not be asked: ${e.message}\n`);
    return jobs;
  }
}

interface LsArgs extends GlobalArgs {
  json?: boolean;
}

export const lsCommand: CommandModule<GlobalArgs, LsArgs> = {
  command: "ls",
  describe: "list workflows with state, progress and best objective",
  builder: (y: Argv<GlobalArgs>) => y.option("json", { type: "boolean", describe: "a JSON array" }) as unknown as Argv<LsArgs>,
  handler: async (argv) => {
    if (!hasDatabase(argv)) {
      if (argv.json) printJson([]);
      else process.stderr.write("no workflows yet: submit one with 'spruce submit hps NAME -p problem.ts -r run.ts'\n");
      return;
    }
    await withStore(argv, async (store) => {
      const rows = [];
      for (const wf of await listWorkflows(store)) {
        const counts = await countEvaluations(store, wf.id);
        // Several objectives have no single best: the column stays empty (status shows the front).
        const best = isMultiObjective(wf) ? null : bestEvaluation(await listEvaluations(store, wf.id, { states: ["DONE"] }), wf.direction);
        rows.push({
          workflow: wf.name,
          state: wf.state,
          searcher: wf.searcher,
          max_evals: wf.maxEvals,
          finished: finishedCount(counts),
          failed: counts.FAILED + counts.TIMEOUT,
          running: counts.RUNNING,
          best: best?.objective ?? null,
          created_at: new Date(wf.createdAt).toISOString(),
        });
      }
      if (argv.json) return printJson(rows);
      if (rows.length === 0) {
        process.stderr.write("no workflows yet: submit one with 'spruce submit hps NAME -p problem.ts -r run.ts'\n");
        return;
      }
      process.stdout.write(formatTable(
        ["WORKFLOW", "STATE", "SEARCHER", "FINISHED", "FAILED", "RUNNING", "BEST", "CREATED"],
        rows.map((r) => [r.workflow, r.state, r.searcher, `${r.finished}/${r.max_evals}`, r.failed, r.running, formatNumber(r.best), r.created_at.slice(0, 19).replace("T", " ")]),
      ));
    });
  },
};
