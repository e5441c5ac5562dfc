// The inner loops of growing a tree (forest.ts), each over one node's rows on typed arrays.
// They live in small functions that return right after the loop: V8 compiles a long loop
// on-stack during its first run, and that code deoptimises at the first statement after the loop
// that never ran before (measured on Node 20: the fit ran 3x slower).

/** The feature whose cut most reduces the sum of squares, or -1 if none respects min leaf. */
export function pickSplit(
  m: number,
  s: number,
  cut: Float64Array,
  lCnt: Float64Array,
  lSum: Float64Array,
  minLeaf: number,
): number {
  let best = -1;
  let bestGain = -Infinity;
  for (let f = 0; f < cut.length; f++) {
    if (cut[f] === Infinity) continue;
    const cl = lCnt[f]!;
    const cr = m - cl;
    if (cl < minLeaf || cr < minLeaf) continue;
    const sl = lSum[f]!;
    const gain = (sl * sl) / cl + ((s - sl) * (s - sl)) / cr;
    if (gain > bestGain) {
      bestGain = gain;
      best = f;
    }
  }
  return best;
}

/** Sum and sum of squares of y[start, end). */
export function moments(y: Float64Array, start: number, end: number, out: Float64Array): void {
  let s = 0;
  let q = 0;
  for (let i = start; i < end; i++) {
    const v = y[i]!;
    s += v;
    q += v * v;
  }
  out[0] = s;
  out[1] = q;
}

/** Rows idx[0, n) of X (d columns) and y copied in that order into xs and ys. */
export function gather(X: Float64Array, y: Float64Array, d: number, idx: Int32Array, n: number, xs: Float64Array, ys: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const r = idx[i]!;
    ys[i] = y[r]!;
    for (let f = 0; f < d; f++) xs[i * d + f] = X[r * d + f]!;
  }
}

/** Rows idx[0, n) of codes (d columns) copied in that order into cs. */
export function gatherCodes(codes: Uint8Array, d: number, idx: Int32Array, n: number, cs: Uint8Array): void {
  for (let i = 0; i < n; i++) cs.set(codes.subarray(idx[i]! * d, idx[i]! * d + d), i * d);
}

/**
 * Each feature's min and max over the node's rows. Features go in blocks of four with the running
 * values in locals: accumulating into the output arrays chains every row's update through memory,
 * which made this 2-3x slower (min and max do not depend on the order, so results are the same).
 * Comparisons, not Math.min/max, whose NaN and -0 handling V8 compiles to several branches per
 * value: the encodings are finite, and a threshold drawn from -0 or +0 compares the same. The
 * row offset steps by d rather than i * d, a multiplication and an overflow check fewer per row
 * (the fit 6% faster; countLeft, which also reads y[i], was slower so).
 */
export function nodeRange(X: Float64Array, d: number, start: number, end: number, lo: Float64Array, hi: Float64Array): void {
  // The last one or two features in a block of two: four lanes for them would repeat work (6-D: 8 lanes for 6).
  let f0 = 0;
  for (; d - f0 > 2; f0 += 4) rangeBlock(X, d, start, end, lo, hi, f0, Math.min(4, d - f0));
  if (f0 < d) rangePair(X, d, start, end, lo, hi, f0, d - f0);
}

/** nodeRange for features f0 and f0 + w - 1 (w ≤ 2). */
function rangePair(X: Float64Array, d: number, start: number, end: number, lo: Float64Array, hi: Float64Array, f0: number, w: number): void {
  const a1 = f0 + w - 1;
  let lo0 = Infinity;
  let lo1 = Infinity;
  let hi0 = -Infinity;
  let hi1 = -Infinity;
  for (let r = start * d, stop = end * d; r < stop; r += d) {
    const v0 = X[r + f0]!;
    const v1 = X[r + a1]!;
    if (v0 < lo0) lo0 = v0;
    if (v0 > hi0) hi0 = v0;
    if (v1 < lo1) lo1 = v1;
    if (v1 > hi1) hi1 = v1;
  }
  lo[f0] = lo0;
  hi[f0] = hi0;
  lo[a1] = lo1;
  hi[a1] = hi1;
}

