// Tree ensembles for the AMBS surrogate: extra trees ("et", random thresholds, no bootstrap) and a
// random forest ("rf", bootstrap rows, best split over histogram bins). Written on typed arrays
// because proposing points must stay cheap with thousands of evaluations (the target: a batch of 8 in
// a tenth of one DeepHyper-style proposal's time, bench/search --timing-only), where scikit-learn's
// fit alone takes ~300 ms.
//
// Besides fit/predict, the forest scores a fixed candidate set and takes "lies" incrementally:
// insert() drops a pending point into every tree, giving it a leaf of its own, so the k points of
// one ask batch cost one fit instead of DeepHyper's one refit per point.
import type { Rng } from "../../util/rng.js";
import { ScoredCandidates } from "./scored.js";
import { route, Tree, type TreeArena } from "./tree.js";
import { binCodes, binEdges, countLeft, gather, gatherCodes, histogram, moments, nodeRange, partitionRows, pickSplit } from "./kernels.js";

export type ForestKind = "et" | "rf";

export interface ForestOptions {
  kind: ForestKind;
  nTrees: number;
  /** Smallest number of rows in a leaf (1 = grow until pure, scikit-learn's default). */
  minSamplesLeaf: number;
  /**
   * Rows drawn for each tree; 0 or ≥ n = all. et draws them without replacement, rf with (its
   * bootstrap, of this size: scikit-learn's max_samples), so the fit's cost stops growing with n.
   */
  maxSamples: number;
  /** Histogram bins per feature for rf splits (≤ 256: codes are bytes). */
  bins: number;
  /**
   * Rows insert() will add, at most: room for their nodes is made at the fit (a tree that runs
   * out of room copies itself into a buffer twice the size; 64 lies at 20 000 evaluations did
   * that for every tree, a tenth of the ask).
   */
  lies?: number;
}

/** Below this within-node sum of squares a node is pure: targets are standardised by the caller. */
const PURE_SSE = 1e-12;

export class Forest {
  private readonly trees: Tree[] = [];
  /** Training rows, then inserted lies, row-major with d columns. */
  private X: Float64Array;
  private rows: number;

  private constructor(
    X: Float64Array,
    rows: number,
    readonly d: number,
    private readonly rng: Rng,
  ) {
    this.X = X;
    this.rows = rows;
  }

  /**
   * Fits on rows 0..n-1 of X (row-major, d columns, values in [0, 1]) with targets y; the trees
   * live in `arena` when given (which ends the forest fitted before in it).
   */
  static fit(X: Float64Array, y: Float64Array, n: number, d: number, opts: ForestOptions, rng: Rng, arena?: TreeArena): Forest {
    if (n < 1) throw new Error("Forest.fit needs at least one row");
    const forest = new Forest(X.slice(0, n * d), n, d, rng);
    const grower = new Grower(forest.X, y, n, d, opts, rng);
    for (const tree of Tree.block(opts.nTrees, grower.capacity, arena)) forest.trees.push(grower.grow(tree));
    return forest;
  }

  get nTrees(): number {
    return this.trees.length;
  }

  /** Mean and spread across trees (law of total variance) for n rows of X. */
  predict(X: Float64Array, n: number): { mean: Float64Array; std: Float64Array } {
    const sc = this.score(X, n);
    const mean = new Float64Array(n);
    const std = new Float64Array(n);
    for (let c = 0; c < n; c++) {
      mean[c] = sc.mean(c);
      std[c] = sc.std(c);
    }
    return { mean, std };
  }

  /** Routes n rows of X through the first `nTrees` trees (all by default). */
  score(X: Float64Array, n: number, nTrees = this.trees.length): ScoredCandidates {
    const d = this.d;
    const s1 = new Float64Array(n);
    const s2 = new Float64Array(n);
    const k = Math.min(nTrees, this.trees.length);
    const all = new Int32Array(k * n);
    const leaves: Int32Array[] = [];
    for (let t = 0; t < k; t++) {
      const lv = all.subarray(t * n, t * n + n);
      route(this.trees[t]!, X, n, d, lv, s1, s2);
      leaves.push(lv);
    }
    return new ScoredCandidates(X, n, leaves, s1, s2, leaves.length);
  }

