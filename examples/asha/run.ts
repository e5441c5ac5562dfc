// polynome2 for ASHA (issue 11): the same one-hidden-layer MLP as examples/polynome2, trained epoch
// by epoch up to ctx.maxLength epochs (--max-length), reporting the validation R² after each one
// with ctx.report. When the searcher answers "stop" the run returns at once. The weights are saved
// in the trial's checkpoint directory after every epoch, so a trial promoted later (ctx.resume)
// continues where it stopped instead of training again from scratch.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const DIM = 10;
const N_TRAIN = 1500;
const N_VALID = 500;
/** Without a searcher that sets ctx.maxLength (e.g. random), train this many epochs (or $EPOCHS). */
const EPOCHS = 40;
const BATCH = 32;

type Activation = null | "relu" | "sigmoid" | "tanh";

interface Point {
  units: number;
  activation: Activation;
  lr: number;
}

/** mulberry32: a tiny seeded generator, enough for data and initial weights. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** x uniform in [-1, 1]^10, y = -Σx² standardised (the tutorial's data, scaled for plain SGD). */
function loadData(): { x: Float64Array; y: Float64Array } {
  const r = rng(2018);
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

interface Context {
  report(step: number, value: number): Promise<"continue" | "stop">;
  maxLength: number | null;
  resume: { step: number; dir: string } | null;
  checkpointDir: string | null;
}

interface Checkpoint {
  epoch: number;
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number;
  rng: number;
  order: number[];
}

export async function run(point: Point, ctx: Context): Promise<number> {
  const { units: H, activation, lr } = point;
  const { x, y } = loadData();
  let rngState = 7;
  const r = (): number => {
    // The same generator as rng(), with its state kept so a checkpoint can carry it.
    rngState = (rngState + 0x6d2b79f5) >>> 0;
    let t = rngState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const w1 = Float64Array.from({ length: DIM * H }, () => (r() * 2 - 1) * Math.sqrt(6 / (DIM + H)));
  const b1 = new Float64Array(H);
  const w2 = Float64Array.from({ length: H }, () => (r() * 2 - 1) * Math.sqrt(6 / (H + 1)));
  let b2 = 0;
  const a = new Float64Array(H);
  const g1 = new Float64Array(DIM * H);
  const gb1 = new Float64Array(H);
  const g2 = new Float64Array(H);
  const order = Array.from({ length: N_TRAIN }, (_, i) => i);

  const forward = (i: number): number => {
    let out = b2;
    for (let h = 0; h < H; h++) {
      let z = b1[h] as number;
      for (let j = 0; j < DIM; j++) z += (x[i * DIM + j] as number) * (w1[j * H + h] as number);
      const v = act(activation, z);
      a[h] = v;
      out += v * (w2[h] as number);
    }
    return out;
  };

  const validationR2 = (): number => {
    // Validation R² = 1 - SS_res / SS_tot.
    let ssRes = 0;
    let ssTot = 0;
    let mean = 0;
    for (let i = N_TRAIN; i < N_TRAIN + N_VALID; i++) mean += y[i] as number;
    mean /= N_VALID;
    for (let i = N_TRAIN; i < N_TRAIN + N_VALID; i++) {
      ssRes += (forward(i) - (y[i] as number)) ** 2;
      ssTot += ((y[i] as number) - mean) ** 2;
    }
    return 1 - ssRes / ssTot;
  };

  const checkpointFile = ctx.checkpointDir ? join(ctx.checkpointDir, "weights.json") : null;
  let firstEpoch = 0;
  if (ctx.resume && checkpointFile && existsSync(checkpointFile)) {
    const c = JSON.parse(readFileSync(checkpointFile, "utf8")) as Checkpoint;
    w1.set(c.w1);
    b1.set(c.b1);
    w2.set(c.w2);
    b2 = c.b2;
    rngState = c.rng;
    order.splice(0, order.length, ...c.order);
    firstEpoch = c.epoch;
  }
  const save = (epoch: number): void => {
    if (!checkpointFile || !ctx.checkpointDir) return;
    mkdirSync(ctx.checkpointDir, { recursive: true });
    const c: Checkpoint = { epoch, w1: [...w1], b1: [...b1], w2: [...w2], b2, rng: rngState, order };
    writeFileSync(`${checkpointFile}.tmp`, JSON.stringify(c));
    renameSync(`${checkpointFile}.tmp`, checkpointFile);
  };

  const epochs = ctx.maxLength ?? Number(process.env.EPOCHS ?? EPOCHS);
  let r2 = validationR2();
  for (let epoch = firstEpoch; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const k = Math.floor(r() * (i + 1));
      [order[i], order[k]] = [order[k] as number, order[i] as number];
    }
    let loss = 0;
    for (let start = 0; start < N_TRAIN; start += BATCH) {
      g1.fill(0); gb1.fill(0); g2.fill(0);
      let gb2 = 0;
      const end = Math.min(N_TRAIN, start + BATCH);
      for (let t = start; t < end; t++) {
        const i = order[t] as number;
        const err = forward(i) - (y[i] as number);
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
      b2 -= scale * gb2;
    }
    if (!Number.isFinite(loss)) throw new Error(`training diverged at epoch ${epoch + 1} (lr=${lr} is too large for ${activation ?? "identity"})`);
    r2 = validationR2();
    save(epoch + 1);
    if ((await ctx.report(epoch + 1, r2)) === "stop") break;
  }
  return r2;
}
