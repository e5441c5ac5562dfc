// The run of the {{name}} problem: trains a one-hidden-layer network with the point's units,
// activation and learning rate on loadData's data, and returns its validation R² (the search
// maximizes it). In your project, train your own model here and return its score.
import type { Point } from "spruce-hps";
import { loadData, seeded } from "./load_data.js";

const EPOCHS = 10;

type Activation = [(z: number) => number, (z: number, a: number) => number];
const ACTIVATIONS: Record<string, Activation> = {
  null: [(z) => z, () => 1],
  relu: [(z) => (z > 0 ? z : 0), (z) => (z > 0 ? 1 : 0)],
  sigmoid: [(z) => 1 / (1 + Math.exp(-Math.max(-60, Math.min(60, z)))), (_z, a) => a * (1 - a)],
  tanh: [Math.tanh, (_z, a) => 1 - a * a],
};

export function run(point: Point): number {
  const { train, valid } = loadData();
  const units = point.units as number;
  const lr = point.lr as number;
  const [act, dact] = ACTIVATIONS[String(point.activation)]!;
  const random = seeded(42);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const dim = train.x[0]!.length;
  const w1 = Array.from({ length: units }, () => Array.from({ length: dim }, () => gauss() / Math.sqrt(dim)));
  const b1 = new Array<number>(units).fill(0);
  const w2 = Array.from({ length: units }, () => gauss() / Math.sqrt(units));
  let b2 = 0;
  const z = new Array<number>(units);
  const a = new Array<number>(units);
  const forward = (x: number[]): number => {
    let out = b2;
    for (let j = 0; j < units; j++) {
      let s = b1[j]!;
      for (let k = 0; k < dim; k++) s += w1[j]![k]! * x[k]!;
      z[j] = s;
      a[j] = act(s);
      out += w2[j]! * a[j]!;
    }
    return out;
  };

  const order = train.x.map((_, i) => i);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order) {
      const x = train.x[i]!;
      const out = forward(x);
      // The error is divided by the squared size of the gradient (normalised LMS): a large
      // learning rate on a wide layer then converges slowly instead of diverging.
      const scale = 1 + a.reduce((s, v) => s + v * v, 0) + w2.reduce((s, w) => s + w * w, 0) * x.reduce((s, v) => s + v * v, 0);
      const g = (out - train.y[i]!) / scale;
      for (let j = 0; j < units; j++) {
        const gj = g * w2[j]! * dact(z[j]!, a[j]!);
        w2[j]! -= lr * g * a[j]!;
        b1[j]! -= lr * gj;
        for (let k = 0; k < dim; k++) w1[j]![k]! -= lr * gj * x[k]!;
      }
      b2 -= lr * g;
    }
  }

  const mean = valid.y.reduce((s, y) => s + y, 0) / valid.y.length;
  let residual = 0;
  let total = 0;
  valid.x.forEach((x, i) => {
    residual += (forward(x) - valid.y[i]!) ** 2;
    total += (valid.y[i]! - mean) ** 2;
  });
  return 1 - residual / total;
}