  /**
   * Rows `kept` of sc (given again as X), scored by every tree: sc's trees (the first sc.nTrees)
   * are not routed again, and the sums go on from sc's, in the same order as score() adds them.
   */
  rescore(sc: ScoredCandidates, kept: readonly number[], X: Float64Array): ScoredCandidates {
    const n = kept.length;
    const d = this.d;
    const s1 = new Float64Array(n);
    const s2 = new Float64Array(n);
    const all = new Int32Array(this.trees.length * n);
    const leaves: Int32Array[] = [];
    for (let r = 0; r < n; r++) {
      s1[r] = sc.s1[kept[r]!]!;
      s2[r] = sc.s2[kept[r]!]!;
    }
    for (let t = 0; t < this.trees.length; t++) {
      const lv = all.subarray(t * n, t * n + n);
      if (t < sc.nTrees) {
        const from = sc.leaves[t]!;
        for (let r = 0; r < n; r++) lv[r] = from[kept[r]!]!;
      } else route(this.trees[t]!, X, n, d, lv, s1, s2);
      leaves.push(lv);
    }
    return new ScoredCandidates(X, n, leaves, s1, s2, leaves.length);
  }

  /** The rows of sc followed by n rows of X, scored by the same trees without routing sc's again. */
  extend(sc: ScoredCandidates, X: Float64Array, n: number): ScoredCandidates {
    const more = this.score(X, n, sc.nTrees);
    const join = <T extends Int32Array | Float64Array>(a: T, b: T, width: number): T => {
      const out = new (a.constructor as new (n: number) => T)((sc.n + n) * width);
      out.set(a.subarray(0, sc.n * width));
      out.set(b.subarray(0, n * width), sc.n * width);
      return out;
    };
    const m = sc.n + n;
    const all = new Int32Array(sc.nTrees * m);
    const leaves = sc.leaves.map((lv, t) => {
      const out = all.subarray(t * m, t * m + m);
      out.set(lv.subarray(0, sc.n));
      out.set(more.leaves[t]!.subarray(0, n), sc.n);
      return out;
    });
    return new ScoredCandidates(join(sc.X, X, this.d), sc.n + n, leaves, join(sc.s1, more.s1, 1), join(sc.s2, more.s2, 1), sc.nTrees);
  }

  /**
   * Adds the row x with target y to every tree without refitting: the leaf x falls in is split,
   * on a random feature at a random threshold between x and the leaf's representative row, into
   * the old leaf and a new leaf holding only (x, y) — what an extra tree grown with x would do
   * locally. If x equals the representative on every feature, y is averaged into the leaf.
   * The candidates' leaves and sums are updated to match.
   */
  insert(x: ArrayLike<number>, y: number, sc: ScoredCandidates): void {
    const d = this.d;
    const row = this.appendRow(x);
    const X = this.X;
    const differ: number[] = [];
    const { heads, next } = sc.chains(this.trees.map((tree) => tree.feat.length));
    for (let t = 0; t < this.trees.length; t++) {
      const tree = this.trees[t]!;
      const leaf = tree.leafOf(X, row * d);
      const rep = tree.rep[leaf]!;
      const oldM1 = tree.m1[leaf]!;
      const oldM2 = tree.m2[leaf]!;
      const lv = sc.leaves[t]!;
      differ.length = 0;
      for (let f = 0; f < d; f++) if (X[rep * d + f] !== X[row * d + f]) differ.push(f);
      if (differ.length === 0) {
        const cnt = tree.cnt[leaf]! + 1;
        const m1 = oldM1 + (y - oldM1) / cnt;
        const m2 = oldM2 + (y * y - oldM2) / cnt;
        tree.cnt[leaf] = cnt;
        tree.m1[leaf] = m1;
        tree.m2[leaf] = m2;
        shiftLeaf(heads[t]!, next, t * sc.n, leaf, m1 - oldM1, m2 - oldM2, sc.s1, sc.s2);
        continue;
      }
      const f = differ[Math.floor(this.rng.next() * differ.length)]!;
      const a = X[rep * d + f]!;
      const b = X[row * d + f]!;
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      let thr = lo + this.rng.next() * (hi - lo);
      if (thr >= hi) thr = lo;
      // x goes to the side of thr it lies on; the representative (and the old stats) to the other.
      const xLeft = b <= thr;
      const first = tree.addPair();
      const lie = xLeft ? first : first + 1;
      tree.setLeaf(lie, 1, y, y * y, row);
      tree.setLeaf(2 * first + 1 - lie, tree.cnt[leaf]!, oldM1, oldM2, rep);
      tree.split(leaf, f, thr, first);
      sc.growHeads(t, tree.size);
      splitLeaf(lv, heads[t]!, next, t * sc.n, sc, d, leaf, f, thr, first, lie, y - oldM1, y * y - oldM2);
    }
  }

