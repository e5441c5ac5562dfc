// Process-group signalling shared by the executor and the spawner. Every evaluation runs in its own
// group, so one signal to -pgid reaches the run and everything it forked (shells, MPI launchers,
// background helpers).
import { readFileSync, readdirSync } from "node:fs";

/** Sends a signal to a whole group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  // pgid <= 1 would mean our own group or every process we may signal: never.
  if (!(pgid > 1)) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw e;
  }
}

/**
 * Whether a group still has a live (non-zombie) member. kill(-pgid, 0) alone is not enough: killed
 * members orphaned to a PID 1 that never reaps (containers) stay zombies forever and would count.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== "linux") return true;
  for (const entry of readdirSync("/proc")) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "latin1");
    } catch {
      continue; // exited while we scanned
    }
    // Fields after "(comm)": state ppid pgrp ...; comm may itself contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") return true;
  }
  return false;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Ends a group: SIGTERM now, SIGKILL at `killAt` (epoch ms) if anything is still alive. Resolves
 * once no live member remains (or ~2 s after the SIGKILL, see below).
 */
export async function drainGroup(pgid: number, killAt: number): Promise<void> {
  if (!signalGroup(pgid, "SIGTERM")) return;
  let killed = false;
  const giveUpAt = killAt + 2000;
  while (groupAlive(pgid)) {
    const now = Date.now();
    if (!killed && now >= killAt) {
      signalGroup(pgid, "SIGKILL");
      killed = true;
    }
    // A process in uninterruptible sleep (D state, e.g. a hung NFS read) ignores even SIGKILL for a
    // while: do not hang the caller on it.
    if (now >= giveUpAt) return;
    await sleep(killed ? 20 : 50);
  }
}
