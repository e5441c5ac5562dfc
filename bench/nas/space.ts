// The tabular NAS benchmark's space (bench/nas): the architecture of examples/polynome2-nas (three
// variable nodes of 5 operations, 3 skip choices: 1 000 architectures) and its learning rate
// made discrete (4 values), so every point can be trained once beforehand: 4 000 points.
import { NasProblem } from "../../src/problem/nas-problem.js";
import type { ProblemSpec } from "../../src/space/types.js";

const OPS = [
  { op: "identity" },
  { op: "dense", units: 16, activation: "relu" },
  { op: "dense", units: 16, activation: "tanh" },
  { op: "dense", units: 32, activation: "relu" },
  { op: "dense", units: 32, activation: "tanh" },
];

export const LEARNING_RATES = [0.001, 0.003, 0.01, 0.03];

/** The NAS problem the table covers (with the learning rate: agebo's hyperparameter). */
export function benchProblem(): ProblemSpec {
  return new NasProblem()
    .variable("n1", OPS)
    .variable("n2", OPS, { skips: ["input"] })
    .variable("n3", OPS, { skips: ["input", "n1"] })
    .constant("out", { op: "dense", units: 1 })
    .ordinal("lr", LEARNING_RATES)
    .toSpec();
}