  private appendRow(x: ArrayLike<number>): number {
    const d = this.d;
    if ((this.rows + 1) * d > this.X.length) {
      const bigger = new Float64Array(Math.max(this.X.length * 2, (this.rows + 1) * d));
      bigger.set(this.X);
      this.X = bigger;
    }
    for (let f = 0; f < d; f++) this.X[this.rows * d + f] = x[f]!;
    return this.rows++;
  }
}

/**
 * Grows trees on one training set, reusing scratch buffers across trees. Each tree's rows are
 * copied into node order (xs, ys: the rows of a node lie together, and partitioning a node moves
 * whole rows), so the passes over a node's rows read memory in sequence instead of through an
 * index into the training set. The copy costs one gather per tree; the rows are the same and in
 * the same order as an index would give them, so the sums (and the trees) are the same.
 */
class Grower {
  /** The training row of each position of xs: a leaf's representative. */
  private readonly idx: Int32Array;
  private readonly nDraw: number;
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly cut: Float64Array;
  private readonly lCnt: Float64Array;
  private readonly lSum: Float64Array;
  private readonly stack: Int32Array;
  /** moments() output: sum and sum of squares of a node's targets. */
  private readonly sq = new Float64Array(2);
  /** rf only: per-feature bin edges, each training row's bin codes, and the node-ordered copy. */
  private readonly edges: Float64Array[] = [];
  private readonly codes: Uint8Array;
  private readonly cs: Uint8Array;
  private readonly hCnt: Float64Array;
  private readonly hSum: Float64Array;

  constructor(
    private readonly X: Float64Array,
    private readonly y: Float64Array,
    private readonly n: number,
    private readonly d: number,
    private readonly opts: ForestOptions,
    private readonly rng: Rng,
  ) {
    this.nDraw = opts.maxSamples <= 0 ? n : Math.min(n, opts.maxSamples);
    this.idx = new Int32Array(n);
    this.xs = new Float64Array(this.nDraw * d);
    this.ys = new Float64Array(this.nDraw);
    this.lo = new Float64Array(d);
    this.hi = new Float64Array(d);
    this.cut = new Float64Array(d);
    this.lCnt = new Float64Array(d);
    this.lSum = new Float64Array(d);
    // Depth-first: at most one pending sibling per level, and depth ≤ n.
    this.stack = new Int32Array(3 * (n + 2));
    this.codes = new Uint8Array(opts.kind === "rf" ? n * d : 0);
    this.cs = new Uint8Array(opts.kind === "rf" ? this.nDraw * d : 0);
    const bins = Math.min(256, Math.max(2, opts.bins));
    this.hCnt = new Float64Array(opts.kind === "rf" ? d * bins : 0);
    this.hSum = new Float64Array(opts.kind === "rf" ? d * bins : 0);
    if (opts.kind === "rf") this.binRows(bins);
  }

  /** Nodes a tree grown here needs, plus room for the lies to be inserted (and a few more). */
  get capacity(): number {
    return 2 * this.nDraw + 2 * (this.opts.lies ?? 0) + 16;
  }

