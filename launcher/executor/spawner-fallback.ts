// The spawner where no C compiler could build forkserver.c: the same protocol and the same duties
// (see forkserver.c's header), in Node. Spawner.start (spawner-client.ts) runs it as
// `node spawner-fallback.js` when chooseSpawner (spawner-build.ts) says so.
//
// Next to forkserver.c it is slower: each start is a fork of this ~40 MB Node process that blocks
// it until the child has exec'd, and the working directory is written here, one evaluation after
// the other, rather than in the child (a slow file system delays the next start). A process it
// started is reaped by Node, so it is told from a group that outlived its leader the same way.
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, unlinkSync, writeSync } from "node:fs";
import { groupAlive, signalGroup } from "./pgroup.js";
import type { SpawnerReport, SpawnRequest } from "./spawner-client.js";

const KILL_AFTER_MS = 2000;
/** After the SIGKILL, a process in uninterruptible sleep (a hung NFS read) may linger: give up then. */
const GIVE_UP_AFTER_MS = 2000;

/** Groups started and not released: the ones to kill when the launcher goes. */
const tracked = new Set<number>();

function report(r: SpawnerReport): void {
  // A launcher that is gone cannot read: stdin's end does the cleanup, a write error is moot.
  try {
    writeSync(1, JSON.stringify(r) + "\n");
  } catch {
    // EPIPE
  }
}

/** The C library's words for the errors of preparing a working directory (strerror), which
 * forkserver.c reports and node:fs words differently for some (EISDIR). */
const STRERROR: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOTDIR: "not a directory",
  EISDIR: "is a directory",
  EEXIST: "file exists",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EIO: "input/output error",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  EMFILE: "too many open files",
  ENFILE: "too many open files in system",
  ESTALE: "stale file handle",
};

/** As forkserver.c words it: "ENOTDIR: not a directory, mkdir '/a/b'". */
function fsMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const words = err.code ? STRERROR[err.code] : undefined;
  return words && err.syscall && err.path ? `${err.code}: ${words}, ${err.syscall} '${err.path}'` : err.message;
}

/** mkdir -p; true when it created the directory itself, false when it was there. */
function makeWorkdir(path: string): boolean {
  return mkdirSync(path, { recursive: true }) !== undefined;
}

function start(id: number, req: SpawnRequest): void {
  // The working directory, as the C child prepares it: created if missing; if it was there (a
  // retry), an earlier attempt's result must not be taken for this one's.
  const fds: number[] = [];
  try {
    if (!makeWorkdir(req.workdir)) {
      try {
        unlinkSync(req.result);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      }
    }
    const point = openSync(req.point, "w");
    fds.push(point);
    writeSync(point, req.pointJson + "\n");
    fds.push(openSync(req.stdout, "w"), openSync(req.stderr, "w"));
  } catch (e) {
    for (const fd of fds) closeSync(fd);
    report({ ev: "unprepared", id, message: fsMessage(e) });
    return;
  }
  closeSync(fds[0]!);
  let child;
  try {
    // detached: its own session and group, so signals to -pid reach everything it forks and
    // nothing of ours. Node resets the child's signal dispositions and mask, as forkserver.c does.
    child = spawn(req.argv[0]!, req.argv.slice(1), {
      cwd: req.cwd,
      env: { ...process.env, ...req.env },
      stdio: ["ignore", fds[1]!, fds[2]!],
      detached: true,
    });
  } catch (e) {
    closeSync(fds[1]!);
    closeSync(fds[2]!);
    report({ ev: "error", id, message: (e as Error).message });
    return;
  }
  closeSync(fds[1]!);
  closeSync(fds[2]!);
  const pid = child.pid;
  if (pid === undefined) {
    // Could not start: Node says why in the error event ("spawn /bin/sh ENOENT").
    child.once("error", (e) => report({ ev: "error", id, message: e.message }));
    return;
  }
  tracked.add(pid);
  report({ ev: "spawned", id, pid });
  child.once("exit", (code, signal) => {
    // Usually the group died with its leader: then it is forgotten here and now, and the launcher
    // neither drains it nor sends a release.
    const left = signalGroup(pid, 0);
    if (!left) tracked.delete(pid);
    report({ ev: "exit", id, code, signal, left });
  });
}

