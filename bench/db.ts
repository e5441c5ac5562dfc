// bench/db: claims per second through claimEvaluations, with 1, 4 and 8 OS processes claiming
// batches of 1 and 16 from the same READY rows until none is left, on PostgreSQL and SQLite; and
// the number of double claims (a row handed to two claimers), which must be 0. Each process is
// this script in worker mode, so the figures include the real driver, pool and event rows.
// Usage: node dist/bench/db.js [--rows 10000] [--processes 1,4,8] [--batches 1,16]
//          [--dialects postgres,sqlite] [--database-url postgres://user@host:port/postgres]
// The PostgreSQL URL (default SPRUCE_BENCH_DATABASE_URL, TEST_DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE: the bench works in its
// own spruce_bench_<random> database and drops it at the end.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import {
  claimEvaluations,
  createEvaluations,
  createWorkflow,
  openStore,
  registerLauncher,
  type Dialect,
  type StoreLocation,
} from "../src/store/index.js";
import type { NewWorkflow } from "../src/store/types.js";
import { stringArg } from "./args.js";

const numbers = (s: string): number[] => s.split(",").map(Number);

/** Worker mode: open, register, say "ready", wait for "go", claim until empty, print one JSON line. */
async function worker(location: StoreLocation, workflowId: number, n: number): Promise<void> {
  const store = await openStore(location);
  const me = await registerLauncher(store, { workflowId, batchJobId: null, host: "bench", pid: process.pid });
  process.stdout.write("ready\n");
  await new Promise((r) => process.stdin.once("data", r));
  const start = Date.now();
  const ids: number[] = [];
  for (;;) {
    const claimed = await claimEvaluations(store, { workflowId, launcherId: me.id, n });
    if (claimed.length === 0) break;
    for (const e of claimed) ids.push(e.id);
  }
  const end = Date.now();
  await store.close();
  process.stdout.write(JSON.stringify({ start, end, ids }) + "\n");
  process.stdin.destroy();
}

interface Report {
  start: number;
  end: number;
  ids: number[];
}

function startWorker(location: StoreLocation, workflowId: number, n: number): { child: ChildProcess; lines: string[]; out: Promise<string[]> } {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "worker", JSON.stringify(location), String(workflowId), String(n)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines: string[] = [];
  let buf = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    buf += d;
    const parts = buf.split("\n");
    buf = parts.pop()!;
    lines.push(...parts);
  });
  const out = new Promise<string[]>((resolve, reject) => {
    child.on("exit", (code) => (code === 0 ? resolve(lines) : reject(new Error(`bench worker exited with ${code}`))));
  });
  return { child, lines, out };
}

const WORKFLOW: NewWorkflow = {
  name: "bench",
  problem: { hyperparameters: [{ type: "int", name: "x", low: 0, high: 1_000_000, log: false }], startingPoints: [] },
  problemSource: "bench",
  run: { kind: "command", template: "true", cwd: "/tmp" },
  searcher: "random",
  searcherOptions: {},
  direction: "maximize",
  maxEvals: 1_000_000,
  seed: 1,
  settings: {},
  request: { scheduler: "local", nodes: 1, walltimeMinutes: 60, queue: null, project: null, mode: "serial", evalsPerNode: 1, nodesPerEval: 1, ranksPerNode: 1 },
  resultsDir: "/tmp/bench",
};

interface Row {
  dialect: Dialect;
  processes: number;
  batch: number;
  rows: number;
  seconds: number;
  perSecond: number;
  doubles: number;
}

