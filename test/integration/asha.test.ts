// ASHA through the built CLI: trials report per step, weak ones are stopped early, the
// best configuration of a synthetic problem whose answer is known still trains to the end.
// Module runs answer ctx.report; command runs print `report:` lines and are SIGTERMed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, spruce, spruceAsync, tempWorkspace } from "../helpers/cli.js";
import { countEvaluations, listEvaluations, listEvents, listLaunchers, listProgress, openStore, getWorkflow } from "../../src/store/index.js";
import type { EvaluationRow } from "../../src/store/types.js";

const ws = tempWorkspace("spruce-asha-");
let failures = 0;
afterAll(() => {
  if (failures === 0) ws.cleanup();
});

/** Steps each row really trained (the runs append one line per step to steps.txt). */
function stepsTrained(workflow: string): Map<number, number[]> {
  const evals = join(ws.dir, "data", workflow, "evals");
  const out = new Map<number, number[]>();
  for (const id of readdirSync(evals)) {
    const file = join(evals, id, "steps.txt");
    out.set(Number(id), existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map(Number) : []);
  }
  return out;
}

async function rowsOf(workflow: string): Promise<{ rows: EvaluationRow[]; reports: number }> {
  const store = await openStore({ workspace: ws.dir });
  try {
    const wf = (await getWorkflow(store, workflow))!;
    return { rows: await listEvaluations(store, wf.id), reports: (await listProgress(store, wf.id)).length };
  } finally {
    await store.close();
  }
}

function best(rows: EvaluationRow[]): EvaluationRow {
  return rows.filter((r) => r.state === "DONE").sort((a, b) => (b.objective ?? 0) - (a.objective ?? 0))[0]!;
}

