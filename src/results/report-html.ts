// The report page: one self-contained HTML file (inline CSS, SVG and a small script; it fetches
// nothing, so it opens from a cluster's file system, a scp'd copy or an e-mail attachment alike).
import type { JsonValue } from "../space/types.js";
import { busyChart, ganttChart, influenceCharts, learningCurveChart, progressChart } from "./charts.js";
import { parallelCoordinates, paretoScatter } from "./charts-pareto.js";
import { ARCH_CSS, architectureDiagram } from "./charts-arch.js";
import { esc, fmt, fmtSeconds } from "./charts-svg.js";
import type { ReportModel } from "./report-model.js";
import type { Utilisation } from "./report-data.js";
import { TOOLTIP_SCRIPT } from "./tooltip-script.js";
import { EVALUATION_STATES, finishedCount } from "../store/states.js";

/** The Gantt's colours (the same variables as its bars' CSS classes). */
const LEGEND: [string, string][] = [["DONE", "var(--ok)"], ["FAILED / TIMEOUT", "var(--fail)"], ["RUNNING", "var(--run)"], ["KILLED", "#999"]];

/** The report's style sheet; the dashboard uses it too, so its charts look the same. */
export const REPORT_CSS = `
:root{--fg:#1d2733;--muted:#637083;--line:#d8dee6;--bg:#f6f8fa;--ok:#2f6fb3;--best:#e07b00;--fail:#c62828;--run:#7b9e3a}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header{padding:18px 28px;background:#fff;border-bottom:1px solid var(--line)}h1{margin:0;font-size:22px}
header .sub{color:var(--muted);margin-top:4px}main{padding:18px 28px;max-width:1560px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:0 0 18px}
h2{font-size:16px;margin:0 0 10px}.note{color:var(--muted);font-size:12px;margin:4px 0 8px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:18px}.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:130px}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}.card .v{font-size:20px;font-weight:600}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:18px}
.panels{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:12px}
figure.panel{margin:0}figcaption{font-weight:600;margin-bottom:2px}
svg.chart{width:100%;height:auto;display:block;font-size:11px}
.grid{stroke:#eef1f4}.plot{fill:none;stroke:var(--line)}.tick{fill:var(--muted)}.label{fill:var(--fg);font-size:12px}
.failband{fill:#fdecec}.failtext{fill:var(--fail);font-size:10px}
.pt{cursor:pointer}.pt.ok{fill:var(--ok);fill-opacity:.55;stroke:#fff;stroke-width:.6}.pt.improve{fill:var(--best);fill-opacity:1}
.pt.fail{stroke:var(--fail);stroke-width:2;fill:none}.best{fill:none;stroke:var(--best);stroke-width:2}
.bar{cursor:pointer}.s-DONE{fill:var(--ok)}.s-FAILED,.s-TIMEOUT{fill:var(--fail)}.s-RUNNING{fill:var(--run)}.s-KILLED{fill:#999}
.busy{fill:var(--ok);fill-opacity:.35;stroke:var(--ok)}
.curve{fill:none;stroke:var(--ok);stroke-opacity:.35;stroke-width:1;stroke-linecap:round;stroke-linejoin:round;cursor:pointer}.curve.top{stroke:var(--best);stroke-opacity:1;stroke-width:2.5}
.curves{display:grid;grid-template-columns:minmax(0,1fr) auto;gap:18px;align-items:start}
.hl{stroke:#000 !important;stroke-width:2.5 !important;fill-opacity:1 !important}
table{border-collapse:collapse;font-size:13px}th,td{text-align:left;padding:3px 10px 3px 0;border-bottom:1px solid #eef1f4;vertical-align:top}
th{color:var(--muted);font-weight:600}td.num{font-variant-numeric:tabular-nums}tr[data-eval-id]{cursor:pointer}tr.hl td{background:#fff4e0}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
#tip{position:fixed;pointer-events:none;background:#1d2733;color:#fff;padding:6px 9px;border-radius:5px;font-size:12px;white-space:pre;max-width:460px;overflow:hidden;z-index:9}
.kv td:first-child{color:var(--muted);padding-right:18px}.scroll{max-height:320px;overflow:auto}
.pt.front{fill:var(--best);fill-opacity:1}.front-line{fill:none;stroke:var(--best);stroke-width:1.5}.ref{stroke:var(--fg);stroke-width:2}
.pc-axis{stroke:var(--muted)}.pc{fill:none;stroke:var(--ok);stroke-opacity:.25;cursor:pointer}.pc.front{stroke:var(--best);stroke-opacity:.9;stroke-width:2}
`;

