// Store integration: claims from 8 OS processes on one database (SQLite file, PostgreSQL) never
// overlap. Each worker (test/fixtures/store/claim-worker.ts) claims until nothing is READY; together
// they must take all 10 000 rows exactly once, each must get some, and the database must agree
// with what they reported.
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { countEvaluations, createEvaluations, createWorkflow, listEvaluations, type StoreLocation } from "../../src/store/index.js";
import { makeTempStore, sampleWorkflow } from "../helpers/db.js";
import { DIALECTS } from "../helpers/pg.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WORKER = join(ROOT, "test", "fixtures", "store", "claim-worker.ts");
const PROCESSES = 8;
const ROWS = 10_000;

interface WorkerReport {
  launcherId: number;
  ids: number[];
}

/** A worker process with its stdout collected line by line. */
function startWorker(location: StoreLocation, workflowId: number, batch: number): { child: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  // --import tsx is resolved from cwd (the project root), where tsx is installed.
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, JSON.stringify(location), String(workflowId), String(batch), "0"], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines: string[] = [];
  let buffered = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => resolve(code));
  });
  return { child, lines, exited };
}

/** Waits until every worker has said "ready"; fails at once if one exits first (its stderr is shown). */
async function waitUntilReady(workers: { child: ChildProcess; lines: string[] }[], timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!workers.every((w) => w.lines.includes("ready"))) {
    const dead = workers.find((w) => w.child.exitCode !== null || w.child.signalCode !== null);
    if (dead) throw new Error(`claim worker ${dead.child.pid} exited before it was ready (code ${dead.child.exitCode})`);
    if (Date.now() > deadline) throw new Error("timed out waiting for the claim workers to be ready");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(DIALECTS)("claimEvaluations across processes (%s)", (dialect) => {
  it.each([1, 16])(`${PROCESSES} processes claiming batches of %i take ${ROWS} rows exactly once`, { timeout: 180_000 }, async (batch) => {
    const { store, location } = await makeTempStore(dialect);
    const wf = await createWorkflow(store, sampleWorkflow());
    const created = await createEvaluations(store, wf.id, Array.from({ length: ROWS }, (_, i) => ({ x: i })));

    const workers = Array.from({ length: PROCESSES }, () => startWorker(location, wf.id, batch));
    try {
      // Start them together: tsx start-up takes long enough that the first worker would otherwise
      // take everything before the last one is running.
      await waitUntilReady(workers);
      const started = Date.now();
      for (const w of workers) w.child.stdin!.write("go\n");
      const codes = await Promise.all(workers.map((w) => w.exited));
      process.stderr.write(`${dialect}, batch ${batch}: ${ROWS} rows claimed in ${Date.now() - started} ms\n`);
      expect(codes).toEqual(workers.map(() => 0));
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
    }

    const reports = workers.map((w) => JSON.parse(w.lines.at(-1)!) as WorkerReport);
    const all = reports.flatMap((r) => r.ids);
    expect(all).toHaveLength(ROWS);
    expect(new Set(all).size).toBe(ROWS);
    expect([...all].sort((a, b) => a - b)).toEqual(created.map((e) => e.id));
    // Real concurrency: several workers claimed. PostgreSQL's row locks serve everyone; SQLite's busy
    // handler sleeps with backoff and is not fair, so in a short run one worker may get nothing.
    const claimers = reports.filter((r) => r.ids.length > 0).length;
    if (dialect === "postgres") expect(claimers).toBe(PROCESSES);
    else expect(claimers).toBeGreaterThanOrEqual(2);

    // The database agrees: every row RUNNING, owned by the worker that reported it, one RUNNING event each.
    expect(await countEvaluations(store, wf.id)).toMatchObject({ READY: 0, RUNNING: ROWS });
    const owner = new Map(reports.flatMap((r) => r.ids.map((id) => [id, r.launcherId] as const)));
    for (const e of await listEvaluations(store, wf.id)) expect(e.claimedBy).toBe(owner.get(e.id));
    const [events] = (await store.knex("evaluation_events").where({ to_state: "RUNNING" }).count({ n: "*" })) as { n: number }[];
    expect(Number(events!.n)).toBe(ROWS);
    process.stderr.write(`${dialect}, batch ${batch}: claims per process ${reports.map((r) => r.ids.length).join(", ")}\n`);
  });
});
