// The dashboard page's script (plain ES2017, no library): a hash router between the workflow list
// (#/) and one workflow (#/w/NAME), drawn from the server's JSON and refreshed by polling every 2 s
// while the tab is visible, without reloading the page. Text from the database (points, errors,
// hosts, output) is only ever set as textContent; chart SVG comes escaped from the server.
import { TOOLTIP_SCRIPT } from "../results/tooltip-script.js";

export const PAGE_SCRIPT = String.raw`
(function () {
  "use strict";
  var POLL_MS = 2000;
  var STATES = ["READY", "RUNNING", "DONE", "FAILED", "TIMEOUT", "KILLED"];
  // The token has done its work (the session cookie is set): keep it out of the address bar and history.
  if (/[?&]token=/.test(location.search)) history.replaceState(null, "", location.pathname + location.hash);

  var main = document.getElementById("main");
  var statusLine = document.getElementById("status");
  var where = document.getElementById("where");
  var tip = document.getElementById("tip");
  var view = null;
  var timer = null;
  var generation = 0;

  function el(tag, props, children) {
    var e = document.createElement(tag);
    if (props) Object.keys(props).forEach(function (k) {
      var v = props[k];
      if (v === null || v === undefined) return;
      if (k === "text") e.textContent = String(v);
      else if (k === "className") e.className = v;
      else if (k === "onclick") e.addEventListener("click", v);
      else e.setAttribute(k, String(v));
    });
    (children || []).forEach(function (c) { if (c !== null && c !== undefined) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function get(path) {
    return fetch(path, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } }).then(function (r) {
      if (r.status === 401 || r.status === 403) throw new Error("the dashboard refused the session (" + r.status + "): open the URL it printed again");
      if (!r.ok) throw new Error("HTTP " + r.status + " for " + path);
      return r.json();
    });
  }
  function num(v) {
    if (v === null || v === undefined) return "";
    if (Number.isInteger(v)) return String(v);
    var a = Math.abs(v);
    if (a !== 0 && (a >= 1e6 || a < 1e-4)) return v.toExponential(3);
    return String(Number(v.toPrecision(6)));
  }
  function secs(v) { return v === null || v === undefined ? "" : v.toFixed(v < 10 ? 2 : 1) + " s"; }
  function when(ms) { return ms === null || ms === undefined ? "" : new Date(ms).toISOString().slice(0, 19).replace("T", " "); }
  function badge(state) { return el("span", { className: "st st-" + state, text: state }); }
  function pointText(p) {
    return Object.keys(p).map(function (k) { var v = p[k]; return k + "=" + (typeof v === "number" ? num(v) : JSON.stringify(v)); }).join(", ");
  }
  function card(k, v, id) { return el("div", { className: "card" }, [el("div", { className: "k", text: k }), el("div", { className: "v", id: id, text: v })]); }
  function table(headers, rows) {
    return el("table", null, [el("thead", null, [el("tr", null, headers.map(function (h) { return el("th", { text: h }); }))]),
      el("tbody", null, rows.map(function (r) { return el("tr", null, r.map(function (c) { return el("td", { text: c }); })); }))]);
  }

  function setStatus(ok, text) {
    statusLine.textContent = text;
    statusLine.className = ok ? "" : "lost";
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(tick, POLL_MS);
  }
  function tick() {
    if (document.hidden) return schedule();
    var g = generation;
    (view.name === null ? refreshList() : refreshWorkflow()).then(function () {
      if (g === generation) setStatus(true, "updated " + new Date().toLocaleTimeString());
    }, function (e) {
      setStatus(false, "not updated: " + e.message + " (retrying)");
    }).then(schedule);
  }
  document.addEventListener("visibilitychange", function () { if (!document.hidden) tick(); });

  // ---- the workflow list ----
  function showList() {
    where.textContent = "every workflow of this database";
    document.title = "Spruce dashboard";
    main.replaceChildren(el("section", { id: "workflows" }, [el("h2", { text: "Workflows" }), el("div", { id: "wf-list", className: "empty", text: "loading…" })]));
  }
  function refreshList() {
    return get("api/workflows").then(function (data) {
      var box = document.getElementById("wf-list");
      if (!box) return;
      if (data.workflows.length === 0) { box.className = "empty"; box.textContent = "No workflow yet: submit one with 'spruce submit hps'."; return; }
      box.className = "";
      var head = ["workflow", "state", "progress", "running", "failed", "best", "searcher", "batch jobs", "submitted"];
      var rows = data.workflows.map(function (w) {
        var pct = w.maxEvals > 0 ? Math.min(100, Math.round((100 * w.finished) / w.maxEvals)) : 0;
        var latest = w.batchJobs.latest;
        return el("tr", { "data-workflow": w.name }, [
          el("td", null, [el("a", { href: "#/w/" + encodeURIComponent(w.name), text: w.name })]),
          el("td", null, [badge(w.state)]),
          el("td", { className: "c-finished num", "data-value": w.finished }, [el("span", { className: "bar-outer" }, [el("span", { className: "bar-inner", style: "width:" + pct + "%" })]), w.finished + " / " + w.maxEvals]),
          el("td", { className: "c-running num", text: w.counts.RUNNING }),
          el("td", { className: "c-failed num", text: w.counts.FAILED + w.counts.TIMEOUT }),
          el("td", { className: "c-best num", text: w.best === null ? "-" : num(w.best) + (w.objectives.length > 1 ? " (" + w.objectives[0] + ")" : "") }),
          el("td", { text: w.searcher + ", " + (w.direction === "maximize" ? "max" : "min") }),
          el("td", { className: "c-jobs", text: w.batchJobs.total === 0 ? "-" : w.batchJobs.active + " active of " + w.batchJobs.total + (latest ? ", latest " + latest.scheduler + " " + latest.id + " " + latest.state : "") }),
          el("td", { text: when(w.createdAt) })
        ]);
      });
      box.replaceChildren(el("table", { className: "list", id: "wf-table" }, [el("thead", null, [el("tr", null, head.map(function (h) { return el("th", { text: h }); }))]), el("tbody", null, rows)]));
    });
  }

  // ---- one workflow ----
  var COLUMNS = [["id", "eval"], ["state", "state"], [null, "point"], ["objective", "objective"], ["attempt", "attempt"], ["host", "host"], ["started", "started"], ["finished", "finished"], ["duration", "duration"]];

  function showWorkflow(name) {
    where.textContent = "";
    document.title = name + " — Spruce dashboard";
    var filter = el("input", { id: "filter", type: "search", placeholder: "filter: point, host or error", "aria-label": "filter" });
    var stateSel = el("select", { id: "state-filter", "aria-label": "state" }, [el("option", { value: "", text: "every state" })].concat(STATES.map(function (s) { return el("option", { value: s, text: s }); })));
    var debounce = null;
    filter.addEventListener("input", function () {
      clearTimeout(debounce);
      debounce = setTimeout(function () { view.text = filter.value; view.offset = 0; loadTable(); }, 250);
    });
    stateSel.addEventListener("change", function () { view.states = stateSel.value; view.offset = 0; loadTable(); });
    var head = el("tr", null, COLUMNS.map(function (c) {
      if (c[0] === null) return el("th", { text: c[1] });
      return el("th", { className: "sortable", "data-sort": c[0], text: c[1], onclick: function () {
        if (view.sort === c[0]) view.desc = !view.desc; else { view.sort = c[0]; view.desc = c[0] !== "id" && c[0] !== "host" && c[0] !== "state"; }
        view.offset = 0;
        loadTable();
      } });
    }));
    main.replaceChildren(
      el("p", null, [el("a", { href: "#/", text: "← all workflows" })]),
      el("h2", { id: "wf-title", style: "font-size:20px" }, [name]),
      el("div", { className: "cards", id: "cards" }),
      el("p", { id: "wf-error", className: "note", hidden: "" }),
      el("div", { id: "charts" }, [el("p", { className: "empty", text: "drawing the charts…" })]),
      el("section", { id: "evaluations" }, [
        el("h2", { text: "Evaluations" }),
        el("div", { className: "controls" }, [filter, stateSel,
          el("button", { id: "pager-prev", text: "← previous", onclick: function () { view.offset = Math.max(0, view.offset - view.limit); loadTable(); } }),
          el("button", { id: "pager-next", text: "next →", onclick: function () { view.offset += view.limit; loadTable(); } }),
          el("span", { id: "pager-info", className: "note" })]),
        el("table", { className: "list", id: "eval-table" }, [el("thead", null, [head]), el("tbody")])
      ]),
      el("section", { id: "detail", hidden: "" }),
      el("section", { id: "jobs" }, [el("h2", { text: "Batch jobs" }), el("div", { id: "jobs-body" })])
    );
  }

  function refreshWorkflow() {
    var name = view.name;
    return get("api/workflows/" + encodeURIComponent(name)).then(function (s) {
      if (view.name !== name) return;
      renderSummary(s);
      var changed = s.version !== view.version;
      view.version = s.version;
      var work = [];
      // The table first: it is one short query, while a large workflow's charts take a while to build.
      if (changed) work.push(loadTable().then(loadCharts, loadCharts));
      if (view.open !== null && (changed || view.openState === "RUNNING")) work.push(loadDetail(false));
      return Promise.all(work);
    });
  }

  function renderSummary(s) {
    var w = s.workflow;
    var c = s.counts;
    var first = w.objectives.length > 1 ? " (" + w.objectives[0].name + ")" : "";
    view.objectiveNames = w.objectives.map(function (o) { return o.name; });
    var active = s.batchJobs.filter(function (j) { return j.state === "SUBMITTED" || j.state === "QUEUED" || j.state === "RUNNING"; }).length;
    document.getElementById("wf-title").replaceChildren(w.name + " ", badge(w.state));
    document.getElementById("cards").replaceChildren(
      card("finished", s.finished + " / " + w.maxEvals, "card-finished"),
      card("running", String(c.RUNNING), "card-running"),
      card("ready", String(c.READY), "card-ready"),
      card("failed", String(c.FAILED + c.TIMEOUT), "card-failed"),
      card("best" + first + " (" + (w.direction === "maximize" ? "max" : "min") + ")", s.best ? num(s.best.objective) + "  #" + s.best.evalId : "-", "card-best"),
      card("batch jobs", active + " active / " + s.batchJobs.length, "card-jobs"),
      card("searcher", w.searcher, "card-searcher"));
    var err = document.getElementById("wf-error");
    if (w.error) { err.hidden = false; err.textContent = "failed: " + w.error; } else err.hidden = true;
    where.textContent = w.resultsDir;
    document.getElementById("jobs-body").replaceChildren(s.batchJobs.length === 0 ? el("p", { className: "note", text: "none" }) :
      table(["job", "scheduler", "state", "nodes", "queue", "submitted", "started", "ended"], s.batchJobs.map(function (j) {
        return [j.id, j.scheduler, j.state, String(j.nodes), j.queue || "-", when(j.submittedAt), when(j.startedAt) || "-", when(j.endedAt) || "-"];
      })));
  }

  function loadTable() {
    var name = view.name;
    var q = "sort=" + view.sort + "&dir=" + (view.desc ? "desc" : "asc") + "&offset=" + view.offset + "&limit=" + view.limit +
      (view.states ? "&state=" + encodeURIComponent(view.states) : "") + (view.text ? "&q=" + encodeURIComponent(view.text) : "");
    return get("api/workflows/" + encodeURIComponent(name) + "/evaluations?" + q).then(function (p) {
      if (view.name !== name) return;
      document.querySelectorAll("#eval-table th[data-sort]").forEach(function (th) {
        var on = th.getAttribute("data-sort") === view.sort;
        th.classList.toggle("sorted", on);
        th.setAttribute("aria-sort", on ? (view.desc ? "descending" : "ascending") : "none");
        th.textContent = th.textContent.replace(/ [▲▼]$/, "") + (on ? (view.desc ? " ▼" : " ▲") : "");
      });
      var body = document.querySelector("#eval-table tbody");
      body.replaceChildren.apply(body, p.rows.map(function (e) {
        return el("tr", { "data-eval-id": e.id, className: view.open === e.id ? "open" : null, onclick: function () { openDetail(e.id); } }, [
          el("td", { className: "num", text: e.id }),
          el("td", { className: "state" }, [badge(e.state)]),
          el("td", { className: "point", text: pointText(e.point) }),
          el("td", { className: "num objective", text: e.objectives && e.objectives.length > 1 ? e.objectives.map(num).join(", ") : num(e.objective) }),
          el("td", { className: "num", text: e.attempt + 1 }),
          el("td", { text: e.hosts.join(" ") }),
          el("td", { className: "num", text: secs(e.started) }),
          el("td", { className: "num", text: secs(e.finished) }),
          el("td", { className: "num", text: secs(e.duration) })
        ]);
      }));
      var last = Math.min(p.total, p.offset + p.rows.length);
      document.getElementById("pager-info").textContent = p.total === 0 ? "no evaluation matches" : (p.offset + 1) + "–" + last + " of " + p.total;
      document.getElementById("pager-prev").disabled = p.offset === 0;
      document.getElementById("pager-next").disabled = last >= p.total;
    });
  }

  var chartEvaluations = {};
  function loadCharts() {
    var name = view.name;
    return get("api/workflows/" + encodeURIComponent(name) + "/charts").then(function (c) {
      if (view.name !== name || c.version === view.chartsVersion) return;
      view.chartsVersion = c.version;
      chartEvaluations = c.evaluations;
      var box = document.getElementById("charts");
      // Server-rendered SVG, escaped there (src/results): the same pictures as the report.
      box.innerHTML = c.html;
      if (c.thinned) box.insertBefore(el("p", { className: "note", id: "thinned", text: "A large search: the charts draw every improvement, the extremes and an even sample of the evaluations." }), box.firstChild);
    });
  }

  function openDetail(id) {
    view.open = id;
    view.stream = view.stream || "stdout";
    document.querySelectorAll("#eval-table tbody tr").forEach(function (tr) { tr.classList.toggle("open", tr.getAttribute("data-eval-id") === String(id)); });
    return loadDetail(true);
  }

  function loadDetail(scroll) {
    var name = view.name;
    var id = view.open;
    var base = "api/workflows/" + encodeURIComponent(name) + "/evaluations/" + id;
    return Promise.all([get(base), get(base + "/output?stream=" + view.stream)]).then(function (r) {
      if (view.name !== name || view.open !== id) return;
      var e = r[0];
      var out = r[1];
      view.openState = e.state;
      var box = document.getElementById("detail");
      box.hidden = false;
      var rows = [["state", e.state], ["attempt", String(e.attempt + 1)], ["point", JSON.stringify(e.point)],
        ["objective", e.objectives && e.objectives.length > 1 ? e.objectives.map(num).join(", ") : num(e.objective)],
        ["hosts", e.hosts.join(" ")], ["created, started, finished", [secs(e.created), secs(e.started), secs(e.finished)].join(", ")],
        ["exit code", e.exitCode === null ? "" : String(e.exitCode)], ["error", e.error || ""]];
      var pick = function (s) { return el("button", { id: "show-" + s, text: s, disabled: view.stream === s ? "" : null, onclick: function () { view.stream = s; loadDetail(false); } }); };
      box.replaceChildren(
        el("h2", { text: "Evaluation " + e.id }),
        el("table", { className: "kv" }, rows.map(function (kv) { return el("tr", null, [el("td", { text: kv[0] }), el("td", { text: kv[1], style: "white-space:pre-wrap" })]); })),
        el("p", { className: "controls" }, [pick("stdout"), pick("stderr"), el("button", { id: "close-detail", text: "close", onclick: function () { view.open = null; box.hidden = true; } }),
          el("span", { className: "note", id: "tail-note", text: !out.exists ? "no " + out.stream + ".txt (" + (e.state === "READY" ? "not started yet" : "not written") + ")" :
            (out.truncated ? "the last " + out.text.length + " of " + out.size + " bytes of " : out.size + " bytes of ") + out.stream + ".txt" + (e.state === "RUNNING" ? ", refreshed while it runs" : "") })]),
        el("pre", { id: "tail", "data-stream": out.stream, text: out.text }));
      var pre = document.getElementById("tail");
      pre.scrollTop = pre.scrollHeight;
      if (scroll) box.scrollIntoView({ block: "nearest" });
    });
  }

  // Chart marks: the report's tooltip, and a click opens that evaluation.
${TOOLTIP_SCRIPT}
  document.addEventListener("mousemove", function (ev) {
    var mark = ev.target instanceof Element ? ev.target.closest("#charts [data-eval-id]") : null;
    var e = mark ? chartEvaluations[mark.getAttribute("data-eval-id")] : null;
    if (!e) { tip.hidden = true; return; }
    showTip(tip, e, view && view.objectiveNames, ev);
  });
  document.addEventListener("click", function (ev) {
    var mark = ev.target instanceof Element ? ev.target.closest("#charts [data-eval-id]") : null;
    if (!mark) return;
    var id = mark.getAttribute("data-eval-id");
    document.querySelectorAll("#charts .hl").forEach(function (n) { n.classList.remove("hl"); });
    document.querySelectorAll('#charts [data-eval-id="' + id + '"]').forEach(function (n) { n.classList.add("hl"); });
    openDetail(Number(id));
  });

  function route() {
    generation++;
    var m = /^#\/w\/([^/]+)$/.exec(location.hash);
    view = { name: m ? decodeURIComponent(m[1]) : null, sort: "id", desc: true, states: "", text: "", offset: 0, limit: 50, version: null, chartsVersion: null, open: null, openState: null, stream: "stdout" };
    chartEvaluations = {};
    if (view.name === null) showList(); else showWorkflow(view.name);
    tick();
  }
  window.addEventListener("hashchange", route);
  route();
})();
`;
