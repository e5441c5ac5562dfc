// Everything the HTML report shows, gathered from store rows into one plain object (pure: the caller
// loads the rows). The page embeds the evaluation part as JSON for its tooltips.
import { isMultiObjective, objectivesOf } from "../objectives/declare.js";
import type { JsonValue, ObjectiveSpec, Point } from "../space/types.js";
import type { ParetoPoint } from "./charts-pareto.js";
import { describeCondition, describeForbidden } from "../space/conditions.js";
import { frontSummary, scoredEvaluations } from "./front.js";
import type { BatchJobRow, ProgressPoint, EvaluationRow, EvaluationState, LauncherRow, WorkflowRow } from "../store/types.js";
import { capabilitiesOf } from "../search/registry.js";
import { paretoTopkFromEvaluations, topkFromEvaluations, type TopkTable } from "./topk.js";
import { recordedRows } from "./csv.js";
import { archSeqOf, decodeArchitecture, describeChoice, isNas, recordPoint, type DecodedNode } from "../nas/sequence.js";
import { archChoices, opLabel } from "../nas/architecture.js";
import { bestSoFar, countsByState, finishRate, influence, isBetter, utilisation, type Direction, type BestSoFarPoint, type Influence, type Utilisation } from "./report-data.js";

/**
 * At most this many learning curves are drawn: beyond a few hundred thin lines a plot is a smear,
 * and the page of a 10,000-evaluation search must stay small.
 */
export const MAX_CURVES = 200;

export interface ReportEvaluation {
  id: number;
  state: EvaluationState;
  attempt: number;
  objective: number | null;
  /** Several objectives: every value in declared order. */
  objectives?: number[] | null;
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
  /** The objectives in declared order (one, named "objective", unless several were declared). */
  objectives: ObjectiveSpec[];
  /** The best evaluation by the (first) objective. */
  best: { evalId: number; objective: number; point: Point } | null;
  /** Several objectives: every DONE evaluation's values, the front, its hypervolume and reference point. */
  pareto: { points: ParetoPoint[]; frontSize: number; hypervolume: number | null; reference: number[] | null; declared: boolean } | null;
  ratePerMinute: number | null;
  progress: BestSoFarPoint[];
  utilisation: Utilisation;
  influence: Influence[];
  topk: TopkTable;
  batchJobs: { id: string; scheduler: string; state: string; nodes: number; queue: string; submitted: string; started: string; ended: string }[];
  launchers: { id: number; host: string; pid: number; started: string; ended: string }[];
  evaluations: ReportEvaluation[];
  /** Learning curves from the evaluations' intermediate reports; null when nothing reported. */
  curves: LearningCurves | null;
  /** A NAS workflow's best architectures, decoded (null for hps). */
  architectures: ReportArchitecture[] | null;
}

/** One of the best architectures of a NAS search, for its diagram. */
export interface ReportArchitecture {
  evalId: number;
  objective: number;
  archSeq: number[];
  nodes: DecodedNode[];
  /** The evaluation's other hyperparameters. */
  hyperparameters: Point;
}

/** How many of the best architectures the report draws. */
export const REPORT_ARCHITECTURES = 3;

/** The reports of one multi-fidelity trial (across its rows) or of one evaluation, by step. */
export interface LearningCurve {
  kind: "trial" | "evaluation";
  /** The trial number or the evaluation id. */
  id: number;
  /** [step, value] in step order; a step reported twice (a retried run) keeps its latest value. */
  points: [number, number][];
  /** The value at the last step: what curves are ranked by. */
  final: number;
  lastStep: number;
  /** The row holding the last step: the page links the curve to that evaluation. */
  lastEvalId: number;
  /** A row of it is READY or RUNNING: it may still go past lastStep. */
  active: boolean;
}

export interface LearningCurves {
  /** How many curves the reports make; `curves` holds the best `maxCurves` of them. */
  total: number;
  /** Best first in the workflow's direction (ties by id); curves[0] is the highlighted one. */
  curves: LearningCurve[];
  /** asha only: how many trials' curves end at each length, ascending, over all `total` curves. */
  lengths: { length: number; trials: number; active: number }[] | null;
}

