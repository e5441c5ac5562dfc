// The Python companion package (python/spruce_hps) against the TypeScript side that will read it:
// its own unit tests, its evaluation runner through the real executor (the outcome, metadata,
// reports and failure reasons the launcher would record), and describe's space JSON through the
// space validation. Needs `npm run build` first (the executor forks through the compiled spawner)
// and Debian's /usr/bin/python3 with python3-numpy.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEvaluation, type EvaluationOutcome } from "../../launcher/executor/process.js";
import { Spawner } from "../../launcher/executor/spawner-client.js";
import { Space } from "../../src/space/space.js";
import type { Point, ProblemSpec } from "../../src/space/types.js";
import { validateHyperparameter } from "../../src/space/validate.js";

const PYTHON = "/usr/bin/python3";
const PYTHON_DIR = resolve("python");
const root = mkdtempSync(join(tmpdir(), "spruce-python-"));
const spawner = Spawner.start();
let nextId = 1;

afterAll(async () => {
  await spawner.close();
  rmSync(root, { recursive: true, force: true });
});

function runModule(name: string, source: string): string {
  const path = join(root, `${name}.py`);
  writeFileSync(path, source);
  return path;
}

/** One evaluation of a Python run module through the executor, as a command run of the runner. */
async function evaluate(runFile: string, point: Point, env: Record<string, string> = {}, form: "module" | "file" = "module"): Promise<EvaluationOutcome> {
  const evalId = nextId++;
  const runner = form === "module" ? `${PYTHON} -m spruce_hps.runner` : `${PYTHON} ${join(PYTHON_DIR, "spruce_hps", "runner.py")}`;
  return startEvaluation(
    {
      evalId,
      attempt: 1,
      point,
      run: { kind: "command", template: `${runner} ${runFile}`, cwd: root },
      workdir: join(root, "evals", String(evalId)),
      seed: 42,
      timeoutSeconds: 60,
      env: { PYTHONPATH: PYTHON_DIR, ...env },
    },
    { spawner },
  ).done;
}

describe("the Python package", () => {
  it("passes its own unit tests", () => {
    const out = spawnSync(PYTHON, ["-m", "unittest", "discover", "-s", "tests"], { cwd: PYTHON_DIR, encoding: "utf8", timeout: 240_000 });
    expect(out.status, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/^OK$/m);
  }, 300_000);
});

describe("python runner through the executor", () => {
  it("run(point) returning a number: DONE", async () => {
    const run = runModule("double", "def run(point):\n    return point['x'] * 2\n");
    for (const form of ["module", "file"] as const) {
      const out = await evaluate(run, { x: 1.25 }, {}, form);
      expect(out).toMatchObject({ status: "DONE", objective: 2.5, metadata: null, error: null });
    }
  });

  it("run(job) with job.record and a dict result: DONE with its progress points and metadata", async () => {
    const run = runModule(
      "job",
      [
        "import numpy as np",
        "def run(job):",
        "    for epoch in range(1, 4):",
        "        job.record(epoch, np.float64(epoch) / 4)",
        "    return {'objective': np.float32(0.75), 'metadata': {'epochs': np.int64(3), 'id': job.id}}",
        "",
      ].join("\n"),
    );
    const out = await evaluate(run, { lr: 0.1 });
    expect(out.status, out.error ?? "").toBe("DONE");
    expect(out.objective).toBe(0.75);
    expect(out.metadata).toEqual({ epochs: 3, id: String(nextId - 1) });
    expect(out.progress).toEqual([
      { step: 1, value: 0.25 },
      { step: 2, value: 0.5 },
      { step: 3, value: 0.75 },
    ]);
  });

  it("NaN, None and an exception: FAILED with the reason", async () => {
    const nan = await evaluate(runModule("nan", "def run(point):\n    return float('nan')\n"), {});
    expect(nan.status).toBe("FAILED");
    expect(nan.error).toBe("objective is NaN");

    const none = await evaluate(runModule("none", "def run(point):\n    pass\n"), {});
    expect(none.status).toBe("FAILED");
    expect(none.error).toBe('run() returned None (does run end with a return?); expected a number, a tuple of numbers (one per objective), {"objective": ..., "metadata": {...}} or {"objectives": {name: value}}');

    // An exception: the error is its line alone, the traceback stays in stderr.txt.
    const raises = await evaluate(runModule("raises", "def run(point):\n    raise ValueError('diverged')\n"), {});
    expect(raises).toMatchObject({ status: "FAILED", exitCode: 1, error: "ValueError: diverged" });
  });
});

describe("describe's space JSON", () => {
  it("is a space the TypeScript side accepts", () => {
    const problem = join(root, "problem.py");
    writeFileSync(
      problem,
      [
        "from spruce_hps import HpProblem",
        "Problem = HpProblem()",
        "Problem.add_dim('units', (1, 100))",
        "Problem.add_dim('activation', ['NA', 'relu', 'sigmoid', 'tanh'])",
        "Problem.add_dim('lr', (0.0001, 1.0, 'log-uniform'))",
        "Problem.add_dim('width', [16, 32.0, 64])",
        "Problem.add_dim('loss', 'mse')",
        "Problem.add_starting_point(units=10, activation='relu', lr=0.01, width=32)",
        "",
      ].join("\n"),
    );
    const out = spawnSync(PYTHON, ["-m", "spruce_hps.describe", problem], { cwd: root, encoding: "utf8", env: { ...process.env, PYTHONPATH: PYTHON_DIR } });
    expect(out.status, out.stderr).toBe(0);
    const spec = JSON.parse(out.stdout) as ProblemSpec & { pythonExecutable: string; importRoot: string };
    expect(spec.pythonExecutable).toBe(PYTHON);
    spec.hyperparameters.forEach((h, i) => expect(validateHyperparameter(h, i)).toEqual(h));
    const space = new Space({ hyperparameters: spec.hyperparameters, startingPoints: spec.startingPoints });
    expect(space.startingPoints).toEqual([{ units: 10, activation: "relu", lr: 0.01, width: 32, loss: "mse" }]);
  });
});
