// What run(point, ctx) receives besides the point: the contract between user run modules and the
// evaluation entry that calls them.

export interface RunContext {
  evalId: number;
  workdir: string;
  seed: number;
  /** MPI rank of this process (0 outside MPI); only rank 0's result counts. */
  rank: number;
  /** Number of MPI ranks (1 outside MPI). */
  size: number;
  /**
   * An intermediate result: the objective after `step` units of training (epochs, say). Stored for
   * the report's learning curves; a multi-fidelity searcher (asha) answers "stop" when the trial
   * should end here: then return the objective at once. Any other searcher always answers "continue".
   */
  report(step: number, value: number): Promise<"continue" | "stop">;
  /** asha: the most any trial trains (--max-length); null for other searchers. */
  maxLength: number | null;
  /**
   * asha: the length at which the searcher next decides. A run that calls report() may simply
   * train on until told to stop (at most maxLength); one that does not should stop here.
   */
  length: number | null;
  /** asha: a promoted trial continues from `step`, the checkpoint it saved in `dir`; null when it starts afresh. */
  resume: { step: number; dir: string } | null;
  /** asha: the trial's own directory for checkpoints, the same for all its runs. */
  checkpointDir: string | null;
}