export interface ReportInput {
  workflow: WorkflowRow;
  evaluations: readonly EvaluationRow[];
  batchJobs: readonly BatchJobRow[];
  launchers: readonly LauncherRow[];
  now: number;
  topk?: number;
  /** The workflow's intermediate reports in arrival order (listProgress); none: no curves. */
  reports?: readonly ProgressPoint[];
  maxCurves?: number;
  /**
   * Only these evaluations in `evaluations` (the page's tooltip data); default all. The dashboard
   * draws a sample of a large search and needs no more.
   */
  evaluationIds?: ReadonlySet<number>;
  /** bestSoFar of these same rows, when the caller has it already (a large workflow's costs 0.1 s). */
  progress?: BestSoFarPoint[];
}

export function buildReportModel(input: ReportInput): ReportModel {
  const { workflow: wf, evaluations: rows, now } = input;
  const origin = wf.createdAt;
  const rel = (t: number | null): number | null => (t === null ? null : (t - origin) / 1000);
  const progress = input.progress ?? bestSoFar(rows, wf.direction, origin);
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
      run: wf.run.kind === "module" ? wf.run.path : wf.run.kind === "python" ? wf.run.ref : wf.run.template,
    },
    settings: [
      ["scheduler", r.scheduler],
      ["nodes", String(r.nodes)],
      ["walltime", `${r.walltimeMinutes} min`],
      ["queue / project", `${r.queue ?? "-"} / ${r.project ?? "-"}`],
      ["mode", r.mode === "serial" ? `serial, ${r.evalsPerNode} evaluation(s) per node` : `mpi, ${r.nodesPerEval} node(s) per evaluation, ${r.ranksPerNode} rank(s) per node`],
      // A warm start's observations can be thousands: its source and their number stand for them.
      ...Object.entries(wf.searcherOptions).map(([k, v]): [string, string] => [`searcher: ${k}`, k === "warm_start" ? warmStartText(v) : text(v)]),
      ...Object.entries(wf.settings).map(([k, v]): [string, string] => [`launcher: ${k}`, text(v)]),
    ],
    space: spaceRows(wf),
    counts: countsByState(rows),
    objectives: objectivesOf(wf),
    pareto: paretoModel(wf, rows),
    best: bestEval && bestEval.objective !== null ? { evalId: bestEval.id, objective: bestEval.objective, point: recordedRows(wf.problem, [bestEval])[0]!.point } : null,
    ratePerMinute: finishRate(rows)?.perMinute ?? null,
    progress,
    utilisation: utilisation(rows, origin, now, capacity),
    influence: nasInfluence(wf, influence(wf.problem.hyperparameters, rows)),
    // Several objectives: the whole front (topk's default), as `spruce topk` prints it.
    // topk 0: none (the dashboard shows no table of the best; it pages every evaluation instead).
    topk: input.topk === 0 ? {} : isMultiObjective(wf) ? paretoTopkFromEvaluations(recordedRows(wf.problem, rows), objectivesOf(wf)) : topkFromEvaluations(recordedRows(wf.problem, rows), wf.direction, input.topk ?? 10),
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
    evaluations: (input.evaluationIds ? rows.filter((e) => input.evaluationIds!.has(e.id)) : rows).map((e) => ({
      id: e.id,
      state: e.state,
      attempt: e.attempt,
      objective: e.objective,
      ...(e.objectives ? { objectives: e.objectives } : {}),
      point: e.point,
      hosts: e.hosts ?? [],
      started: rel(e.startedAt),
      finished: rel(e.finishedAt),
      error: e.error === null ? null : shorten((e.error.split("\n")[0] ?? "").trim(), 200),
    })),
    curves: learningCurves(rows, input.reports ?? [], wf.direction, { maxCurves: input.maxCurves, lengths: capabilitiesOf(wf).counts === "trials" }),
    architectures: bestArchitectures(wf, rows),
  };
}