// Tooltips and linked highlighting: hovering a mark shows the evaluation; clicking one marks it in
// every chart and table. Runs after the DOM is parsed (the script is at the end of <body>).
const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var byId = {};
  data.evaluations.forEach(function (e) { byId[e.id] = e; });
  var tip = document.getElementById("tip");
${TOOLTIP_SCRIPT}
  document.addEventListener("mousemove", function (ev) {
    var el = ev.target instanceof Element ? ev.target.closest("[data-eval-id]") : null;
    var e = el ? byId[el.getAttribute("data-eval-id")] : null;
    if (!e) { tip.hidden = true; return; }
    showTip(tip, e, data.objectiveNames, ev);
  });
  document.addEventListener("click", function (ev) {
    var el = ev.target instanceof Element ? ev.target.closest("[data-eval-id]") : null;
    document.querySelectorAll(".hl").forEach(function (n) { n.classList.remove("hl"); });
    if (!el) return;
    document.querySelectorAll('[data-eval-id="' + el.getAttribute("data-eval-id") + '"]').forEach(function (n) { n.classList.add("hl"); });
  });
})();
`;

export function renderReport(m: ReportModel): string {
  const w = m.workflow;
  const finished = finishedCount(m.counts);
  const failed = m.counts.FAILED + m.counts.TIMEOUT;
  const u = m.utilisation;
  const embedded = { workflow: w, counts: m.counts, best: m.best, busyFraction: u.busyFraction, objectiveNames: m.objectives.map((o) => o.name), evaluations: m.evaluations };
  const quality: [string, string][] = m.pareto
    ? [["front", String(m.pareto.frontSize)], ["hypervolume", m.pareto.hypervolume === null ? "-" : fmt(m.pareto.hypervolume)]]
    : [[`best (${w.direction === "maximize" ? "max" : "min"})`, m.best ? fmt(m.best.objective) : "-"]];
  const cards: [string, string][] = [
    ["state", w.state],
    ["finished", `${finished} / ${w.maxEvals}`],
    ["failed", String(failed)],
    ["running", String(m.counts.RUNNING)],
    ...quality,
    ["busy", u.window ? `${Math.round(u.busyFraction * 100)}%` : "-"],
    ["rate", m.ratePerMinute === null ? "-" : `${fmt(m.ratePerMinute)}/min`],
  ];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(w.name)} — Spruce report</title><style>${REPORT_CSS}${m.architectures ? ARCH_CSS : ""}</style></head>
<body>
<header><h1>${esc(w.name)}</h1><div class="sub">${esc(w.searcher)} search, ${esc(m.pareto ? m.objectives.map((o) => `${o.name} (${o.direction})`).join(", ") : w.direction)}, seed ${w.seed} · submitted ${esc(w.createdAt.slice(0, 19).replace("T", " "))} UTC · report generated ${esc(m.generatedAt.slice(0, 19).replace("T", " "))} UTC</div></header>
<main>
<div class="cards">${cards.map(([k, v]) => `<div class="card"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div></div>`).join("")}</div>
${paretoSection(m)}${progressSection(m)}${curvesSection(m)}${utilisationSection(m)}${architecturesSection(m)}<section id="topk"><h2>${m.pareto ? `Pareto front (${Object.keys(m.topk).length})` : `Top ${Object.keys(m.topk).length}`}</h2>${topkTable(m)}</section>
${influenceSection(m)}<div class="grid2">
<section id="counts"><h2>Evaluations by state</h2>${table(["state", "count"], EVALUATION_STATES.map((s) => [s, String(m.counts[s])]))}${failures(m)}</section>
<section id="jobs"><h2>Batch jobs</h2>${m.batchJobs.length === 0 ? `<p class="note">none</p>` : table(["job", "scheduler", "state", "nodes", "queue", "submitted", "started", "ended"], m.batchJobs.map((j) => [j.id, j.scheduler, j.state, String(j.nodes), j.queue, j.submitted, j.started, j.ended]))}
<h2 style="margin-top:14px">Launchers</h2>${m.launchers.length === 0 ? `<p class="note">none</p>` : table(["id", "host", "pid", "started", "ended"], m.launchers.map((l) => [String(l.id), l.host, String(l.pid), l.started, l.ended]))}</section>
</div>
<div class="grid2">
<section id="settings"><h2>Settings</h2>${kv([["problem", w.problemSource], ["run", w.run], ["max evaluations", String(w.maxEvals)], ["results", w.resultsDir], ...m.settings])}</section>
<section id="space"><h2>Search space</h2>${kv(m.space)}</section>
</div>
</main>
<div id="tip" hidden></div>
<script type="application/json" id="report-data">${jsonForScript(embedded)}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}

/** With several objectives the progress and hyperparameter charts follow the first one. */
function firstNote(m: ReportModel): string {
  return m.pareto ? ` of ${m.objectives[0]!.name}, the first objective` : "";
}

/** The objective and best so far against evaluations and against wall time. */
export function progressSection(m: ReportModel): string {
  return `<section id="progress"><h2>Objective and best so far${esc(firstNote(m))}</h2>
