// The polynome2 search space for ASHA (examples/asha/run.ts trains the same network epoch by
// epoch): width, activation (null = identity) and learning rate.
import { Problem } from "spruce-hps";

export const problem = new Problem()
  .add("units", [1, 100])
  .add("activation", [null, "relu", "sigmoid", "tanh"])
  .add("lr", [0.0001, 1.0])
  .addStartingPoint({ units: 10, activation: null, lr: 0.01 });