/** The best `k` successful evaluations by the (first) objective, best first, ties by id. */
export function bestRows(rows: readonly EvaluationRow[], direction: Direction, k: number): EvaluationRow[] {
  const before = (a: EvaluationRow, b: EvaluationRow) => (a.objective === b.objective ? a.id < b.id : isBetter(a.objective!, b.objective!, direction));
  // k is a handful (the report's architectures): one pass keeping the best k in order, rather
  // than sorting a 100 000-row workflow to take three.
  const best: EvaluationRow[] = [];
  if (k <= 0) return best;
  for (const r of rows) {
    if (r.state !== "DONE" || r.objective === null) continue;
    if (best.length === k && !before(r, best[k - 1]!)) continue;
    let i = Math.min(best.length, k - 1);
    while (i > 0 && before(r, best[i - 1]!)) i--;
    best.splice(i, 0, r);
    if (best.length > k) best.pop();
  }
  return best;
}

/** The best REPORT_ARCHITECTURES successful evaluations of a NAS workflow by the (first) objective, decoded. */
function bestArchitectures(wf: WorkflowRow, rows: readonly EvaluationRow[]): ReportArchitecture[] | null {
  if (!isNas(wf.problem)) return null;
  const arch = wf.problem.architecture;
  return bestRows(rows, wf.direction, REPORT_ARCHITECTURES).map((r) => {
    const archSeq = archSeqOf(arch, r.point);
    const { arch_seq: _, ...hyperparameters } = recordPoint(wf.problem, r.point);
    return { evalId: r.id, objective: r.objective!, archSeq, nodes: decodeArchitecture(arch, archSeq), hyperparameters };
  });
}

/**
 * Groups reports into learning curves: per trial for rows with a fidelity (a promoted trial goes on
 * in a new row from the length it reached, so its rows join into one curve), per evaluation
 * otherwise. Keeps the best `maxCurves` by final value; null when there are no reports, so ordinary
 * searches get no section at all. One pass over the reports plus a sort per curve: cheap next to
 * rendering, even for a large search.
 */