/** One measurement on a fresh, migrated store. */
async function measure(location: StoreLocation, dialect: Dialect, processes: number, batch: number, rows: number): Promise<Row> {
  const store = await openStore(location, { migrate: true });
  const wf = await createWorkflow(store, WORKFLOW);
  await createEvaluations(store, wf.id, Array.from({ length: rows }, (_, i) => ({ x: i })));
  const workers = Array.from({ length: processes }, () => startWorker(location, wf.id, batch));
  // Claiming starts only when every process is connected and registered.
  while (!workers.every((w) => w.lines.includes("ready"))) {
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const w of workers) w.child.stdin!.write("go\n");
  const reports = (await Promise.all(workers.map((w) => w.out))).map((lines) => JSON.parse(lines.at(-1)!) as Report);
  const all = reports.flatMap((r) => r.ids);
  // A double claim shows twice in the workers' reports, or as two RUNNING events on one row.
  const doubleEvents = await store
    .knex("evaluation_events")
    .select("evaluation_id")
    .where({ to_state: "RUNNING" })
    .groupBy("evaluation_id")
    .havingRaw("count(*) > 1");
  await store.close();
  if (all.length < rows) throw new Error(`only ${all.length} of ${rows} rows were claimed`);
  const seconds = (Math.max(...reports.map((r) => r.end)) - Math.min(...reports.map((r) => r.start))) / 1000;
  return { dialect, processes, batch, rows, seconds, perSecond: rows / seconds, doubles: all.length - new Set(all).size + doubleEvents.length };
}

async function main(): Promise<void> {
  const rows = Number(stringArg("rows", "10000"));
  const processList = numbers(stringArg("processes", "1,4,8"));
  const batches = numbers(stringArg("batches", "1,16"));
  const dialects = stringArg("dialects", "postgres,sqlite").split(",") as Dialect[];
  const adminUrl = stringArg("database-url", process.env.SPRUCE_BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");

  const results: Row[] = [];
  const tmp = mkdtempSync(join(tmpdir(), "spruce-bench-db-"));
  let pgDatabase: { name: string; url: URL } | null = null;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  try {
    if (dialects.includes("postgres")) {
      const name = `spruce_bench_${Math.random().toString(36).slice(2, 10)}`;
      await admin(`CREATE DATABASE ${name}`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      pgDatabase = { name, url };
    }
    let k = 0;
    for (const dialect of dialects) {
      for (const batch of batches) {
        for (const processes of processList) {
          k++;
          let location: StoreLocation;
          if (dialect === "sqlite") {
            location = { workspace: join(tmp, `sqlite-${k}`) };
          } else {
            // A fresh schema per measurement: no dead rows of the previous one to scan past.
            const schema = `m${k}`;
            const client = new pg.Client({ connectionString: pgDatabase!.url.toString() });
            await client.connect();
            await client.query(`CREATE SCHEMA ${schema}`).finally(() => client.end());
            const url = new URL(pgDatabase!.url);
            url.search = `options=${encodeURIComponent(`-c search_path=${schema}`)}`;
            location = { databaseUrl: url.toString() };
          }
          const r = await measure(location, dialect, processes, batch, rows);
          process.stderr.write(`${dialect} processes=${processes} batch=${batch}: ${Math.round(r.perSecond)} claims/s, ${r.doubles} double\n`);
          results.push(r);
        }
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    if (pgDatabase) await admin(`DROP DATABASE IF EXISTS ${pgDatabase.name} WITH (FORCE)`);
  }

  const header = ["dialect", "processes", "batch", "rows", "seconds", "claims/s", "double claims"];
  const table = results.map((r) => [r.dialect, r.processes, r.batch, r.rows, r.seconds.toFixed(2), Math.round(r.perSecond), r.doubles].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  process.stdout.write([line(header), ...table.map(line)].join("\n") + "\n");
  const pg8 = results.filter((r) => r.dialect === "postgres" && r.processes === 8 && r.batch > 1);
  if (pg8.length > 0) {
    const best = Math.max(...pg8.map((r) => r.perSecond));
    process.stdout.write(`PostgreSQL, 8 processes, batched: ${Math.round(best)} claims/s (target >= 5000: ${best >= 5000 ? "met" : "NOT met"})\n`);
  }
  const doubles = results.reduce((s, r) => s + r.doubles, 0);
  process.stdout.write(`double claims: ${doubles}\n`);
  if (doubles > 0) process.exitCode = 1;
}

if (process.argv[2] === "worker") {
  await worker(JSON.parse(process.argv[3]!) as StoreLocation, Number(process.argv[4]), Number(process.argv[5]));
} else {
  await main();
}
