// A stand-in for training the model the point describes: a score that depends on the model's own
// hyperparameters. It first checks what Spruce promises: the point holds exactly the active
// hyperparameters (no value for an inactive one) and nothing forbidden; otherwise it throws, and
// the evaluation fails with that message.
import { Space, type Point } from "spruce-hps";
import { problem } from "./problem.js";

const space = new Space(problem.toSpec());

export function run(point: Point): number {
  const wrong = space.contains(point);
  if (wrong !== null) throw new Error(`the point is not one of the space: ${wrong}`);
  const expected = space.activeNames(point);
  if (Object.keys(point).join(",") !== expected.join(",")) {
    throw new Error(`the point has ${Object.keys(point).join(", ")}; its active hyperparameters are ${expected.join(", ")}`);
  }
  const lr = point.lr === undefined ? 0 : Math.log10(point.lr as number) + 2.5; // best near 3e-3
  switch (point.model) {
    case "linear":
      return 0.6 - 0.05 * lr * lr;
    case "tree":
      return 0.7 - 0.004 * ((point.depth as number) - 7) ** 2;
    default: {
      const width = Math.log2(point.units as number) - 6; // best at 64 units
      const dropout = point.dropout === undefined ? 0.2 : Math.abs((point.dropout as number) - 0.2);
      return 0.8 + 0.03 * (point.layers as number) - 0.02 * width * width - 0.05 * lr * lr - 0.2 * dropout;
    }
  }
}
