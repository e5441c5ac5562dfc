// bench/slurm-scale: one real search on the test bed's Slurm allocation, serial mode with one agent
// per node after the first, PostgreSQL, --evals-per-node slots per node, evaluations of `sleep`
// for exponential random durations (seeded by the evaluation's id, so they do not depend on the
// searcher). Prints what one leader achieved: utilisation of the slots, claims per second, the
// database connections the run held, and whether every evaluation ran exactly once (the command
// appends its id and attempt to a log as it starts; every row DONE, attempt 0, one RUNNING event).
//
//   npx tsx bench/slurm-scale.ts [--nodes N (default: every node of the partition)] [--evals-per-node 8]
//        [--evals-per-slot 4] [--mean 5] [--searcher ambs] [--database-url postgres://postgres@127.0.0.1:5432/postgres]
//
// Utilisation = the slot-seconds busy / the slot-seconds available, per node from its first start
// to the last start of the search (after that the budget is spent and slots empty by design), so it
// counts every gap between a slot freeing and its next evaluation starting. Needs `npm run build`
// (the batch job runs dist/) and the test bed (scripts/testbed.sh up; `SLURM_NODES=16 SLURM_CPUS=8
// scripts/testbed.sh nodes` declares 16 nodes of 8 CPUs, under `flock /tmp/spruce-slurm.lock`).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { getWorkflow, listEvaluations, listEvents, openStore } from "../src/store/index.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist/src/cli/main.js");