describe("asha searcher", () => {
  it("stops weak trials early and trains the best configuration to the end (run module, promotions)", async () => {
    try {
      // 20 configurations, 20 trials: every configuration is tried, so the answer must be found.
      const r = spruce(["--workspace", ws.dir, "submit", "hps", "mod", "--hp", "x=0:9", "y=a,b",
        "-r", join(ROOT, "test/fixtures/runs/curve.mjs"), "--searcher", "asha", "--max-length", "27", "--divisor", "3",
        "--mode", "aggressive", "--max-evals", "20", "--evals-per-node", "2", "--scheduler", "local", "--seed", "3", "--wait"]);
      expect(r.code, r.stderr).toBe(0);
      const { rows, reports } = await rowsOf("mod");
      const trials = new Set(rows.map((row) => row.fidelity?.trial));
      expect(trials.size, JSON.stringify(rows.map((x) => [x.id, x.fidelity]))).toBe(20);
      // --wait counts trials, not rows (promoted trials add rows).
      expect(r.stderr).toMatch(/^20\/20 trials run, 0 failed, 0 running, best /m);
      expect(rows.every((row) => row.state === "DONE")).toBe(true);
      const steps = stepsTrained("mod");
      const total = [...steps.values()].reduce((n, s) => n + s.length, 0);
      // Early stopping: well below every trial trained to max length (20 x 27 = 540).
      expect(total).toBeLessThan(270);
      // Every step trained was reported and stored.
      expect(reports).toBe(total);
      const top = best(rows);
      expect(top.point).toEqual({ x: 7, y: "b" });
      expect(top.metrics).toMatchObject({ length: 27 });
      expect(top.objective).toBeCloseTo(1 - Math.exp(-27 / 4), 6);
      // Rungs 3, 9, 27: every trial reached rung 0, few went further.
      const reached = new Map<number, number>();
      for (const row of rows) reached.set(row.fidelity!.trial, Math.max(reached.get(row.fidelity!.trial) ?? 0, Number(row.metrics?.length)));
      expect([...reached.values()].every((n) => n >= 3)).toBe(true);
      expect([...reached.values()].filter((n) => n === 27).length).toBeLessThanOrEqual(4);
      // Promoted trials resumed from their checkpoint: a row with from_length > 0 trains only the steps after it.
      for (const row of rows.filter((x) => x.fidelity!.fromLength > 0)) {
        expect(Math.min(...steps.get(row.id)!)).toBe(row.fidelity!.fromLength + 1);
      }
    } catch (e) {
      failures++;
      throw e;
    }
  });

  it("stops command runs with SIGTERM at a rung (stop-once, trials from AMBS) and records what they reported", async () => {
    try {
      const r = spruce(["--workspace", ws.dir, "submit", "hps", "cmd", "--hp", "x=5:8", "y=a,b",
        "--command", `sh ${join(ROOT, "test/fixtures/runs/curve.sh")} {{x}} {{y}} asha-stop-once`, "--searcher", "asha", "--max-length", "9",
        "--divisor", "3", "--mode", "aggressive", "--stop-once", "--asha-searcher", "ambs", "--max-evals", "8", "--evals-per-node", "3", "--scheduler", "local", "--seed", "5", "--wait"]);
      expect(r.code, r.stderr).toBe(0);
      const { rows } = await rowsOf("cmd");
      expect(rows).toHaveLength(8); // stop-once never resumes: one row per trial
      const steps = stepsTrained("cmd");
      const stopped = rows.filter((row) => row.metrics?.stopped === "stopped");
      expect(stopped.length).toBeGreaterThan(0);
      for (const row of stopped) {
        expect(row.state).toBe("DONE");
        // Stopped at rung 0 (3 steps) or 1 (9 is the top, where nothing is stopped): never trained on to the end.
        expect(Math.max(...steps.get(row.id)!)).toBeLessThan(9);
        expect(row.objective).not.toBeNull();
      }
      const top = best(rows);
      expect(top.point).toEqual({ x: 7, y: "b" });
      expect(Math.max(...steps.get(top.id)!)).toBe(9);
      // The stopped runs are gone: nothing of this search is left running (its runs carry a tag:
      // other test files run curve.sh at the same time).
      const left = spawnSync("pgrep", ["-f", "runs/curve.sh .* asha-stop-once"], { encoding: "utf8" });
      expect(left.stdout.trim()).toBe("");
    } catch (e) {
      failures++;
      throw e;
    }
  });

  it("resumes after the launcher is SIGKILLed mid-search: every trial once, the answer still found", async () => {
    try {
      const env = { CURVE_STEP_MS: "40" };
      const r = spruce(["--workspace", ws.dir, "submit", "hps", "crash", "--hp", "x=0:9", "y=a,b",
        "-r", join(ROOT, "test/fixtures/runs/curve.mjs"), "--searcher", "asha", "--max-length", "27", "--divisor", "3",
        "--mode", "aggressive", "--max-evals", "20", "--evals-per-node", "2", "--scheduler", "local", "--seed", "3"], { env });
      expect(r.code, r.stderr).toBe(0);
      const store = await openStore({ workspace: ws.dir });
      try {
        const wf = (await getWorkflow(store, "crash"))!;
        let pid = 0;
        for (let i = 0; i < 300 && pid === 0; i++) {
          const c = await countEvaluations(store, wf.id);
          const launchers = await listLaunchers(store, wf.id);
          if (c.DONE >= 6 && c.RUNNING === 2 && launchers.length === 1) pid = launchers[0]!.pid;
          else await new Promise((res) => setTimeout(res, 50));
        }
        expect(pid).toBeGreaterThan(0);
        process.kill(pid, "SIGKILL");
        const relaunch = await spruceAsync(["--workspace", ws.dir, "launch", "crash"], { env });
        expect(relaunch.code, relaunch.stderr).toBe(0);
        expect(relaunch.stderr).toMatch(/recovered from dead launcher/);
        const rows = await listEvaluations(store, wf.id);
        expect(rows.every((row) => row.state === "DONE")).toBe(true);
        expect(new Set(rows.map((row) => row.fidelity!.trial)).size).toBe(20);
        for (const row of rows) {
          const finishes = (await listEvents(store, row.id)).filter((e) => e.toState === "DONE");
          expect(finishes).toHaveLength(1);
        }
        expect(best(rows).point).toEqual({ x: 7, y: "b" });
        expect((await getWorkflow(store, "crash"))!.state).toBe("FINISHED");
      } finally {
        await store.close();
      }
    } catch (e) {
      failures++;
      throw e;
    }
  });

  it("runs the README's examples: polynome2 trained whole, and epoch by epoch under asha", async () => {
    try {
      const whole = spruce(["--workspace", ws.dir, "submit", "hps", "ex-poly", "-p", join(ROOT, "examples/polynome2/problem.ts"), "-r", join(ROOT, "examples/polynome2/run.ts"),
        "--searcher", "random", "--max-evals", "2", "--evals-per-node", "2", "--scheduler", "local", "--seed", "1", "--wait"]);
      expect(whole.code, whole.stderr).toBe(0);
      const byEpoch = spruce(["--workspace", ws.dir, "submit", "hps", "ex-asha", "-p", join(ROOT, "examples/asha/problem.ts"), "-r", join(ROOT, "examples/asha/run.ts"),
        "--searcher", "asha", "--max-length", "4", "--divisor", "2", "--mode", "aggressive", "--max-evals", "4", "--evals-per-node", "2", "--scheduler", "local", "--seed", "1", "--wait"]);
      expect(byEpoch.code, byEpoch.stderr).toBe(0);
      for (const name of ["ex-poly", "ex-asha"]) {
        const { rows } = await rowsOf(name);
        // Diverging learning rates fail with their reason; the others give an R² (at most 1).
        for (const row of rows) {
          if (row.state === "DONE") expect(row.objective).toBeLessThanOrEqual(1);
          else expect(row.error).toMatch(/training diverged/);
        }
      }
      // Every epoch of the asha runs was reported (one report per epoch trained).
      const { rows, reports } = await rowsOf("ex-asha");
      const trained = rows.reduce((n, row) => n + Number(row.metrics?.length ?? 0) - row.fidelity!.fromLength, 0);
      expect(reports).toBeGreaterThanOrEqual(trained);
    } catch (e) {
      failures++;
      throw e;
    }
  });

  it("refuses ASHA settings that cannot work, naming the flag", () => {
    const noLength = spruce(["--workspace", ws.dir, "submit", "hps", "bad1", "--hp", "x=0:3", "--command", "true", "--searcher", "asha", "--scheduler", "local"]);
    expect(noLength.code).toBe(2);
    expect(noLength.stderr).toMatch(/--max-length/);
    const badDivisor = spruce(["--workspace", ws.dir, "submit", "hps", "bad2", "--hp", "x=0:3", "--command", "true", "--searcher", "asha", "--max-length", "8", "--divisor", "1", "--scheduler", "local"]);
    expect(badDivisor.code).toBe(2);
    expect(badDivisor.stderr).toMatch(/--divisor/);
    const notAsha = spruce(["--workspace", ws.dir, "submit", "hps", "bad3", "--hp", "x=0:3", "--command", "true", "--max-length", "8", "--scheduler", "local"]);
    expect(notAsha.code).toBe(2);
    expect(notAsha.stderr).toMatch(/--max-length only applies to --searcher asha/);
    expect(spruce(["--workspace", ws.dir, "status", "bad1"]).code).not.toBe(0); // nothing was written
  });
});

