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
}