function arg(flag: string, fallback: string): string {
  const i = process.argv.indexOf(flag);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const partition = process.env.SLURM_PARTITION ?? "debug";
/** --scheduler local: the same search on this machine without Slurm (one node, no agents), to check the bench itself. */
const local = arg("--scheduler", "slurm") === "local";
const sinfo = local ? { status: 0, stdout: "local idle\n" } : spawnSync("sinfo", ["-h", "-N", "-p", partition, "-o", "%N %t"], { encoding: "utf8" });
if (sinfo.status !== 0) {
  console.error("error: Slurm does not answer (sinfo failed)\nhint: start the test bed: bash scripts/testbed.sh up");
  process.exit(2);
}
const nodeStates = sinfo.stdout.trim().split("\n").filter(Boolean).map((l) => l.split(" ") as [string, string]);
const nodes = Number(arg("--nodes", String(nodeStates.length)));
const perNode = Number(arg("--evals-per-node", "8"));
const perSlot = Number(arg("--evals-per-slot", "4"));
const mean = Number(arg("--mean", "5"));
const searcher = arg("--searcher", "ambs");
const adminUrl = arg("--database-url", process.env.SPRUCE_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
const slots = nodes * perNode;
const maxEvals = slots * perSlot;

async function admin(sql: string, url = adminUrl): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

const dbName = `spruce_bench_slurm_${Math.random().toString(36).slice(2, 10)}`;
const ws = mkdtempSync(join(os.tmpdir(), "spruce-slurm-scale-"));
const ranLog = join(ws, "ran.log");
// Exponential durations from the evaluation's id (awk's srand), the objective from the point.
const command =
  `echo "$SPRUCE_EVAL_ID $SPRUCE_ATTEMPT" >> ${ranLog}; ` +
  `sleep $(awk -v s="$SPRUCE_EVAL_ID" 'BEGIN { srand(s); printf "%.3f", -${mean} * log(1 - rand()) }'); ` +
  `awk -v x={{x}} -v y={{y}} 'BEGIN { printf "objective: %.6f\\n", (x - 0.3)^2 + (y + 0.2)^2 }'`;

try {
  await admin(`CREATE DATABASE ${dbName}`);
} catch (e) {
  console.error(`error: PostgreSQL does not answer at --database-url (${(e as Error).message})\nhint: start it: bash scripts/testbed.sh up`);
  process.exit(2);
}
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
const dbUrl = url.toString();
const started = performance.now();
console.log(`${nodes} ${local ? "local" : "Slurm"} nodes (${nodeStates.map((s) => s.join(":")).join(" ")}), serial mode, ${perNode} slots per node (${slots}), ${maxEvals} evaluations of sleep ~ exponential(${mean} s), searcher ${searcher}, PostgreSQL`);

// Connections to this database while the search runs (the leader's, the agents', --wait's).
const conns: number[] = [];
let polling = true;
const poll = (async () => {
  while (polling) {
    try {
      const r = await admin(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${dbName}' AND pid <> pg_backend_pid()`);
      conns.push(r.rows[0].n as number);
    } catch {
      // the server was busy: skip this sample
    }
    await new Promise((r) => setTimeout(r, 500));
  }
})();

const submitted = Date.now();
const child = spawn(
  process.execPath,
  [CLI, "--workspace", ws, "--database-url", dbUrl, "submit", "hps", "slurmscale", ...(local ? ["--scheduler", "local"] : ["--scheduler", "slurm", "-q", partition, "-n", String(nodes)]), "-t", "30",
    "--job-mode", "serial", "--evals-per-node", String(perNode), "--searcher", searcher, "--hp", "x=0.0:1.0", "y=-1.0:1.0", "--command", command,
    "--max-evals", String(maxEvals), "--seed", "1", "--wait", "--wait-timeout", "1500"],
  { stdio: ["ignore", "pipe", "pipe"] },
);
let out = "";
child.stdout.on("data", (d) => (out += d));
child.stderr.on("data", (d) => (out += d));
const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
polling = false;
await poll;
if (code !== 0) {
  console.error(`submit --wait exited ${code}:\n${out.slice(-3000)}\n(workspace kept: ${ws}; database ${dbName} kept)`);
  process.exit(1);
}

const store = await openStore({ databaseUrl: dbUrl });
try {
  const wf = (await getWorkflow(store, "slurmscale"))!;
  const rows = await listEvaluations(store, wf.id);
  const problems: string[] = [];
  if (rows.length !== maxEvals) problems.push(`${rows.length} rows, not ${maxEvals}`);
  for (const r of rows) {
    if (r.state !== "DONE") problems.push(`evaluation ${r.id} ${r.state}${r.error ? `: ${r.error}` : ""}`);
    if (r.attempt !== 0) problems.push(`evaluation ${r.id} ran at attempt ${r.attempt}`);
    const running = (await listEvents(store, r.id)).filter((e) => e.toState === "RUNNING").length;
    if (running !== 1) problems.push(`evaluation ${r.id} went RUNNING ${running} times`);
  }
  // The command's own record: each id started exactly once.
  const ran = readFileSync(ranLog, "utf8").trim().split("\n").map((l) => Number(l.split(" ")[0]));
  const times = new Map<number, number>();
  for (const id of ran) times.set(id, (times.get(id) ?? 0) + 1);
  const twice = [...times].filter(([, n]) => n > 1).map(([id]) => id);
  const lost = rows.filter((r) => !times.has(r.id)).map((r) => r.id);
  if (twice.length > 0) problems.push(`ran twice: ${twice.join(", ")}`);
  if (lost.length > 0) problems.push(`never ran: ${lost.join(", ")}`);

  // Utilisation per node, from its first start to the search's last start.
  const done = rows.filter((r) => r.startedAt !== null && r.finishedAt !== null);
  const lastStart = Math.max(...done.map((r) => r.startedAt!));
  const firstStart = Math.min(...done.map((r) => r.startedAt!));
  const byNode = new Map<string, typeof done>();
  for (const r of done) {
    const host = r.hosts?.[0] ?? "?";
    byNode.set(host, [...(byNode.get(host) ?? []), r]);
  }
  let busy = 0;
  let available = 0;
  const nodeFirst: number[] = [];
  for (const [, rs] of byNode) {
    const t0 = Math.min(...rs.map((r) => r.startedAt!));
    nodeFirst.push(t0);
    available += perNode * Math.max(0, lastStart - t0);
    for (const r of rs) busy += Math.max(0, Math.min(r.finishedAt!, lastStart) - Math.max(r.startedAt!, t0));
  }
  // Claims per second after the first fill: every start after the slots first filled, over that time.
  const starts = done.map((r) => r.startedAt!).sort((a, b) => a - b);
  const refills = starts.slice(slots);
  const refillSpan = refills.length > 1 ? (refills[refills.length - 1]! - refills[0]!) / 1000 : NaN;
  let peak = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (starts[i]! - starts[j]! > 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  const launchers = await admin(`SELECT count(*)::int AS n FROM launchers WHERE workflow_id = ${wf.id}`, dbUrl);
  const fmt = (v: number, d = 1): string => (Number.isFinite(v) ? v.toFixed(d) : "-");
  console.log(`
evaluations                 ${rows.length} (${rows.filter((r) => r.state === "DONE").length} DONE), on ${byNode.size} nodes: ${[...byNode].map(([h, rs]) => `${h}:${rs.length}`).join(" ")}
launchers                   ${launchers.rows[0].n} (the leader and its agents)
utilisation                 ${fmt((100 * busy) / available, 2)}% (slot-seconds busy / available, each node from its first start to the last start)
submit to first start       ${fmt((firstStart - submitted) / 1000)} s; first start to the last node's first start ${fmt((Math.max(...nodeFirst) - firstStart) / 1000)} s
claims per second           ${fmt(refills.length / refillSpan)} after the first fill (${refills.length} starts in ${fmt(refillSpan)} s; expected ${fmt(slots / mean)} = slots / mean), peak ${peak} in 1 s
database connections        max ${Math.max(0, ...conns)}, mean ${fmt(conns.reduce((a, b) => a + b, 0) / Math.max(1, conns.length))} (${conns.length} samples of pg_stat_activity)
run once                    ${problems.length === 0 ? "yes: every evaluation DONE at attempt 0, RUNNING once, its command started once" : `NO:\n  ${problems.slice(0, 20).join("\n  ")}`}
`);
  console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s; node ${process.version}; ${os.cpus().length} cpus, load average ${os.loadavg()[0]!.toFixed(1)})`);
  if (problems.length > 0) process.exitCode = 1;
} finally {
  await store.close();
  if (process.exitCode !== 1) {
    rmSync(ws, { recursive: true, force: true });
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  } else console.log(`(workspace kept: ${ws}; database ${dbName} kept)`);
}
