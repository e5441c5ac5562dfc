// A neural architecture search on DeepHyper's polynome2 regression: three variable nodes, each a
// dense layer (16 or 32 units, relu or tanh) or the identity, with DeepHyper's skip connections
// (a node may also add the output of the two nodes before its input), then a dense output; and
// the learning rate searched with it.
import { NasProblem } from "spruce-hps";

const OPS = [
  { op: "identity" },
  { op: "dense", units: 16, activation: "relu" },
  { op: "dense", units: 16, activation: "tanh" },
  { op: "dense", units: 32, activation: "relu" },
  { op: "dense", units: 32, activation: "tanh" },
];

export const problem = new NasProblem()
  .variable("n1", OPS)
  .variable("n2", OPS, { skips: ["input"] })
  .variable("n3", OPS, { skips: ["input", "n1"] })
  .constant("out", { op: "dense", units: 1 })
  .add("lr", [0.001, 0.03, "log-uniform"])
  .addStartingPoint({ arch_seq: [1, 1, 0, 1, 0, 0], lr: 0.01 });
