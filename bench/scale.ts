// bench/scale: does one leader keep thousands of workers busy? A simulated allocation of W workers
// (1 024, 4 096, 16 384) runs 4 x W evaluations whose durations are exponential (mean 60 s or
// 10 s) on a simulated clock, while the leader's single thread is charged with the real wall time
// of what the launcher's loop does per iteration (launcher/search-loop.ts): tell the searcher
// what finished, record the results with the searcher's state (finishEvaluations, as the launcher
// saves it: into a real SQLite file, or PostgreSQL), count the rows, check for a cancel, ask the
// searcher for the freed slots and create their rows with its state (createEvaluations, claimed).
// Whatever finished while the leader worked is batched into its next iteration. For asha, each
// progress point at a decision length waits for the leader's answer too (a run module waits for
// it), and decisions are saved with the state as recordProgress does. regevo and agebo (neural
// architecture search) search an architecture of 8 nodes of 5 operations with skip connections (and
// agebo a learning rate too), scored by a fixed function of the choices (NAS_PROBLEM).
//
// Utilisation = busy / (busy + the time freed slots wait for a point, or for an answer); the first
// fill of the allocation is shown apart ("first fill"), since no slot was freed yet.
//
//   nice -n 19 npx tsx bench/scale.ts [--quick] [--workers 1024,4096,16384] [--means 60,10]
//        [--searchers ambs,random,asha,regevo,agebo] [--dbs sqlite,postgres] [--evals-per-worker 4]
//        [--database-url postgres://postgres@127.0.0.1:5432/postgres] [--charge wall|cpu] [--no-lookahead]
// PostgreSQL (SPRUCE_BENCH_DATABASE_URL, TEST_DATABASE_URL, else the local server) is used when it
// answers: each run gets its own schema in a spruce_bench_<random> database, dropped at the end.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import pg from "pg";
import { FidelityDriver } from "../launcher/fidelity.js";
import type { EvaluationOutcome } from "../launcher/executor/process.js";
import { NasProblem } from "../src/problem/nas-problem.js";
import { createAshaSearcher } from "../src/search/asha/index.js";
import { createSearcher } from "../src/search/registry.js";
import type { EvaluationResult, Searcher, SearcherJournal } from "../src/search/searcher.js";
import { Space } from "../src/space/space.js";
import type { JsonValue, Point, ProblemSpec } from "../src/space/types.js";
import {
  claimEvaluations,
  countEvaluations,
  createEvaluations,
  createWorkflow,
  finishEvaluations,
  getWorkflowState,
  openStore,
  recordProgress,
  registerLauncher,
  type Store,
  type StoreLocation,
} from "../src/store/index.js";
import type { EvaluationRow, FinishedEvaluation, NewWorkflow, ProgressPoint } from "../src/store/types.js";
import { Rng } from "../src/util/rng.js";
import { hartmann6 } from "./functions.js";

interface Args {
  workers: number[];
  means: number[];
  searchers: string[];
  dbs: string[];
  evalsPerWorker: number;
  databaseUrl: string;
  lookahead: boolean;
  charge: "wall" | "cpu";
}

function parseArgs(argv: string[]): Args {
  const quick = argv.includes("--quick");
  const arg = (flag: string, fallback: string): string => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
  };
  return {
    workers: arg("--workers", quick ? "256" : "1024,4096,16384").split(",").map(Number),
    means: arg("--means", "60,10").split(",").map(Number),
    searchers: arg("--searchers", "ambs,random,asha,regevo,agebo").split(","),
    dbs: arg("--dbs", quick ? "sqlite" : "sqlite,postgres").split(","),
    evalsPerWorker: Number(arg("--evals-per-worker", "4")),
    lookahead: !argv.includes("--no-lookahead"),
    charge: arg("--charge", "cpu") === "wall" ? "wall" : "cpu",
    databaseUrl: arg("--database-url", process.env.SPRUCE_BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres"),
  };
}

