// A stand-in for training and timing a model: accuracy grows with width and depth (and a learning
// rate near 3e-3), latency grows with them too and shrinks with lower precision. The run returns
// both objectives by name; a command would print `objective: <accuracy>, <latency>`.
import type { Point } from "spruce-hps";

const SPEED: Record<string, number> = { fp32: 1, fp16: 0.6, int8: 0.35 };
const LOSS: Record<string, number> = { fp32: 0, fp16: 0.005, int8: 0.03 };

export function run(point: Point): { objectives: { accuracy: number; latency: number } } {
  const width = point.width as number;
  const depth = point.depth as number;
  const lr = Math.log10(point.lr as number) + 2.5;
  const capacity = Math.log2(width) * Math.sqrt(depth);
  const accuracy = 0.98 - 0.45 * Math.exp(-capacity / 6) - 0.02 * lr * lr - LOSS[point.precision as string]!;
  const latency = 2 + 0.05 * width * depth * SPEED[point.precision as string]!;
  return { objectives: { accuracy, latency } };
}
