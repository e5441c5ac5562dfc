// What a caller hands the jobs functions: which scheduler adapter runs a job's commands (a test
// passes a stub), and where progress goes. The CLI prints step lines on the console; the service
// and a launcher keep timestamped logs of their own, where a console's step lines do not belong.
import { getScheduler, type Scheduler } from "../schedulers/index.js";

/** The scheduler calls the jobs module makes: submit a script, ask for states, cancel. */
export type JobScheduler = Pick<Scheduler, "submit" | "status" | "cancel">;

/** The adapter for a job's scheduler name ("slurm", "local"...). */
export type SchedulerResolver = (name: string) => JobScheduler;

/** The real adapters of src/schedulers. */
export const defaultSchedulerFor: SchedulerResolver = getScheduler;

export interface Logger {
  /** One stage of the work, run by fn; a console shows "label...OK" or "label...FAILED". */
  step<T>(label: string, fn: () => Promise<T> | T): Promise<T>;
  /** A line of progress. */
  info(line: string): void;
}

/**
 * A logger for a process with a log of its own (the service, a launcher): stages run without a
 * line (the caller logs what came of them), progress lines go to log, which timestamps them.
 */
export function logLines(log: (line: string) => void): Logger {
  return {
    step: async (_label, fn) => fn(),
    info: log,
  };
}
