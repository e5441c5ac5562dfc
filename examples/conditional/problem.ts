// A search over three kinds of model, each with its own hyperparameters: conditions make `lr`,
// `depth`, `layers`, `units` and `dropout` exist only where they mean something (dropout only in an
// MLP of more than one layer: a condition on a conditional parent), a forbidden clause rules out
// wide four-layer MLPs, and the one objective is declared with its direction.
import { Problem } from "spruce-hps";

export const problem = new Problem()
  .add("model", ["linear", "tree", "mlp"])
  .add("lr", [1e-4, 1e-1, "log-uniform"], { when: { parent: "model", in: ["linear", "mlp"] } })
  .add("depth", [1, 12], { when: { parent: "model", equals: "tree" } })
  .add("layers", [1, 4], { when: { parent: "model", equals: "mlp" } })
  .add("units", [16, 32, 64, 128, 256], { when: { parent: "model", equals: "mlp" } })
  .add("dropout", [0.0, 0.5], { when: { parent: "layers", greaterThan: 1 } })
  .addForbidden({ layers: 4, units: { in: [128, 256] } })
  .addObjective("score", "max")
  .addStartingPoint({ model: "tree", depth: 4 });