  /** Grows one tree into `tree` (empty, with at least `capacity` nodes). */
  grow(tree: Tree): Tree {
    const { idx, n, nDraw, rng, d, xs, ys } = this;
    const rf = this.opts.kind === "rf";
    drawRows(idx, n, nDraw, rf, rng);
    gather(this.X, this.y, d, idx, nDraw, xs, ys);
    if (rf) gatherCodes(this.codes, d, idx, nDraw, this.cs);
    const { stack, cut, sq } = this;
    const minLeaf = this.opts.minSamplesLeaf;
    // The root is node 0, alone; every later node comes with its sibling.
    tree.size = 1;
    let sp = 0;
    stack[sp++] = 0;
    stack[sp++] = 0;
    stack[sp++] = nDraw;
    while (sp > 0) {
      const end = stack[--sp]!;
      const start = stack[--sp]!;
      const node = stack[--sp]!;
      const m = end - start;
      moments(ys, start, end, sq);
      const s = sq[0]!;
      const q = sq[1]!;
      tree.setLeaf(node, m, s / m, q / m, idx[start]!);
      if (m < 2 * minLeaf || q - (s * s) / m <= PURE_SSE) continue;
      // s stays in sq: a double passed to a call that is not inlined is boxed on the heap, one
      // allocation per node (the garbage collector took a tenth of the fit).
      const f = rf ? this.bestHistogramSplit(start, end) : this.randomSplit(start, end);
      if (f < 0) continue;
      const thr = cut[f]!;
      const mid = rf ? partitionRows(xs, ys, idx, this.cs, d, start, end, f, thr) : partitionRows(xs, ys, idx, null, d, start, end, f, thr);
      const l = tree.addPair();
      const r = l + 1;
      tree.split(node, f, thr, l);
      stack[sp++] = r;
      stack[sp++] = mid;
      stack[sp++] = end;
      stack[sp++] = l;
      stack[sp++] = start;
      stack[sp++] = mid;
    }
    return tree;
  }

  /** Extra-trees split: one uniform threshold per non-constant feature, the best kept. */
  private randomSplit(start: number, end: number): number {
    const { xs, ys, d, lo, hi, cut, lCnt, lSum, rng } = this;
    const s = this.sq[0]!;
    const minLeaf = this.opts.minSamplesLeaf;
    const m = end - start;
    if (m === 2) return this.pairSplit(start);
    nodeRange(xs, d, start, end, lo, hi);
    let active = 0;
    for (let f = 0; f < d; f++) {
      if (hi[f]! > lo[f]!) {
        let t = lo[f]! + rng.next() * (hi[f]! - lo[f]!);
        if (t >= hi[f]!) t = lo[f]!;
        cut[f] = t;
        active++;
      } else cut[f] = Infinity;
    }
    if (active === 0) return -1;
    countLeft(xs, ys, d, start, end, cut, lCnt, lSum);
    return pickSplit(m, s, cut, lCnt, lSum, minLeaf);
  }

  /**
   * randomSplit for a node of two rows (about a third of a grown tree's splits), without the
   * passes over rows: the same draws and the same arithmetic, in the same order.
   */
  private pairSplit(start: number): number {
    const { xs, ys, d, cut, lCnt, lSum, rng } = this;
    const a = start * d;
    const b = a + d;
    let active = 0;
    for (let f = 0; f < d; f++) {
      const u = xs[a + f]!;
      const v = xs[b + f]!;
      const lo = Math.min(u, v);
      const hi = Math.max(u, v);
      if (hi > lo) {
        let t = lo + rng.next() * (hi - lo);
        if (t >= hi) t = lo;
        cut[f] = t;
        active++;
      } else cut[f] = Infinity;
    }
    if (active === 0) return -1;
    const y0 = ys[start]!;
    const y1 = ys[start + 1]!;
    for (let f = 0; f < d; f++) {
      const t = cut[f]!;
      const b0 = +(xs[a + f]! <= t);
      const b1 = +(xs[b + f]! <= t);
      let sl = 0;
      sl += b0 * y0;
      sl += b1 * y1;
      lCnt[f] = b0 + b1;
      lSum[f] = sl;
    }
    return pickSplit(2, this.sq[0]!, cut, lCnt, lSum, this.opts.minSamplesLeaf);
  }

