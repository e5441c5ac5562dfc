// The dashboard's one HTML page: the report's style sheet (with the architecture diagrams') plus the dashboard's own, and the script
// (page-script.ts) that draws the workflow list and a workflow's view from the JSON endpoints and
// polls them. Everything is inline: compute sites have no internet, and the page fetches only from
// the server that sent it.
import { ARCH_CSS } from "../results/charts-arch.js";
import { REPORT_CSS } from "../results/report-html.js";
import { PAGE_SCRIPT } from "./page-script.js";

const DASHBOARD_CSS = `
header{display:flex;align-items:baseline;gap:18px;flex-wrap:wrap}header a{color:inherit;text-decoration:none}
#status{color:var(--muted);font-size:12px;margin-left:auto}#status.lost{color:var(--fail);font-weight:600}
a{color:var(--ok)}table.list{width:100%}table.list td,table.list th{padding:5px 12px 5px 0}
th.sortable{cursor:pointer;user-select:none;white-space:nowrap}th.sortable:hover{color:var(--fg)}th.sorted{color:var(--fg)}
.bar-outer{display:inline-block;width:90px;height:8px;background:#eef1f4;border-radius:4px;vertical-align:middle;margin-right:8px;overflow:hidden}
.bar-inner{display:block;height:100%;background:var(--ok)}
.st{display:inline-block;padding:0 6px;border-radius:4px;font-size:12px;font-weight:600;background:#eef1f4}
.st-RUNNING{background:#e6efd7;color:#4d6a1b}.st-DONE,.st-FINISHED{background:#dde8f5;color:#1f4f85}.st-FAILED,.st-TIMEOUT{background:#fbe3e3;color:var(--fail)}
.st-KILLED,.st-STOPPED,.st-CANCELLED{background:#ececec;color:#555}.st-READY,.st-CREATED,.st-SUBMITTED,.st-QUEUED{background:#fff2d6;color:#7a5200}
.controls{display:flex;gap:10px;align-items:center;flex-wrap:wrap;margin-bottom:8px}
.controls input,.controls select,.controls button,#detail button{font:inherit;padding:3px 8px;border:1px solid var(--line);border-radius:5px;background:#fff}
.controls input{min-width:260px}button{cursor:pointer}button:disabled{cursor:default;opacity:.5}
#eval-table td{white-space:nowrap}#eval-table td.point{white-space:normal;max-width:420px;word-break:break-word}
#eval-table tbody tr{cursor:pointer}#eval-table tbody tr:hover td{background:#f3f6f9}#eval-table tbody tr.open td{background:#fff4e0}
#detail pre{background:#1d2733;color:#e8edf2;padding:10px 12px;border-radius:6px;max-height:420px;overflow:auto;font-size:12px;white-space:pre-wrap;word-break:break-all}
.empty{color:var(--muted);padding:18px 0}
`;

/** The page; `nonce` lets its one inline script run under the Content-Security-Policy. */
export function dashboardPage(nonce: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,">
<title>Spruce dashboard</title><style>${REPORT_CSS}${ARCH_CSS}${DASHBOARD_CSS}</style></head>
<body>
<header><h1><a href="#/">Spruce</a></h1><div class="sub" id="where"></div><div id="status">loading…</div></header>
<main id="main"></main>
<div id="tip" hidden></div>
<script nonce="${nonce}">${PAGE_SCRIPT}</script>
</body></html>
`;
}
