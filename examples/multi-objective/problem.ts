// Two objectives that pull against each other: a model's accuracy (to maximize) and its latency
// in milliseconds (to minimize). Bigger, deeper models are more accurate and slower; the search
// maps the trade-off, the Pareto front, instead of one best point. The reference point of the
// hypervolume is declared: accuracy 0.5, latency 100 ms.
import { Problem } from "spruce-hps";

export const problem = new Problem()
  .add("width", [8, 512, "log-uniform"])
  .add("depth", [1, 8])
  .add("precision", ["fp32", "fp16", "int8"])
  .add("lr", [1e-4, 1e-1, "log-uniform"])
  .addObjective("accuracy", "max", { reference: 0.5 })
  .addObjective("latency", "min", { reference: 100 });
