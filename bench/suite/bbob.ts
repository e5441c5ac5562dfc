// The 24 noiseless BBOB functions of COCO, instance generation included (the TypeScript twin of
// bench/suite/bbob.py): COCO's legacy random generator, rotations, x_opt and f_opt, and each
// function's transformations in the order COCO's wrappers apply them. crosscheck.ts holds both
// languages to the values COCO's own C code prints (coco-reference.jsonl).

const PI = Math.PI;
export const SUITE_DIMS = [2, 5, 10] as const;

/** COCO's five function groups. */
export const GROUPS = {
  separable: [1, 5],
  "low-conditioning": [6, 9],
  "high-conditioning": [10, 14],
  "multimodal-global": [15, 19],
  "multimodal-weak": [20, 24],
} as const;
export type BbobGroup = keyof typeof GROUPS;

export function groupOf(f: number): BbobGroup {
  for (const [name, [lo, hi]] of Object.entries(GROUPS)) if (f >= lo && f <= hi) return name as BbobGroup;
  throw new Error(`no BBOB function f${f}`);
}

type Vec = number[];
type Mat = number[][];

// ---- COCO's legacy random numbers (every product stays below 2^53, so doubles are exact) ----

export function unif(n: number, inseed: number): Vec {
  inseed = Math.abs(inseed);
  if (inseed < 1) inseed = 1;
  let aktseed = inseed;
  const rgrand = new Array<number>(32).fill(0);
  for (let i = 39; i >= 0; i--) {
    const tmp = Math.floor(aktseed / 127773);
    aktseed = 16807 * (aktseed - tmp * 127773) - 2836 * tmp;
    if (aktseed < 0) aktseed += 2147483647;
    if (i < 32) rgrand[i] = aktseed;
  }
  let aktrand = rgrand[0]!;
  const r: Vec = [];
  for (let i = 0; i < n; i++) {
    let tmp = Math.floor(aktseed / 127773);
    aktseed = 16807 * (aktseed - tmp * 127773) - 2836 * tmp;
    if (aktseed < 0) aktseed += 2147483647;
    tmp = Math.floor(aktrand / 67108865);
    aktrand = rgrand[tmp]!;
    rgrand[tmp] = aktseed;
    const v = aktrand / 2.147483647e9;
    r.push(v === 0 ? 1e-99 : v);
  }
  return r;
}

export function gauss(n: number, seed: number): Vec {
  const u = unif(2 * n, seed);
  const g: Vec = [];
  for (let i = 0; i < n; i++) {
    const v = Math.sqrt(-2 * Math.log(u[i]!)) * Math.cos(2 * PI * u[n + i]!);
    g.push(v === 0 ? 1e-99 : v);
  }
  return g;
}

/** d x d orthogonal matrix: Gram-Schmidt on the columns of a Gaussian matrix. */
export function rotation(seed: number, d: number): Mat {
  const g = gauss(d * d, seed);
  const b: Mat = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => g[j * d + i]!));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      let prod = 0;
      for (let k = 0; k < d; k++) prod += b[k]![i]! * b[k]![j]!;
      for (let k = 0; k < d; k++) b[k]![i]! -= prod * b[k]![j]!;
    }
    let prod = 0;
    for (let k = 0; k < d; k++) prod += b[k]![i]! * b[k]![i]!;
    const norm = Math.sqrt(prod);
    for (let k = 0; k < d; k++) b[k]![i]! /= norm;
  }
  return b;
}

export function computeXopt(seed: number, d: number): Vec {
  return unif(d, seed).map((v) => {
    const x = (8 * Math.floor(1e4 * v)) / 1e4 - 4;
    return x === 0 ? -1e-5 : x;
  });
}

export function computeFopt(fn: number, instance: number): number {
  const rseed = fn === 4 ? 3 : fn === 18 ? 17 : fn;
  const rrseed = rseed + 10000 * instance;
  const gval = gauss(1, rrseed)[0]!;
  const gval2 = gauss(1, rrseed + 1)[0]!;
  return Math.min(1000, Math.max(-1000, Math.floor((100 * 100 * gval) / gval2 + 0.5) / 100));
}

