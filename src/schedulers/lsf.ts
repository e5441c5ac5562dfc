// LSF adapter: the script goes to bsub on stdin (`bsub < script`), which is how bsub reads #BSUB
// lines; `bsub script` would run it as a plain command and ignore them. bjobs keeps ended jobs for
// CLEAN_PERIOD (an hour by default), then says "Job <id> is not found".
import type { BatchJobState } from "../store/types.js";
import { BatchScheduler, checkJobId, lines, noJobId } from "./base.js";
import type { CommandSpec, SubmitOptions } from "./types.js";

const STATES: Record<string, BatchJobState> = {
  PEND: "QUEUED",
  WAIT: "QUEUED",
  PSUSP: "QUEUED",
  PROV: "RUNNING",
  RUN: "RUNNING",
  USUSP: "RUNNING",
  SSUSP: "RUNNING",
  // The host stopped answering mbatchd; the job is most likely still running there.
  UNKWN: "RUNNING",
  DONE: "FINISHED",
  EXIT: "FAILED",
  ZOMBI: "FAILED",
};

/** An LSF STAT value as a batch-job state. */
export function lsfState(stat: string): BatchJobState {
  return STATES[stat.toUpperCase()] ?? "SUBMITTED";
}

export class LsfScheduler extends BatchScheduler {
  readonly name = "lsf" as const;
  protected readonly goneJob = /is not found/i;
  protected readonly alreadyEnded = /already finished|is not found/i;

  submitArgs(scriptPath: string, opts: SubmitOptions = {}): CommandSpec {
    const args = opts.dependsOn === undefined ? [] : ["-w", `ended(${checkJobId(opts.dependsOn)})`];
    return { command: "bsub", args, stdinFile: scriptPath };
  }

  /** `Job <123> is submitted to queue <q>.` or `... to default queue <q>.` */
  parseSubmitOutput(stdout: string): string {
    const m = /Job <(\d+)> is submitted to (?:default )?queue/.exec(stdout);
    if (!m?.[1]) throw noJobId("bsub", stdout);
    return m[1];
  }

  statusArgs(ids: string[]): CommandSpec {
    return { command: "bjobs", args: ["-noheader", "-o", "jobid stat", ...ids.map(checkJobId)] };
  }

  parseStatus(stdout: string, ids: string[]): Map<string, BatchJobState> {
    const wanted = new Set(ids);
    const states = new Map<string, BatchJobState>();
    for (const line of lines(stdout)) {
      const [id, stat] = line.split(/\s+/);
      if (id && stat && wanted.has(id)) states.set(id, lsfState(stat));
    }
    return states;
  }

  cancelArgs(id: string): CommandSpec {
    return { command: "bkill", args: [checkJobId(id)] };
  }
}
