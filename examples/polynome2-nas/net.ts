// The polynome2 network grown into an architecture (plain TypeScript, no framework): the decoded
// architecture a NAS run gets is a list of nodes, each a dense layer or the identity applied to
// its first input, plus its skip connections added after it (projected to its width by a learnt
// linear map when the widths differ, as DeepHyper's AddByProjecting does). Trained with Adam on
// the data of examples/polynome2/mlp.ts (y = -Σ xᵢ² on 10-D, seed 2018), initial weights from a
// fixed seed, so every evaluation of an architecture trains alike.
import type { DecodedNode, JsonValue } from "spruce-hps";

const DIM = 10;
const BATCH = 32;

export type Activation = "relu" | "tanh" | "sigmoid" | null;

/** What the nodes' operations may be: {op: "identity"} or {op: "dense", units, activation?}. */
type Op = { op: "identity" } | { op: "dense"; units: number; activation?: Activation };

/** mulberry32 step, as mlp.ts. */
function next(state: number): { state: number; value: number } {
  const s = (state + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { state: s, value: ((t ^ (t >>> 14)) >>> 0) / 4294967296 };
}

/** x uniform in [-1, 1]^10, y = -Σx² standardised: mlp.ts's data. */
export function loadData(n: number): { x: Float64Array; y: Float64Array } {
  let seed = 2018;
  const x = new Float64Array(n * DIM);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < DIM; j++) {
      const r = next(seed);
      seed = r.state;
      const v = r.value * 2 - 1;
      x[i * DIM + j] = v;
      s += v * v;
    }
    y[i] = -s;
  }
  const mean = y.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  for (let i = 0; i < n; i++) y[i] = (y[i]! - mean) / sd;
  return { x, y };
}

function act(kind: Activation | undefined, z: number): number {
  switch (kind) {
    case "relu": return z > 0 ? z : 0;
    case "tanh": return Math.tanh(z);
    case "sigmoid": return 1 / (1 + Math.exp(-z));
    default: return z;
  }
}

function dact(kind: Activation | undefined, a: number): number {
  switch (kind) {
    case "relu": return a > 0 ? 1 : 0;
    case "tanh": return 1 - a * a;
    case "sigmoid": return a * (1 - a);
    default: return 1;
  }
}

/** A weight matrix with Adam's moments. */
class Param {
  readonly w: Float64Array;
  readonly g: Float64Array;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  constructor(n: number, init: () => number) {
    this.w = Float64Array.from({ length: n }, init);
    this.g = new Float64Array(n);
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
  }
  step(lr: number, t: number, scale: number): void {
    const b1 = 0.9, b2 = 0.999;
    const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
    for (let k = 0; k < this.w.length; k++) {
      const g = this.g[k]! * scale;
      this.m[k] = b1 * this.m[k]! + (1 - b1) * g;
      this.v[k] = b2 * this.v[k]! + (1 - b2) * g * g;
      this.w[k] = this.w[k]! - (lr * (this.m[k]! / c1)) / (Math.sqrt(this.v[k]! / c2) + 1e-8);
    }
    this.g.fill(0);
  }
}

interface Layer {
  name: string;
  op: Op;
  input: number;
  width: number;
  inWidth: number;
  W: Param | null;
  b: Param | null;
  /** Skip connections: the node index and its projection (null when the widths match). */
  skips: { from: number; P: Param | null; fromWidth: number }[];
  /** A dense layer's own activation for the current sample, before the skips are added (for the backward pass). */
  own: Float64Array;
}

function asOp(op: JsonValue, name: string): Op {
  const o = op as { op?: string; units?: number; activation?: Activation };
  if (o && o.op === "identity") return { op: "identity" };
  if (o && o.op === "dense" && Number.isInteger(o.units) && o.units! > 0) return { op: "dense", units: o.units!, activation: o.activation ?? null };
  throw new Error(`node '${name}': unknown operation ${JSON.stringify(op)} (this network knows identity and dense)`);
}

export class GraphNet {
  private readonly layers: Layer[] = [];
  private readonly widths: number[] = [DIM];
  private rng = 7;
  private t = 0;

  constructor(architecture: readonly DecodedNode[]) {
    const index = new Map<string, number>([[architecture[0]!.name, 0]]);
    for (const node of architecture.slice(1)) {
      const op = asOp(node.op, node.name);
      const input = index.get(node.inputs[0]!)!;
      const inWidth = this.widths[input]!;
      const width = op.op === "dense" ? op.units : inWidth;
      const glorot = (fanIn: number, fanOut: number) => () => (this.random() * 2 - 1) * Math.sqrt(6 / (fanIn + fanOut));
      const skips = node.inputs.slice(1).map((s) => {
        const from = index.get(s)!;
        const fromWidth = this.widths[from]!;
        return { from, fromWidth, P: fromWidth === width ? null : new Param(fromWidth * width, glorot(fromWidth, width)) };
      });
      this.layers.push({
        name: node.name,
        op,
        input,
        width,
        inWidth,
        W: op.op === "dense" ? new Param(inWidth * width, glorot(inWidth, width)) : null,
        b: op.op === "dense" ? new Param(width, () => 0) : null,
        skips,
        own: new Float64Array(width),
      });
      index.set(node.name, this.widths.length);
      this.widths.push(width);
    }
    if (this.widths[this.widths.length - 1] !== 1) throw new Error(`the last node must output one value (it outputs ${this.widths[this.widths.length - 1]})`);
  }

