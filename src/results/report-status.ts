// The readable `spruce status` text: summary lines with rate and ETA, counts by state, the best
// point one hyperparameter per line, and the batch jobs. Pure, so the CLI only loads the rows.
import type { EvaluationRow, EvaluationState, WorkflowRow } from "../store/types.js";
import { EVALUATION_STATES, finishedCount } from "../store/states.js";
import { capabilitiesOf } from "../search/registry.js";
import { etaMs, finishRate } from "./report-data.js";
import type { WorkflowStatus } from "./summary.js";

/** How many recent finishes the rate is measured over: recent enough to follow a changing pace. */
export const RATE_WINDOW = 20;

/**
 * `finishedRows` are the finished evaluations (for the rate); `columns` is a TTY's width, or null
 * when piped: a TTY gets a progress bar and long values shortened to fit.
 */
export function statusText(
  wf: WorkflowRow,
  counts: Record<EvaluationState, number>,
  finishedRows: readonly EvaluationRow[],
  status: WorkflowStatus,
  columns: number | null,
  now: number = Date.now(),
): string {
  const finished = finishedCount(counts);
  // A search that counts trials (a promoted trial continues in a new row) progresses in trials that
  // have run, and no ETA can be drawn from the rows' pace (the searcher decides when it is over).
  const trials = capabilitiesOf(wf).counts === "trials" ? new Set(finishedRows.map((r) => r.fidelity?.trial)).size : null;
  const progressed = trials ?? finished;
  const pct = wf.maxEvals > 0 ? Math.min(100, Math.floor((progressed / wf.maxEvals) * 100)) : 100;
  const rate = finishRate(finishedRows, RATE_WINDOW);
  const remaining = wf.state === "FINISHED" ? 0 : Math.max(0, wf.maxEvals - progressed);
  const eta = trials === null ? etaMs(remaining, rate?.perMinute ?? null) : null;
  const active = wf.state === "RUNNING" || wf.state === "CREATED";
  const etaText = remaining === 0 ? "done"
    : !active ? `- (${wf.state.toLowerCase()})`
    : trials !== null ? `- (${wf.searcher}: the searcher decides)`
    : eta === null ? "- (measuring)"
    : `${duration(eta)} (about ${new Date(now + eta).toISOString().slice(11, 16)} UTC)`;

  const front = Array.isArray(status.best) ? status.best : null;
  let out = `workflow   ${wf.name} (${wf.state})\n`;
  if (wf.error) out += `error      ${wf.error.split("\n")[0]}\n`;
  const directions = front ? status.objectives.map((o) => `${o.name} (${o.direction === "maximize" ? "max" : "min"})`).join(", ") : wf.direction;
  out += `searcher   ${wf.searcher}, ${directions}, seed ${wf.seed}\n`;
  const progress = trials === null ? `${finished}/${wf.maxEvals} finished` : `${trials}/${wf.maxEvals} trials run, ${finished} evaluations finished`;
  out += `progress   ${progress} (${pct}%)${columns ? "  " + bar(pct, 24) : ""}\n`;
  out += `rate       ${rate ? `${num(rate.perMinute, 3)} evaluations/min (last ${rate.over} finished)` : "-"}\n`;
  out += `eta        ${etaText}\n`;
  if (front) out += `front      ${frontLine(status)}\n`;
  else if (status.best && !Array.isArray(status.best)) out += `best       ${num(status.best.objective)} (evaluation ${status.best.eval_id})\n`;
  else out += "best       -\n";
  out += `results    ${wf.resultsDir}\n\n`;
  out += table([...EVALUATION_STATES], [EVALUATION_STATES.map((s) => String(counts[s]))]);
  if (front && front.length > 0) {
    const shown = front.slice(0, FRONT_ROWS);
    out += "\n" + table(["PARETO FRONT", ...status.objectives.map((o) => o.name.toUpperCase())], shown.map((f) => [`evaluation ${f.eval_id}`, ...status.objectives.map((o) => num(f.objectives[o.name]!))]));
    if (front.length > shown.length) out += `(${front.length - shown.length} more: spruce topk ${wf.name})\n`;
  } else if (status.best && !Array.isArray(status.best)) {
    const best = status.best;
    const width = columns ? Math.max(20, columns - 24) : Infinity;
    const value = (v: unknown): string => {
      const text = typeof v === "string" ? v : JSON.stringify(v);
      return text.length > width ? text.slice(0, width - 1) + "…" : text;
    };
    out += "\n" + table(["HYPERPARAMETER", "BEST VALUE"], Object.entries(best.point).map(([k, v]) => [k, value(v)]));
  }
  if (status.batch_jobs.length > 0) {
    out += "\n" + table(
      ["SCHEDULER", "JOB", "STATE", "NODES", "QUEUE", "SUBMITTED"],
      status.batch_jobs.map((j) => [j.scheduler, j.id ?? "", j.state, String(j.nodes), j.queue ?? "", j.submitted_at]),
    );
  }
  return out;
}

/** Front points listed by `status`; topk lists them all. */
const FRONT_ROWS = 10;

/** `5 points, hypervolume 0.42 (reference acc=0.1, time=30: worst observed)`. */
export function frontLine(status: WorkflowStatus): string {
  const p = status.pareto;
  if (!p || p.front_size === 0) return "-";
  const ref = p.reference_point ? Object.entries(p.reference_point).map(([k, v]) => `${k}=${num(v)}`).join(", ") : "-";
  return `${p.front_size} point${p.front_size === 1 ? "" : "s"}, hypervolume ${p.hypervolume === null ? "-" : num(p.hypervolume)} (reference ${ref}: ${p.reference})`;
}

function bar(pct: number, width: number): string {
  const full = Math.round((pct / 100) * width);
  return "[" + "#".repeat(full) + "-".repeat(width - full) + "]";
}

// The same conventions as src/cli/output.ts (plain left-aligned columns, 6 significant digits,
// 1h02m durations), kept here because src/results must not depend on the CLI layer.
function table(headers: string[], rows: string[][]): string {
  const cells = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd()).join("\n") + "\n";
}

function num(v: number, digits = 6): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(digits)));
}

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}
