// PBS adapter: PBS Pro / OpenPBS first (`qstat -f -F json -x`, which includes finished jobs), with
// a fallback to `qstat -f` text for Torque and old PBS, whose qstat has no -F json (and whose -x
// means XML, not history).
import { SchedulerError } from "../errors.js";
import type { BatchJobState } from "../store/types.js";
import { BatchScheduler, checkJobId, lines, noJobId } from "./base.js";
import { commandFailed, runCommand } from "./exec.js";
import type { CommandSpec, SubmitOptions } from "./types.js";

/** A PBS job_state letter (and exit status, for ended jobs) as a batch-job state. */
export function pbsState(letter: string, exitStatus: number | null): BatchJobState {
  switch (letter.toUpperCase()) {
    case "Q": // queued
    case "H": // held
    case "W": // waiting for its start time or a dependency
    case "T": // being moved to a new location
    case "M": // moved to another server
      return "QUEUED";
    case "R": // running
    case "E": // exiting after having run
    case "B": // array job: at least one subjob started
    case "S": // suspended: keeps its nodes
    case "U": // suspended because the workstation is busy
      return "RUNNING";
    case "F": // PBS Pro: finished (history)
    case "X": // PBS Pro: finished subjob
    case "C": // Torque: completed
      return exitStatus !== null && exitStatus !== 0 ? "FAILED" : "FINISHED";
    default:
      return "SUBMITTED";
  }
}

// PBS Pro's "qstat: Unknown Job Id 1.srv", Torque's "qstat: Unknown Job Id Error 1.srv", and old
// PBS Pro without -x: "qstat: 1.srv Job has finished, use -x or -H to obtain historical job information".
const GONE = /Unknown Job Id|Job has finished/i;
// Torque / old PBS answer -F with a getopt complaint (and a usage line).
const NO_JSON = /invalid option\s*--\s*'?F'?|illegal option\s*--\s*'?F'?|unknown option.*-F/i;

/** Which requested id a qstat key is: exact, else the same sequence number (1.srv vs 1.srv.domain). */
function matchId(key: string, ids: string[]): string | undefined {
  if (ids.includes(key)) return key;
  const seq = key.split(".")[0];
  return ids.find((id) => id.split(".")[0] === seq);
}

interface PbsJson {
  Jobs?: Record<string, { job_state?: string; Exit_status?: number | string }>;
}

/** `qstat -f -F json -x` output (PBS Pro / OpenPBS). */
export function parseQstatJson(stdout: string, ids: string[]): Map<string, BatchJobState> {
  const states = new Map<string, BatchJobState>();
  if (!stdout.trim()) return states;
  let data: PbsJson;
  try {
    data = JSON.parse(stdout) as PbsJson;
  } catch (e) {
    throw new SchedulerError(`qstat -F json printed invalid JSON: ${(e as Error).message}`, "report the qstat version (qstat --version) with this error");
  }
  for (const [key, job] of Object.entries(data.Jobs ?? {})) {
    const id = matchId(key, ids);
    if (id === undefined || !job.job_state) continue;
    const exit = job.Exit_status === undefined ? null : Number(job.Exit_status);
    states.set(id, pbsState(job.job_state, exit));
  }
  return states;
}

/** `qstat -f` text (Torque, old PBS): "Job Id: X" blocks with "job_state = R", "exit_status = 0". */
export function parseQstatFullText(stdout: string, ids: string[]): Map<string, BatchJobState> {
  const states = new Map<string, BatchJobState>();
  for (const block of stdout.split(/^(?=Job Id:)/m)) {
    const key = /^Job Id:\s*(\S+)/.exec(block)?.[1];
    const letter = /^\s*job_state\s*=\s*(\S+)/im.exec(block)?.[1];
    if (!key || !letter) continue;
    const id = matchId(key, ids);
    if (id === undefined) continue;
    const exit = /^\s*exit_status\s*=\s*(-?\d+)/im.exec(block)?.[1];
    states.set(id, pbsState(letter, exit === undefined ? null : Number(exit)));
  }
  return states;
}

export class PbsScheduler extends BatchScheduler {
  readonly name = "pbs" as const;
  protected readonly goneJob = GONE;
  protected readonly alreadyEnded = /Unknown Job Id|Job has finished|Request invalid for state of job/i;
  /** Set once qstat refused -F json: this is Torque or an old PBS, so use the text format. */
  private textOnly = false;

  submitArgs(scriptPath: string, opts: SubmitOptions = {}): CommandSpec {
    const args = opts.dependsOn === undefined ? [] : ["-W", `depend=afterany:${checkJobId(opts.dependsOn)}`];
    return { command: "qsub", args: [...args, scriptPath] };
  }

  /** qsub prints the whole id, `123.server`; it is kept whole, since qstat and qdel want it so. */
  parseSubmitOutput(stdout: string): string {
    const id = lines(stdout)
      .reverse()
      .find((l) => /^\d+(\[\d*\])?(\.[A-Za-z0-9_.-]+)?$/.test(l));
    if (id === undefined) throw noJobId("qsub", stdout);
    return id;
  }

  statusArgs(ids: string[]): CommandSpec {
    return { command: "qstat", args: ["-f", "-F", "json", "-x", ...ids.map(checkJobId)] };
  }

  /** The text-format status command for Torque and PBS versions without -F json. */
  statusTextArgs(ids: string[]): CommandSpec {
    return { command: "qstat", args: ["-f", ...ids.map(checkJobId)] };
  }

  parseStatus(stdout: string, ids: string[]): Map<string, BatchJobState> {
    return parseQstatJson(stdout, ids);
  }

  cancelArgs(id: string): CommandSpec {
    return { command: "qdel", args: [checkJobId(id)] };
  }

  override async status(ids: string[]): Promise<Map<string, BatchJobState>> {
    if (ids.length === 0) return new Map();
    let spec = this.textOnly ? this.statusTextArgs(ids) : this.statusArgs(ids);
    let result = await runCommand(spec);
    if (!this.textOnly && result.code !== 0 && NO_JSON.test(result.stderr)) {
      this.textOnly = true;
      spec = this.statusTextArgs(ids);
      result = await runCommand(spec);
    }
    // qstat exits non-zero when any id is unknown; that alone is not a failure.
    if (result.code !== 0 && !GONE.test(result.stderr)) throw commandFailed(spec, result);
    const states = this.textOnly ? parseQstatFullText(result.stdout, ids) : this.parseStatus(result.stdout, ids);
    for (const id of ids) if (!states.has(id)) states.set(id, "FINISHED");
    return states;
  }
}
