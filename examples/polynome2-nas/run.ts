// The NAS run of polynome2: build the network the point's decoded architecture describes
// (./net.ts), train it 20 epochs with Adam at the point's learning rate, return the validation R².
import type { DecodedNode } from "spruce-hps";
import { GraphNet, loadData } from "./net.js";

const N_TRAIN = 1000;
const N_VALID = 500;
const EPOCHS = Number(process.env.EPOCHS ?? 20);

export interface Point {
  arch_seq: number[];
  architecture: DecodedNode[];
  lr: number;
}

export function run(point: Point): number {
  const data = loadData(N_TRAIN + N_VALID);
  const net = new GraphNet(point.architecture);
  net.train(data, N_TRAIN, EPOCHS, point.lr);
  return net.r2(data, N_TRAIN, N_TRAIN + N_VALID);
}
