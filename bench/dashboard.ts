// bench/dashboard: what `spruce dashboard` costs.
//  1. First view of a 100 000-evaluation workflow (generated rows in SQLite): each request the page
//     makes for it, timed cold (the charts built for the first time) on the dashboard's read-only
//     store, and the time until the charts are drawn in headless Chromium when /usr/bin/chromium
//     exists. Beside it, report.html of the same workflow (`writeReport`), the baseline the dashboard
//     thins its charts against.
//  2. Dispatch with and without a dashboard open: the launcher running trivial evaluations
//     (`true`, 8 slots, SQLite) with no dashboard, and with `spruce dashboard` (its own process, as
//     users run it) polled by a page-like client in a third process (the workflow's view every 2 s,
//     as the page does, and every 0.25 s: eight open tabs' worth), the conditions alternated
//     round after round in one run so the machine's drift hits all of them alike.
// Usage: npm run build && nice -n 19 node dist/bench/dashboard.js [--rows 100000] [--evals 3000]
//   [--slots 8] [--rounds 5] [--skip-first-view] [--skip-dispatch] [--dir DIR] [--keep]
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { loadavg } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { runLauncher } from "../launcher/launcher.js";
import { planSlots } from "../launcher/slots.js";
import { DashboardData } from "../src/dashboard/data.js";
import { startDashboard } from "../src/dashboard/server.js";
import { writeReport } from "../src/results/report.js";
import { createWorkflow, getWorkflow, openStore, type NewWorkflow, type Store } from "../src/store/index.js";
import { distFile } from "../src/util/paths.js";
import { numberArg, workspaceDir } from "./args.js";

const dir = workspaceDir();
const toRemove: string[] = [];

function conditions(): string {
  return `load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`;
}

function workflow(name: string, ws: string, maxEvals: number, slots: number): NewWorkflow {
  return {
    name,
    problem: {
      hyperparameters: [
        { type: "float", name: "lr", low: 1e-5, high: 0.1, log: true },
        { type: "float", name: "dropout", low: 0, high: 0.5, log: false },
        { type: "int", name: "units", low: 16, high: 512, log: false },
        { type: "int", name: "layers", low: 1, high: 8, log: false },
        { type: "categorical", name: "activation", values: ["relu", "tanh", "gelu"] },
      ],
      startingPoints: [],
    },
    problemSource: "bench",
    run: { kind: "command", template: "true", cwd: ws },
    searcher: "random",
    searcherOptions: {},
    direction: "maximize",
    maxEvals,
    seed: 1,
    settings: {},
    request: { scheduler: "local", nodes: 8, walltimeMinutes: 600, queue: null, project: null, mode: "serial", evalsPerNode: slots, nodesPerEval: 1, ranksPerNode: 1 },
    resultsDir: join(ws, "data", name),
  };
}

/**
 * `rows` finished evaluations of a search on 8 nodes x 16 slots, as a launcher leaves them: ids in
 * proposal order, 1-60 s each, 5% FAILED with a stderr tail, objectives noisy and improving.
 * Inserted directly (a bench may speak SQL): a launcher would take hours to make them.
 */
async function generate(store: Store, wfId: number, createdAt: number, rows: number): Promise<void> {
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const slotFree = new Array<number>(128).fill(createdAt + 1000);
  const values: Record<string, unknown>[] = [];
  for (let i = 0; i < rows; i++) {
    // The slot that frees first takes the next evaluation, as a launcher's loop does.
    let slot = 0;
    for (let s = 1; s < slotFree.length; s++) if (slotFree[s]! < slotFree[slot]!) slot = s;
    const start = slotFree[slot]! + Math.floor(rnd() * 50);
    const end = start + 1000 + Math.floor(rnd() * 59_000);
    slotFree[slot] = end;
    const failed = rnd() < 0.05;
    const point = { lr: 10 ** (-5 + 4 * rnd()), dropout: 0.5 * rnd(), units: 16 + Math.floor(rnd() * 497), layers: 1 + Math.floor(rnd() * 8), activation: ["relu", "tanh", "gelu"][Math.floor(rnd() * 3)] };
    values.push({
      workflow_id: wfId, state: failed ? "FAILED" : "DONE", point: JSON.stringify(point), objective: failed ? null : 0.5 + 0.4 * (i / rows) + 0.1 * rnd(),
      attempt: 0, claimed_by: null, created_at: start, started_at: start, finished_at: end, exit_code: failed ? 1 : 0,
      error: failed ? `exit code 1\nTraceback (most recent call last):\n  File "train.py", line 42, in <module>\nRuntimeError: CUDA out of memory (evaluation ${i + 1})` : null,
      hosts: JSON.stringify([`nid${String(1 + Math.floor(slot / 16)).padStart(5, "0")}`]), batch_token: "bench", write_token: "bench",
    });
  }
  await store.knex.transaction(async (trx) => {
    for (let i = 0; i < values.length; i += 500) await trx("evaluations").insert(values.slice(i, i + 500));
  });
}

