// Everything the HTML report shows, gathered from store rows into one plain object (pure: the caller
// loads the rows). The page embeds the evaluation part as JSON for its tooltips.
import type { JsonValue, Point } from "../space/types.js";
import type { BatchJobRow, EvaluationRow, EvaluationState, LauncherRow, WorkflowRow } from "../store/types.js";
import { topkFromEvaluations, type TopkTable } from "./topk.js";
import { bestSoFar, countsByState, finishRate, influence, utilisation, type Influence, type ProgressPoint, type Utilisation } from "./report-data.js";

export interface ReportEvaluation {
  id: number;
  state: EvaluationState;
  attempt: number;
  objective: number | null;
  point: Point;
  hosts: string[];
  /** Seconds since submission; null when not (yet) started/finished. */
  started: number | null;
  finished: number | null;
  /** First line of the error, shortened: enough to recognise a failure in a tooltip. */
  error: string | null;
}

export interface ReportModel {
  generatedAt: string;
  workflow: {
    name: string;
    state: string;
    searcher: string;
    direction: "maximize" | "minimize";
    maxEvals: number;
    seed: number;
    createdAt: string;
    resultsDir: string;
    problemSource: string;
    run: string;
  };
  /** Label/value rows of the settings section: the request, launcher settings, searcher options. */
  settings: [string, string][];
  /** The search space as label/value rows. */
  space: [string, string][];
  counts: Record<EvaluationState, number>;
  best: { evalId: number; objective: number; point: Point } | null;
  ratePerMinute: number | null;
  progress: ProgressPoint[];
  utilisation: Utilisation;
  influence: Influence[];
  topk: TopkTable;
  batchJobs: { id: string; scheduler: string; state: string; nodes: number; queue: string; submitted: string; started: string; ended: string }[];
  launchers: { id: number; host: string; pid: number; started: string; ended: string }[];
  evaluations: ReportEvaluation[];
}

export interface ReportInput {
  workflow: WorkflowRow;
  evaluations: readonly EvaluationRow[];
  batchJobs: readonly BatchJobRow[];
  launchers: readonly LauncherRow[];
  now: number;
  topk?: number;
}

export function buildReportModel(input: ReportInput): ReportModel {
  const { workflow: wf, evaluations: rows, now } = input;
  const origin = wf.createdAt;
  const rel = (t: number | null): number | null => (t === null ? null : (t - origin) / 1000);
  const progress = bestSoFar(rows, wf.direction, origin);
  const bestRow = [...progress].reverse().find((p) => p.best !== null && p.objective === p.best);
  const bestEval = bestRow ? rows.find((r) => r.id === bestRow.evalId) : undefined;
  const r = wf.request;
  // Serial mode packs evaluations per node; in MPI mode an evaluation holds whole nodes, one per host.
  const capacity = r.mode === "serial" ? r.evalsPerNode : 1;
  return {
    generatedAt: new Date(now).toISOString(),
    workflow: {
      name: wf.name,
      state: wf.state,
      searcher: wf.searcher,
      direction: wf.direction,
      maxEvals: wf.maxEvals,
      seed: wf.seed,
      createdAt: new Date(wf.createdAt).toISOString(),
      resultsDir: wf.resultsDir,
      problemSource: wf.problemSource,
      run: wf.run.kind === "module" ? wf.run.path : wf.run.template,
    },
    settings: [
      ["scheduler", r.scheduler],
      ["nodes", String(r.nodes)],
      ["walltime", `${r.walltimeMinutes} min`],
      ["queue / project", `${r.queue ?? "-"} / ${r.project ?? "-"}`],
      ["mode", r.mode === "serial" ? `serial, ${r.evalsPerNode} evaluation(s) per node` : `mpi, ${r.nodesPerEval} node(s) per evaluation, ${r.ranksPerNode} rank(s) per node`],
      ...Object.entries(wf.searcherOptions).map(([k, v]): [string, string] => [`searcher: ${k}`, text(v)]),
      ...Object.entries(wf.settings).map(([k, v]): [string, string] => [`launcher: ${k}`, text(v)]),
    ],
    space: wf.problem.hyperparameters.map((hp): [string, string] => {
      if (hp.type === "int" || hp.type === "float") return [hp.name, `${hp.type} [${hp.low}, ${hp.high}]${hp.log ? " log" : ""}`];
      if (hp.type === "const") return [hp.name, `const ${text(hp.value)}`];
      return [hp.name, `${hp.type} {${hp.values.map(text).join(", ")}}`];
    }),
    counts: countsByState(rows),
    best: bestEval && bestEval.objective !== null ? { evalId: bestEval.id, objective: bestEval.objective, point: bestEval.point } : null,
    ratePerMinute: finishRate(rows)?.perMinute ?? null,
    progress,
    utilisation: utilisation(rows, origin, now, capacity),
    influence: influence(wf.problem.hyperparameters, rows),
    topk: topkFromEvaluations([...rows], wf.direction, input.topk ?? 10),
    batchJobs: input.batchJobs.map((j) => ({
      id: j.schedulerId ?? `#${j.id}`,
      scheduler: j.scheduler,
      state: j.state,
      nodes: j.nodes,
      queue: j.queue ?? "-",
      submitted: iso(j.submittedAt),
      started: iso(j.startedAt),
      ended: iso(j.endedAt),
    })),
    launchers: input.launchers.map((l) => ({ id: l.id, host: l.host, pid: l.pid, started: iso(l.startedAt), ended: iso(l.endedAt) })),
    evaluations: rows.map((e) => ({
      id: e.id,
      state: e.state,
      attempt: e.attempt,
      objective: e.objective,
      point: e.point,
      hosts: e.hosts ?? [],
      started: rel(e.startedAt),
      finished: rel(e.finishedAt),
      error: e.error === null ? null : shorten((e.error.split("\n")[0] ?? "").trim(), 200),
    })),
  };
}

function text(v: JsonValue): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function iso(t: number | null): string {
  return t === null ? "-" : new Date(t).toISOString().slice(0, 19).replace("T", " ");
}

function shorten(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}