  /** Trains `epochs` epochs of minibatch Adam on the first nTrain samples; returns the validation R² on the rest (throws if training diverged). */
  train(data: { x: Float64Array; y: Float64Array }, nTrain: number, epochs: number, lr: number, onEpoch?: (epoch: number) => void): void {
    const order = Array.from({ length: nTrain }, (_, i) => i);
    const acts = this.widths.map((w) => new Float64Array(w));
    const grads = this.widths.map((w) => new Float64Array(w));
    for (let epoch = 1; epoch <= epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const k = Math.floor(this.random() * (i + 1));
        [order[i], order[k]] = [order[k]!, order[i]!];
      }
      let loss = 0;
      for (let start = 0; start < nTrain; start += BATCH) {
        const end = Math.min(nTrain, start + BATCH);
        for (let s = start; s < end; s++) {
          const i = order[s]!;
          const out = this.forward(data.x, i, acts);
          const err = out - data.y[i]!;
          loss += err * err;
          this.backward(acts, grads, err);
        }
        this.t++;
        const scale = 1 / (end - start);
        for (const l of this.layers) {
          l.W?.step(lr, this.t, scale);
          l.b?.step(lr, this.t, scale);
          for (const s of l.skips) s.P?.step(lr, this.t, scale);
        }
      }
      if (!Number.isFinite(loss)) throw new Error(`training diverged at epoch ${epoch} (lr=${lr})`);
      onEpoch?.(epoch);
    }
  }

  /** R² = 1 - SS_res / SS_tot over samples [from, to). */
  r2(data: { x: Float64Array; y: Float64Array }, from: number, to: number): number {
    const acts = this.widths.map((w) => new Float64Array(w));
    let mean = 0;
    for (let i = from; i < to; i++) mean += data.y[i]!;
    mean /= to - from;
    let ssRes = 0;
    let ssTot = 0;
    for (let i = from; i < to; i++) {
      ssRes += (this.forward(data.x, i, acts) - data.y[i]!) ** 2;
      ssTot += (data.y[i]! - mean) ** 2;
    }
    return 1 - ssRes / ssTot;
  }

  private forward(x: Float64Array, i: number, acts: Float64Array[]): number {
    acts[0]!.set(x.subarray(i * DIM, i * DIM + DIM));
    this.layers.forEach((l, n) => {
      const a = acts[n + 1]!;
      const inp = acts[l.input]!;
      if (l.op.op === "dense") {
        const W = l.W!.w, b = l.b!.w, kind = l.op.activation, own = l.own;
        for (let o = 0; o < l.width; o++) {
          let z = b[o]!;
          for (let j = 0; j < l.inWidth; j++) z += W[j * l.width + o]! * inp[j]!;
          own[o] = act(kind, z);
        }
        a.set(own);
      } else a.set(inp);
      for (const s of l.skips) addInto(a, acts[s.from]!, s.P, s.fromWidth, l.width);
    });
    return acts[acts.length - 1]![0]!;
  }

  private backward(acts: Float64Array[], grads: Float64Array[], err: number): void {
    for (const g of grads) g.fill(0);
    grads[grads.length - 1]![0] = err;
    for (let n = this.layers.length - 1; n >= 0; n--) {
      const l = this.layers[n]!;
      const dh = grads[n + 1]!;
      for (const s of l.skips) {
        const from = acts[s.from]!, dfrom = grads[s.from]!;
        if (!s.P) {
          for (let o = 0; o < l.width; o++) dfrom[o] = dfrom[o]! + dh[o]!;
          continue;
        }
        const P = s.P.w, gP = s.P.g;
        for (let j = 0; j < s.fromWidth; j++) {
          let d = 0;
          for (let o = 0; o < l.width; o++) {
            gP[j * l.width + o] = gP[j * l.width + o]! + dh[o]! * from[j]!;
            d += P[j * l.width + o]! * dh[o]!;
          }
          dfrom[j] = dfrom[j]! + d;
        }
      }
      const dinp = grads[l.input]!;
      if (l.op.op !== "dense") {
        for (let j = 0; j < l.width; j++) dinp[j] = dinp[j]! + dh[j]!;
        continue;
      }
      const a = l.own;
      const inp = acts[l.input]!, W = l.W!.w, gW = l.W!.g, gb = l.b!.g, kind = l.op.activation;
      for (let o = 0; o < l.width; o++) {
        const dz = dh[o]! * dact(kind, a[o]!);
        gb[o] = gb[o]! + dz;
        for (let j = 0; j < l.inWidth; j++) {
          gW[j * l.width + o] = gW[j * l.width + o]! + dz * inp[j]!;
          dinp[j] = dinp[j]! + W[j * l.width + o]! * dz;
        }
      }
    }
  }

  private random(): number {
    const r = next(this.rng);
    this.rng = r.state;
    return r.value;
  }
}

/** a += P·from (from as is when P is null: same width). */
function addInto(a: Float64Array, from: Float64Array, P: Param | null, fromWidth: number, width: number): void {
  if (!P) {
    for (let o = 0; o < width; o++) a[o] = a[o]! + from[o]!;
    return;
  }
  const w = P.w;
  for (let j = 0; j < fromWidth; j++) {
    const f = from[j]!;
    for (let o = 0; o < width; o++) a[o] = a[o]! + w[j * width + o]! * f;
  }
}
