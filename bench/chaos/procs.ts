// The chaos driver's view of this host's processes (bench/chaos). The test bed's Slurm nodes are
// emulated on this host, so every launcher, agent, spawner and evaluation of the search is a local
// process: found in /proc by its parent, its command line and its working directory (a search's
// processes work inside its results folder).
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface Proc {
  pid: number;
  ppid: number;
  /** The kernel's short name (`forkserver`, `node`, `sh`). */
  comm: string;
  state: string;
  cmdline: string;
  cwd: string;
}

/** Every live (non-zombie) process; the working directory is "" when it cannot be read. */
export function processTable(): Proc[] {
  const out: Proc[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const [state, ppid] = stat.slice(close + 2).split(" ");
      if (state === "Z") continue;
      let cwd = "";
      try {
        cwd = readlinkSync(`/proc/${d}/cwd`);
      } catch {
        // exited meanwhile, or not ours to read
      }
      out.push({
        pid: Number(d),
        ppid: Number(ppid),
        comm: stat.slice(stat.indexOf("(") + 1, close),
        state: state!,
        cmdline: readFileSync(`/proc/${d}/cmdline`, "utf8").replace(/\0/g, " ").trim(),
        cwd,
      });
    } catch {
      // ended while we looked
    }
  }
  return out;
}

/** Processes working inside `dir`, or naming it on their command line (the search's own). */
export function processesUnder(table: readonly Proc[], dir: string, except: ReadonlySet<number> = new Set()): Proc[] {
  return table.filter((p) => !except.has(p.pid) && (p.cwd === dir || p.cwd.startsWith(`${dir}/`) || p.cmdline.includes(dir)));
}

/** The spawners (forkservers) of the search, by pid. */
export function spawnersUnder(table: readonly Proc[], dir: string): Proc[] {
  return processesUnder(table, dir).filter((p) => p.comm === "forkserver");
}

/** Evaluations running now: the process-group leaders the search's spawners forked. */
export function evaluationsUnder(table: readonly Proc[], dir: string): Proc[] {
  const spawners = new Set(spawnersUnder(table, dir).map((p) => p.pid));
  return table.filter((p) => spawners.has(p.ppid));
}

/** A process's environment variable (root reads any process's), or undefined. */
export function envOf(pid: number, name: string): string | undefined {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, "utf8");
    for (const kv of env.split("\0")) if (kv.startsWith(`${name}=`)) return kv.slice(name.length + 1);
  } catch {
    // gone
  }
  return undefined;
}

/** Whether pid still runs a command line containing `needle` (pids are reused). */
export function runs(pid: number, needle: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (stat.slice(stat.lastIndexOf(")") + 2)[0] === "Z") return false;
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").includes(needle);
  } catch {
    return false;
  }
}

export function kill(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