/** nodeRange for features f0 .. f0 + w - 1 (w ≤ 4; short blocks repeat their last feature). */
function rangeBlock(X: Float64Array, d: number, start: number, end: number, lo: Float64Array, hi: Float64Array, f0: number, w: number): void {
  const a1 = f0 + Math.min(1, w - 1);
  const a2 = f0 + Math.min(2, w - 1);
  const a3 = f0 + w - 1;
  let lo0 = Infinity;
  let lo1 = Infinity;
  let lo2 = Infinity;
  let lo3 = Infinity;
  let hi0 = -Infinity;
  let hi1 = -Infinity;
  let hi2 = -Infinity;
  let hi3 = -Infinity;
  for (let r = start * d, stop = end * d; r < stop; r += d) {
    const v0 = X[r + f0]!;
    const v1 = X[r + a1]!;
    const v2 = X[r + a2]!;
    const v3 = X[r + a3]!;
    if (v0 < lo0) lo0 = v0;
    if (v0 > hi0) hi0 = v0;
    if (v1 < lo1) lo1 = v1;
    if (v1 > hi1) hi1 = v1;
    if (v2 < lo2) lo2 = v2;
    if (v2 > hi2) hi2 = v2;
    if (v3 < lo3) lo3 = v3;
    if (v3 > hi3) hi3 = v3;
  }
  lo[f0] = lo0;
  hi[f0] = hi0;
  lo[a1] = lo1;
  hi[a1] = hi1;
  lo[a2] = lo2;
  hi[a2] = hi2;
  lo[a3] = lo3;
  hi[a3] = hi3;
}

/**
 * Rows and target sums left of each feature's cut, branch-free (random data mispredicts), in
 * blocks of four features with locals for the reason given at nodeRange. Each sum adds the rows in
 * idx order, as one pass over all features did. The comparison becomes 0 or 1 by unary plus: V8
 * compiles `c ? 1 : 0` to a branch, `+c` to a flag read (setcc); the fit took 0.5-0.6 of the time.
 */
export function countLeft(
  X: Float64Array,
  y: Float64Array,
  d: number,
  start: number,
  end: number,
  cut: Float64Array,
  lCnt: Float64Array,
  lSum: Float64Array,
): void {
  // As in nodeRange, the last one or two features in a block of two.
  let f0 = 0;
  for (; d - f0 > 2; f0 += 4) countBlock(X, y, d, start, end, cut, lCnt, lSum, f0, Math.min(4, d - f0));
  if (f0 < d) countPair(X, y, d, start, end, cut, lCnt, lSum, f0, d - f0);
}

/** countLeft for features f0 and f0 + w - 1 (w ≤ 2). */
function countPair(
  X: Float64Array,
  y: Float64Array,
  d: number,
  start: number,
  end: number,
  cut: Float64Array,
  lCnt: Float64Array,
  lSum: Float64Array,
  f0: number,
  w: number,
): void {
  const a1 = f0 + w - 1;
  const t0 = cut[f0]!;
  const t1 = cut[a1]!;
  let c0 = 0;
  let c1 = 0;
  let s0 = 0;
  let s1 = 0;
  for (let i = start; i < end; i++) {
    const r = i * d;
    const v = y[i]!;
    const b0 = +(X[r + f0]! <= t0);
    const b1 = +(X[r + a1]! <= t1);
    c0 += b0;
    s0 += b0 * v;
    c1 += b1;
    s1 += b1 * v;
  }
  lCnt[a1] = c1;
  lSum[a1] = s1;
  lCnt[f0] = c0;
  lSum[f0] = s0;
}

