// The polynome2 search space again, for the Python command run (train.py): same names, so the
// command template can use {{units}}, {{activation}} and {{lr}}.
import { Problem } from "spruce-hps";

export const problem = new Problem()
  .add("units", [1, 64])
  .add("activation", ["identity", "relu", "sigmoid", "tanh"])
  .add("lr", [0.0001, 1.0])
  .addStartingPoint({ units: 10, activation: "identity", lr: 0.01 });
