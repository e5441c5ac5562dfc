// The parts of the test bed the chaos driver starts, breaks and mends (bench/chaos): its own
// PostgreSQL cluster (`spruce db init`: restarting or pausing the machine's shared server would
// break other users' tests), the Slurm actions (scancel, a node DOWN and back), and the service as a
// child process that can be SIGKILLed and started again.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CLI_PATH } from "./paths.js";
import { kill, processTable } from "./procs.js";

export function cli(args: string[], o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: "utf8", env: o.env ?? process.env, timeout: o.timeoutMs ?? 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function run(cmd: string, args: string[], timeoutMs = 30_000): { code: number; out: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: timeoutMs });
  return { code: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

/** A managed PostgreSQL cluster in `dir` (spruce db init), listening on the loopback. */
export class ChaosDatabase {
  private paused: number[] = [];
  readonly dataDir: string;
  readonly logFile: string;

  private constructor(readonly dir: string) {
    const info = JSON.parse(readFileSync(join(dir, "server-info.json"), "utf8")) as { dataDir: string; logFile: string };
    this.dataDir = info.dataDir;
    this.logFile = info.logFile;
  }

  static create(dir: string): ChaosDatabase {
    for (const args of [["db", "init", dir, "--listen", "127.0.0.1"], ["db", "start", dir]]) {
      const r = cli(args);
      if (r.code !== 0) throw new Error(`spruce ${args.join(" ")} failed: ${r.stderr}`);
    }
    return new ChaosDatabase(dir);
  }

  get credentialsFile(): string {
    return join(this.dir, "server-info.json");
  }

  /** SIGSTOP of the server and every backend: connections stay open and hang, nothing answers. */
  pause(): string {
    const postmaster = this.postmasterPid();
    const pids = [postmaster, ...processTable().filter((p) => p.ppid === postmaster).map((p) => p.pid)];
    for (const pid of pids) if (kill(pid, "SIGSTOP")) this.paused.push(pid);
    return `SIGSTOP of the server (pid ${postmaster}) and ${pids.length - 1} backend(s)`;
  }

  /** SIGCONT of what pause() stopped; harmless when nothing is paused. */
  resume(): void {
    for (const pid of this.paused.splice(0)) kill(pid, "SIGCONT");
  }

  stop(): void {
    this.resume();
    cli(["db", "stop", this.dir]);
  }

  private postmasterPid(): number {
    return Number(readFileSync(join(this.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  }
}

/**
 * The service (`spruce service start`) as a child process of the driver, kept up the way a
 * supervisor (systemd's Restart=on-failure) would: a service that exits by itself (it cannot start
 * while the database restarts) is started again a second later. killHard() is the fault: the
 * driver starts it again itself, after the fault's delay.
 */
export class ChaosService {
  private child: ChildProcess | null = null;
  private wanted = false;
  private retry: NodeJS.Timeout | undefined;
  starts = 0;

  constructor(private readonly args: string[], private readonly logFile: string, private readonly env: NodeJS.ProcessEnv) {}

  start(): void {
    this.wanted = true;
    clearTimeout(this.retry);
    const log = openSync(this.logFile, "a");
    const child = spawn(process.execPath, [CLI_PATH, ...this.args], { env: this.env, stdio: ["ignore", log, log] });
    closeSync(log);
    this.child = child;
    this.starts += 1;
    child.once("exit", () => {
      if (this.child === child && this.wanted) this.retry = setTimeout(() => this.wanted && this.start(), 1_000);
    });
  }

  get pid(): number | null {
    return this.child && this.child.exitCode === null && this.child.signalCode === null ? (this.child.pid ?? null) : null;
  }

  /** SIGKILL: the lock stays held by a dead pid, jobs it was submitting may be half recorded. */
  killHard(): string {
    const pid = this.pid;
    this.wanted = false;
    clearTimeout(this.retry);
    if (pid === null) return "the service was not running";
    kill(pid, "SIGKILL");
    return `SIGKILL of the service (pid ${pid})`;
  }

  /** A clean stop (SIGTERM), waiting for it to release its lock. */
  async stop(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.retry);
    const child = this.child;
    if (!child || this.pid === null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    if (this.pid !== null) child.kill("SIGKILL");
  }
}

/** Slurm, through its own commands. */
export const slurm = {
  /** Job ids of a job name, running or pending. */
  jobsNamed(name: string): { id: string; state: string; nodes: string }[] {
    const r = run("squeue", ["-h", "-n", name, "-o", "%i|%T|%N"]);
    if (r.code !== 0) return [];
    return r.out.split("\n").filter(Boolean).map((l) => {
      const [id, state, nodes] = l.split("|");
      return { id: id!, state: state!, nodes: nodes ?? "" };
    });
  },

  /** Ids of the jobs running on a node. */
  jobsOn(node: string): string[] {
    const r = run("squeue", ["-h", "-w", node, "-o", "%i"]);
    return r.code === 0 ? r.out.split("\n").filter(Boolean) : [];
  },

  nodes(): string[] {
    const r = run("sinfo", ["-h", "-N", "-o", "%N"]);
    return [...new Set(r.out.split("\n").filter(Boolean))].sort();
  },

  scancel(id: string): string {
    const r = run("scancel", [id]);
    if (r.code !== 0) throw new Error(`scancel ${id} failed: ${r.out}`);
    return `scancel ${id}`;
  },

  down(node: string): string {
    const r = run("scontrol", ["update", `nodename=${node}`, "state=down", "reason=chaos"]);
    if (r.code !== 0) throw new Error(`scontrol update nodename=${node} state=down failed: ${r.out}`);
    return `scontrol update nodename=${node} state=down reason=chaos`;
  },

  resume(node: string): void {
    const r = run("scontrol", ["update", `nodename=${node}`, "state=resume"]);
    // Resuming a node that is not down is refused; that is fine.
    if (r.code !== 0 && !/Invalid node state/i.test(r.out)) throw new Error(`scontrol update nodename=${node} state=resume failed: ${r.out}`);
  },

  /** Nodes DOWN, DRAINED or otherwise not usable, with Slurm's word for them. */
  unusable(): string[] {
    const r = run("sinfo", ["-h", "-N", "-o", "%N %t"]);
    return r.out.split("\n").filter((l) => /\s(down|drain|drng|fail|maint)\S*$/.test(l));
  },
};
