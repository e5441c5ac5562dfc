// Injecting one fault of the chaos schedule (bench/chaos): finding its target among the search's
// live processes, jobs and nodes, and acting on it. A fault whose target does not exist at that
// moment (no agent yet, the job between two launchers) throws NoTarget and the driver tries again.
import { spawn } from "node:child_process";
import { findPgPrograms, runningAsRoot, ROOT_SERVER_USER } from "../../src/pgcluster/binaries.js";
import { envOf, evaluationsUnder, kill, processTable, spawnersUnder, type Proc } from "./procs.js";
import type { FaultKind, PlannedFault } from "./schedule.js";
import { slurm, type ChaosDatabase, type ChaosService } from "./testbed.js";

export class NoTarget extends Error {}

export interface FaultContext {
  /** The launcher rows' pids (leaders and agents that registered), or null when the database does not answer. */
  registeredPids: () => Promise<Set<number> | null>;
  workflow: string;
  workspace: string;
  jobName: string;
  db: ChaosDatabase;
  service: ChaosService;
  /** Ends of faults that last (a node brought back, the server continued, the service restarted). */
  pending: Map<string, { at: number; end: () => void | Promise<void>; timer: NodeJS.Timeout }>;
}

/** Acts on one planned fault; returns what was done, for the report. */
export async function inject(f: PlannedFault, c: FaultContext): Promise<string> {
  const table = processTable();
  const pick = <T>(items: readonly T[], what: string): T => {
    if (items.length === 0) throw new NoTarget(`no ${what}`);
    return items[f.pick % items.length]!;
  };
  const node = (p: Proc) => p.comm === "node";
  switch (f.kind) {
    case "kill-leader": {
      // A leader that registered: one killed earlier, while it starts, is a job that failed at
      // start-up, and two of those in a row hold the workflow by design (docs/architecture.md, Holds).
      const registered = await c.registeredPids();
      if (registered === null) throw new NoTarget("the database does not answer");
      const p = pick(table.filter((x) => node(x) && x.cmdline.includes(` launch ${c.workflow} `) && registered.has(x.pid)), "leader running");
      kill(p.pid, "SIGKILL");
      return `SIGKILL of the leader (pid ${p.pid})`;
    }
    case "kill-agent": {
      const agents = table.filter((x) => node(x) && x.cmdline.includes(` agent ${c.workflow} `)).sort((a, b) => a.pid - b.pid);
      const p = pick(agents, "agent running");
      kill(p.pid, "SIGKILL");
      return `SIGKILL of an agent (pid ${p.pid}, ${envOf(p.pid, "SLURMD_NODENAME") ?? "?"})`;
    }
    case "kill-spawner": {
      const spawners = spawnersUnder(table, c.workspace).sort((a, b) => a.pid - b.pid);
      const p = pick(spawners, "spawner running");
      const owner = table.find((x) => x.pid === p.ppid);
      kill(p.pid, "SIGKILL");
      return `SIGKILL of the spawner (pid ${p.pid}) of ${owner?.cmdline.includes(" agent ") ? "an agent" : "the leader"}`;
    }
    case "kill-evaluation": {
      const p = pick(evaluationsUnder(table, c.workspace).sort((a, b) => a.pid - b.pid), "evaluation running");
      const id = envOf(p.pid, "SPRUCE_EVAL_ID");
      kill(p.pid, "SIGKILL");
      return `SIGKILL of evaluation ${id ?? "?"} (pid ${p.pid})`;
    }
    case "scancel": {
      const job = pick(slurm.jobsNamed(c.jobName).filter((j) => j.state === "RUNNING"), "batch job running");
      return slurm.scancel(job.id);
    }
    case "node-down": {
      const ours = new Set(slurm.jobsNamed(c.jobName).map((j) => j.id));
      const down = new Set([...c.pending.keys()].filter((k) => k.startsWith("node:")).map((k) => k.slice(5)));
      const nodes = slurm.nodes().filter((n) => !down.has(n));
      const n = pick(nodes, "node up");
      // The test bed's nodes may be shared: a node running someone else's job is not ours to fail.
      const foreign = slurm.jobsOn(n).filter((id) => !ours.has(id));
      if (foreign.length > 0) throw new NoTarget(`${n} runs other jobs (${foreign.join(",")})`);
      const what = slurm.down(n);
      later(c, `node:${n}`, f.durationMs, () => slurm.resume(n));
      return `${what}, resumed ${f.durationMs} ms later`;
    }
    case "pg-restart-fast":
    case "pg-restart-immediate": {
      // A pause in progress ends first: pg_ctl cannot stop a stopped server.
      endNow(c, "pg-pause");
      return restartServer(c.db, f.kind === "pg-restart-fast" ? "fast" : "immediate");
    }
    case "pg-pause": {
      if (c.pending.has("pg-pause")) throw new NoTarget("the server is already paused");
      const what = c.db.pause();
      later(c, "pg-pause", f.durationMs, () => c.db.resume());
      return `${what} for ${f.durationMs} ms`;
    }
    case "kill-service": {
      if (c.service.pid === null) throw new NoTarget("the service is not running");
      const what = c.service.killHard();
      later(c, "service", f.durationMs, () => c.service.start());
      return `${what}, started again ${f.durationMs} ms later`;
    }
  }
}

function later(c: FaultContext, key: string, ms: number, end: () => void | Promise<void>): void {
  const timer = setTimeout(() => {
    c.pending.delete(key);
    void end();
  }, ms);
  c.pending.set(key, { at: Date.now() + ms, end, timer });
}

/** Ends a lasting fault at once (and all of them with no key): the run is over or it is in the way. */
export function endNow(c: FaultContext, key?: string): void {
  for (const [k, p] of [...c.pending]) {
    if (key !== undefined && k !== key) continue;
    clearTimeout(p.timer);
    c.pending.delete(k);
    void p.end();
  }
}

/** pg_ctl restart without blocking the driver's event loop (its samplers keep running). */
function restartServer(db: ChaosDatabase, mode: "fast" | "immediate"): Promise<string> {
  const { pgCtl } = findPgPrograms();
  const args = ["restart", "-D", db.dataDir, "-l", db.logFile, "-m", mode, "-w", "-t", "60"];
  const [cmd, argv] = runningAsRoot() ? ["runuser", ["-u", ROOT_SERVER_USER, "--", pgCtl, ...args]] : [pgCtl, args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(`pg_ctl restart -m ${mode}`) : reject(new Error(`pg_ctl restart -m ${mode} failed (${code}): ${err}`))));
  });
}

export const LASTING: ReadonlySet<FaultKind> = new Set(["node-down", "pg-pause", "kill-service"]);