describe("custom search method with onReport", () => {
  it("hears running evaluations' reports and stops the weak ones through its stop operations", async () => {
    try {
      const points = [{ x: 7, y: "b" }, { x: 0, y: "a" }, { x: 6, y: "b" }, { x: 1, y: "a" }];
      const r = spruce(["--workspace", ws.dir, "submit", "hps", "custom", "--hp", "x=0:9", "y=a,b",
        "--command", `sh ${join(ROOT, "test/fixtures/runs/curve.sh")} {{x}} {{y}}`, "--searcher", "custom",
        "--search-method", join(ROOT, "test/fixtures/methods/report-stopper.mjs"),
        "--method-args", JSON.stringify({ points, threshold: 0.3 }), "--max-evals", "4", "--evals-per-node", "4", "--scheduler", "local", "--wait"],
        { env: { SPRUCE_MAX_LENGTH: "12" } });
      expect(r.code, r.stderr).toBe(0);
      const { rows, reports } = await rowsOf("custom");
      const steps = stepsTrained("custom");
      const byX = new Map(rows.map((row) => [row.point.x, row]));
      // The weak ones (x = 0, 1 with y = a: quality 0.14, 0.22) were stopped at step 3, the others ran to the end.
      for (const x of [0, 1]) {
        expect(byX.get(x)!.state).toBe("KILLED");
        expect(Math.max(...steps.get(byX.get(x)!.id)!)).toBeLessThan(6);
      }
      for (const x of [6, 7]) {
        expect(byX.get(x)!.state).toBe("DONE");
        expect(Math.max(...steps.get(byX.get(x)!.id)!)).toBe(12);
      }
      expect(reports).toBeGreaterThanOrEqual(12 + 12 + 3 + 3);
    } catch (e) {
      failures++;
      throw e;
    }
  });
});
