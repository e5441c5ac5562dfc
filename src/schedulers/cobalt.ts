// Cobalt adapter (ALCF Theta, Cooley): qsub prints a bare integer, qstat prints a table whose
// columns a user can change (QSTAT_HEADER), so columns are found by their header. Cobalt forgets a
// job when it ends and keeps no exit status: an unlisted job is FINISHED, never FAILED.
import { chmod } from "node:fs/promises";
import type { BatchJobState } from "../store/types.js";
import { BatchScheduler, checkJobId, lines, noJobId } from "./base.js";
import type { CommandSpec, SubmitOptions } from "./types.js";

/** A Cobalt state word (qstat State column) as a batch-job state. */
export function cobaltState(state: string): BatchJobState {
  const s = state.toLowerCase();
  if (s === "queued" || s.endsWith("hold")) return "QUEUED";
  if (s === "starting" || s === "running" || s === "exiting" || s === "killing") return "RUNNING";
  if (s === "dep_fail") return "FAILED";
  if (s === "done") return "FINISHED";
  return "SUBMITTED";
}

export class CobaltScheduler extends BatchScheduler {
  readonly name = "cobalt" as const;
  // Cobalt's qstat lists what it knows and says nothing about the rest.
  protected readonly goneJob = /not found|no such job/i;
  protected readonly alreadyEnded = /not found|no such job|already/i;

  submitArgs(scriptPath: string, opts: SubmitOptions = {}): CommandSpec {
    const args = opts.dependsOn === undefined ? [] : ["--dependencies", checkJobId(opts.dependsOn)];
    return { command: "qsub", args: [...args, scriptPath] };
  }

  /** The id is the last all-digit line: site filters print warnings and notices before it. */
  parseSubmitOutput(stdout: string): string {
    const id = lines(stdout)
      .reverse()
      .find((l) => /^\d+$/.test(l));
    if (id === undefined) throw noJobId("qsub", stdout);
    return id;
  }

  statusArgs(ids: string[]): CommandSpec {
    return { command: "qstat", args: ids.map(checkJobId) };
  }

  parseStatus(stdout: string, ids: string[]): Map<string, BatchJobState> {
    const states = new Map<string, BatchJobState>();
    const rows = lines(stdout);
    const headerAt = rows.findIndex((l) => /\bJob_?ID\b/i.test(l) && /\bState\b/i.test(l));
    if (headerAt < 0) return states;
    const header = (rows[headerAt] ?? "").split(/\s+/).map((h) => h.toLowerCase());
    const idCol = header.findIndex((h) => h === "jobid" || h === "job_id");
    const stateCol = header.indexOf("state");
    const wanted = new Set(ids);
    for (const row of rows.slice(headerAt + 1)) {
      if (/^=+$/.test(row)) continue;
      const cells = row.split(/\s+/);
      const id = cells[idCol];
      const state = cells[stateCol];
      if (id && state && wanted.has(id)) states.set(id, cobaltState(state));
    }
    return states;
  }

  cancelArgs(id: string): CommandSpec {
    return { command: "qdel", args: [checkJobId(id)] };
  }

  /** Cobalt runs the script itself and refuses one that is not executable. */
  override async submit(scriptPath: string, opts?: SubmitOptions): Promise<string> {
    await chmod(scriptPath, 0o755);
    return super.submit(scriptPath, opts);
  }
}
