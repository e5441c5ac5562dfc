// The tooltip of a chart mark, shared by report.html and the dashboard page (plain ES2017 source,
// spliced into each page's script): what one evaluation's tooltip says, and where the box goes.
export const TOOLTIP_SCRIPT = String.raw`
  function describeEvaluation(e, objectiveNames) {
    var lines = ["evaluation " + e.id + "  " + e.state + (e.attempt > 0 ? "  (attempt " + (e.attempt + 1) + ")" : "")];
    if (e.objectives && objectiveNames && objectiveNames.length > 1) objectiveNames.forEach(function (n, j) { lines.push(n + " " + e.objectives[j]); });
    else if (e.objective !== null) lines.push("objective " + e.objective);
    Object.keys(e.point).forEach(function (k) { lines.push(k + " = " + JSON.stringify(e.point[k])); });
    if (e.hosts.length) lines.push("host " + e.hosts.join(" "));
    if (e.started !== null && e.finished !== null) lines.push("ran " + (e.finished - e.started).toFixed(2) + " s");
    if (e.error) lines.push(e.error);
    return lines.join("\n");
  }
  function showTip(tip, e, objectiveNames, ev) {
    tip.textContent = describeEvaluation(e, objectiveNames);
    tip.hidden = false;
    tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 8) + "px";
    tip.style.top = Math.min(ev.clientY + 14, window.innerHeight - tip.offsetHeight - 8) + "px";
  }
`;
