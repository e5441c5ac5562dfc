// The search space of DeepHyper's polynome2 tutorial: a one-hidden-layer network's width,
// activation (None = identity, as in the tutorial) and learning rate, with its starting point.
import { Problem } from "spruce-hps";

export const problem = new Problem()
  .add("units", [1, 100])
  .add("activation", [null, "relu", "sigmoid", "tanh"])
  .add("lr", [0.0001, 1.0])
  .addStartingPoint({ units: 10, activation: null, lr: 0.01 });
