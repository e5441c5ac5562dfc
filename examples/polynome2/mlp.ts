// The network of DeepHyper's polynome2 tutorial, in plain TypeScript, shared by examples/polynome2
// (trained in one go) and examples/asha (trained epoch by epoch, with checkpoints): a one-hidden-
// layer MLP fitting y = -Σ xᵢ² on 10-D data. Deterministic data (seed 2018) and initial weights
// (seed 7), so every evaluation of a point sees the same problem and trains alike.

const DIM = 10;
const N_TRAIN = 1500;
const N_VALID = 500;
const BATCH = 32;

export type Activation = null | "relu" | "sigmoid" | "tanh";

export interface Point {
  units: number;
  activation: Activation;
  lr: number;
}

/** What a checkpoint holds: the weights, the shuffling generator's state and the sample order. */
export interface MlpState {
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number;
  rng: number;
  order: number[];
}

/** mulberry32 step: a tiny seeded generator, enough for data and initial weights. */
function next(state: number): { state: number; value: number } {
  const s = (state + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { state: s, value: ((t ^ (t >>> 14)) >>> 0) / 4294967296 };
}

/** x uniform in [-1, 1]^10, y = -Σx² standardised (the tutorial's data, scaled for plain SGD). */
function loadData(): { x: Float64Array; y: Float64Array } {
  let seed = 2018;
  const r = (): number => {
    const n = next(seed);
    seed = n.state;
    return n.value;
  };
  const n = N_TRAIN + N_VALID;
  const x = new Float64Array(n * DIM);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < DIM; j++) {
      const v = r() * 2 - 1;
      x[i * DIM + j] = v;
      s += v * v;
    }
    y[i] = -s;
  }
  const mean = y.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  for (let i = 0; i < n; i++) y[i] = ((y[i] as number) - mean) / sd;
  return { x, y };
}

function act(kind: Activation, z: number): number {
  switch (kind) {
    case "relu": return z > 0 ? z : 0;
    case "sigmoid": return 1 / (1 + Math.exp(-z));
    case "tanh": return Math.tanh(z);
    default: return z;
  }
}

/** Derivative from the activation's output a (cheaper than from z). */
function dact(kind: Activation, a: number): number {
  switch (kind) {
    case "relu": return a > 0 ? 1 : 0;
    case "sigmoid": return a * (1 - a);
    case "tanh": return 1 - a * a;
    default: return 1;
  }
}

export class Mlp {
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly H: number;
  private rngState = 7;
  private readonly w1: Float64Array;
  private readonly b1: Float64Array;
  private readonly w2: Float64Array;
  private b2 = 0;
  private readonly a: Float64Array;
  private readonly order = Array.from({ length: N_TRAIN }, (_, i) => i);
  /** Epochs trained so far. */
  epoch = 0;

  constructor(private readonly point: Point) {
    ({ x: this.x, y: this.y } = loadData());
    const H = (this.H = point.units);
    this.w1 = Float64Array.from({ length: DIM * H }, () => (this.random() * 2 - 1) * Math.sqrt(6 / (DIM + H)));
    this.b1 = new Float64Array(H);
    this.w2 = Float64Array.from({ length: H }, () => (this.random() * 2 - 1) * Math.sqrt(6 / (H + 1)));
    this.a = new Float64Array(H);
  }

  /** One pass of minibatch SGD over the shuffled training set; throws if the loss diverges. */
  trainEpoch(): void {
    const { x, y, H, w1, b1, w2, a, order } = this;
    const { activation, lr } = this.point;
    const g1 = new Float64Array(DIM * H);
    const gb1 = new Float64Array(H);
    const g2 = new Float64Array(H);
    for (let i = order.length - 1; i > 0; i--) {
      const k = Math.floor(this.random() * (i + 1));
      [order[i], order[k]] = [order[k] as number, order[i] as number];
    }
    let loss = 0;
    for (let start = 0; start < N_TRAIN; start += BATCH) {
      g1.fill(0); gb1.fill(0); g2.fill(0);
      let gb2 = 0;
      const end = Math.min(N_TRAIN, start + BATCH);
      for (let t = start; t < end; t++) {
        const i = order[t] as number;
        const err = this.forward(i) - (y[i] as number);
        loss += err * err;
        gb2 += err;
        for (let h = 0; h < H; h++) {
          g2[h] = (g2[h] as number) + err * (a[h] as number);
          const d = err * (w2[h] as number) * dact(activation, a[h] as number);
          gb1[h] = (gb1[h] as number) + d;
          for (let j = 0; j < DIM; j++) g1[j * H + h] = (g1[j * H + h] as number) + d * (x[i * DIM + j] as number);
        }
      }
      const scale = lr / (end - start);
      for (let k = 0; k < g1.length; k++) w1[k] = (w1[k] as number) - scale * (g1[k] as number);
      for (let h = 0; h < H; h++) {
        b1[h] = (b1[h] as number) - scale * (gb1[h] as number);
        w2[h] = (w2[h] as number) - scale * (g2[h] as number);
      }
      this.b2 -= scale * gb2;
    }
    this.epoch++;
    if (!Number.isFinite(loss)) throw new Error(`training diverged at epoch ${this.epoch} (lr=${lr} is too large for ${activation ?? "identity"})`);
  }

  /** Validation R² = 1 - SS_res / SS_tot. */
  validationR2(): number {
    const { y } = this;
    let ssRes = 0;
    let ssTot = 0;
    let mean = 0;
    for (let i = N_TRAIN; i < N_TRAIN + N_VALID; i++) mean += y[i] as number;
    mean /= N_VALID;
    for (let i = N_TRAIN; i < N_TRAIN + N_VALID; i++) {
      ssRes += (this.forward(i) - (y[i] as number)) ** 2;
      ssTot += ((y[i] as number) - mean) ** 2;
    }
    return 1 - ssRes / ssTot;
  }

  state(): MlpState {
    return { w1: [...this.w1], b1: [...this.b1], w2: [...this.w2], b2: this.b2, rng: this.rngState, order: [...this.order] };
  }

  restore(s: MlpState, epoch: number): void {
    this.w1.set(s.w1);
    this.b1.set(s.b1);
    this.w2.set(s.w2);
    this.b2 = s.b2;
    this.rngState = s.rng;
    this.order.splice(0, this.order.length, ...s.order);
    this.epoch = epoch;
  }

  private random(): number {
    const n = next(this.rngState);
    this.rngState = n.state;
    return n.value;
  }

  private forward(i: number): number {
    const { x, H, w1, b1, w2, a } = this;
    const activation = this.point.activation;
    let out = this.b2;
    for (let h = 0; h < H; h++) {
      let z = b1[h] as number;
      for (let j = 0; j < DIM; j++) z += (x[i * DIM + j] as number) * (w1[j * H + h] as number);
      const v = act(activation, z);
      a[h] = v;
      out += v * (w2[h] as number);
    }
    return out;
  }
}
