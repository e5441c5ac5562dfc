// bench/asha-launcher: the real thing end to end. examples/asha (the polynome2 MLP,
// trained epoch by epoch, validation R² reported after each) searched by `asha` through the CLI and
// the launcher, then by `random` given the same number of epochs (each of its trials trains the full
// --max-length). Prints, per seed, the epochs each used and the best R² of a fully trained network.
//
//   npm run build && node dist/bench/asha-launcher.js [--seeds 3] [--trials 40] [--max-length 27] [--slots 2]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { getWorkflow, listEvaluations, listProgress, openStore } from "../src/store/index.js";
import { numberArg } from "./args.js";

const ROOT = resolve(import.meta.dirname, "../..");
const CLI = join(ROOT, "dist/src/cli/main.js");

const seeds = numberArg("seeds", 3);
const trials = numberArg("trials", 40);
const maxLength = numberArg("max-length", 27);
const slots = numberArg("slots", 2);

function submit(ws: string, name: string, extra: string[], env: Record<string, string> = {}): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, "--workspace", ws, "submit", "hps", name, "-p", join(ROOT, "examples/asha/problem.ts"),
    "-r", join(ROOT, "examples/asha/run.ts"), "--scheduler", "local", "--evals-per-node", String(slots), "--wait", ...extra],
  { encoding: "utf8", env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

/** Epochs trained (every epoch reports once) and the best R² among networks trained to maxLength. */
async function measure(ws: string, name: string, fullLength: (m: Record<string, unknown> | null) => boolean): Promise<{ epochs: number; best: number }> {
  const store = await openStore({ workspace: ws });
  try {
    const wf = (await getWorkflow(store, name))!;
    const rows = await listEvaluations(store, wf.id, { states: ["DONE"] });
    const full = rows.filter((r) => fullLength(r.metrics));
    return { epochs: (await listProgress(store, wf.id)).length, best: Math.max(...full.map((r) => r.objective ?? -Infinity)) };
  } finally {
    await store.close();
  }
}

console.log(`examples/asha, ${trials} asha trials (standard mode, divisor 3, max length ${maxLength}), ${slots} slots; load average ${loadavg()[0]!.toFixed(2)}`);
console.log("| seed | asha epochs | asha best R² | asha s | random trials | random epochs | random best R² | random s |");
console.log("|---|---|---|---|---|---|---|---|");
for (let seed = 1; seed <= seeds; seed++) {
  const ws = mkdtempSync(join(tmpdir(), "spruce-bench-asha-"));
  try {
    const ashaSeconds = submit(ws, "asha", ["--searcher", "asha", "--max-length", String(maxLength), "--divisor", "3", "--max-evals", String(trials), "--seed", String(seed)]);
    const asha = await measure(ws, "asha", (m) => Number(m?.length) === maxLength);
    // Random gets the same epochs: as many full trainings as fit in them.
    const randomTrials = Math.max(1, Math.floor(asha.epochs / maxLength));
    const randomSeconds = submit(ws, "random", ["--searcher", "random", "--max-evals", String(randomTrials), "--seed", String(seed)], { EPOCHS: String(maxLength) });
    const random = await measure(ws, "random", () => true);
    console.log(`| ${seed} | ${asha.epochs} | ${asha.best.toFixed(4)} | ${ashaSeconds.toFixed(0)} | ${randomTrials} | ${random.epochs} | ${random.best.toFixed(4)} | ${randomSeconds.toFixed(0)} |`);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}