/** asha's problem: bench/asha's learning curves (best at lr 1e-2, width 128, relu). */
const ASHA_SPACE: ProblemSpec = {
  hyperparameters: [
    { type: "float", name: "lr", low: 1e-4, high: 1, log: true },
    { type: "int", name: "width", low: 8, high: 512, log: true },
    { type: "categorical", name: "act", values: ["relu", "tanh", "sigmoid"] },
  ],
  startingPoints: [],
};
const ASHA_MAX_LENGTH = 64;

function lossAt(p: Point, t: number): number {
  const lr = Math.log10(p.lr as number) + 2;
  const width = Math.log2(p.width as number) - 7;
  const final = 0.05 + 0.1 * lr * lr + 0.01 * width * width + ({ relu: 0, tanh: 0.03, sigmoid: 0.1 } as Record<string, number>)[p.act as string]!;
  return final + (0.5 + Math.abs(Math.log10(p.lr as number) + 1) / 6) * (1 + t) ** -0.7;
}

/**
 * regevo's and agebo's problem: 8 variable nodes of 5 operations, each with skip connections from
 * the two nodes before its input (5^8 x 2^13 architectures: never exhausted here), and a learning
 * rate. Its objective is a fixed function of the choices (0 at op 2 everywhere, no skip, lr 1e-2).
 */
const NAS_NODES = 8;
const NAS_PROBLEM: ProblemSpec = (() => {
  const ops = [0, 1, 2, 3, 4].map((k) => ({ op: "dense", units: 8 << k }));
  const p = new NasProblem();
  const names = ["input"];
  for (let i = 1; i <= NAS_NODES; i++) {
    p.variable(`n${i}`, ops, i === 1 ? {} : { skips: names.slice(Math.max(0, names.length - 3), names.length - 1) });
    names.push(`n${i}`);
  }
  return p.constant("out", { op: "dense", units: 1 }).add("lr", [1e-4, 1, "log-uniform"]).toSpec();
})();

function nasLoss(p: Point): number {
  let loss = 0;
  let k = 0;
  for (const [name, v] of Object.entries(p)) {
    if (name === "lr") loss += 0.1 * (Math.log10(v as number) + 2) ** 2;
    else loss += (name.startsWith("vnode") ? Math.abs((v as number) - 2) : (v as number)) * (1 + (k++ % 3)) * 0.01;
  }
  return loss;
}

const isNasSearcher = (name: string): boolean => name === "regevo" || name === "agebo";
const objectiveOf = (name: string, p: Point): number => (isNasSearcher(name) ? nasLoss(p) : hartmann6.objective(p));

function workflowFor(searcher: string, evals: number): NewWorkflow {
  return {
    name: `scale-${searcher}`,
    problem: searcher === "asha" ? ASHA_SPACE : isNasSearcher(searcher) ? NAS_PROBLEM : hartmann6.spec,
    problemSource: "bench/scale",
    run: { kind: "command", template: "true", cwd: "/tmp" },
    searcher,
    searcherOptions: searcher === "asha" ? { max_length: ASHA_MAX_LENGTH, max_trials: evals } : {},
    direction: "minimize",
    maxEvals: evals,
    seed: 1,
    settings: {},
    request: { scheduler: "local", nodes: 1, walltimeMinutes: 60, queue: null, project: null, mode: "serial", evalsPerNode: 1, nodesPerEval: 1, ranksPerNode: 1 },
    resultsDir: "/tmp/bench-scale",
  };
}

/** A running row on the simulated clock: it ends, or (asha) reports at its decision length. */
interface Job {
  t: number;
  row: EvaluationRow;
  /** asha: the length reached at t (its report), else unused. */
  step: number;
}

/** A binary min-heap of jobs by time. */
class Heap {
  private readonly a: Job[] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): Job | undefined {
    return this.a[0];
  }
  push(j: Job): void {
    const a = this.a;
    a.push(j);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.t <= a[i]!.t) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): Job {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]!.t < a[m]!.t) m = l;
        if (r < a.length && a[r]!.t < a[m]!.t) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

