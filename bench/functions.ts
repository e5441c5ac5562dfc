// The functions bench/search measures on, as problem specs plus objectives to minimise; regret is the
// best value found minus `optimum`.
import type { Point, ProblemSpec } from "../src/space/types.js";

export interface BenchFunction {
  name: string;
  spec: ProblemSpec;
  objective: (p: Point) => number;
  optimum: number;
}

const float = (name: string, low: number, high: number, log = false) => ({ type: "float" as const, name, low, high, log });

export const branin: BenchFunction = {
  name: "branin",
  spec: { hyperparameters: [float("x0", -5, 10), float("x1", 0, 15)], startingPoints: [] },
  optimum: 0.397887,
  objective: (p) => {
    const x = p.x0 as number;
    const y = p.x1 as number;
    const b = 5.1 / (4 * Math.PI * Math.PI);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - t) * Math.cos(x) + 10;
  },
};

const H6_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((v) => v * 1e-4));

export const hartmann6: BenchFunction = {
  name: "hartmann6",
  spec: { hyperparameters: Array.from({ length: 6 }, (_, i) => float(`x${i}`, 0, 1)), startingPoints: [] },
  optimum: -3.322368,
  objective: (p) => {
    let sum = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += H6_A[i]![j]! * ((p[`x${j}`] as number) - H6_P[i]![j]!) ** 2;
      sum += H6_ALPHA[i]! * Math.exp(-inner);
    }
    return -sum;
  },
};

export const ackley5: BenchFunction = {
  name: "ackley5",
  spec: { hyperparameters: Array.from({ length: 5 }, (_, i) => float(`x${i}`, -32.768, 32.768)), startingPoints: [] },
  optimum: 0,
  objective: (p) => {
    let sq = 0;
    let cos = 0;
    for (let i = 0; i < 5; i++) {
      const x = p[`x${i}`] as number;
      sq += x * x;
      cos += Math.cos(2 * Math.PI * x);
    }
    return -20 * Math.exp(-0.2 * Math.sqrt(sq / 5)) - Math.exp(cos / 5) + 20 + Math.E;
  },
};

const ACTIVATION_PENALTY: Record<string, number> = { identity: 0.5, relu: 0, sigmoid: 0.9, tanh: 0.2 };

/** A small neural-network-like space: a log-scaled rate, an int width and a categorical choice. */
export const mixed3: BenchFunction = {
  name: "mixed3",
  spec: {
    hyperparameters: [
      { type: "float", name: "lr", low: 1e-4, high: 1, log: true },
      { type: "int", name: "units", low: 1, high: 100, log: false },
      { type: "categorical", name: "activation", values: Object.keys(ACTIVATION_PENALTY) },
    ],
    startingPoints: [],
  },
  optimum: 0,
  objective: (p) =>
    (Math.log10(p.lr as number) + 3) ** 2 +
    (((p.units as number) - 40) / 25) ** 2 +
    ACTIVATION_PENALTY[p.activation as string]!,
};

/**
 * A conditional space: a choice of method, each with its own parameters (gamma only for an rbf
 * svm, dropout only for an MLP of more than one layer), an error to minimise; the best is an MLP
 * of 3 layers, lr 1e-3, dropout 0.2 (error 0.08). bench/optuna_ref.py writes it define-by-run.
 */
export const conditional: BenchFunction = {
  name: "conditional",
  spec: {
    hyperparameters: [
      { type: "categorical", name: "method", values: ["svm", "forest", "mlp"] },
      { type: "float", name: "C", low: 1e-3, high: 1e3, log: true },
      { type: "categorical", name: "kernel", values: ["rbf", "linear"] },
      { type: "float", name: "gamma", low: 1e-4, high: 1, log: true },
      { type: "int", name: "depth", low: 1, high: 30, log: false },
      { type: "int", name: "min_leaf", low: 1, high: 20, log: false },
      { type: "float", name: "lr", low: 1e-5, high: 1e-1, log: true },
      { type: "int", name: "layers", low: 1, high: 4, log: false },
      { type: "float", name: "dropout", low: 0, high: 0.5, log: false },
    ],
    startingPoints: [],
    conditions: [
      { child: "C", when: { op: "eq", parent: "method", value: "svm" } },
      { child: "kernel", when: { op: "eq", parent: "method", value: "svm" } },
      { child: "gamma", when: { op: "eq", parent: "kernel", value: "rbf" } },
      { child: "depth", when: { op: "eq", parent: "method", value: "forest" } },
      { child: "min_leaf", when: { op: "eq", parent: "method", value: "forest" } },
      { child: "lr", when: { op: "eq", parent: "method", value: "mlp" } },
      { child: "layers", when: { op: "eq", parent: "method", value: "mlp" } },
      { child: "dropout", when: { op: "gt", parent: "layers", value: 1 } },
    ],
  },
  optimum: 0.08,
  objective: (p) => {
    if (p.method === "svm") {
      const error = 0.15 + 0.02 * (Math.log10(p.C as number) - 1) ** 2;
      return p.kernel === "rbf" ? error + 0.02 * (Math.log10(p.gamma as number) + 2) ** 2 : error + 0.05;
    }
    if (p.method === "forest") return 0.12 + 0.0005 * ((p.depth as number) - 12) ** 2 + 0.001 * ((p.min_leaf as number) - 3) ** 2;
    const error = 0.08 + 0.03 * (Math.log10(p.lr as number) + 3) ** 2 + 0.02 * ((p.layers as number) - 3) ** 2;
    return (p.layers as number) > 1 ? error + 0.3 * ((p.dropout as number) - 0.2) ** 2 : error + 0.06;
  },
};

export const BENCH_FUNCTIONS: readonly BenchFunction[] = [branin, hartmann6, ackley5, mixed3, conditional];