// ---- transformations ----

function matVec(m: Mat, x: Vec, b?: Vec): Vec {
  const out: Vec = [];
  for (let i = 0; i < m.length; i++) {
    let s = b === undefined ? 0 : b[i]!;
    const row = m[i]!;
    for (let j = 0; j < x.length; j++) s += x[j]! * row[j]!;
    out.push(s);
  }
  return out;
}

const shift = (x: Vec, offset: Vec): Vec => x.map((v, i) => v - offset[i]!);

function tOsz(x: Vec): Vec {
  return x.map((v) => {
    if (v > 0) {
      const t = Math.log(v) / 0.1;
      return Math.pow(Math.exp(t + 0.49 * (Math.sin(t) + Math.sin(0.79 * t))), 0.1);
    }
    if (v < 0) {
      const t = Math.log(-v) / 0.1;
      return -Math.pow(Math.exp(t + 0.49 * (Math.sin(0.55 * t) + Math.sin(0.31 * t))), 0.1);
    }
    return 0;
  });
}

const objOsz = (y: number): number => (y !== 0 ? tOsz([y])[0]! : y);

function tAsy(x: Vec, beta: number): Vec {
  const d = x.length;
  return x.map((v, i) => (v > 0 ? Math.pow(v, 1 + ((beta * i) / (d - 1)) * Math.sqrt(v)) : v));
}

function conditioning(x: Vec, alpha: number): Vec {
  const d = x.length;
  return x.map((v, i) => Math.pow(alpha, (0.5 * i) / (d - 1)) * v);
}

function brs(x: Vec): Vec {
  const d = x.length;
  return x.map((v, i) => {
    let factor = Math.pow(Math.sqrt(10), i / (d - 1));
    if (v > 0 && i % 2 === 0) factor *= 10;
    return factor * v;
  });
}

function penalty(x: Vec, bound = 5): number {
  let p = 0;
  for (const v of x) {
    const c = Math.abs(v) - bound;
    if (c > 0) p += c * c;
  }
  return p;
}

/** rot1 . diag(base^(k/(d-1))) . rot2, COCO's M for the functions with two rotations. */
function scaledProduct(rot1: Mat, rot2: Mat, base: number): Mat {
  const d = rot1.length;
  return Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => {
      let s = 0;
      for (let k = 0; k < d; k++) s += rot1[i]![k]! * Math.pow(base, k / (d - 1)) * rot2[k]![j]!;
      return s;
    }),
  );
}

const cround = (v: number): number => Math.floor(v + 0.5);
const sumSq = (x: Vec, from = 0): number => {
  let s = 0;
  for (let i = from; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
};

// ---- raw functions ----

function rawEllipsoid(x: Vec): number {
  const d = x.length;
  let r = x[0]! * x[0]!;
  for (let i = 1; i < d; i++) r += Math.pow(1e6, i / (d - 1)) * x[i]! * x[i]!;
  return r;
}

function rawRastrigin(x: Vec): number {
  let s1 = 0;
  let s2 = 0;
  for (const v of x) {
    s1 += Math.cos(2 * PI * v);
    s2 += v * v;
  }
  return 10 * (x.length - s1) + s2;
}

function rawRosenbrock(x: Vec): number {
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length - 1; i++) {
    let t = x[i]! * x[i]! - x[i + 1]!;
    s1 += t * t;
    t = x[i]! - 1;
    s2 += t * t;
  }
  return 100 * s1 + s2;
}

const rawDiscus = (x: Vec): number => 1e6 * x[0]! * x[0]! + sumSq(x, 1);

function rawBentCigar(x: Vec): number {
  let r = x[0]! * x[0]!;
  for (let i = 1; i < x.length; i++) r += 1e6 * x[i]! * x[i]!;
  return r;
}

