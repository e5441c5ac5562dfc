// What the dashboard's JSON endpoints answer, from the workflow database (read through src/store's
// short read-only queries) and the results folders. Polls are cheap: counts come from the index,
// the best objective is re-read only for workflows with new DONE rows, a page of evaluations is
// sorted by the database, and the charts are rebuilt only when the workflow changed, and then no
// more often than ten times the last rebuild's cost (so a huge workflow's charts cost a login node
// at most about a tenth of a core while it runs).
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { objectivesOf } from "../objectives/declare.js";
import { evaluationFiles, resultsLayout } from "../results/layout.js";
import { buildReportModel, REPORT_ARCHITECTURES } from "../results/report-model.js";
import { isNas } from "../nas/sequence.js";
import {
  countAllEvaluations,
  countEvaluations,
  finishedCount,
  getEvaluation,
  getWorkflow,
  isActiveJob,
  lastProgressId,
  listAllBatchJobs,
  listBatchJobs,
  listChartRows,
  listChartRowsById,
  listLaunchers,
  listProgress,
  listWorkflows,
  objectiveRanges,
  pageEvaluations,
  type BatchJobRow,
  type EvaluationRow,
  type EvaluationSort,
  type EvaluationState,
  type Store,
  type WorkflowRow,
} from "../store/index.js";
import { bestSoFar } from "../results/report-data.js";
import { chartSample, renderCharts, type RenderedCharts } from "./charts.js";

/** The shortest time between two rebuilds of one workflow's charts while it changes. */
const MIN_CHART_INTERVAL_MS = 2_000;
/** Rebuilds wait at least this many times the last rebuild's duration. */
const CHART_COST_FACTOR = 10;
/** While evaluations run, their Gantt bars are redrawn this often even if nothing else changed. */
const RUNNING_BARS_MS = 30_000;
/** The most of an output file a tail returns. */
export const MAX_TAIL_BYTES = 256 * 1024;

export interface BatchJobJson {
  id: string;
  scheduler: string;
  state: string;
  nodes: number;
  queue: string | null;
  submittedAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

export interface WorkflowListItem {
  name: string;
  state: string;
  searcher: string;
  direction: string;
  objectives: string[];
  maxEvals: number;
  createdAt: number;
  counts: Record<EvaluationState, number>;
  finished: number;
  /** The best DONE objective (the first one, with several). */
  best: number | null;
  batchJobs: { active: number; total: number; latest: BatchJobJson | null };
  error: string | null;
}

export interface EvaluationJson {
  id: number;
  state: EvaluationState;
  point: Record<string, unknown>;
  objective: number | null;
  objectives: number[] | null;
  attempt: number;
  hosts: string[];
  /** Seconds since the workflow's creation. */
  created: number;
  started: number | null;
  finished: number | null;
  duration: number | null;
  exitCode: number | null;
  error: string | null;
}

function jobJson(j: BatchJobRow): BatchJobJson {
  return { id: j.schedulerId ?? `#${j.id}`, scheduler: j.scheduler, state: j.state, nodes: j.nodes, queue: j.queue, submittedAt: j.submittedAt, startedAt: j.startedAt, endedAt: j.endedAt };
}

export function evaluationJson(e: EvaluationRow, origin: number): EvaluationJson {
  const rel = (t: number | null) => (t === null ? null : (t - origin) / 1000);
  return {
    id: e.id,
    state: e.state,
    point: e.point,
    objective: e.objective,
    objectives: e.objectives,
    attempt: e.attempt,
    hosts: e.hosts ?? [],
    created: (e.createdAt - origin) / 1000,
    started: rel(e.startedAt),
    finished: rel(e.finishedAt),
    duration: e.startedAt !== null && e.finishedAt !== null ? (e.finishedAt - e.startedAt) / 1000 : null,
    exitCode: e.exitCode,
    error: e.error,
  };
}

/** What the charts endpoint answers; the same object while it is cached (the server keeps its encoding). */
export type ChartsJson = RenderedCharts & { version: string };

interface ChartCache {
  builtAt: number;
  costMs: number;
  charts: ChartsJson;
}

export class DashboardData {
  private readonly best = new Map<number, { done: number; range: { min: number; max: number } | undefined }>();
  private readonly charts = new Map<number, ChartCache>();
  private readonly building = new Map<number, Promise<ChartCache>>();

