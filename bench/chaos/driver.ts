// The chaos driver (bench/chaos; docs/architecture.md, Crash safety): a search on the test bed's
// 3 Slurm nodes (serial mode with agents, its own PostgreSQL cluster, the service resubmitting
// launcher jobs across short walltimes) while a seeded schedule of faults hits it: SIGKILL of the
// leader, an agent, a spawner, an evaluation; scancel of its batch job; a node DOWN and back;
// PostgreSQL restarted (fast, immediate) and paused longer than a heartbeat; the service SIGKILLed.
// Then the checks (checks.ts) and what each fault cost (metrics.ts).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { endedSummary, getWorkflow, listBatchJobs, listEvaluations, listEvents, listLaunchers, openStore, type Store } from "../../src/store/index.js";
import { checkSearch, leftovers, type Check } from "./checks.js";
import { endNow, inject, NoTarget, type FaultContext } from "./faults.js";
import { faultCosts, reruns, type FaultRecord, type Sample } from "./metrics.js";
import { EVAL_SCRIPT } from "./paths.js";
import { evaluationsUnder, kill, processesUnder, processTable } from "./procs.js";
import { planFaults, type FaultKind } from "./schedule.js";
import { ChaosDatabase, ChaosService, cli, slurm } from "./testbed.js";