/** countLeft for features f0 .. f0 + w - 1 (w ≤ 4; short blocks repeat their last feature). */
function countBlock(
  X: Float64Array,
  y: Float64Array,
  d: number,
  start: number,
  end: number,
  cut: Float64Array,
  lCnt: Float64Array,
  lSum: Float64Array,
  f0: number,
  w: number,
): void {
  const a1 = f0 + Math.min(1, w - 1);
  const a2 = f0 + Math.min(2, w - 1);
  const a3 = f0 + w - 1;
  const t0 = cut[f0]!;
  const t1 = cut[a1]!;
  const t2 = cut[a2]!;
  const t3 = cut[a3]!;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = start; i < end; i++) {
    const r = i * d;
    const v = y[i]!;
    const b0 = +(X[r + f0]! <= t0);
    const b1 = +(X[r + a1]! <= t1);
    const b2 = +(X[r + a2]! <= t2);
    const b3 = +(X[r + a3]! <= t3);
    c0 += b0;
    s0 += b0 * v;
    c1 += b1;
    s1 += b1 * v;
    c2 += b2;
    s2 += b2 * v;
    c3 += b3;
    s3 += b3 * v;
  }
  // A short block's repeated lanes hold the same values as its last feature's.
  lCnt[a3] = c3;
  lSum[a3] = s3;
  lCnt[a2] = c2;
  lSum[a2] = s2;
  lCnt[a1] = c1;
  lSum[a1] = s1;
  lCnt[f0] = c0;
  lSum[f0] = s0;
}

export function histogram(
  y: Float64Array,
  d: number,
  start: number,
  end: number,
  codes: Uint8Array,
  bins: number,
  hCnt: Float64Array,
  hSum: Float64Array,
): void {
  hCnt.fill(0);
  hSum.fill(0);
  for (let i = start; i < end; i++) {
    const v = y[i]!;
    const r = i * d;
    for (let f = 0; f < d; f++) {
      const h = f * bins + codes[r + f]!;
      hCnt[h]!++;
      hSum[h]! += v;
    }
  }
}

/**
 * Moves the rows [start, end) with x[f] ≤ thr to the front, whole (X's d columns, y, idx, and the
 * bin codes when given); returns where the rest begin.
 */
export function partitionRows(
  X: Float64Array,
  y: Float64Array,
  idx: Int32Array,
  codes: Uint8Array | null,
  d: number,
  start: number,
  end: number,
  f: number,
  thr: number,
): number {
  let i = start;
  let j = end - 1;
  while (i <= j) {
    if (X[i * d + f]! <= thr) i++;
    else {
      swapRows(X, y, idx, codes, d, i, j);
      j--;
    }
  }
  return i;
}

function swapRows(X: Float64Array, y: Float64Array, idx: Int32Array, codes: Uint8Array | null, d: number, i: number, j: number): void {
  const a = i * d;
  const b = j * d;
  for (let k = 0; k < d; k++) {
    const t = X[a + k]!;
    X[a + k] = X[b + k]!;
    X[b + k] = t;
  }
  if (codes) {
    for (let k = 0; k < d; k++) {
      const t = codes[a + k]!;
      codes[a + k] = codes[b + k]!;
      codes[b + k] = t;
    }
  }
  const ty = y[i]!;
  y[i] = y[j]!;
  y[j] = ty;
  const ti = idx[i]!;
  idx[i] = idx[j]!;
  idx[j] = ti;
}

export function binEdges(X: Float64Array, n: number, d: number, f: number, bins: number, col: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) col[i] = X[i * d + f]!;
  col.sort();
  const distinct: number[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || col[i] !== col[i - 1]) distinct.push(col[i]!);
  const nd = distinct.length;
  const cuts: number[] = [];
  if (nd <= bins) {
    for (let i = 1; i < nd; i++) cuts.push((distinct[i - 1]! + distinct[i]!) / 2);
  } else {
    for (let j = 1; j < bins; j++) {
      const p = Math.floor((j * nd) / bins);
      cuts.push((distinct[p - 1]! + distinct[p]!) / 2);
    }
  }
  return Float64Array.from(cuts);
}

export function binCodes(X: Float64Array, n: number, d: number, f: number, e: Float64Array, codes: Uint8Array): void {
  for (let i = 0; i < n; i++) {
    const v = X[i * d + f]!;
    let lo = 0;
    let hi = e.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (e[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    codes[i * d + f] = lo;
  }
}