<p class="note">Every finished evaluation is a point; the line is the best objective so far (orange points improved it); failed evaluations are crosses in the red strip.</p>
<div class="grid2"><div>${progressChart("chart-evals", m.progress, "n")}</div><div>${progressChart("chart-time", m.progress, "t")}</div></div></section>
`;
}

/**
 * The Gantt of slots and the busy fraction. `gantt` replaces the Gantt's utilisation (a dashboard
 * draws only the latest bars of a large search) with a sentence saying what it shows.
 */
export function utilisationSection(m: ReportModel, gantt?: { utilisation: Utilisation; note: string }): string {
  const u = m.utilisation;
  return `<section id="utilisation"><h2>Slot utilisation</h2>
<p class="note">One row per slot (evaluations packed per host); ${u.lanes.length} slot(s) on ${new Set(u.lanes.map((l) => l.host)).size} host(s), busy ${Math.round(u.busyFraction * 100)}% of the time between the first start and the last end${u.window ? ` (${fmtSeconds(u.window.end - u.window.start)})` : ""}.${gantt ? ` ${esc(gantt.note)}` : ""}</p>
<div class="legend">${LEGEND.map(([s, colour]) => `<span><i style="background:${colour}"></i>${s}</span>`).join("")}</div>
${ganttChart("chart-gantt", gantt?.utilisation ?? u)}${busyChart("chart-busy", u)}</section>
`;
}

/** One panel per hyperparameter. */
export function influenceSection(m: ReportModel): string {
  return `<section id="influence"><h2>Hyperparameters</h2><p class="note">Objective${esc(firstNote(m))} against each hyperparameter's value (categories as strips).</p><div class="panels">${influenceCharts(m.influence)}</div></section>
`;
}

/** Several objectives: the front as a scatter (two) or parallel coordinates (more), with its hypervolume. */
export function paretoSection(m: ReportModel): string {
  const p = m.pareto;
  if (!p) return "";
  const names = m.objectives.map((o) => o.name);
  const ref = p.reference ? names.map((n, j) => `${n} ${fmt(p.reference![j]!)}`).join(", ") : "-";
  const hv = p.hypervolume === null ? "" : `; hypervolume ${fmt(p.hypervolume)} from the reference point (${ref}, ${p.declared ? "declared" : "the worst values observed"})`;
  const chart = m.objectives.length === 2
    ? paretoScatter("chart-pareto", m.objectives, p.points, p.reference)
    : parallelCoordinates("chart-pareto", m.objectives, p.points);
  const how = m.objectives.length === 2
    ? "Every successful evaluation is a point; the orange points are the Pareto front, no other evaluation better in both objectives, and the line bounds the region they dominate."
    : "One line per successful evaluation across the objectives' axes (better at the top); the orange lines are the Pareto front.";
  return `<section id="pareto"><h2>Pareto front</h2><p class="note">${esc(how)} ${p.frontSize} point(s) on the front${esc(hv)}.</p>${chart}</section>