/**
 * A GET with the token; the body's size as sent (gzip), the time to its last byte, and the CPU time
 * this process used meanwhile (the in-process server's work, plus the client's little): on a shared
 * machine the wall time grows with the load, the CPU time much less.
 */
function get(port: number, token: string, path: string): Promise<{ ms: number; cpuMs: number; bytes: number; body: string }> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host: `127.0.0.1:${port}`, "x-spruce-token": token, "accept-encoding": "gzip" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => {
        const raw = Buffer.concat(chunks);
        if (res.statusCode !== 200) return reject(new Error(`${path}: HTTP ${res.statusCode}`));
        const body = res.headers["content-encoding"] === "gzip" ? gunzipSync(raw).toString() : raw.toString();
        const cpu = process.cpuUsage(cpu0);
        resolve({ ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, bytes: raw.length, body });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

async function firstView(rows: number): Promise<void> {
  console.log(`\n## First view of a workflow of ${rows} evaluations (SQLite)`);
  const ws = mkdtempSync(join(dir, "spruce-bench-dashboard-"));
  toRemove.push(ws);
  const writer = await openStore({ workspace: ws }, { migrate: true });
  const wf = await createWorkflow(writer, workflow("big", ws, rows, 16));
  let t = performance.now();
  await generate(writer, wf.id, wf.createdAt, rows);
  console.log(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s; ${conditions()}`);

  const reader = await openStore({ workspace: ws }, { readOnly: true });
  const d = await startDashboard({ data: new DashboardData(reader), port: 0 });
  try {
    const base = "/api/workflows/big";
    const steps: [string, string][] = [
      ["the page", "/"],
      ["the workflow list", "/api/workflows"],
      ["the workflow's header (counts, best, jobs)", base],
      ["the table's first page (newest 50)", `${base}/evaluations?sort=id&dir=desc&limit=50`],
      ["the charts, built cold", `${base}/charts`],
    ];
    console.log(`| request | time | CPU time | bytes sent |`);
    console.log(`|---|---|---|---|`);
    let total = 0;
    let totalCpu = 0;
    for (const [what, path] of steps) {
      const r = await get(d.port, d.token, path);
      total += r.ms;
      totalCpu += r.cpuMs;
      console.log(`| ${what} | ${r.ms.toFixed(0)} ms | ${r.cpuMs.toFixed(0)} ms | ${(r.bytes / 1024).toFixed(0)} kB |`);
    }
    console.log(`| **first view, in sequence** | **${total.toFixed(0)} ms** | **${totalCpu.toFixed(0)} ms** | |`);
    for (const [what, path] of [
      ["the charts again (cached)", `${base}/charts`],
      ["sorted by objective, best first", `${base}/evaluations?sort=objective&dir=desc&limit=50`],
      ["sorted by duration, page 1000", `${base}/evaluations?sort=duration&dir=desc&limit=50&offset=50000`],
      ["filtered: FAILED whose text holds 'memory'", `${base}/evaluations?state=FAILED&q=memory&limit=50`],
      ["filtered: a point's text ('\"activation\":\"gelu\"')", `${base}/evaluations?q=${encodeURIComponent('"activation":"gelu"')}&limit=50`],
    ] as [string, string][]) {
      const r = await get(d.port, d.token, path);
      console.log(`| ${what} | ${r.ms.toFixed(0)} ms | ${r.cpuMs.toFixed(0)} ms | ${(r.bytes / 1024).toFixed(0)} kB |`);
    }
  } finally {
    await d.close();
    await reader.close();
  }
  await browserFirstView(ws);
  t = performance.now();
  const cpu0 = process.cpuUsage();
  const big = (await getWorkflow(writer, "big"))!;
  await writeReport(writer, big, join(ws, "report.html"));
  const cpu = process.cpuUsage(cpu0);
  console.log(`baseline: report.html of the same workflow written in ${((performance.now() - t) / 1000).toFixed(1)} s, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU (every evaluation drawn); ${conditions()}`);
  await writer.close();
}

/**
 * Time from navigation to the drawn table and charts in Chromium, served by `spruce dashboard` in a
 * process of its own (cold: its charts not built yet, as for a user opening it). Not this process:
 * building a large workflow's charts blocks its server for a while, which would hold back the
 * browser's events here and distort the timing.
 */
async function browserFirstView(ws: string): Promise<void> {
  let chromium: typeof import("playwright-core").chromium;
  try {
    chromium = (await import("playwright-core")).chromium;
  } catch {
    console.log("(no playwright-core: no browser timing)");
    return;
  }
  const { existsSync } = await import("node:fs");
  if (!existsSync("/usr/bin/chromium")) {
    console.log("(no /usr/bin/chromium: no browser timing)");
    return;
  }
  const d = await startCliDashboard(ws, join(ws, "config"));
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const t0 = performance.now();
    await page.goto(`http://127.0.0.1:${d.port}/?token=${d.token}#/w/big`);
    await page.locator("#eval-table tbody tr").first().waitFor({ timeout: 120_000 });
    const table = performance.now() - t0;
    await page.locator("#chart-gantt").waitFor({ timeout: 120_000 });
    const charts = performance.now() - t0;
    console.log(`headless Chromium, from navigation: the table shown after ${table.toFixed(0)} ms, the charts drawn after ${charts.toFixed(0)} ms (${await page.locator("#charts .pt, #charts .bar").count()} marks); ${conditions()}`);
  } finally {
    await browser.close();
    d.child.kill("SIGTERM");
  }
}

/** Starts `spruce dashboard` on a workspace (the built CLI) and returns its URL's port and token. */
function startCliDashboard(ws: string, config: string): Promise<{ child: ChildProcess; port: number; token: string }> {
  const child = spawn(process.execPath, [distFile("src/cli/main"), "--workspace", ws, "dashboard"], { env: { ...process.env, XDG_CONFIG_HOME: config }, stdio: ["ignore", "pipe", "ignore"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.on("exit", (c) => reject(new Error(`dashboard exited ${c}`)));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]+)\n/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), token: m[2]! });
    });
  });
}

