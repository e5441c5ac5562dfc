// One regression tree of the AMBS surrogate (forest.ts) as parallel typed arrays, the memory that
// successive fits reuse, and the routing of many rows through a tree, the hottest loop of a
// proposal (docs/architecture.md, AMBS: extra trees, one fit per batch).

/** Four Float64 and three Int32 arrays per tree. */
const TREE_BYTES_PER_NODE = 4 * 8 + 3 * 4;

/** One regression tree as parallel arrays; a leaf points to itself (left[leaf] = leaf). */
export class Tree {
  feat: Int32Array;
  thr: Float64Array;
  /** Children are allocated in pairs: left[node] and left[node] + 1 (the x > thr side). */
  left: Int32Array;
  /** Leaf statistics: mean of y and mean of y², which give the law-of-total-variance spread. */
  m1: Float64Array;
  m2: Float64Array;
  cnt: Float64Array;
  /** A training row in the leaf, the other end of the split when a lie is inserted. */
  rep: Int32Array;
  size = 0;

  /** Views on `buffer` from byte `at` (a multiple of 8): TREE_BYTES_PER_NODE * capacity bytes. */
  constructor(capacity: number, buffer = new ArrayBuffer(TREE_BYTES_PER_NODE * capacity), at = 0) {
    const f64 = (k: number) => new Float64Array(buffer, at + 8 * k * capacity, capacity);
    const i32 = (k: number) => new Int32Array(buffer, at + 8 * 4 * capacity + 4 * k * capacity, capacity);
    this.thr = f64(0);
    this.m1 = f64(1);
    this.m2 = f64(2);
    this.cnt = f64(3);
    this.feat = i32(0);
    this.left = i32(1);
    this.rep = i32(2);
  }

  /**
   * `count` empty trees in one allocation: a fit makes 50 trees of 7 arrays each, and thousands of
   * separate typed arrays per ask cost more in allocation and garbage collection (a fifth of an
   * ask's time) than one buffer. With an arena the buffer is the arena's, reused from one fit to
   * the next (see TreeArena); the nodes a fit reads are the ones it wrote, so stale bytes are never read.
   */
  static block(count: number, capacity: number, arena?: TreeArena): Tree[] {
    const cap = capacity + (capacity % 2); // keeps every tree's offset a multiple of 8 bytes
    const bytes = TREE_BYTES_PER_NODE * cap * count;
    let buffer: ArrayBuffer;
    if (arena) {
      if (!arena.buffer || arena.buffer.byteLength < bytes) arena.buffer = new ArrayBuffer(bytes);
      buffer = arena.buffer;
    } else buffer = new ArrayBuffer(bytes);
    return Array.from({ length: count }, (_, t) => new Tree(cap, buffer, TREE_BYTES_PER_NODE * cap * t));
  }

  /** Two new leaves, returning the first: children always come in pairs. */
  addPair(): number {
    if (this.size + 2 > this.feat.length) this.grow();
    const node = this.size;
    this.size += 2;
    return node;
  }

  setLeaf(node: number, cnt: number, m1: number, m2: number, rep: number): void {
    this.left[node] = node;
    // A leaf's comparison is always false, so a descent that goes on from a leaf stays there
    // (route() steps eight rows together until the last one reaches its leaf).
    this.feat[node] = 0;
    this.thr[node] = Infinity;
    this.cnt[node] = cnt;
    this.m1[node] = m1;
    this.m2[node] = m2;
    this.rep[node] = rep;
  }

  /** The leaf of the row at x[off]: one descent (route() is the fast path for many rows). */
  leafOf(x: Float64Array, off: number): number {
    const { feat, thr, left } = this;
    let node = 0;
    while (left[node] !== node) node = left[node]! + +(x[off + feat[node]!]! > thr[node]!);
    return node;
  }

  /** Turns a leaf into an internal node whose children are first, first + 1. */
  split(node: number, f: number, thr: number, first: number): void {
    this.feat[node] = f;
    this.thr[node] = thr;
    this.left[node] = first;
  }

