// Trains every point of bench/nas's space once and writes the table bench/nas/table.csv:
// arch_seq, lr, the validation R² (empty when training diverged). The network and data are
// examples/polynome2-nas's (net.ts: data seed 2018, initial weights seed 7), with a smaller budget
// than its run (500 training and 500 validation samples, 10 epochs of Adam), so the 4 000 points
// train in about 15 minutes on one core; the table is deterministic.
//
//   nice -n 19 npx tsx bench/nas/make-table.ts [--out bench/nas/table.csv]
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runPoint } from "../../src/nas/sequence.js";
import { allValues, enumeratePoints } from "../../src/space/enumerate.js";
import { Space } from "../../src/space/space.js";
import { GraphNet, loadData } from "../../examples/polynome2-nas/net.js";
import type { DecodedNode } from "../../src/nas/sequence.js";
import { benchProblem } from "./space.js";

export const N_TRAIN = 500;
export const N_VALID = 500;
export const EPOCHS = 10;

const out = process.argv.includes("--out") ? process.argv[process.argv.indexOf("--out") + 1]! : fileURLToPath(new URL("table.csv", import.meta.url));
const spec = benchProblem();
const space = new Space(spec);
const points = enumeratePoints(space, allValues, 100_000)!;
const data = loadData(N_TRAIN + N_VALID);
const lines = ["arch_seq,lr,r2"];
const started = Date.now();
let diverged = 0;
points.forEach((p, i) => {
  const run = runPoint(spec, p) as unknown as { arch_seq: number[]; architecture: DecodedNode[]; lr: number };
  const net = new GraphNet(run.architecture);
  let r2 = "";
  try {
    net.train(data, N_TRAIN, EPOCHS, run.lr);
    const v = net.r2(data, N_TRAIN, N_TRAIN + N_VALID);
    if (Number.isFinite(v)) r2 = v.toFixed(6);
  } catch {
    // A diverged training is a failed evaluation: left empty.
  }
  if (r2 === "") diverged++;
  lines.push(`"${JSON.stringify(run.arch_seq)}",${run.lr},${r2}`);
  if ((i + 1) % 200 === 0) process.stderr.write(`${i + 1}/${points.length} trained, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
});
writeFileSync(out, lines.join("\n") + "\n");
process.stderr.write(`wrote ${points.length} points (${diverged} diverged) to ${out} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
