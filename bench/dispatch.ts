// bench/dispatch: how fast the launcher turns finished evaluations into new ones.
//  1. throughput: trivial command evaluations (`true`) through the real launcher (SQLite store,
//     random searcher, serial mode) vs a raw spawn loop with the same concurrency, in one run (and
//     vs the same loop through the launcher's spawner, to show what the launcher's own work costs);
//  2. Python: trivial Python run modules through the launcher (the companion package's runner in
//     a fresh interpreter each) vs a raw loop of `python3 -c pass` with the same interpreter and
//     concurrency, in the same run;
//  3. utilisation: 32 slots of `sleep 0.5` evaluations, 640 of them: busy slot time / (slots x wall).
// The raw loop runs in this process, after the launcher's modules are loaded (as big as a launcher
// before it starts searching). Every evaluation also creates a directory and three files (point.json,
// stdout.txt, stderr.txt), which the raw loop does not: the cost of creating one where the workspace
// lives (--dir, default the current directory, like a real ./.spruce workspace) is printed with the
// load average, as both vary a lot on a shared machine, and the loop through the spawner creates
// them as the launcher does, to show how far the file system alone limits the rate.
// Usage: node dist/bench/dispatch.js [--evals 2000] [--slots 8] [--py-evals 400] [--python python3]
//   [--util-evals 640] [--util-slots 32] [--dir DIR]
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { Spawner } from "../launcher/executor/spawner-client.js";
import { runLauncher } from "../launcher/launcher.js";
import { planSlots } from "../launcher/slots.js";
import { createWorkflow, listEvaluations, openStore } from "../src/store/index.js";
import { evaluationFiles, resultsLayout } from "../src/results/layout.js";
import type { NewWorkflow, RunSpec } from "../src/store/types.js";
import { PythonSession } from "../src/problem/python.js";
import { numberArg, workspaceDir } from "./args.js";

const dir = workspaceDir();

/**
 * Workspaces are removed when the bench ends, not between phases: on ext4 without a journal (this
 * machine's disk), the inode allocator skips inodes deleted in the last 60 s (300 s while their
 * table block is dirty) and its scan over them made file creation, and so each phase after a
 * removal, several times slower (perf: recently_deleted under ext4_create and ext4_mkdir).
 */
const toRemove: string[] = [];

function conditions(): string {
  const load = loadavg().map((x) => x.toFixed(2)).join(" ");
  return `load average ${load}; this process's RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`;
}

/** Median time to create a directory with a file in it under `dir`: what each evaluation pays four times. */
function createCostMs(): number {
  const probe = mkdtempSync(join(dir, "spruce-bench-probe-"));
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    mkdirSync(join(probe, String(i)));
    closeSync(openSync(join(probe, String(i), "f"), "w"));
    times.push((performance.now() - t) / 2);
  }
  toRemove.push(probe);
  return times.sort((a, b) => a - b)[50]!;
}

/** Spawns `sh -c true` n times keeping `concurrency` processes alive: the floor any launcher pays. */
async function rawSpawnLoop(n: number, concurrency: number, command: string): Promise<number> {
  const t0 = performance.now();
  let started = 0;
  await new Promise<void>((done) => {
    let finished = 0;
    const next = (): void => {
      if (started >= n) return;
      started++;
      const child = spawn("/bin/sh", ["-c", command], { stdio: "ignore", detached: true });
      child.on("exit", () => {
        if (++finished === n) done();
        else next();
      });
    };
    for (let i = 0; i < Math.min(concurrency, n); i++) next();
  });
  return (performance.now() - t0) / 1000;
}

/** Starts `argv` n times keeping `concurrency` processes alive, without a shell. */
async function rawExecLoop(n: number, concurrency: number, argv: string[]): Promise<number> {
  const t0 = performance.now();
  let started = 0;
  await new Promise<void>((done, fail) => {
    let finished = 0;
    const next = (): void => {
      if (started >= n) return;
      started++;
      const child = spawn(argv[0]!, argv.slice(1), { stdio: "ignore", detached: true });
      child.on("error", fail);
      child.on("exit", () => {
        if (++finished === n) done();
        else next();
      });
    };
    for (let i = 0; i < Math.min(concurrency, n); i++) next();
  });
  return (performance.now() - t0) / 1000;
}