const rawSharpRidge = (x: Vec): number => 100 * Math.sqrt(sumSq(x, 1)) + x[0]! * x[0]!;

function rawDifferentPowers(x: Vec): number {
  const d = x.length;
  let s = 0;
  for (let i = 0; i < d; i++) s += Math.pow(Math.abs(x[i]!), 2 + (4 * i) / (d - 1));
  return Math.sqrt(s);
}

const W_AK = Array.from({ length: 12 }, (_, k) => Math.pow(0.5, k));
const W_BK = Array.from({ length: 12 }, (_, k) => Math.pow(3, k));
let W_F0 = 0;
for (let k = 0; k < 12; k++) W_F0 += W_AK[k]! * Math.cos(2 * PI * W_BK[k]! * 0.5);

function rawWeierstrass(x: Vec): number {
  let r = 0;
  for (const v of x) for (let k = 0; k < 12; k++) r += Math.cos(2 * PI * (v + 0.5) * W_BK[k]!) * W_AK[k]!;
  return 10 * Math.pow(r / x.length - W_F0, 3);
}

function rawSchaffers(x: Vec): number {
  const d = x.length;
  let r = 0;
  for (let i = 0; i < d - 1; i++) {
    const t = x[i]! * x[i]! + x[i + 1]! * x[i + 1]!;
    r += Math.pow(t, 0.25) * (1 + Math.pow(Math.sin(50 * Math.pow(t, 0.1)), 2));
  }
  return Math.pow(r / (d - 1), 2);
}

function rawGriewankRosenbrock(x: Vec): number {
  const d = x.length;
  let r = 0;
  for (let i = 0; i < d - 1; i++) {
    const c1 = x[i]! * x[i]! - x[i + 1]!;
    const c2 = 1 - x[i]!;
    const t = 100 * c1 * c1 + c2 * c2;
    r += t / 4000 - Math.cos(t);
  }
  return 10 + (10 * r) / (d - 1);
}

function rawSchwefel(x: Vec): number {
  const pen = penalty(x, 500);
  let s = 0;
  for (const v of x) s += v * Math.sin(Math.sqrt(Math.abs(v)));
  return 0.01 * (pen + 418.9828872724339 - s / x.length);
}

function rawKatsuura(x: Vec): number {
  const d = x.length;
  let r = 1;
  for (let i = 0; i < d; i++) {
    let t = 0;
    for (let j = 1; j < 33; j++) {
      const t2 = Math.pow(2, j);
      t += Math.abs(t2 * x[i]! - cround(t2 * x[i]!)) / t2;
    }
    r *= 1 + (i + 1) * t;
  }
  return (10 / d / d) * (-1 + Math.pow(r, 10 / Math.pow(d, 1.2)));
}

// ---- the problems ----

export interface BbobProblem {
  f: number;
  dim: number;
  name: string;
  group: BbobGroup;
  fopt: number;
  /** A point where the function equals fopt. */
  xopt: Vec;
  evaluate: (x: Vec) => number;
}

