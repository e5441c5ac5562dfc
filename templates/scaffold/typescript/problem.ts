// The search space of the {{name}} problem (DeepHyper's polynome2 tutorial): the width, activation
// and learning rate of a one-hidden-layer network, and a starting point the search tries first.
// Check it with `spruce problem show {{dir}}/problem.ts`.
import type { ProblemSpec } from "spruce-hps";

export const problem: ProblemSpec = {
  hyperparameters: [
    { type: "int", name: "units", low: 1, high: 100, log: false },
    { type: "categorical", name: "activation", values: [null, "relu", "sigmoid", "tanh"] },
    { type: "float", name: "lr", low: 0.0001, high: 1.0, log: true },
  ],
  startingPoints: [{ units: 10, activation: "relu", lr: 0.01 }],
};
