// The launcher's side of the spawner (forkserver.c, compiled to dist/launcher/executor/forkserver;
// or its Node fallback, spawner-fallback.ts, where no C compiler could build it; spawner-build.ts
// chooses): one small process per launcher that prepares each evaluation's working directory and
// forks its process, so neither the launcher's size (fork copies its page tables) nor a slow file
// system stalls the launcher's loop, and that kills every group it started and the launcher had not
// released once the launcher is gone, even after a SIGKILL.
import { spawn, type ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import { chooseSpawner } from "./spawner-build.js";

export interface SpawnRequest {
  argv: string[];
  cwd: string;
  /** Added to the environment the launcher had when the spawner started. */
  env: Record<string, string>;
  /** Created if missing; if it was there already (a retry), `result` is removed from it. */
  workdir: string;
  /** Written with pointJson before the start. */
  point: string;
  pointJson: string;
  /** An earlier attempt's result file, which would be taken for this attempt's answer. */
  result: string;
  /** Files for the child's stdout and stderr, truncated first. */
  stdout: string;
  stderr: string;
}

export type SpawnerRequest = ({ op: "spawn"; id: number } & SpawnRequest) | { op: "release"; pgid: number };

export type SpawnerReport =
  | { ev: "spawned"; id: number; pid: number }
  | { ev: "exit"; id: number; code: number | null; signal: NodeJS.Signals | null; left: boolean }
  | { ev: "error"; id: number; message: string }
  | { ev: "unprepared"; id: number; message: string };

/**
 * What becomes of one spawn request: onSpawned then onExit; or onUnprepared alone; or onError,
 * alone or after onSpawned.
 */
export interface SpawnListener {
  onSpawned(pid: number): void;
  /** left: members of the group outlived its leader; the group is to be drained, then released. */
  onExit(code: number | null, signal: NodeJS.Signals | null, left: boolean): void;
  /** The working directory or its files could not be written; nothing was started. */
  onUnprepared(message: string): void;
  /**
   * No exit status will come: the process could not start (spawnerGone false), or the spawner
   * itself is gone (true), when a started process is no longer watched by anyone.
   */
  onError(message: string, spawnerGone: boolean): void;
}

/** The fallback is reported once per process, not once per slot runner. */
let fallbackNoted = false;

export class Spawner {
  private open = true;
  private closing = false;
  private readonly exited: Promise<void>;
  private readonly listeners = new Map<number, SpawnListener>();
  private nextId = 1;
  private outbox: string[] = [];
  private pending = "";

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.open = false;
        this.lost(this.closing ? "the launcher closed the spawner" : `the spawner process exited (${signal ?? `exit code ${code}`})`);
        resolve();
      });
      child.once("error", (e) => {
        this.open = false;
        this.lost(`the spawner process failed: ${e.message}`);
        resolve();
      });
    });
    // If the spawner dies first, writes fail with EPIPE: its exit event fails what was in flight,
    // the launcher must not crash over the write.
    child.stdin!.on("error", () => {
      this.open = false;
    });
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => this.receive(chunk));
  }

  /**
   * Starts the spawner: the compiled one, or the Node fallback where none could be built, which is
   * said once per process through `log` (default: stderr). It keeps the launcher's event loop
   * alive only while evaluations are in flight.
   */
  static start(opts: { log?: (line: string) => void } = {}): Spawner {
    const choice = chooseSpawner();
    if (choice.kind === "fallback" && !fallbackNoted) {
      fallbackNoted = true;
      const log = opts.log ?? ((line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`));
      log(`spawner: using the Node fallback, which starts evaluations more slowly (${choice.why}); 'spruce doctor' says how to build the compiled one`);
    }
    // detached: its own group and session, so neither a terminal's Ctrl-C aimed at the launcher's
    // group nor a signal to an evaluation group reaches it. Its stdin pipe is the launcher's life
    // line: the kernel closes our end when we die, however we die.
    const child = spawn(choice.command[0]!, choice.command.slice(1), {
      detached: true,
      stdio: ["pipe", "pipe", "inherit"],
    });
    const spawner = new Spawner(child);
    spawner.hold(false);
    (child.stdin as Socket).unref();
    return spawner;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Asks for one process; the listener hears how it went. */
  spawn(req: SpawnRequest, listener: SpawnListener): void {
    if (!this.open || this.closing) {
      const why = this.closing ? "the launcher is closing" : "the spawner process is gone";
      queueMicrotask(() => listener.onError(why, true));
      return;
    }
    const id = this.nextId++;
    let encoded: string;
    try {
      encoded = encodeRequest({ op: "spawn", id, ...req });
    } catch (e) {
      queueMicrotask(() => listener.onError((e as Error).message, false));
      return;
    }
    if (this.listeners.size === 0) this.hold(true);
    this.listeners.set(id, listener);
    this.send(encoded);
  }

  /** A group reported with members left has been drained: the spawner need not kill it when the
   * launcher dies. */
  release(pgid: number): void {
    this.send(encodeRequest({ op: "release", pgid }));
  }

  /** Lets the spawner go: groups not yet released are killed (the launcher is leaving), then it exits. */
  close(): Promise<void> {
    if (this.open && !this.closing) {
      this.closing = true;
      this.flush();
      // Wait for it to finish its work rather than leave it running after a clean shutdown.
      this.hold(true);
      this.child.stdin!.end();
    }
    return this.exited;
  }

  /** Ref while an answer is awaited (a launcher awaiting `done` must not exit), unref otherwise. */
  private hold(on: boolean): void {
    const stdout = this.child.stdout as Socket;
    if (on) {
      this.child.ref();
      stdout.ref();
    } else {
      this.child.unref();
      stdout.unref();
    }
  }

  /** Requests go out once per event-loop turn: a batch of starts is one write. */
  private send(encoded: string): void {
    if (!this.open) return;
    if (this.outbox.length === 0) setImmediate(() => this.flush());
    this.outbox.push(encoded);
  }

  private flush(): void {
    if (this.outbox.length === 0) return;
    const text = this.outbox.join("");
    this.outbox = [];
    if (this.open) this.child.stdin!.write(text);
  }

  private receive(chunk: string): void {
    const lines = (this.pending + chunk).split("\n");
    this.pending = lines.pop()!;
    for (const line of lines) {
      const r = JSON.parse(line) as SpawnerReport;
      const listener = this.listeners.get(r.id);
      if (!listener) continue;
      if (r.ev === "spawned") {
        listener.onSpawned(r.pid);
        continue;
      }
      this.forget(r.id);
      if (r.ev === "exit") listener.onExit(r.code, r.signal, r.left);
      else if (r.ev === "unprepared") listener.onUnprepared(r.message);
      else listener.onError(r.message, false);
    }
  }

  private forget(id: number): void {
    this.listeners.delete(id);
    if (this.listeners.size === 0 && !this.closing) this.hold(false);
  }

  /** The spawner died under us: nothing in flight will ever be reported. */
  private lost(reason: string): void {
    const all = [...this.listeners.values()];
    this.listeners.clear();
    for (const listener of all) listener.onError(reason, true);
  }
}

/**
 * A request as forkserver.c reads it: NUL-terminated fields, the first the count of those that
 * follow (no escaping needed: no argument, path or environment entry can hold a NUL).
 */
export function encodeRequest(req: SpawnerRequest): string {
  const fields =
    req.op === "release"
      ? ["release", String(req.pgid)]
      : [
          "spawn",
          String(req.id),
          req.cwd,
          req.workdir,
          req.result,
          req.point,
          req.pointJson,
          req.stdout,
          req.stderr,
          String(req.argv.length),
          ...req.argv,
          String(Object.keys(req.env).length),
          ...Object.entries(req.env).map(([k, v]) => `${k}=${v}`),
        ];
  for (const f of fields) if (f.includes("\0")) throw new Error(`a spawn request's field holds a NUL character: ${JSON.stringify(f.slice(0, 80))}`);
  return `${fields.length}\0${fields.join("\0")}\0`;
}