/** BBOB function f (1..24) in dimension dim, COCO instance `instance` (1 in the suite). */
export function bbobProblem(f: number, dim: number, instance = 1): BbobProblem {
  if (!Number.isInteger(f) || f < 1 || f > 24) throw new Error(`no BBOB function f${f}`);
  const d = dim;
  const rseed = (f === 4 ? 3 : f === 18 ? 17 : f) + 10000 * instance;
  const fopt = computeFopt(f, instance);
  const make = (xopt: Vec, evaluate: (x: Vec) => number): BbobProblem => ({
    f, dim, name: `bbob-f${f}-d${dim}`, group: groupOf(f), fopt, xopt, evaluate,
  });
  switch (f) {
    case 1: {
      const xo = computeXopt(rseed, d);
      return make(xo, (x) => sumSq(shift(x, xo)) + fopt);
    }
    case 2: {
      const xo = computeXopt(rseed, d);
      return make(xo, (x) => rawEllipsoid(tOsz(shift(x, xo))) + fopt);
    }
    case 3: {
      const xo = computeXopt(rseed, d);
      return make(xo, (x) => rawRastrigin(conditioning(tAsy(tOsz(shift(x, xo)), 0.2), 10)) + fopt);
    }
    case 4: {
      const xo = computeXopt(rseed, d).map((v, i) => (i % 2 === 0 ? Math.abs(v) : v));
      return make(xo, (x) => rawRastrigin(brs(tOsz(shift(x, xo)))) + fopt + 100 * penalty(x));
    }
    case 5: {
      const best = computeXopt(rseed, d).map((v) => (v < 0 ? -5 : 5));
      const s = best.map((b, i) => (b > 0 ? 1 : -1) * Math.pow(Math.sqrt(100), i / (d - 1)));
      return make(best, (x) => {
        let r = 0;
        for (let i = 0; i < d; i++) {
          // Beyond the optimum's corner the slope is flat (COCO's boundary handling).
          const xi = x[i]! * best[i]! < 25 ? x[i]! : best[i]!;
          r += 5 * Math.abs(s[i]!) - s[i]! * xi;
        }
        return r + fopt;
      });
    }
    case 6: {
      const xo = computeXopt(rseed, d);
      const m = scaledProduct(rotation(rseed + 1000000, d), rotation(rseed, d), Math.sqrt(10));
      return make(xo, (x) => {
        const z = matVec(m, shift(x, xo));
        let r = 0;
        for (let i = 0; i < d; i++) r += (xo[i]! * z[i]! > 0 ? 100 * 100 : 1) * z[i]! * z[i]!;
        return Math.pow(objOsz(r), 0.9) + fopt;
      });
    }
    case 7: {
      const xo = computeXopt(rseed, d);
      const rot1 = rotation(rseed + 1000000, d);
      const rot2 = rotation(rseed, d);
      return make(xo, (x) => {
        const pen = penalty(x);
        let z: Vec = [];
        for (let i = 0; i < d; i++) {
          const c1 = Math.sqrt(Math.pow(100 / 10, i / (d - 1)));
          let s = 0;
          for (let j = 0; j < d; j++) s += c1 * rot2[i]![j]! * (x[j]! - xo[j]!);
          z.push(s);
        }
        const x1 = z[0]!;
        z = z.map((v) => (Math.abs(v) > 0.5 ? cround(v) : cround(10 * v) / 10));
        const xx = matVec(rot1, z);
        let r = 0;
        for (let i = 0; i < d; i++) r += Math.pow(100, i / (d - 1)) * xx[i]! * xx[i]!;
        return 0.1 * Math.max(Math.abs(x1) * 1e-4, r) + pen + fopt;
      });
    }
    case 8: {
      const xo = computeXopt(rseed, d).map((v) => 0.75 * v);
      const factor = Math.max(1, Math.sqrt(d) / 8);
      return make(xo, (x) => rawRosenbrock(shift(x, xo).map((v) => factor * v + 1)) + fopt);
    }
    case 9: {
      const rot = rotation(rseed, d);
      const factor = Math.max(1, Math.sqrt(d) / 8);
      const m = rot.map((row) => row.map((v) => factor * v));
      const b = new Array<number>(d).fill(0.5);
      const xo = Array.from({ length: d }, (_, j) => {
        let s = 0;
        for (let i = 0; i < d; i++) s += rot[i]![j]!;
        return s / (2 * factor);
      });
      return make(xo, (x) => rawRosenbrock(matVec(m, x, b)) + fopt);
    }
    case 10:
    case 11: {
      const xo = computeXopt(rseed, d);
      const rot = rotation(rseed + 1000000, d);
      const raw = f === 10 ? rawEllipsoid : rawDiscus;
      return make(xo, (x) => raw(tOsz(matVec(rot, shift(x, xo)))) + fopt);
    }
    case 12: {
      const xo = computeXopt(rseed + 1000000, d);
      const rot = rotation(rseed + 1000000, d);
      return make(xo, (x) => rawBentCigar(matVec(rot, tAsy(matVec(rot, shift(x, xo)), 0.5))) + fopt);
    }
    case 13: {
      const xo = computeXopt(rseed, d);
      const m = scaledProduct(rotation(rseed + 1000000, d), rotation(rseed, d), Math.sqrt(10));
      return make(xo, (x) => rawSharpRidge(matVec(m, shift(x, xo))) + fopt);
    }
    case 14: {
      const xo = computeXopt(rseed, d);
      const rot = rotation(rseed + 1000000, d);
      return make(xo, (x) => rawDifferentPowers(matVec(rot, shift(x, xo))) + fopt);
    }
    case 15: {
      const xo = computeXopt(rseed, d);
      const rot1 = rotation(rseed + 1000000, d);
      const m = scaledProduct(rot1, rotation(rseed, d), Math.sqrt(10));
      return make(xo, (x) => rawRastrigin(matVec(m, tAsy(tOsz(matVec(rot1, shift(x, xo))), 0.2))) + fopt);
    }
    case 16: {
      const xo = computeXopt(rseed, d);
      const rot1 = rotation(rseed + 1000000, d);
      const m = scaledProduct(rot1, rotation(rseed, d), 1 / Math.sqrt(100));
      return make(xo, (x) => rawWeierstrass(matVec(m, tOsz(matVec(rot1, shift(x, xo))))) + fopt + (10 / d) * penalty(x));
    }
    case 17:
    case 18: {
      const cond = f === 17 ? 10 : 1000;
      const xo = computeXopt(rseed, d);
      const rot1 = rotation(rseed + 1000000, d);
      const rot2 = rotation(rseed, d);
      const m = rot2.map((row, i) => row.map((v) => v * Math.pow(Math.sqrt(cond), i / (d - 1))));
      return make(xo, (x) => rawSchaffers(matVec(m, tAsy(matVec(rot1, shift(x, xo)), 0.5))) + fopt + 10 * penalty(x));
    }
    case 19: {
      const rot = rotation(rseed, d);
      const scales = Math.max(1, Math.sqrt(d) / 8);
      const m = rot.map((row) => row.map((v) => v * scales));
      const xo = Array.from({ length: d }, (_, j) => {
        let s = 0;
        for (let i = 0; i < d; i++) s += m[i]![j]!;
        return s / (2 * scales);
      });
      return make(xo, (x) => rawGriewankRosenbrock(matVec(m, x).map((v) => v + 0.5)) + fopt);
    }
    case 20: {
      const sign = unif(d, rseed).map((v) => (v - 0.5 < 0 ? -1 : 1));
      const twoAbs = sign.map((s) => 2 * Math.abs(0.5 * 4.2096874637 * s));
      const best = sign.map((s) => 0.5 * 4.2096874633 * s);
      return make(best, (x) => {
        const xs = x.map((v, i) => 2 * (sign[i]! * v));
        let z: Vec = [xs[0]!];
        for (let i = 1; i < d; i++) z.push(xs[i]! + 0.25 * (xs[i - 1]! - twoAbs[i - 1]!));
        z = conditioning(shift(z, twoAbs), 10);
        z = z.map((v, i) => 100 * (v + twoAbs[i]!));
        return rawSchwefel(z) + fopt;
      });
    }
    case 21:
    case 22:
      return gallagher(f === 21 ? 101 : 21, d, rseed, fopt, make);
    case 23: {
      const xo = computeXopt(rseed, d);
      const m = scaledProduct(rotation(rseed + 1000000, d), rotation(rseed, d), Math.sqrt(100));
      return make(xo, (x) => rawKatsuura(matVec(m, shift(x, xo))) + fopt + penalty(x));
    }
    default: {
      // f24, Lunacek bi-Rastrigin.
      const rot1 = rotation(rseed + 1000000, d);
      const rot2 = rotation(rseed, d);
      const mu0 = 2.5;
      const s = 1 - 0.5 / (Math.sqrt(d + 20) - 4.1);
      const mu1 = -Math.sqrt((mu0 * mu0 - 1) / s);
      const xo = gauss(d, rseed).map((v) => (v < 0 ? -0.5 * mu0 : 0.5 * mu0));
      return make(xo, (x) => {
        const pen = penalty(x);
        const xh = x.map((v, i) => (xo[i]! < 0 ? -2 * v : 2 * v));
        const tmp: Vec = [];
        for (let i = 0; i < d; i++) {
          const c1 = Math.pow(Math.sqrt(100), i / (d - 1));
          let t = 0;
          for (let j = 0; j < d; j++) t += c1 * rot2[i]![j]! * (xh[j]! - mu0);
          tmp.push(t);
        }
        const z = matVec(rot1, tmp);
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let i = 0; i < d; i++) {
          s1 += (xh[i]! - mu0) * (xh[i]! - mu0);
          s2 += (xh[i]! - mu1) * (xh[i]! - mu1);
          s3 += Math.cos(2 * PI * z[i]!);
        }
        return Math.min(s1, d + s * s2) + 10 * (d - s3) + 1e4 * pen + fopt;
      });
    }
  }
}