  /** Random-forest split: the exact best cut among histogram bin edges, over all features. */
  private bestHistogramSplit(start: number, end: number): number {
    const { ys, d, cs, hCnt, hSum, edges, cut, lCnt, lSum } = this;
    const s = this.sq[0]!;
    const minLeaf = this.opts.minSamplesLeaf;
    const bins = hCnt.length / d;
    const m = end - start;
    histogram(ys, d, start, end, cs, bins, hCnt, hSum);
    for (let f = 0; f < d; f++) {
      const e = edges[f]!;
      let cl = 0;
      let sl = 0;
      let best = -Infinity;
      cut[f] = Infinity;
      lCnt[f] = 0;
      lSum[f] = 0;
      for (let b = 0; b < e.length; b++) {
        cl += hCnt[f * bins + b]!;
        sl += hSum[f * bins + b]!;
        if (cl < minLeaf) continue;
        if (m - cl < minLeaf) break;
        const gain = (sl * sl) / cl + ((s - sl) * (s - sl)) / (m - cl);
        if (gain > best) {
          best = gain;
          cut[f] = e[b]!;
          lCnt[f] = cl;
          lSum[f] = sl;
        }
      }
    }
    return pickSplit(m, s, cut, lCnt, lSum, minLeaf);
  }

  /**
   * Bin edges at midpoints between distinct values (quantiles of them when there are more than
   * `bins`), and each row's bin code: code ≤ b exactly when x ≤ edges[b].
   */
  private binRows(bins: number): void {
    const { X, n, d, codes } = this;
    const col = new Float64Array(n);
    for (let f = 0; f < d; f++) {
      const e = binEdges(X, n, d, f, bins, col);
      this.edges.push(e);
      binCodes(X, n, d, f, e, codes);
    }
  }
}

/**
 * The rows a tree grows on, into idx[0, nDraw): rf's bootstrap, or extra trees' uniform subsample
 * (all rows while nDraw = n). Apart from grow(): the first subsample of a search (past 256 rows)
 * ran code grow() had never run, and V8 threw grow() away and recompiled it (24 ms of compiler
 * time in the batches bench/search times after 1 000 evaluations).
 */
function drawRows(idx: Int32Array, n: number, nDraw: number, bootstrap: boolean, rng: Rng): void {
  if (bootstrap) {
    // A bootstrap of nDraw rows (all n until the search is long: the same draws as before the cap).
    for (let i = 0; i < nDraw; i++) idx[i] = Math.floor(rng.next() * n);
    return;
  }
  for (let i = 0; i < n; i++) idx[i] = i;
  // Partial Fisher-Yates: the first nDraw entries are a uniform subsample.
  if (nDraw < n) {
    for (let i = 0; i < nDraw; i++) {
      const j = i + Math.floor(rng.next() * (n - i));
      const tmp = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = tmp;
    }
  }
}

// The loops over candidates below are kept in small functions for the reason given in kernels.ts.

/** Candidates in `leaf` see its moments move by (d1, d2). */
function shiftLeaf(head: Int32Array, next: Int32Array, base: number, leaf: number, d1: number, d2: number, s1: Float64Array, s2: Float64Array): void {
  for (let c = head[leaf]!; c >= 0; c = next[base + c]!) {
    s1[c]! += d1;
    s2[c]! += d2;
  }
}

/** Candidates in a leaf just split at (f, thr) into children first, first + 1: re-route them. */
function splitLeaf(
  lv: Int32Array,
  head: Int32Array,
  next: Int32Array,
  base: number,
  sc: ScoredCandidates,
  d: number,
  leaf: number,
  f: number,
  thr: number,
  first: number,
  lie: number,
  d1: number,
  d2: number,
): void {
  const { X, s1, s2 } = sc;
  let c = head[leaf]!;
  head[leaf] = -1;
  while (c >= 0) {
    const after = next[base + c]!;
    const child = first + +(X[c * d + f]! > thr);
    lv[c] = child;
    next[base + c] = head[child]!;
    head[child] = c;
    if (child === lie) {
      s1[c]! += d1;
      s2[c]! += d2;
    }
    c = after;
  }
}