export function learningCurves(
  rows: readonly EvaluationRow[],
  reports: readonly ProgressPoint[],
  direction: Direction,
  opts: { maxCurves?: number; lengths?: boolean } = {},
): LearningCurves | null {
  const rowById = new Map(rows.map((r) => [r.id, r]));
  const groups = new Map<string, { kind: LearningCurve["kind"]; id: number; byStep: Map<number, [number, number]>; active: boolean }>();
  for (const r of reports) {
    // A non-finite value cannot be drawn (and a run that diverged says so in its objective).
    if (!Number.isFinite(r.value) || !Number.isFinite(r.step)) continue;
    const row = rowById.get(r.evaluationId);
    const trial = row?.fidelity?.trial;
    const key = trial === undefined ? `e${r.evaluationId}` : `t${trial}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { kind: trial === undefined ? "evaluation" : "trial", id: trial ?? r.evaluationId, byStep: new Map(), active: false }));
    // Arrival order: a later report of the same step (a re-run after a walltime) replaces the earlier.
    g.byStep.set(r.step, [r.value, r.evaluationId]);
  }
  if (groups.size === 0) return null;
  for (const row of rows) {
    if (row.state !== "READY" && row.state !== "RUNNING") continue;
    const g = groups.get(row.fidelity ? `t${row.fidelity.trial}` : `e${row.id}`);
    if (g) g.active = true;
  }
  const all: LearningCurve[] = [...groups.values()].map((g) => {
    const steps = [...g.byStep.keys()].sort((a, b) => a - b);
    const lastStep = steps[steps.length - 1] as number;
    const [final, lastEvalId] = g.byStep.get(lastStep) as [number, number];
    return { kind: g.kind, id: g.id, points: steps.map((s): [number, number] => [s, (g.byStep.get(s) as [number, number])[0]]), final, lastStep, lastEvalId, active: g.active };
  });
  all.sort((a, b) => (a.final === b.final ? a.id - b.id : isBetter(a.final, b.final, direction) ? -1 : 1));
  return {
    total: all.length,
    curves: all.slice(0, opts.maxCurves ?? MAX_CURVES),
    lengths: opts.lengths ? lengthsReached(all) : null,
  };
}

/** asha's summary: trials per length their curve ends at (the rung where it stopped, or got to). */
function lengthsReached(curves: readonly LearningCurve[]): NonNullable<LearningCurves["lengths"]> {
  const by = new Map<number, { length: number; trials: number; active: number }>();
  for (const c of curves) {
    let e = by.get(c.lastStep);
    if (!e) by.set(c.lastStep, (e = { length: c.lastStep, trials: 0, active: 0 }));
    e.trials++;
    if (c.active) e.active++;
  }
  return [...by.values()].sort((a, b) => a.length - b.length);
}

/**
 * A NAS workflow's choice panels (vnode_NNNNN, ints to the space) as strips captioned with what they
 * choose: one strip per operation of the node, or a skip connection off and on.
 */
function nasInfluence(wf: WorkflowRow, items: Influence[]): Influence[] {
  if (!isNas(wf.problem)) return items;
  const nodes = new Map(wf.problem.architecture.nodes.map((n) => [n.name, n]));
  const choices = new Map(archChoices(wf.problem.architecture).map((c, i) => [c.name, { c, i }]));
  return items.map((it) => {
    const found = choices.get(it.name);
    if (!found) return it;
    const { c, i } = found;
    const categories = c.kind === "op" ? (nodes.get(c.node)?.ops ?? []).map(opLabel) : ["off", "on"];
    return { name: it.name, label: `arch_seq[${i}] ${describeChoice(c)}`, kind: "categorical", categories, points: it.points };
  });
}

/** The space as label/value rows: each hyperparameter (with the condition it is active under), then the forbidden clauses. */
function spaceRows(wf: WorkflowRow): [string, string][] {
  const when = new Map((wf.problem.conditions ?? []).map((c) => [c.child, describeCondition(c.when)]));
  const rows = wf.problem.hyperparameters.map((hp): [string, string] => {
    const active = when.has(hp.name) ? `, when ${when.get(hp.name)}` : "";
    if (hp.type === "int" || hp.type === "float") return [hp.name, `${hp.type} [${hp.low}, ${hp.high}]${hp.log ? " log" : ""}${active}`];
    if (hp.type === "const") return [hp.name, `const ${text(hp.value)}${active}`];
    return [hp.name, `${hp.type} {${hp.values.map(text).join(", ")}}${active}`];
  });
  for (const f of wf.problem.forbidden ?? []) rows.push(["forbidden", describeForbidden(f)]);
  if (isNas(wf.problem)) {
    // The choices' rows say what they choose; the nodes follow.
    const choices = archChoices(wf.problem.architecture);
    choices.forEach((c, i) => {
      const row = rows.find((r) => r[0] === c.name);
      if (row) row[1] += ` (arch_seq[${i}], ${describeChoice(c)})`;
    });
    for (const n of wf.problem.architecture.nodes) {
      const ops = n.variable ? `one of ${n.ops.map(opLabel).join(" | ")}` : opLabel(n.ops[0] ?? null);
      rows.push([`node ${n.name}`, `${ops}; input ${n.input}${n.skips.length > 0 ? `; skips from ${n.skips.join(", ")}` : ""}`]);
    }
  }
  return rows;
}

function paretoModel(wf: WorkflowRow, rows: readonly EvaluationRow[]): ReportModel["pareto"] {
  if (!isMultiObjective(wf)) return null;
  const objectives = objectivesOf(wf);
  const scored = scoredEvaluations(rows, objectives);
  const summary = frontSummary(scored, objectives);
  const onFront = new Set(summary.front.map((s) => s.row.id));
  return {
    points: scored.map((s) => ({ evalId: s.row.id, values: s.values, front: onFront.has(s.row.id) })),
    frontSize: summary.front.length,
    hypervolume: summary.hypervolume,
    reference: summary.reference ? objectives.map((o) => summary.reference!.point[o.name]!) : null,
    declared: summary.reference?.declared ?? false,
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

/** The report's line for a warm start (docs/architecture.md, Warm start): where from, how many. */
function warmStartText(v: JsonValue): string {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return text(v);
  const n = Array.isArray(v.observations) ? v.observations.length : 0;
  return `${n} earlier result(s) from ${String(v.source)}${typeof v.dropped === "number" && v.dropped > 0 ? ` (${v.dropped} dropped)` : ""}`;
}