export interface ChaosOptions {
  seed: number;
  searcher: "ambs" | "asha";
  /** Evaluations to finish (ambs) or trials (asha). */
  budget: number;
  /** Times each kind of fault is injected; 0 is a baseline run. */
  repeat: number;
  without?: readonly FaultKind[];
  walltimeMinutes?: number;
  walltimeMarginSeconds?: number;
  evalsPerNode?: number;
  heartbeatSeconds?: number;
  staleAfterSeconds?: number;
  serviceEverySeconds?: number;
  /** The whole run, faults and checks included. */
  timeoutMs?: number;
  /** Keep the run's folder even when every check passed. */
  keep?: boolean;
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  searcher: string;
  budget: number;
  workflow: string;
  dir: string;
  /** From the submission to the workflow FINISHED. */
  wallSeconds: number;
  batchJobs: number;
  evaluations: number;
  faults: FaultRecord[];
  reruns: { total: number; byCause: Record<string, number> };
  /** Evaluations FAILED by recovery, out of attempts. */
  gaveUp: number;
  checks: Check[];
  ok: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a run in progress must undo if the driver is interrupted (main.ts's ^C). */
const inProgress = new Set<() => void>();

/** Undoes every run in progress at once: its faults, its service, jobs, processes and database. */
export function abortRuns(): void {
  for (const undo of inProgress) undo();
  inProgress.clear();
}
const NODES = 3;
/** How long a fault waits for its target (an agent, a running job) before it is skipped. */
const TARGET_WAIT_MS = 60_000;

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const hb = o.heartbeatSeconds ?? 2;
  const suffix = Math.random().toString(16).slice(2, 6);
  const workflow = `chaos-${o.searcher}-s${o.seed}-${suffix}`;
  const dir = mkdtempSync(join(tmpdir(), `spruce-${workflow}-`));
  // As root the database server runs as `postgres`, which must reach its folder below this one.
  chmodSync(dir, 0o711);
  const workspace = join(dir, "ws");
  const t0 = Date.now();
  const plan = o.repeat > 0 ? planFaults({ seed: o.seed, repeat: o.repeat, heartbeatSeconds: hb, without: o.without }) : [];
  log(`chaos seed ${o.seed} (${o.searcher}, budget ${o.budget}): ${plan.length} fault(s) planned; folder ${dir}`);
  const db = ChaosDatabase.create(join(dir, "db"));
  const store = await openStore({ credentialsFile: db.credentialsFile }, { retryMs: 300_000, onRetry: () => undefined });
  const service = new ChaosService(
    ["--workspace", workspace, "service", "start", "--every", String(o.serviceEverySeconds ?? 2), "--db-dir", db.dir],
    join(dir, "service.log"),
    process.env,
  );
  const registeredPids = async (): Promise<Set<number> | null> => {
    const read = (async () => {
      const wf = await getWorkflow(store, workflow);
      return new Set(wf ? (await listLaunchers(store, wf.id)).filter((l) => l.endedAt === null).map((l) => l.pid) : []);
    })();
    return Promise.race([read, sleep(2_000).then(() => null)]);
  };
  const ctx: FaultContext = { registeredPids, workflow, workspace, jobName: workflow, db, service, pending: new Map() };
  const records: FaultRecord[] = plan.map((f) => ({ ...f, injectedAt: null, target: "", skipped: null, recoveredAfterMs: null, lostSeconds: 0, reruns: 0 }));
  const samples: Sample[] = [];
  const undo = (): void => {
    endNow(ctx);
    service.killHard();
    for (const j of slurm.jobsNamed(workflow)) spawnSync("scancel", [j.id]);
    for (const p of processesUnder(processTable(), workspace, new Set([process.pid]))) kill(p.pid, "SIGKILL");
    db.stop();
  };
  inProgress.add(undo);
  let progress = { finished: 0, state: "CREATED" };
  let stop = false;
  let finishedAt: number | null = null;
  try {
    submit(o, workflow, workspace, db.dir, hb);
    const submittedAt = Date.now();
    service.start();
    const sampler = setInterval(() => samples.push({ t: Date.now(), running: evaluationsUnder(processTable(), workspace).length, finished: progress.finished }), 250);
    const poller = (async () => {
      while (!stop) {
        progress = await readProgress(store, workflow, o.searcher === "asha").catch(() => progress);
        if (progress.state === "FINISHED" && finishedAt === null) finishedAt = Date.now();
        await sleep(500);
      }
    })();
    const over = () => progress.state === "FINISHED" || progress.state === "FAILED" || progress.state === "STOPPED";
    const deadline = t0 + (o.timeoutMs ?? 20 * 60_000);
    try {
      // Faults, in schedule order, each once the search has progressed far enough.
      let last = 0;
      for (const r of records) {
        while (!over() && Date.now() < deadline && (progress.finished < r.atFraction * o.budget || Date.now() < last + 1_500)) await sleep(100);
        await sleep(r.delayMs);
        const waitUntil = Date.now() + TARGET_WAIT_MS;
        for (;;) {
          if (over()) {
            r.skipped = "the search was over";
            break;
          }
          try {
            r.target = await inject(r, ctx);
            r.injectedAt = Date.now();
            last = r.injectedAt;
            log(`  [${((r.injectedAt - t0) / 1000).toFixed(1)} s, ${progress.finished}/${o.budget}] fault ${r.n} ${r.kind}: ${r.target}`);
            break;
          } catch (e) {
            if (!(e instanceof NoTarget)) throw e;
            if (Date.now() > waitUntil) {
              r.skipped = e.message;
              log(`  fault ${r.n} ${r.kind} skipped: ${e.message}`);
              break;
            }
            await sleep(250);
          }
        }
      }
      while (!over() && Date.now() < deadline) await sleep(250);
      if (!over()) log(`  timed out after ${Math.round((Date.now() - t0) / 1000)} s: workflow ${progress.state}, ${progress.finished}/${o.budget}`);
    } finally {
      // Whatever is still broken is mended before anything is checked.
      endNow(ctx);
      if (service.pid === null) service.start();
    }
    // The last launcher ends its job; the service submits nothing more; nothing is left running.
    await settle(workflow, workspace, deadline + 120_000);
    clearInterval(sampler);
    stop = true;
    await poller;
    await service.stop();
    const wallSeconds = ((finishedAt ?? Date.now()) - submittedAt) / 1000;

    const killed = new Set(records.flatMap((r) => (r.kind === "kill-evaluation" ? [Number(/evaluation (\d+)/.exec(r.target)?.[1])] : [])));
    const { checks, rows, wf } = await checkSearch({ store, workflow, budget: o.budget, workspace, jobName: workflow, killed, minJobs: o.repeat > 0 ? 2 : 1 });
    const left = leftovers(workspace, workflow, new Set([process.pid]));
    checks.push({ name: "no process of the search left on any node", ok: left.processes.length === 0, detail: left.processes.slice(0, 5).join("; ") || "none" });
    checks.push({ name: "no batch job of the search left in Slurm", ok: left.jobs.length === 0, detail: left.jobs.join(", ") || "none" });
    const down = slurm.unusable();
    checks.push({ name: "every node back up", ok: down.length === 0, detail: down.join(", ") || `${NODES} nodes up` });

    const events = wf ? (await Promise.all(rows.map((r) => listEvents(store, r.id)))).flat() : [];
    const rr = reruns(events, records);
    faultCosts(records, samples, o.budget, (o.evalsPerNode ?? 2) * NODES);
    const jobs = wf ? await listBatchJobs(store, wf.id) : [];
    const report: ChaosReport = {
      seed: o.seed,
      searcher: o.searcher,
      budget: o.budget,
      workflow,
      dir,
      wallSeconds,
      batchJobs: jobs.length,
      evaluations: rows.length,
      faults: records,
      reruns: rr,
      gaveUp: rows.filter((r) => r.state === "FAILED" && (r.error ?? "").startsWith("gave up after")).length,
      checks,
      ok: checks.every((c) => c.ok),
    };
    return report;
  } finally {
    inProgress.delete(undo);
    stop = true;
    endNow(ctx);
    await service.stop();
    await store.close();
    // A failed run's jobs and processes must not hold the shared test bed's nodes.
    for (const j of slurm.jobsNamed(workflow)) spawnSync("scancel", [j.id]);
    for (const p of processesUnder(processTable(), workspace, new Set([process.pid]))) kill(p.pid, "SIGKILL");
    db.stop();
  }
}

/** Removes a run's folder (the driver keeps it; the caller decides once the checks are read). */
export function removeRun(report: Pick<ChaosReport, "dir">): void {
  rmSync(report.dir, { recursive: true, force: true });
}

/**
 * asha's budget is mostly short trials (80 end in under 20 s): with the usual 25 s margin a whole
 * run could fit in one minute's job and no fault would end a job, so the chain across walltimes
 * went untested (seed 26). A 45 s margin leaves each job 15 s to search: its budget needs several.
 */
const ASHA_MARGIN_SECONDS = 45;

function submit(o: ChaosOptions, workflow: string, workspace: string, dbDir: string, hb: number): void {
  const searcher = o.searcher === "asha" ? ["--searcher", "asha", "--max-length", "9", "--divisor", "3"] : ["--searcher", "ambs"];
  const r = cli([
    "--workspace", workspace, "submit", "hps", workflow, "--db-dir", dbDir,
    "--scheduler", "slurm", "-q", process.env.SLURM_PARTITION ?? "debug", "-n", String(NODES),
    "-t", String(o.walltimeMinutes ?? 1), "--walltime-margin", String(o.walltimeMarginSeconds ?? (o.searcher === "asha" ? ASHA_MARGIN_SECONDS : 25)),
    "--evals-per-node", String(o.evalsPerNode ?? 2),
    "--command", `sh ${EVAL_SCRIPT} {{t}} {{x}} {{y}}`, "--hp", "t=0:9", "x=0:19", "y=a,b,c",
    ...searcher, "--max-evals", String(o.budget), "--seed", String(o.seed),
    "--heartbeat-seconds", String(hb), "--stale-after-seconds", String(o.staleAfterSeconds ?? 15), "--eval-timeout", "8",
  ]);
  if (r.code !== 0) throw new Error(`spruce submit failed (exit ${r.code}): ${r.stderr}`);
}

async function readProgress(store: Store, workflow: string, trials: boolean): Promise<{ finished: number; state: string }> {
  const wf = await getWorkflow(store, workflow);
  if (!wf) return { finished: 0, state: "CREATED" };
  if (trials) return { finished: (await endedSummary(store, wf.id, { direction: wf.direction, trials: true })).trials ?? 0, state: wf.state };
  const rows = await listEvaluations(store, wf.id, { states: ["DONE", "FAILED", "TIMEOUT"] });
  return { finished: rows.length, state: wf.state };
}

/** Waits until no Slurm job and no process of the search remain (or the deadline). */
async function settle(workflow: string, workspace: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const jobs = slurm.jobsNamed(workflow);
    const procs = processesUnder(processTable(), workspace, new Set([process.pid])).filter((p) => !p.cmdline.includes(" service start "));
    if (jobs.length === 0 && procs.length === 0) return;
    await sleep(500);
  }
}