/** The page's polling of one workflow's view (its own process): header; on a new version, table and charts. */
async function poller(port: number, token: string, name: string, everyMs: number): Promise<never> {
  let version = "";
  for (;;) {
    const t0 = performance.now();
    try {
      const s = JSON.parse((await get(port, token, `/api/workflows/${name}`)).body) as { version: string };
      if (s.version !== version) {
        version = s.version;
        await Promise.all([get(port, token, `/api/workflows/${name}/evaluations?sort=id&dir=desc&limit=50`), get(port, token, `/api/workflows/${name}/charts`)]);
      }
    } catch {
      // the workflow may not be there yet
    }
    await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (performance.now() - t0))));
  }
}

type Condition = "none" | "page" | "tabs";

/** CPU seconds (user + system) a process has used, from /proc (Linux); null elsewhere. */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, fields 14 and 15 of the line (11 and 12 after the command name), in clock ticks.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

interface RunFigures {
  rate: number;
  /** The launcher's own CPU time per evaluation (this process), less sensitive to the machine's load than the rate. */
  launcherCpuMs: number;
  /** The dashboard process's CPU time during the run, in % of one core; null without one. */
  dashboardCpu: number | null;
}

async function dispatchRun(evals: number, slots: number, condition: Condition): Promise<RunFigures> {
  const ws = mkdtempSync(join(dir, "spruce-bench-dashdispatch-"));
  toRemove.push(ws);
  const store = await openStore({ workspace: ws }, { migrate: true });
  const children: ChildProcess[] = [];
  try {
    const row = await createWorkflow(store, workflow("bench", ws, evals, slots));
    if (condition !== "none") {
      const d = await startCliDashboard(ws, join(ws, "config"));
      children.push(d.child);
      const everyMs = condition === "page" ? 2000 : 250;
      children.push(spawn(process.execPath, [process.argv[1]!, "--poller", String(d.port), d.token, "bench", String(everyMs)], { stdio: "ignore" }));
      // The page's first load before the search starts, as a user who opened it first.
      await get(d.port, d.token, "/api/workflows/bench/charts");
    }
    const dashboardPid = children[0]?.pid;
    const dashboardCpu0 = dashboardPid === undefined ? null : cpuSeconds(dashboardPid);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const summary = await runLauncher({ store, workflow: row, batchJobId: null, host: "bench", slots: planSlots({ mode: "serial", hosts: ["bench"], evalsPerNode: slots, nodesPerEval: 1, threadsPerRank: null, gpusPerNode: null, gpusPerEval: null }), dispatchDeadline: null, log: () => undefined });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const dashboardCpu1 = dashboardPid === undefined ? null : cpuSeconds(dashboardPid);
    if (summary.finishedHere !== evals) throw new Error(`launcher finished ${summary.finishedHere} of ${evals}`);
    return {
      rate: evals / seconds,
      launcherCpuMs: (cpu.user + cpu.system) / 1000 / evals,
      dashboardCpu: dashboardCpu0 === null || dashboardCpu1 === null ? null : ((dashboardCpu1 - dashboardCpu0) / seconds) * 100,
    };
  } finally {
    for (const c of children) c.kill("SIGTERM");
    await store.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function dispatch(evals: number, slots: number, rounds: number): Promise<void> {
  console.log(`\n## Dispatch with and without a dashboard: ${evals} evaluations of \`true\`, ${slots} slots, ${rounds} rounds`);
  console.log(`before: ${conditions()}`);
  const conditionsOrder: Condition[] = ["none", "page", "tabs"];
  const runs: Record<Condition, RunFigures[]> = { none: [], page: [], tabs: [] };
  for (let r = 0; r < rounds; r++) {
    // Rotated each round, so no condition always runs first (or right after another's teardown).
    const order = conditionsOrder.map((_, i) => conditionsOrder[(i + r) % conditionsOrder.length]!);
    const line: string[] = [];
    for (const c of order) {
      const f = await dispatchRun(evals, slots, c);
      runs[c].push(f);
      line.push(`${c} ${f.rate.toFixed(0)}/s (launcher ${f.launcherCpuMs.toFixed(2)} ms CPU/eval${f.dashboardCpu === null ? "" : `, dashboard ${f.dashboardCpu.toFixed(1)}% of a core`})`);
    }
    console.log(`round ${r + 1}: ${line.join(", ")}; ${conditions()}`);
  }
  const spreadOf = (xs: number[]) => (Math.max(...xs) - Math.min(...xs)) / median(xs);
  const none = runs.none.map((f) => f.rate);
  const noneCpu = runs.none.map((f) => f.launcherCpuMs);
  console.log(`| condition | evaluations/s, median (min-max) | vs none | launcher CPU ms per evaluation, median (min-max) | vs none | dashboard process, % of a core |`);
  console.log(`|---|---|---|---|---|---|`);
  const label: Record<Condition, string> = { none: "no dashboard", page: "dashboard, polled as the page does (2 s)", tabs: "dashboard, polled every 0.25 s (8 tabs' worth)" };
  for (const c of conditionsOrder) {
    const rate = runs[c].map((f) => f.rate);
    const cpu = runs[c].map((f) => f.launcherCpuMs);
    const dash = runs[c].flatMap((f) => (f.dashboardCpu === null ? [] : [f.dashboardCpu]));
    const vs = (xs: number[], base: number[]) => (c === "none" ? "" : `${(((median(xs) - median(base)) / median(base)) * 100).toFixed(1)}%`);
    console.log(`| ${label[c]} | ${median(rate).toFixed(0)} (${Math.min(...rate).toFixed(0)}-${Math.max(...rate).toFixed(0)}) | ${vs(rate, none)} | ${median(cpu).toFixed(2)} (${Math.min(...cpu).toFixed(2)}-${Math.max(...cpu).toFixed(2)}) | ${vs(cpu, noneCpu)} | ${dash.length ? median(dash).toFixed(1) : "-"} |`);
  }
  console.log(`run-to-run spread without a dashboard ((max - min) / median): rate ${(spreadOf(none) * 100).toFixed(1)}%, launcher CPU per evaluation ${(spreadOf(noneCpu) * 100).toFixed(1)}%`);
  console.log(`after: ${conditions()}`);
}

async function main(): Promise<void> {
  if (process.argv[2] === "--poller") {
    await poller(Number(process.argv[3]), process.argv[4]!, process.argv[5]!, Number(process.argv[6]));
    return;
  }
  console.log(`# bench/dashboard (${new Date().toISOString()}, node ${process.version})`);
  if (!process.argv.includes("--skip-first-view")) await firstView(numberArg("rows", 100_000));
  if (!process.argv.includes("--skip-dispatch")) await dispatch(numberArg("evals", 3000), numberArg("slots", 8), numberArg("rounds", 5));
}

try {
  await main();
} finally {
  if (process.argv.includes("--keep")) console.log(`kept: ${toRemove.join(" ")}`);
  else for (const path of toRemove) rmSync(path, { recursive: true, force: true });
}