  /** Doubles the capacity into a buffer of its own. */
  private grow(): void {
    const bigger = new Tree(Math.max(16, this.feat.length * 2));
    for (const k of ["feat", "thr", "left", "m1", "m2", "cnt", "rep"] as const) bigger[k].set(this[k] as Int32Array & Float64Array);
    this.feat = bigger.feat;
    this.thr = bigger.thr;
    this.left = bigger.left;
    this.m1 = bigger.m1;
    this.m2 = bigger.m2;
    this.cnt = bigger.cnt;
    this.rep = bigger.rep;
  }
}

/**
 * Memory for the trees of successive fits, kept by a caller that refits often (the ambs searcher,
 * once per ask). A fresh buffer (1-5 MB for 50 trees) is zeroed memory the kernel maps in page by
 * page as the fit first writes it: a fifth of the fit's CPU time went to those page faults. A fit
 * with an arena overwrites the trees of the forest fitted before with it, so that forest must no
 * longer be used.
 */
export class TreeArena {
  buffer: ArrayBuffer | null = null;
}


// The loop over rows is kept in a small function for the reason given in kernels.ts.

/**
 * Each row's leaf, and the leaf's moments added to the row's sums. A descent is a chain of
 * dependent loads (node, its feature, the row's value, the next node), so one row at a time waits
 * on memory latency at every level: eight rows descend together, their chains overlapping, and a
 * row at its leaf stays there (setLeaf: a leaf's threshold is +Infinity) until the last one
 * arrives. The comparison is turned into 0 or 1 with unary plus: V8 compiles `c ? 1 : 0` to a
 * branch but `+c` to a flag read (setcc), and a branch per level, mispredicted on random rows,
 * would cost what the overlap gains. Few variables live across the loop (the rows' offsets are
 * recomputed from the first, one test for all eight), so fewer of them spill to the stack. Routing 10 000
 * rows went from 6.7 to 2.3 ms per 10 trees of 256 rows (bench/README.md).
 */
export function route(tree: Tree, X: Float64Array, n: number, d: number, lv: Int32Array, s1: Float64Array, s2: Float64Array): void {
  const { feat, thr, left, m1, m2 } = tree;
  let c = 0;
  for (; c + 7 < n; c += 8) {
    const o = c * d;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let a4 = 0;
    let a5 = 0;
    let a6 = 0;
    let a7 = 0;
    for (;;) {
      const l0 = left[a0]!;
      const l1 = left[a1]!;
      const l2 = left[a2]!;
      const l3 = left[a3]!;
      const l4 = left[a4]!;
      const l5 = left[a5]!;
      const l6 = left[a6]!;
      const l7 = left[a7]!;
      // All eight at their leaves (a leaf is its own left child).
      if (((l0 ^ a0) | (l1 ^ a1) | (l2 ^ a2) | (l3 ^ a3) | (l4 ^ a4) | (l5 ^ a5) | (l6 ^ a6) | (l7 ^ a7)) === 0) break;
      a0 = l0 + +(X[o + feat[a0]!]! > thr[a0]!);
      a1 = l1 + +(X[o + d + feat[a1]!]! > thr[a1]!);
      a2 = l2 + +(X[o + 2 * d + feat[a2]!]! > thr[a2]!);
      a3 = l3 + +(X[o + 3 * d + feat[a3]!]! > thr[a3]!);
      a4 = l4 + +(X[o + 4 * d + feat[a4]!]! > thr[a4]!);
      a5 = l5 + +(X[o + 5 * d + feat[a5]!]! > thr[a5]!);
      a6 = l6 + +(X[o + 6 * d + feat[a6]!]! > thr[a6]!);
      a7 = l7 + +(X[o + 7 * d + feat[a7]!]! > thr[a7]!);
    }
    lv[c] = a0;
    lv[c + 1] = a1;
    lv[c + 2] = a2;
    lv[c + 3] = a3;
    lv[c + 4] = a4;
    lv[c + 5] = a5;
    lv[c + 6] = a6;
    lv[c + 7] = a7;
  }
  for (; c < n; c++) lv[c] = tree.leafOf(X, c * d);
  addMoments(lv, n, m1, m2, s1, s2);
}

/** Each row's leaf moments added to its sums, tree after tree as before (the same sums). */
function addMoments(lv: Int32Array, n: number, m1: Float64Array, m2: Float64Array, s1: Float64Array, s2: Float64Array): void {
  for (let c = 0; c < n; c++) {
    const leaf = lv[c]!;
    s1[c]! += m1[leaf]!;
    s2[c]! += m2[leaf]!;
  }
}

