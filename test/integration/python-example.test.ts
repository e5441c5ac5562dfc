// examples/polynome2-py searched by its README's commands (fewer evaluations), in a copy of the
// example so the repository stays clean: problem show, spruce hps ambs (results.csv and spruce.log
// left in the folder), submit --wait and topk. Needs Debian's /usr/bin/python3 with
// python3-sklearn and `npm run build`.
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { readCsvRecords } from "../../src/results/csv.js";
import { ROOT, spruce } from "../helpers/cli.js";

const PYTHON = "/usr/bin/python3";
const hasSklearn = spawnSync(PYTHON, ["-c", "import sklearn"]).status === 0;
if (!hasSklearn && !process.env.CI) process.stderr.write("test/integration/python-example.test.ts skipped: needs /usr/bin/python3 with scikit-learn (apt-get install python3-sklearn)\n");

const dir = mkdtempSync(join(tmpdir(), "spruce-py-example-"));
let allPassed = true;
afterEach((ctx) => {
  if (ctx.task.result?.state === "fail") allPassed = false;
});
afterAll(() => {
  if (allPassed) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasSklearn && !process.env.CI)("examples/polynome2-py", () => {
  it("is searched by its README's commands", { timeout: 240_000 }, () => {
    expect(hasSklearn, "python3-sklearn must be installed in CI").toBe(true);
    cpSync(join(ROOT, "examples/polynome2-py"), dir, { recursive: true });
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    const P = "polynome2.problem.Problem";
    const R = "polynome2.model_run.run";
    for (const line of [`spruce problem show ${P} --python ${PYTHON}`, `spruce hps ambs --problem ${P} --run ${R}`, `spruce submit hps poly_py -p ${P} -r ${R}`, "spruce topk poly_py -k 3"]) {
      expect(readme).toContain(line);
    }

    const shown = spruce(["problem", "show", P, "--python", PYTHON], { cwd: dir });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^activation\s+categorical\s+null, "relu", "sigmoid", "tanh"/m);

    const local = spruce(["hps", "ambs", "--problem", P, "--run", R, "--max-evals", "4", "--num-workers", "2", "--python", PYTHON], { cwd: dir, timeoutMs: 200_000 });
    expect(local.code, local.stderr).toBe(0);
    const csv = readCsvRecords(join(dir, "results.csv"));
    expect(csv).toHaveLength(4);
    // The starting point trains a real network: its R² is a fit, not a failure.
    expect(Number(csv.find((row) => row.eval_id === "1")!.objective)).toBeGreaterThan(0.2);
    expect(readFileSync(join(dir, "spruce.log"), "utf8")).toMatch(/evaluation 1 objective /);

    const submitted = spruce(["submit", "hps", "poly_py", "-p", P, "-r", R, "--python", PYTHON, "--evals-per-node", "2", "--max-evals", "4", "--scheduler", "local", "--wait"], { cwd: dir, timeoutMs: 200_000 });
    expect(submitted.code, submitted.stderr).toBe(0);
    const top = spruce(["topk", "poly_py", "-k", "3"], { cwd: dir });
    expect(top.code, top.stderr).toBe(0);
    expect(top.stdout).toMatch(/units/);
  });
});