interface Result {
  searcher: string;
  workers: number;
  mean: number;
  db: string;
  evaluations: number;
  utilisation: number;
  firstFill: number;
  makespan: number;
  leaderBusy: number;
  iterations: number;
  meanBatch: number;
  maxIteration: number;
  stateBytes: number;
  /** Share of the refills from rows asked ahead; the mean wait of those and of the others. */
  aheadShare: number;
  aheadWait: number;
  askedWait: number;
}

const outcome = (status: EvaluationOutcome["status"], objective: number | null): EvaluationOutcome => ({
  status,
  objective,
  objectives: null,
  metadata: null,
  exitCode: 0,
  signal: null,
  error: null,
  progress: [],
  startedAt: 0,
  finishedAt: 0,
});

async function simulate(
  store: Store,
  name: string,
  workers: number,
  mean: number,
  evalsPerWorker: number,
  lookahead: boolean,
  charge: "wall" | "cpu",
): Promise<Omit<Result, "db">> {
  // Seconds of the leader's work so far. "wall": wall time. "cpu": this process's CPU time (all
  // of SQLite's work, which runs in the process), plus, on PostgreSQL, the time each database call
  // waited beyond its own CPU time (the server's work and the round trips). On a shared machine
  // under nice 19, wall time mostly measures how long the scheduler kept the process waiting.
  const cpuNow = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  let serverWait = 0;
  const elapsed = charge === "wall" ? () => performance.now() / 1000 : () => cpuNow() + serverWait;
  /** SCALE_DEBUG: the leader's time per kind of database call, printed at the end. */
  const dbTime = new Map<string, number>();
  const db = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    const w = performance.now();
    const c = cpuNow();
    const e0 = elapsed();
    try {
      return await call();
    } finally {
      if (charge === "cpu" && store.dialect === "postgres") serverWait += Math.max(0, (performance.now() - w) / 1000 - (cpuNow() - c));
      if (process.env.SCALE_DEBUG) dbTime.set(what, (dbTime.get(what) ?? 0) + elapsed() - e0);
    }
  };
  const evals = workers * evalsPerWorker;
  const wf = await createWorkflow(store, workflowFor(name, evals));
  const launcher = await registerLauncher(store, { workflowId: wf.id, batchJobId: null, host: "bench", pid: process.pid });
  const space = new Space(wf.problem);
  const ctx = { space, seed: 1, direction: "minimize" as const, options: wf.searcherOptions };
  const asha = name === "asha" ? createAshaSearcher(ctx) : null;
  const searcher: Searcher = asha ?? (["ambs", "random", "regevo", "agebo"].includes(name) ? createSearcher(name, ctx) : unknown(name));
  const driver = asha ? new FidelityDriver(asha, []) : null;
  // As the launcher saves it (SearchLoop.savedState): the journal entries since the last save too.
  let journalBytes = 0;
  let saves = 0;
  const saved = (): { searcherState: JsonValue; searcherJournal?: SearcherJournal } => {
    if (!searcher.stateWithoutRows) return { searcherState: searcher.state() };
    const searcherJournal = searcher.takeJournal?.();
    saves++;
    if (process.env.SCALE_DEBUG && searcherJournal) journalBytes += JSON.stringify(searcherJournal.entries).length;
    return { searcherState: searcher.stateWithoutRows(), searcherJournal };
  };
  const clock = new Rng(12345);
  const heap = new Heap();
  const hosts = ["bench"];
  /** Rows asked ahead, waiting READY (the launcher's lookahead), oldest first. */
  const ready: EvaluationRow[] = [];
  let finishRate = 0;
  let finishedSince = 0;
  let rateSince = 0;
  let lastAsk = 0;
  let toldAt = 0;
  let created = 0;
  let finished = 0;
  let busy = 0;
  let wait = 0;
  let leaderFree = 0;
  let leaderBusy = 0;
  let iterations = 0;
  let batched = 0;
  let maxIteration = 0;
  let firstFill = 0;
  let stateBytes = 0;
  /** Freed slots (the times they freed) waiting for a point. */
  let freed: number[] = Array.from({ length: workers }, () => 0);
  /** Slots filled in this iteration: the time they freed and the time their row started. */
  let firstIteration = true;
  /** Slots refilled from rows asked ahead, and from rows asked then: their waits apart. */
  const refills = { ahead: 0, aheadWait: 0, asked: 0, askedWait: 0 };
  const waited = (freedAt: number[], at: number, ahead: boolean): void => {
    if (firstIteration) return;
    for (const t of freedAt) {
      wait += at - t;
      if (ahead) {
        refills.ahead++;
        refills.aheadWait += at - t;
      } else {
        refills.asked++;
        refills.askedWait += at - t;
      }
    }
  };

  const start = (row: EvaluationRow, at: number): void => {
    const d = clock.exponential(mean);
    busy += d;
    heap.push({ t: at + d, row, step: row.fidelity?.length ?? 0 });
  };

  for (;;) {
    // What happened by the time the leader is free again is one iteration's batch.
    if (freed.length === 0 || (created >= evals && ready.length === 0)) {
      const next = heap.peek();
      if (!next) break;
      if (next.t > leaderFree) leaderFree = next.t;
    }
    const now = leaderFree;
    const batch: Job[] = [];
    while (heap.size > 0 && heap.peek()!.t <= now) batch.push(heap.pop());
    const w0 = elapsed();

    // Progress points at decision lengths (asha): the searcher decides, the runs wait for it.
    const ended: { job: Job; status: EvaluationOutcome["status"]; objective: number | null }[] = [];
    const continuing: Job[] = [];
    if (driver) {
      let decided = false;
      const progress: ProgressPoint[] = [];
      for (const job of batch) {
        const value = lossAt(job.row.point, job.step);
        progress.push({ evaluationId: job.row.id, seq: 1, launcherId: launcher.id, step: job.step, value, at: Math.round(job.t * 1000) });
        const d = driver.onReport(job.row.id, job.step, value);
        if (d.reason !== "training") decided = true;
        if (d.action === "continue" && d.length > job.step) continuing.push({ ...job, step: d.length });
        else ended.push({ job, status: d.action === "stop" && d.reason !== "completed" ? "STOPPED_EARLY" : "DONE", objective: value });
      }
      if (progress.length > 0) {
        const state = decided ? saved() : {};
        await db("progress", () => recordProgress(store, wf.id, progress, state));
      }
    } else for (const job of batch) ended.push({ job, status: "DONE", objective: objectiveOf(name, job.row.point) });

    // Record what ended with the searcher's state (recordFinished).
    if (ended.length > 0) {
      ended.sort((a, b) => a.job.row.id - b.job.row.id);
      const outcomes = ended.map((e) => (driver ? driver.finish(e.job.row, outcome(e.status, e.objective)) : outcome(e.status, e.objective)));
      if (!driver) {
        const told: EvaluationResult[] = ended.map((e) => ({ evalId: e.job.row.id, point: e.job.row.point, status: "DONE", objective: e.objective }));
        searcher.tell(told);
      }
      const results: FinishedEvaluation[] = ended.map((e, i) => ({
        id: e.job.row.id,
        attempt: 0,
        state: outcomes[i]!.status as FinishedEvaluation["state"],
        objective: outcomes[i]!.objective,
        metrics: outcomes[i]!.metadata,
      }));
      toldAt = Math.max(Date.now(), toldAt + 1);
      const state = saved();
      await db("finish", () => finishEvaluations(store, results, { ...state, launcherId: launcher.id, told: { at: toldAt } }));
      finished += ended.length;
      finishedSince += ended.length;
    }

    // Dispatch (the launcher's): count; rows asked ahead first, claimed for the freed slots.
    for (const e of ended) freed.push(e.job.t);
    await db("count", () => countEvaluations(store, wf.id));
    if (freed.length > 0 && ready.length > 0) {
      const claimed = await db("claim", () => claimEvaluations(store, { workflowId: wf.id, launcherId: launcher.id, n: Math.min(freed.length, ready.length), hosts }));
      ready.splice(0, claimed.length);
      const at = now + (elapsed() - w0);
      waited(freed.splice(0, claimed.length), at, true);
      for (const row of claimed) start(row, at);
    }
    // Then new points: for the slots still free and, with a lookahead, for those that will free.
    if (now - rateSince >= 1) {
      const rate = finishedSince / (now - rateSince);
      finishRate = finishRate === 0 ? rate : 0.7 * finishRate + 0.3 * rate;
      finishedSince = 0;
      rateSince = now;
    }
    const ahead = lookahead ? Math.floor(2 * finishRate * lastAsk) : 0;
    const budget = evals - created;
    const want = Math.min(freed.length + ahead - ready.length, budget);
    const due = want >= Math.ceil(ahead / 2) || want === budget || freed.length > 0;
    let rows: EvaluationRow[] = [];
    let askTime = 0;
    if (want > 0 && due) {
      const a0 = elapsed();
      await db("state", () => getWorkflowState(store, wf.id));
      const q0 = elapsed();
      const work = driver ? driver.next(want) : searcher.ask(want).map((point) => ({ point, fidelity: undefined }));
      askTime = elapsed() - q0;
      if (work.length > 0) {
        const state = saved();
        stateBytes = JSON.stringify(state.searcherState).length;
        const claim = Math.min(work.length, freed.length);
        rows = await db("create", () =>
          createEvaluations(store, wf.id, work.map((w) => w.point), {
            ...state,
            fidelity: driver ? work.map((w) => w.fidelity ?? null) : undefined,
            claim: { launcherId: launcher.id, hosts: Array.from({ length: claim }, () => hosts) },
          }),
        );
        driver?.created(rows);
        created += rows.length;
        ready.push(...rows.slice(claim));
        rows = rows.slice(0, claim);
      }
      lastAsk = elapsed() - a0;
    }
    const cost = elapsed() - w0;
    if (process.env.SCALE_DEBUG && cost > 0.3) process.stderr.write(`iteration ${iterations}: ${cost.toFixed(3)} s, ask ${askTime.toFixed(3)} s (${want} wanted, ${freed.length} free, ${ready.length} ready, batch ${batch.length})\n`);
    leaderFree = now + cost;
    leaderBusy += cost;
    iterations++;
    batched += batch.length;
    maxIteration = Math.max(maxIteration, cost);

    // The new rows start now; the slots they fill waited since they freed (the first fill apart).
    if (firstIteration) firstFill = leaderFree;
    waited(freed.splice(0, rows.length), leaderFree, false);
    rows.forEach((row) => start(row, leaderFree));
    firstIteration = false;
    // Runs that got "train on" waited for that answer, then train to their next length.
    for (const job of continuing) {
      wait += leaderFree - job.t;
      const d = clock.exponential(mean);
      busy += d;
      heap.push({ t: leaderFree + d, row: job.row, step: job.step });
    }
    if (created >= evals && ready.length === 0) freed = [];
    if (iterations % 200 === 0 && process.stderr.isTTY) process.stderr.write(`  ${name} ${workers}x${mean}s: ${finished}/${evals} finished, simulated ${leaderFree.toFixed(0)} s\r`);
  }
  if (process.stderr.isTTY) process.stderr.write(" ".repeat(70) + "\r");
  if (process.env.SCALE_DEBUG) process.stderr.write(`database calls, s: ${[...dbTime].map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ")}; journal ${(journalBytes / Math.max(1, saves)).toFixed(0)} bytes per save\n`);
  return {
    searcher: name,
    workers,
    mean,
    evaluations: created,
    utilisation: busy / (busy + wait),
    firstFill,
    makespan: leaderFree,
    leaderBusy,
    iterations,
    meanBatch: batched / Math.max(1, iterations - 1),
    maxIteration,
    stateBytes,
    aheadShare: refills.ahead / Math.max(1, refills.ahead + refills.asked),
    aheadWait: refills.aheadWait / Math.max(1, refills.ahead),
    askedWait: refills.askedWait / Math.max(1, refills.asked),
  };
}

