// The launcher's side of the reaper (launcher/reaper.ts): one watchdog process per launcher that
// kills every evaluation group it was told about once the launcher is gone, even after a SIGKILL.
// One watchdog for all evaluations keeps dispatch cheap (no extra process per evaluation).
import { spawn, type ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import { distFile } from "../../src/util/paths.js";

export class Reaper {
  private open = true;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      child.once("exit", () => resolve());
      child.once("error", () => resolve());
    });
    // If the reaper dies first, writes fail with EPIPE: evaluations lose the watchdog, the launcher
    // must not crash over it.
    child.stdin!.on("error", () => {
      this.open = false;
    });
  }

  /** Starts the watchdog. It never keeps the launcher's event loop alive. */
  static start(): Reaper {
    // detached: its own group and session, so neither a terminal's Ctrl-C aimed at the launcher's
    // group nor a signal to an evaluation group reaches it. Its stdin pipe is the launcher's life
    // line: the kernel closes our end when we die, however we die.
    const child = spawn(process.execPath, [distFile("launcher/reaper")], {
      detached: true,
      stdio: ["pipe", "ignore", "inherit"],
    });
    child.unref();
    (child.stdin as Socket).unref();
    return new Reaper(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The group is killed if the launcher dies while it is tracked. */
  track(pgid: number): void {
    this.send(`+${pgid}\n`);
  }

  untrack(pgid: number): void {
    this.send(`-${pgid}\n`);
  }

  /** Lets the reaper go: groups still tracked are killed (the launcher is leaving), then it exits. */
  close(): Promise<void> {
    if (this.open) {
      this.open = false;
      // Wait for it to finish its work rather than leave it running after a clean shutdown.
      this.child.ref();
      this.child.stdin!.end();
    }
    return this.exited;
  }

  private send(line: string): void {
    if (this.open) this.child.stdin!.write(line);
  }
}
