// The "local" scheduler: runs the script on this machine with bash, detached in its own process
// group so it outlives `spruce submit` and can be cancelled as a whole. The job id is the pid.
// Limitation: once the submitting process has exited nobody can read the script's exit status, so
// a job that is gone is FINISHED (never FAILED), and a pid reused by an unrelated process after the
// job ended reads as RUNNING.
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { SchedulerError, ValidationError } from "../errors.js";
import type { BatchJobState } from "../store/types.js";
import { BatchScheduler, lines } from "./base.js";
import type { CommandSpec } from "./types.js";

/**
 * A pid we may signal. "0" and "1" are refused: `kill -- -1` would signal every process the user
 * owns, and group 0 is the caller's own.
 */
function checkPid(id: string): string {
  if (!/^\d+$/.test(id) || Number(id) < 2) {
    throw new ValidationError(`'${id}' is not a local job id`, "local job ids are process ids (2 or more)");
  }
  return id;
}

/** Where the local job's own stdout/stderr go before the script redirects them (bash errors). */
export function localLogPath(scriptPath: string): string {
  return scriptPath + ".log";
}

export class LocalScheduler extends BatchScheduler {
  readonly name = "local" as const;
  // ps exits 1, silently, when none of the pids exists: all those jobs have ended.
  protected readonly goneJob = /^\s*$/;
  protected readonly alreadyEnded = /No such process/i;

  submitArgs(scriptPath: string): CommandSpec {
    return { command: "bash", args: [scriptPath] };
  }

  /** The submit "output" of a local job is the pid of the started bash. */
  parseSubmitOutput(stdout: string): string {
    const pid = lines(stdout).find((l) => /^\d+$/.test(l));
    if (pid === undefined) throw new SchedulerError("the local script did not start: no process id", "run the batch script by hand (bash SCRIPT, in the results folder) to see why");
    return pid;
  }

  statusArgs(ids: string[]): CommandSpec {
    return { command: "ps", args: ["-o", "pid=,stat=", "-p", ids.map(checkPid).join(",")] };
  }

  /** Listed pids are RUNNING unless they are zombies (ended, not yet reaped). */
  parseStatus(stdout: string, ids: string[]): Map<string, BatchJobState> {
    const wanted = new Set(ids);
    const states = new Map<string, BatchJobState>();
    for (const line of lines(stdout)) {
      const [pid, stat] = line.split(/\s+/);
      if (pid && stat && wanted.has(pid)) states.set(pid, stat.startsWith("Z") ? "FINISHED" : "RUNNING");
    }
    return states;
  }

  /** SIGTERM to the whole process group: the launcher and the evaluations it started. */
  cancelArgs(id: string): CommandSpec {
    return { command: "kill", args: ["-TERM", "--", `-${checkPid(id)}`] };
  }

  override async submit(scriptPath: string): Promise<string> {
    const spec = this.submitArgs(scriptPath);
    const log = openSync(localLogPath(scriptPath), "a");
    try {
      // detached: setsid() in the child, so pid == process group id and the job survives our exit.
      const child = spawn(spec.command, spec.args, { detached: true, stdio: ["ignore", log, log] });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once("spawn", () => resolve(child.pid ?? 0));
        child.once("error", (e) =>
          reject(
            (e as NodeJS.ErrnoException).code === "ENOENT"
              ? new SchedulerError("bash not found on PATH", "the local scheduler runs scripts with bash: install it")
              : new SchedulerError(`cannot start ${scriptPath}: ${e.message}`, "check that the results folder is writable and bash can run the script"),
          ),
        );
      });
      child.unref();
      return this.parseSubmitOutput(String(pid));
    } finally {
      closeSync(log);
    }
  }
}