function gallagher(
  peaks: number,
  d: number,
  rseed: number,
  fopt: number,
  make: (xopt: Vec, evaluate: (x: Vec) => number) => BbobProblem,
): BbobProblem {
  const maxcondition = 1000;
  const [maxcondition1, b, c] = peaks === 101 ? [Math.sqrt(maxcondition), 10, 5] : [maxcondition, 9.8, 4.9];
  const rot = rotation(rseed, d);
  const r = unif(peaks - 1, rseed);
  // Sorted by value; COCO's qsort sees distinct values here, so any sort gives the same order.
  const perm = Array.from({ length: peaks - 1 }, (_, i) => i).sort((a, z) => r[a]! - r[z]!);
  const cond = [maxcondition1];
  const peakValues = [10];
  for (let i = 1; i < peaks; i++) {
    cond.push(Math.pow(maxcondition, perm[i - 1]! / (peaks - 2)));
    peakValues.push(((i - 1) / (peaks - 2)) * (9.1 - 1.1) + 1.1);
  }
  const scales: Mat = [];
  for (let i = 0; i < peaks; i++) {
    const ri = unif(d, rseed + 1000 * i);
    const p = Array.from({ length: d }, (_, j) => j).sort((a, z) => ri[a]! - ri[z]!);
    scales.push(p.map((pj) => Math.pow(cond[i]!, pj / (d - 1) - 0.5)));
  }
  const rn = unif(d * peaks, rseed);
  const xopt = Array.from({ length: d }, (_, i) => 0.8 * (b * rn[i]! - c));
  const xLocal: Mat = Array.from({ length: d }, () => new Array<number>(peaks).fill(0));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < peaks; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += rot[i]![k]! * (b * rn[j * d + k]! - c);
      xLocal[i]![j] = j === 0 ? 0.8 * s : s;
    }
  }
  const fac = -0.5 / d;
  return make(xopt, (x) => {
    const pen = penalty(x);
    const tmx = matVec(rot, x);
    let f = 0;
    for (let i = 0; i < peaks; i++) {
      let t2 = 0;
      const sc = scales[i]!;
      for (let j = 0; j < d; j++) {
        const t = tmx[j]! - xLocal[j]![i]!;
        t2 += sc[j]! * t * t;
      }
      f = Math.max(f, peakValues[i]! * Math.exp(fac * t2));
    }
    f = objOsz(10 - f);
    return f * f + pen + fopt;
  });
}

export function suiteProblems(dims: readonly number[] = SUITE_DIMS): BbobProblem[] {
  const out: BbobProblem[] = [];
  for (const d of dims) for (let f = 1; f <= 24; f++) out.push(bbobProblem(f, d));
  return out;
}
