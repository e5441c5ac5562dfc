// The candidates a forest has scored (forest.ts, Forest.score): each one's leaf in every tree and
// the running sums of the leaf moments, which a lie inserted into a leaf updates in place.

/**
 * Candidates routed through every tree, with running sums over trees of the leaf moments so a
 * lie inserted into one leaf updates only the candidates that fall into its new leaf.
 */
export class ScoredCandidates {
  constructor(
    readonly X: Float64Array,
    readonly n: number,
    /** leaves[t][c]: the leaf of candidate c in tree t. */
    readonly leaves: Int32Array[],
    readonly s1: Float64Array,
    readonly s2: Float64Array,
    readonly nTrees: number,
  ) {}

  /**
   * Per tree, the candidates of each leaf as a chain (head[t][leaf], then next[t * n + c]; -1
   * ends it), built at the first insert: an insert then visits only the candidates of the leaf it
   * splits, not all of them, which matters when one ask chooses hundreds of points.
   */
  private heads: Int32Array[] | null = null;
  private next: Int32Array | null = null;

  /** The chains of every tree, built once; `sizes` are the trees' node capacities. */
  chains(sizes: readonly number[]): { heads: Int32Array[]; next: Int32Array } {
    if (this.heads && this.next) return { heads: this.heads, next: this.next };
    const n = this.n;
    const next = new Int32Array(this.nTrees * n);
    const heads = this.leaves.map((lv, t) => {
      const head = new Int32Array(sizes[t]!).fill(-1);
      linkLeaves(lv, n, head, next, t * n);
      return head;
    });
    this.heads = heads;
    this.next = next;
    return { heads, next };
  }

  /** Room in tree t's chain heads for leaf ids below `size`. */
  growHeads(t: number, size: number): void {
    const head = this.heads![t]!;
    if (size <= head.length) return;
    const bigger = new Int32Array(Math.max(size, 2 * head.length)).fill(-1);
    bigger.set(head);
    this.heads![t] = bigger;
  }

  mean(c: number): number {
    return this.s1[c]! / this.nTrees;
  }

  std(c: number): number {
    const s = this.treeStd(c);
    return this.distance !== null ? Math.sqrt(s * s + this.distance[c]!) : s;
  }

  /** The spread across trees (capped by capSpread). */
  private treeStd(c: number): number {
    const mu = this.s1[c]! / this.nTrees;
    const v = this.s2[c]! / this.nTrees - mu * mu;
    const s = v > 0 ? Math.sqrt(v) : 0;
    return this.cap !== null && this.cap[c]! < s ? this.cap[c]! : s;
  }

  /**
   * A variance added to each candidate's spread, or null: in low dimension, the distance term
   * (distance.ts), which the caller lowers as points are picked.
   */
  distance: Float64Array | null = null;

  /** Each candidate's spread when capSpread was called, or null. */
  private cap: Float64Array | null = null;

  /**
   * From now on no candidate's spread exceeds its spread now. A lie (forest.insert) then raises
   * the mean of the candidates that share its leaf in some trees but not their spread, as a lie
   * in a Gaussian process would; otherwise the trees' disagreement it adds draws UCB's next picks
   * to the pending point (bench/suite/RESULTS.md, "A pending point's lie").
   */
  capSpread(): void {
    const cap = new Float64Array(this.n);
    for (let c = 0; c < this.n; c++) cap[c] = this.treeStd(c);
    this.cap = cap;
  }
}

/** Chains each candidate into its leaf's list (in candidate order: built from the last one). */
function linkLeaves(lv: Int32Array, n: number, head: Int32Array, next: Int32Array, base: number): void {
  for (let c = n - 1; c >= 0; c--) {
    const leaf = lv[c]!;
    next[base + c] = head[leaf]!;
    head[leaf] = c;
  }
}