function unknown(name: string): never {
  throw new Error(`unknown searcher ${name}: use ambs, random, asha, regevo or agebo`);
}

async function pgReachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const tmp = mkdtempSync(join(os.tmpdir(), "spruce-bench-scale-"));
  const admin = async (sql: string): Promise<void> => {
    const c = new pg.Client({ connectionString: args.databaseUrl });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  let pgDb: URL | null = null;
  const dbs = [...args.dbs];
  if (dbs.includes("postgres")) {
    if (await pgReachable(args.databaseUrl)) {
      const name = `spruce_bench_${Math.random().toString(36).slice(2, 10)}`;
      await admin(`CREATE DATABASE ${name}`);
      pgDb = new URL(args.databaseUrl);
      pgDb.pathname = `/${name}`;
    } else {
      console.log(`(PostgreSQL does not answer at ${args.databaseUrl.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@")}: SQLite only)`);
      dbs.splice(dbs.indexOf("postgres"), 1);
    }
  }
  const results: Result[] = [];
  let k = 0;
  const header = ["searcher", "workers", "mean s", "db", "evaluations", "utilisation", "first fill s", "leader busy s", "makespan s", "iterations", "batch", "max iteration s", "state bytes", "ahead", "wait ahead s", "wait asked s"];
  const widths = header.map((h) => Math.max(8, h.length));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  console.log(
    `${args.evalsPerWorker} x workers evaluations, exponential durations; the leader charged with the ${args.charge === "wall" ? "wall" : "CPU"} time of each iteration` +
      (args.lookahead ? "" : "; no lookahead (points asked only for freed slots)"),
  );
  console.log(line(header));
  try {
    for (const mean of args.means) {
      for (const workers of args.workers) {
        for (const db of dbs) {
          for (const name of args.searchers) {
            k++;
            let location: StoreLocation;
            if (db === "sqlite") location = { workspace: join(tmp, `w${k}`) };
            else {
              const schema = `s${k}`;
              const c = new pg.Client({ connectionString: pgDb!.toString() });
              await c.connect();
              await c.query(`CREATE SCHEMA ${schema}`).finally(() => c.end());
              const url = new URL(pgDb!);
              url.search = `options=${encodeURIComponent(`-c search_path=${schema}`)}`;
              location = { databaseUrl: url.toString() };
            }
            const store = await openStore(location, { migrate: true });
            try {
              const r = { ...(await simulate(store, name, workers, mean, args.evalsPerWorker, args.lookahead, args.charge)), db };
              results.push(r);
              console.log(
                line([
                  r.searcher,
                  String(r.workers),
                  String(r.mean),
                  r.db,
                  String(r.evaluations),
                  `${(100 * r.utilisation).toFixed(2)}%`,
                  r.firstFill.toFixed(2),
                  r.leaderBusy.toFixed(1),
                  r.makespan.toFixed(1),
                  String(r.iterations),
                  r.meanBatch.toFixed(1),
                  r.maxIteration.toFixed(3),
                  String(r.stateBytes),
                  `${(100 * r.aheadShare).toFixed(0)}%`,
                  r.aheadWait.toFixed(3),
                  r.askedWait.toFixed(3),
                ]),
              );
            } finally {
              await store.close();
            }
          }
        }
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    if (pgDb) await admin(`DROP DATABASE IF EXISTS ${pgDb.pathname.slice(1)} WITH (FORCE)`);
  }
  const load = os.loadavg()[0]!.toFixed(1);
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s; node ${process.version}; ${os.cpus().length} cpus, load average ${load})`);
}

await main();