`;
}

/** Learning curves from intermediate reports; nothing at all for a search whose runs never reported. */
export function curvesSection(m: ReportModel): string {
  const lc = m.curves;
  const best = lc?.curves[0];
  if (!lc || !best) return "";
  const unit = best.kind === "trial" ? "trial" : "evaluation";
  const shown = lc.curves.length < lc.total ? `the best ${lc.curves.length} of ${lc.total} ${unit}s` : `${lc.total} ${unit}(s)`;
  const note = `One line per ${unit}, ${shown} by final reported value (${m.workflow.direction}); ` +
    `the orange line is the best, ${unit} ${best.id}: ${fmt(best.final)} at step ${fmt(best.lastStep)}.`;
  // asha: where trials stopped, i.e. how far the successive halving let them get.
  const lengths = lc.lengths && lc.lengths.length > 0
    ? `<div><h2>Trials per length reached</h2>${table(["length", "trials", "still running"], lc.lengths.map((l) => [fmt(l.length), String(l.trials), String(l.active)]))}</div>`
    : "";
  return `<section id="curves"><h2>Learning curves</h2><p class="note">${esc(note)}</p>
<div class="curves"><div>${learningCurveChart("chart-curves", lc.curves)}</div>${lengths}</div></section>
`;
}

/** A NAS search: its best architectures as diagrams, best first. */
export function architecturesSection(m: ReportModel): string {
  if (!m.architectures) return "";
  if (m.architectures.length === 0) return `<section id="architectures"><h2>Best architectures</h2><p class="note">no successful evaluation yet</p></section>\n`;
  const figures = m.architectures.map((a, i) => {
    const hps = Object.entries(a.hyperparameters).map(([k, v]) => `${k} = ${cell(v)}`).join(", ");
    const caption = `${i + 1}. evaluation ${a.evalId}, objective ${cell(a.objective)}, arch_seq ${JSON.stringify(a.archSeq)}${hps ? `, ${hps}` : ""}`;
    return `<figure data-eval-id="${a.evalId}">${architectureDiagram(a.nodes, `e${a.evalId}`)}<figcaption>${esc(caption)}</figcaption></figure>`;
  });
  return `<section id="architectures"><h2>Best architectures</h2><p class="note">Nodes top to bottom from the input, each with its chosen operation; solid arrows feed a node's operation, dashed orange arcs are the skip connections that are on (added to its output).</p><div class="archs">${figures.join("")}</div></section>\n`;
}

function topkTable(m: ReportModel): string {
  const rows = Object.entries(m.topk);
  if (rows.length === 0) return `<p class="note">no successful evaluation yet</p>`;
  // One objective column, or objective_0 ... headed by the objectives' names.
  const objectiveKeys = m.pareto ? m.objectives.map((_, j) => `objective_${j}`) : ["objective"];
  const objectiveHeads = m.pareto ? m.objectives.map((o) => o.name) : ["objective"];
  const skip = new Set([...objectiveKeys, "eval_id", "pareto_rank"]);
  const names = [...new Set(rows.flatMap(([, r]) => Object.keys(r).filter((k) => !skip.has(k))))];
  const head = `<tr><th>rank</th>${objectiveHeads.map((h) => `<th>${esc(h)}</th>`).join("")}<th>eval</th>${names.map((n) => `<th>${esc(n)}</th>`).join("")}</tr>`;
  const body = rows.map(([rank, r]) =>
    `<tr data-eval-id="${esc(cell(r.eval_id))}"><td>${esc(rank)}</td>${objectiveKeys.map((k) => `<td class="num">${esc(cell(r[k]))}</td>`).join("")}<td>${esc(cell(r.eval_id))}</td>${names.map((n) => `<td class="num">${esc(cell(r[n]))}</td>`).join("")}</tr>`).join("");
  return `<table>${head}${body}</table>`;
}

/** The last failures, newest first, with their first error line: the usual question about a red strip. */
function failures(m: ReportModel): string {
  const failed = m.evaluations.filter((e) => e.state === "FAILED" || e.state === "TIMEOUT").slice(-20).reverse();
  if (failed.length === 0) return "";
  return `<h2 style="margin-top:14px">Recent failures</h2><div class="scroll">${table(["eval", "state", "error"], failed.map((e) => [String(e.id), e.state, e.error ?? ""]), (row) => ` data-eval-id="${esc(row[0] ?? "")}"`)}</div>`;
}

function table(headers: string[], rows: string[][], rowAttrs: (row: string[]) => string = () => ""): string {
  return `<table><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>${rows.map((r) => `<tr${rowAttrs(r)}>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("")}</table>`;
}

function kv(rows: [string, string][]): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join("")}</table>`;
}

function cell(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return "";
  // Tables show more digits than axis labels: close objectives must stay distinguishable.
  if (typeof v === "number") return String(Number(v.toPrecision(6)));
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** JSON that cannot end the <script> element early nor break on U+2028/2029 in old engines. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