/**
 * The same loop through Spruce's spawner (launcher/executor/forkserver.c), each run in a new
 * working directory with its three files as the launcher's are, but with no database or searcher:
 * the floor set by the spawner and the file system, which the launcher's own work adds to.
 */
async function rawSpawnerLoop(n: number, concurrency: number, command: string): Promise<number> {
  const ws = mkdtempSync(join(dir, "spruce-bench-spawner-"));
  const spawner = Spawner.start();
  const t0 = performance.now();
  try {
    await new Promise<void>((done, fail) => {
      let started = 0;
      let finished = 0;
      const next = (): void => {
        if (started >= n) return;
        started++;
        const workdir = resultsLayout(ws).evaluation(started);
        const { point, result, stdout, stderr } = evaluationFiles(workdir);
        const files = { point, result, stdout, stderr };
        spawner.spawn(
          { argv: ["/bin/sh", "-c", command], cwd: ws, env: {}, workdir, pointJson: "{}", ...files },
          {
            onSpawned: () => undefined,
            onExit: () => {
              if (++finished === n) done();
              else next();
            },
            onUnprepared: (m) => fail(new Error(m)),
            onError: (m) => fail(new Error(m)),
          },
        );
      };
      for (let i = 0; i < Math.min(concurrency, n); i++) next();
    });
    return (performance.now() - t0) / 1000;
  } finally {
    await spawner.close();
    toRemove.push(ws);
  }
}

async function launcherRun(n: number, slots: number, command: string | ((ws: string) => RunSpec)): Promise<{ seconds: number; busyFraction: number }> {
  const ws = mkdtempSync(join(dir, "spruce-bench-dispatch-"));
  const store = await openStore({ workspace: ws }, { migrate: true });
  try {
    const wf: NewWorkflow = {
      name: "bench",
      problem: { hyperparameters: [{ type: "float", name: "x", low: 0, high: 1, log: false }], startingPoints: [] },
      problemSource: "bench",
      run: typeof command === "string" ? { kind: "command", template: command, cwd: ws } : command(ws),
      searcher: "random",
      searcherOptions: {},
      direction: "maximize",
      maxEvals: n,
      seed: 1,
      settings: {},
      request: { scheduler: "local", nodes: 1, walltimeMinutes: 60, queue: null, project: null, mode: "serial", evalsPerNode: slots, nodesPerEval: 1, ranksPerNode: 1 },
      resultsDir: join(ws, "data", "bench"),
    };
    const row = await createWorkflow(store, wf);
    const t0 = performance.now();
    const summary = await runLauncher({ store, workflow: row, batchJobId: null, host: "bench", slots: planSlots({ mode: "serial", hosts: ["bench"], evalsPerNode: slots, nodesPerEval: 1, threadsPerRank: null, gpusPerNode: null, gpusPerEval: null }), dispatchDeadline: null, log: () => undefined });
    const seconds = (performance.now() - t0) / 1000;
    if (summary.finishedHere !== n) throw new Error(`launcher finished ${summary.finishedHere} of ${n}`);
    const rows = await listEvaluations(store, row.id);
    const busy = rows.reduce((s, r) => s + ((r.finishedAt ?? 0) - (r.startedAt ?? 0)), 0) / 1000;
    const first = Math.min(...rows.map((r) => r.startedAt ?? Infinity));
    const last = Math.max(...rows.map((r) => r.finishedAt ?? 0));
    return { seconds, busyFraction: busy / (slots * ((last - first) / 1000)) };
  } finally {
    await store.close();
    toRemove.push(ws);
  }
}

