// Shared types of the scheduler adapters: the Scheduler interface every batch system implements
// (pure argument builders and output parsers, plus the process calls that use them).
import type { BatchJobState } from "../store/states.js";

export const SCHEDULER_NAMES = ["slurm", "pbs", "cobalt", "lsf", "local"] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

/** A process to run: argv without a shell, and optionally a file fed on stdin (LSF's bsub < script). */
export interface CommandSpec {
  command: string;
  args: string[];
  stdinFile?: string;
}

export interface SubmitOptions {
  /** Start only after this job ended, however it ended (--chain, docs/architecture.md, Chains). */
  dependsOn?: string;
}

export interface Scheduler {
  readonly name: SchedulerName;
  submitArgs(scriptPath: string, opts?: SubmitOptions): CommandSpec;
  /** The job id from the submit command's stdout; SchedulerError if there is none. */
  parseSubmitOutput(stdout: string): string;
  statusArgs(ids: string[]): CommandSpec;
  /**
   * States of the requested jobs that stdout lists; ids absent from the map were not listed. A
   * state this adapter does not know is SUBMITTED (known to the scheduler, nothing more).
   */
  parseStatus(stdout: string, ids: string[]): Map<string, BatchJobState>;
  cancelArgs(id: string): CommandSpec;
  submit(scriptPath: string, opts?: SubmitOptions): Promise<string>;
  /** States of ids; a job the scheduler no longer knows (purged after it ended) is FINISHED. */
  status(ids: string[]): Promise<Map<string, BatchJobState>>;
  /** Cancels a job; cancelling a job that already ended is not an error. */
  cancel(id: string): Promise<void>;
}
