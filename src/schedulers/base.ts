// What the batch-scheduler adapters share: job-id checks and the submit/status/cancel process
// calls built from each adapter's pure argument builders and parsers.
import { SchedulerError, ValidationError } from "../errors.js";
import type { BatchJobState } from "../store/types.js";
import { commandFailed, runChecked, runCommand } from "./exec.js";
import type { CommandSpec, Scheduler, SchedulerName, SubmitOptions } from "./types.js";

/**
 * A job id as schedulers print them (123, 123.server, 123_4, 123[4]). Ids become argv entries, not
 * shell words, but one starting with "-" would still be read as an option.
 */
export function checkJobId(id: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.[\]-]*$/.test(id)) {
    throw new ValidationError(`'${id}' is not a batch job id`, "job ids look like 123 or 123.server");
  }
  return id;
}

/** Non-empty, trimmed lines of command output. */
export function lines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

export abstract class BatchScheduler implements Scheduler {
  abstract readonly name: SchedulerName;
  abstract submitArgs(scriptPath: string, opts?: SubmitOptions): CommandSpec;
  abstract parseSubmitOutput(stdout: string): string;
  abstract statusArgs(ids: string[]): CommandSpec;
  abstract parseStatus(stdout: string, ids: string[]): Map<string, BatchJobState>;
  abstract cancelArgs(id: string): CommandSpec;
  /** stderr of a status command saying a job is unknown (it ended long enough ago to be purged). */
  protected abstract readonly goneJob: RegExp;
  /** stderr of the cancel command for a job that already ended. */
  protected abstract readonly alreadyEnded: RegExp;

  async submit(scriptPath: string, opts?: SubmitOptions): Promise<string> {
    const result = await runChecked(this.submitArgs(scriptPath, opts));
    return this.parseSubmitOutput(result.stdout);
  }

  /**
   * One status command for all ids. Jobs it does not list, or reports unknown, are FINISHED:
   * every scheduler forgets finished jobs after a while, and a job cannot be forgotten while queued.
   */
  async status(ids: string[]): Promise<Map<string, BatchJobState>> {
    if (ids.length === 0) return new Map();
    const spec = this.statusArgs(ids);
    const result = await runCommand(spec);
    if (result.code !== 0 && !this.goneJob.test(result.stderr)) throw commandFailed(spec, result);
    const states = this.parseStatus(result.stdout, ids);
    for (const id of ids) if (!states.has(id)) states.set(id, "FINISHED");
    return states;
  }

  async cancel(id: string): Promise<void> {
    const spec = this.cancelArgs(id);
    const result = await runCommand(spec);
    if (result.code !== 0 && !this.alreadyEnded.test(result.stderr + result.stdout)) throw commandFailed(spec, result);
  }
}

export function noJobId(command: string, stdout: string): SchedulerError {
  const shown = stdout.trim().split("\n").slice(-3).join(" | ") || "(empty)";
  return new SchedulerError(`${command} printed no job id: ${shown}`, "check the scheduler's output above; the job may not have been submitted");
}