/** The launcher is gone: SIGTERM to every group it had not released, SIGKILL 2 s later, then exit. */
async function reapAndExit(): Promise<never> {
  for (const pgid of tracked) signalGroup(pgid, "SIGTERM");
  const killAt = Date.now() + KILL_AFTER_MS;
  let killed = false;
  for (;;) {
    for (const pgid of tracked) if (!groupAlive(pgid)) tracked.delete(pgid);
    if (tracked.size === 0) break;
    const now = Date.now();
    if (!killed && now >= killAt) {
      for (const pgid of tracked) signalGroup(pgid, "SIGKILL");
      killed = true;
    }
    if (now >= killAt + GIVE_UP_AFTER_MS) break;
    await new Promise((r) => setTimeout(r, killed ? 20 : 50));
  }
  process.exit(0);
}

/** Splits the records of the protocol (see encodeRequest) off the front of `input`. */
function takeRecords(input: Buffer): { records: string[][]; rest: Buffer } {
  const records: string[][] = [];
  let pos = 0;
  for (;;) {
    const fields: string[] = [];
    let p = pos;
    const countEnd = input.indexOf(0, p);
    if (countEnd < 0) break;
    const n = Number(input.toString("utf8", p, countEnd));
    if (!(Number.isInteger(n) && n > 0)) throw new Error("malformed request (field count)");
    p = countEnd + 1;
    for (let i = 0; i < n; i++) {
      const end = input.indexOf(0, p);
      if (end < 0) break;
      fields.push(input.toString("utf8", p, end));
      p = end + 1;
    }
    if (fields.length < n) break;
    records.push(fields);
    pos = p;
  }
  return { records, rest: input.subarray(pos) };
}

function apply(f: string[]): void {
  if (f[0] === "release" && f.length === 2) {
    tracked.delete(Number(f[1]));
    return;
  }
  if (f[0] !== "spawn" || f.length < 10) throw new Error(`malformed request (${f[0]})`);
  const argc = Number(f[9]);
  const envc = Number(f[10 + argc]);
  if (!(argc > 0) || 11 + argc + envc !== f.length) throw new Error("malformed request (argc/envc)");
  const env: Record<string, string> = {};
  for (const entry of f.slice(11 + argc)) {
    const eq = entry.indexOf("=");
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  const [, id, cwd, workdir, result, point, pointJson, stdout, stderr] = f as [string, string, string, string, string, string, string, string, string];
  start(Number(id), { argv: f.slice(10, 10 + argc), cwd, env, workdir, result, point, pointJson, stdout, stderr });
}

/**
 * Descriptors the launcher's own parent leaked to it pass on to us: close them, so an evaluation
 * gets 0, 1 and 2 only (a stray pipe end held by a long-running evaluation would keep its reader
 * from ever seeing the end of it). Node's own descriptors are all close-on-exec; leaked ones are not.
 */
function closeInheritedDescriptors(): void {
  let entries: string[];
  try {
    entries = readdirSync("/proc/self/fd");
  } catch {
    return; // not Linux: nothing to learn the flags from
  }
  for (const entry of entries) {
    const fd = Number(entry);
    if (fd <= 2) continue;
    try {
      const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"));
      // O_CLOEXEC is 02000000 on Linux.
      if (flags && (parseInt(flags[1]!, 8) & 0o2000000) === 0) closeSync(fd);
    } catch {
      // the directory listing's own descriptor, already closed
    }
  }
}

function main(): void {
  closeInheritedDescriptors();
  // A batch system ending the job signals every process of it. We ignore that: the launcher gets
  // the same SIGTERM and stops the evaluations through us. We follow the launcher through its pipe.
  for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => {});
  let pending: Buffer = Buffer.alloc(0);
  process.stdin.on("data", (chunk: Buffer) => {
    try {
      const { records, rest } = takeRecords(pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk);
      pending = Buffer.from(rest);
      for (const r of records) apply(r);
    } catch (e) {
      process.stderr.write(`spruce spawner: ${(e as Error).message}\n`);
      process.exit(2);
    }
  });
  process.stdin.on("end", () => void reapAndExit());
  process.stdin.on("error", () => void reapAndExit());
}

main();
