// Writing report.html from the database: `spruce report` calls writeReport; the launcher calls
// refreshReport as results arrive, throttled by shouldRefresh so large searches are not slowed by
// re-rendering a page whose cost grows with every evaluation.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { getWorkflowById, listBatchJobs, listEvaluations, listLaunchers, listProgress, type Store } from "../store/index.js";
import type { WorkflowRow, WorkflowState } from "../store/types.js";
import { resultsLayout } from "./layout.js";
import { renderReport } from "./report-html.js";
import { buildReportModel, type ReportModel } from "./report-model.js";

export function reportPath(wf: WorkflowRow): string {
  return resultsLayout(wf.resultsDir).report;
}

export async function loadReportModel(store: Store, wf: WorkflowRow, opts: { now?: number; topk?: number } = {}): Promise<ReportModel> {
  const [evaluations, batchJobs, launchers, reports] = await Promise.all([
    listEvaluations(store, wf.id),
    listBatchJobs(store, wf.id),
    listLaunchers(store, wf.id),
    // All of them: ranking the curves needs every final value (only the best few are drawn).
    listProgress(store, wf.id),
  ]);
  return buildReportModel({ workflow: wf, evaluations, batchJobs, launchers, reports, now: opts.now ?? Date.now(), topk: opts.topk });
}

/**
 * Renders and writes the report. Written to a temporary file and renamed, so a browser or a copy
 * taken while the launcher refreshes it always sees a whole page.
 */
export async function writeReport(store: Store, wf: WorkflowRow, file: string = reportPath(wf)): Promise<ReportModel> {
  const model = await loadReportModel(store, wf);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, renderReport(model));
  renameSync(tmp, file);
  return model;
}

/**
 * The launcher's refresh: re-reads the workflow (its state changes during the run) and rewrites
 * report.html in its results directory. A report is a convenience, so a failure is logged and never
 * propagates into the search loop.
 */
export async function refreshReport(
  store: Store,
  workflow: WorkflowRow,
  opts: { file?: string; log?: (line: string) => void; state?: WorkflowState } = {},
): Promise<void> {
  try {
    const row = (await getWorkflowById(store, workflow.id)) ?? workflow;
    const wf = opts.state ? { ...row, state: opts.state } : row;
    await writeReport(store, wf, opts.file ?? reportPath(wf));
  } catch (e) {
    opts.log?.(`report.html not refreshed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Small searches refresh at most every 5 s. */
const MIN_INTERVAL_MS = 5_000;
/** Even huge searches refresh every 5 minutes. */
const MAX_INTERVAL_MS = 300_000;
/**
 * Loading and rendering cost about 0.2 ms per evaluation (10,000 evaluations: ~2 s, an 8 MB page);
 * waiting 50 ms per evaluation between refreshes keeps them under 1% of the launcher's time.
 */
const MS_PER_EVALUATION = 50;

/** The minimum time between refreshes for a search with finishedCount finished evaluations. */
export function refreshIntervalMs(finishedCount: number): number {
  return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, finishedCount * MS_PER_EVALUATION));
}

/** True when a refresh is due: never refreshed yet, or the interval for this size has passed. */
export function shouldRefresh(lastRefreshMs: number | null, finishedCount: number, now: number): boolean {
  return lastRefreshMs === null || now - lastRefreshMs >= refreshIntervalMs(finishedCount);
}
