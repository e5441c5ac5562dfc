// polynome2 for ASHA: the MLP of examples/polynome2/mlp.ts, trained epoch by epoch up to
// ctx.maxLength epochs (--max-length), reporting the validation R² after each one with ctx.report.
// When the searcher answers "stop" the run returns at once. The network is saved in the trial's
// checkpoint directory after every epoch, so a trial promoted later (ctx.resume) continues where it
// stopped instead of training again from scratch.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Mlp, type MlpState, type Point } from "../polynome2/mlp.js";

/** Without a searcher that sets ctx.maxLength (e.g. random), train this many epochs (or $EPOCHS). */
const EPOCHS = 40;

interface Context {
  report(step: number, value: number): Promise<"continue" | "stop">;
  maxLength: number | null;
  resume: { step: number; dir: string } | null;
  checkpointDir: string | null;
}

export async function run(point: Point, ctx: Context): Promise<number> {
  const net = new Mlp(point);
  const checkpoint = ctx.checkpointDir ? join(ctx.checkpointDir, "weights.json") : null;
  if (ctx.resume && checkpoint && existsSync(checkpoint)) {
    const saved = JSON.parse(readFileSync(checkpoint, "utf8")) as { epoch: number; state: MlpState };
    net.restore(saved.state, saved.epoch);
  }
  const epochs = ctx.maxLength ?? Number(process.env.EPOCHS ?? EPOCHS);
  let r2 = net.validationR2();
  while (net.epoch < epochs) {
    net.trainEpoch();
    r2 = net.validationR2();
    if (checkpoint && ctx.checkpointDir) {
      mkdirSync(ctx.checkpointDir, { recursive: true });
      writeFileSync(`${checkpoint}.tmp`, JSON.stringify({ epoch: net.epoch, state: net.state() }));
      renameSync(`${checkpoint}.tmp`, checkpoint);
    }
    if ((await ctx.report(net.epoch, r2)) === "stop") break;
  }
  return r2;
}
