// DeepHyper's polynome2 run, in plain TypeScript: train the one-hidden-layer MLP of ./mlp.ts (the
// point's units, activation, lr) for 40 epochs and return the validation R².
import { Mlp, type Point } from "./mlp.js";

const EPOCHS = 40;

export function run(point: Point): number {
  const net = new Mlp(point);
  while (net.epoch < EPOCHS) net.trainEpoch();
  return net.validationR2();
}