  constructor(
    readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** Every workflow, newest first, with its counts, best objective and batch jobs. */
  async overview(): Promise<WorkflowListItem[]> {
    const [workflows, counts, jobs] = await Promise.all([listWorkflows(this.store), countAllEvaluations(this.store), listAllBatchJobs(this.store)]);
    const countsOf = (id: number) => counts.get(id) ?? { READY: 0, RUNNING: 0, DONE: 0, FAILED: 0, TIMEOUT: 0, KILLED: 0 };
    // DONE rows never change their objective: only workflows with new DONE rows are asked again.
    const stale = workflows.filter((w) => this.best.get(w.id)?.done !== countsOf(w.id).DONE).map((w) => w.id);
    const ranges = await objectiveRanges(this.store, stale);
    for (const id of stale) this.best.set(id, { done: countsOf(id).DONE, range: ranges.get(id) });
    const jobsOf = new Map<number, BatchJobRow[]>();
    for (const j of jobs) jobsOf.set(j.workflowId, [...(jobsOf.get(j.workflowId) ?? []), j]);
    return workflows.reverse().map((w) => {
      const c = countsOf(w.id);
      const range = this.best.get(w.id)?.range;
      const mine = jobsOf.get(w.id) ?? [];
      return {
        name: w.name,
        state: w.state,
        searcher: w.searcher,
        direction: w.direction,
        objectives: objectivesOf(w).map((o) => o.name),
        maxEvals: w.maxEvals,
        createdAt: w.createdAt,
        counts: c,
        finished: finishedCount(c),
        best: range === undefined ? null : w.direction === "maximize" ? range.max : range.min,
        batchJobs: { active: mine.filter(isActiveJob).length, total: mine.length, latest: mine.length > 0 ? jobJson(mine[mine.length - 1]!) : null },
        error: w.error,
      };
    });
  }

  /** One workflow's header: counts, best evaluation, batch jobs, and a version that changes with them. */
  async summary(name: string) {
    const wf = await getWorkflow(this.store, name);
    if (!wf) return null;
    const [counts, jobs, progressId, best] = await Promise.all([
      countEvaluations(this.store, wf.id),
      listBatchJobs(this.store, wf.id),
      lastProgressId(this.store, wf.id),
      pageEvaluations(this.store, { workflowId: wf.id, states: ["DONE"], sort: "objective", descending: wf.direction === "maximize", offset: 0, limit: 1 }),
    ]);
    const top = best.rows[0];
    return {
      workflow: {
        name: wf.name,
        state: wf.state,
        searcher: wf.searcher,
        direction: wf.direction,
        objectives: objectivesOf(wf),
        maxEvals: wf.maxEvals,
        createdAt: wf.createdAt,
        resultsDir: wf.resultsDir,
        error: wf.error,
      },
      counts,
      finished: finishedCount(counts),
      best: top ? { evalId: top.id, objective: top.objective, point: top.point } : null,
      batchJobs: jobs.map(jobJson),
      version: this.version(wf, counts, progressId),
    };
  }

  /**
   * Anything the charts draw changes one of these; while evaluations run, their bars grow, so the
   * version also moves every RUNNING_BARS_MS.
   */
  private version(wf: WorkflowRow, counts: Record<EvaluationState, number>, progressId: number): string {
    const clock = counts.RUNNING > 0 ? Math.floor(this.now() / RUNNING_BARS_MS) : 0;
    return [wf.state, wf.maxEvals, ...Object.values(counts), progressId, clock].join(".");
  }

  async evaluationPage(name: string, q: { sort: EvaluationSort; descending: boolean; offset: number; limit: number; states: EvaluationState[]; text: string }) {
    const wf = await getWorkflow(this.store, name);
    if (!wf) return null;
    const page = await pageEvaluations(this.store, { workflowId: wf.id, ...q });
    return { total: page.total, offset: q.offset, limit: q.limit, rows: page.rows.map((r) => evaluationJson(r, wf.createdAt)) };
  }

  async evaluation(name: string, id: number): Promise<{ wf: WorkflowRow; row: EvaluationRow } | null> {
    const wf = await getWorkflow(this.store, name);
    if (!wf) return null;
    const row = await getEvaluation(this.store, id);
    return row && row.workflowId === wf.id ? { wf, row } : null;
  }

  /** The end of an evaluation's stdout or stderr (docs/architecture.md, Layout: evals/<id>/). */
  async output(name: string, id: number, stream: "stdout" | "stderr", bytes: number) {
    const found = await this.evaluation(name, id);
    if (!found) return null;
    const file = evaluationFiles(resultsLayout(found.wf.resultsDir).evaluation(id))[stream];
    return { id, stream, state: found.row.state, ...tail(file, Math.min(Math.max(1, bytes), MAX_TAIL_BYTES)) };
  }

  /** The charts, rebuilt when the workflow changed and the last rebuild is old enough. */
  async chartsOf(name: string): Promise<ChartsJson | null> {
    const wf = await getWorkflow(this.store, name);
    if (!wf) return null;
    const [counts, progressId] = await Promise.all([countEvaluations(this.store, wf.id), lastProgressId(this.store, wf.id)]);
    const version = this.version(wf, counts, progressId);
    const cached = this.charts.get(wf.id);
    const due = !cached || (cached.charts.version !== version && this.now() - cached.builtAt >= Math.max(MIN_CHART_INTERVAL_MS, CHART_COST_FACTOR * cached.costMs));
    if (!due) return cached.charts;
    let pending = this.building.get(wf.id);
    if (!pending) {
      pending = this.buildCharts(wf, version).finally(() => this.building.delete(wf.id));
      this.building.set(wf.id, pending);
    }
    const built = await pending;
    return built.charts;
  }

  private async buildCharts(wf: WorkflowRow, version: string): Promise<ChartCache> {
    const t0 = performance.now();
    const [numbers, batchJobs, launchers, reports] = await Promise.all([
      listChartRows(this.store, wf.id, { points: false }),
      listBatchJobs(this.store, wf.id),
      listLaunchers(this.store, wf.id),
      listProgress(this.store, wf.id),
    ]);
    // Points (JSON to parse) only for the evaluations the thinned charts draw: the rest stay {},
    // which the hyperparameter panels skip.
    // Each step of a large workflow's build runs for a while without yielding (better-sqlite3 and the
    // model are synchronous): between steps, requests waiting meanwhile (a poll, a page of the table) go first.
    await yieldToRequests();
    // The best so far of the numbers is the model's too: the rows below differ only in their points.
    const progress = bestSoFar(numbers, wf.direction, wf.createdAt);
    const sample = chartSample(numbers, wf.direction, wf.createdAt, isNas(wf.problem) ? REPORT_ARCHITECTURES : 0, progress);
    let evaluations = numbers;
    if (sample === null) evaluations = await listChartRows(this.store, wf.id);
    else {
      const full = new Map((await listChartRowsById(this.store, [...sample])).map((r) => [r.id, r]));
      evaluations = numbers.map((r) => full.get(r.id) ?? r);
    }
    await yieldToRequests();
    const model = buildReportModel({ workflow: wf, evaluations, batchJobs, launchers, reports, now: this.now(), topk: 0, evaluationIds: sample ?? undefined, progress });
    await yieldToRequests();
    const charts = renderCharts(model);
    const entry: ChartCache = { builtAt: this.now(), costMs: performance.now() - t0, charts: { version, ...charts } };
    this.charts.set(wf.id, entry);
    return entry;
  }
}

function yieldToRequests(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The last `bytes` of a file, from the start of a line; exists false when there is no file (yet). */
export function tail(file: string, bytes: number): { exists: boolean; size: number; text: string; truncated: boolean } {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return { exists: false, size: 0, text: "", truncated: false };
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, bytes);
    const buf = Buffer.alloc(length);
    const read = readSync(fd, buf, 0, length, size - length);
    let text = buf.subarray(0, read).toString("utf8");
    const truncated = length < size;
    // A cut through a line (or a multi-byte character) is dropped up to the next line.
    if (truncated) {
      const nl = text.indexOf("\n");
      text = nl >= 0 ? text.slice(nl + 1) : text;
    }
    return { exists: true, size, text, truncated };
  } finally {
    closeSync(fd);
  }
}
