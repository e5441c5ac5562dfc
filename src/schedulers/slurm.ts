// Slurm adapter: sbatch --parsable, squeue for live jobs, scontrol show job for jobs squeue no
// longer lists. Without accounting (the test bed has none) there is no sacct; a job that scontrol
// calls invalid was purged after MinJobAge and has finished.
import type { BatchJobState } from "../store/types.js";
import { BatchScheduler, checkJobId, lines, noJobId } from "./base.js";
import { commandFailed, runCommand } from "./exec.js";
import type { CommandSpec, SubmitOptions } from "./types.js";

const STATES: Record<string, BatchJobState> = {
  PENDING: "QUEUED",
  REQUEUED: "QUEUED",
  REQUEUE_HOLD: "QUEUED",
  REQUEUE_FED: "QUEUED",
  RESV_DEL_HOLD: "QUEUED",
  CONFIGURING: "RUNNING",
  RUNNING: "RUNNING",
  COMPLETING: "RUNNING",
  RESIZING: "RUNNING",
  SIGNALING: "RUNNING",
  STAGE_OUT: "RUNNING",
  // Suspended and stopped jobs keep their allocation and resume: still running for the service.
  SUSPENDED: "RUNNING",
  STOPPED: "RUNNING",
  COMPLETED: "FINISHED",
  FAILED: "FAILED",
  TIMEOUT: "FAILED",
  NODE_FAIL: "FAILED",
  OUT_OF_MEMORY: "FAILED",
  BOOT_FAIL: "FAILED",
  DEADLINE: "FAILED",
  PREEMPTED: "FAILED",
  SPECIAL_EXIT: "FAILED",
  REVOKED: "CANCELLED",
  CANCELLED: "CANCELLED",
};

/** A Slurm state name (squeue %T, scontrol JobState=) as a batch-job state. */
export function slurmState(state: string): BatchJobState {
  // sacct-style "CANCELLED by 0" and flags like "COMPLETING+" reduce to the base name.
  const base = state.trim().split(/[\s+]/)[0]?.toUpperCase() ?? "";
  return STATES[base] ?? "SUBMITTED";
}

const INVALID_JOB = /Invalid job id specified/i;

export function scontrolArgs(id: string): CommandSpec {
  return { command: "scontrol", args: ["show", "job", checkJobId(id)] };
}

/** The state in `scontrol show job ID` output, or null when there is no JobState field. */
export function parseScontrolShowJob(stdout: string): BatchJobState | null {
  const m = /\bJobState=(\S+)/.exec(stdout);
  return m?.[1] ? slurmState(m[1]) : null;
}

export class SlurmScheduler extends BatchScheduler {
  readonly name = "slurm" as const;
  protected readonly goneJob = INVALID_JOB;
  protected readonly alreadyEnded = /already completing or completed|Invalid job id specified/i;

  submitArgs(scriptPath: string, opts: SubmitOptions = {}): CommandSpec {
    const args = ["--parsable"];
    if (opts.dependsOn !== undefined) args.push(`--dependency=afterany:${checkJobId(opts.dependsOn)}`);
    args.push(scriptPath);
    return { command: "sbatch", args };
  }

  /**
   * `--parsable` prints `123` or `123;cluster`; the plain `Submitted batch job 123` form is read
   * too. The cluster name is dropped: squeue and scancel on the submitting cluster take the bare id.
   */
  parseSubmitOutput(stdout: string): string {
    for (const line of lines(stdout).reverse()) {
      const m = /^(\d+)(?:;\S+)?$/.exec(line) ?? /^Submitted batch job (\d+)/.exec(line);
      if (m?.[1]) return m[1];
    }
    throw noJobId("sbatch", stdout);
  }

  statusArgs(ids: string[]): CommandSpec {
    // -t all: squeue then also lists jobs that ended within MinJobAge, sparing scontrol calls.
    return { command: "squeue", args: ["-h", "-t", "all", "-o", "%i %T", "-j", ids.map(checkJobId).join(",")] };
  }

  parseStatus(stdout: string, ids: string[]): Map<string, BatchJobState> {
    const wanted = new Set(ids);
    const states = new Map<string, BatchJobState>();
    for (const line of lines(stdout)) {
      const [id, state] = line.split(/\s+/);
      if (id && state && wanted.has(id)) states.set(id, slurmState(state));
    }
    return states;
  }

  cancelArgs(id: string): CommandSpec {
    return { command: "scancel", args: [checkJobId(id)] };
  }

  /** squeue for all ids at once, then scontrol for each job squeue did not list. */
  override async status(ids: string[]): Promise<Map<string, BatchJobState>> {
    if (ids.length === 0) return new Map();
    const spec = this.statusArgs(ids);
    const result = await runCommand(spec);
    // squeue -j with only unknown ids exits 1 with "Invalid job id specified".
    if (result.code !== 0 && !INVALID_JOB.test(result.stderr)) throw commandFailed(spec, result);
    const states = this.parseStatus(result.stdout, ids);
    for (const id of ids) {
      if (states.has(id)) continue;
      const show = scontrolArgs(id);
      const r = await runCommand(show);
      if (r.code !== 0) {
        if (!INVALID_JOB.test(r.stderr)) throw commandFailed(show, r);
        states.set(id, "FINISHED");
      } else {
        states.set(id, parseScontrolShowJob(r.stdout) ?? "SUBMITTED");
      }
    }
    return states;
  }
}