async function main(): Promise<void> {
  const evals = numberArg("evals", 2000);
  const slots = numberArg("slots", 8);
  const utilEvals = numberArg("util-evals", 640);
  const utilSlots = numberArg("util-slots", 32);

  console.log(`# bench/dispatch (${new Date().toISOString()}, node ${process.version})`);
  console.log(`workspace under ${dir}: creating a file or directory there takes ${createCostMs().toFixed(2)} ms (median)`);
  console.log(`\n## Throughput: ${evals} evaluations of \`true\`, ${slots} concurrent`);
  console.log(`raw loop: ${conditions()}`);
  const raw = await rawSpawnLoop(evals, slots, "true");
  console.log(`raw loop through the spawner: ${conditions()}`);
  const rawSpawner = await rawSpawnerLoop(evals, slots, "true");
  console.log(`launcher: ${conditions()}`);
  const launched = await launcherRun(evals, slots, "true");
  const rawRate = evals / raw;
  const spawnerRate = evals / rawSpawner;
  const rate = evals / launched.seconds;
  console.log(`| path | evaluations/s |`);
  console.log(`|---|---|`);
  console.log(`| raw spawn loop (node:child_process, sh -c true) | ${rawRate.toFixed(0)} |`);
  console.log(`| raw loop through Spruce's spawner (a working directory each, no database) | ${spawnerRate.toFixed(0)} |`);
  console.log(`| spruce launcher (SQLite, random searcher) | ${rate.toFixed(0)} |`);
  console.log(`| ratio to the raw spawn loop (target >= 0.70) | ${(rate / rawRate).toFixed(2)} |`);
  console.log(`| ratio to the loop through the spawner | ${(rate / spawnerRate).toFixed(2)} |`);

  await pythonRow(numberArg("py-evals", 400), slots);

  console.log(`\n## Utilisation: ${utilEvals} evaluations of \`sleep 0.5\`, ${utilSlots} slots`);
  console.log(`launcher: ${conditions()}`);
  const util = await launcherRun(utilEvals, utilSlots, "sleep 0.5");
  const ideal = (utilEvals / utilSlots) * 0.5;
  console.log(`| measure | value |`);
  console.log(`|---|---|`);
  console.log(`| wall time | ${util.seconds.toFixed(2)} s (ideal ${ideal.toFixed(2)} s) |`);
  console.log(`| busy slot time / (slots x wall), target >= 97% | ${(util.busyFraction * 100).toFixed(1)}% |`);
  console.log(`\nafter: ${conditions()}`);
}

/** Trivial Python run modules through the launcher against `python -c pass`, same interpreter and slots. */
async function pythonRow(n: number, slots: number): Promise<void> {
  const i = process.argv.indexOf("--python");
  let python: string;
  try {
    // The interpreter's own path, as submit records it (python3 on PATH may be a shell shim).
    python = new PythonSession({ python: i >= 0 ? process.argv[i + 1] : undefined }).interpreter().executable;
  } catch (e) {
    console.log(`\n## Python: skipped (${(e as Error).message})`);
    return;
  }
  console.log(`\n## Python: ${n} evaluations of a trivial run module (${python}), ${slots} concurrent`);
  console.log(`raw loop: ${conditions()}`);
  const raw = await rawExecLoop(n, slots, [python, "-c", "pass"]);
  console.log(`launcher: ${conditions()}`);
  const launched = await launcherRun(n, slots, (ws) => {
    const file = join(ws, "trivial_run.py");
    writeFileSync(file, "def run(point):\n    return point['x']\n");
    return { kind: "python", ref: file, python, importRoot: null, pythonPath: [], floats: { names: ["x"], values: {} } };
  });
  const rawRate = n / raw;
  const rate = n / launched.seconds;
  console.log(`| path | evaluations/s |`);
  console.log(`|---|---|`);
  console.log(`| raw loop (node:child_process, ${python} -c pass) | ${rawRate.toFixed(1)} |`);
  console.log(`| spruce launcher (SQLite, random searcher, the runner calling run(point)) | ${rate.toFixed(1)} |`);
  console.log(`| ratio to the raw loop (target >= 0.70) | ${(rate / rawRate).toFixed(2)} |`);
}

try {
  await main();
} finally {
  for (const path of toRemove) rmSync(path, { recursive: true, force: true });
}
