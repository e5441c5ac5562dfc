// Python runs and problems through the built CLI with Debian's /usr/bin/python3, each with the
// state and the one-line error it must give: run(job) with job.record under ASHA (weak trials
// stopped early, the best trained to the end); a run that raises (FAILED, error = the exception's
// line, traceback in stderr.txt); one that returns NaN; a problem with a SyntaxError and a missing
// interpreter (one error line, exit 2, nothing written). Needs `npm run build`.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { getWorkflow, listEvaluations, openStore } from "../../src/store/index.js";
import type { EvaluationRow } from "../../src/store/types.js";
import { fixture, spruce, tempWorkspace } from "../helpers/cli.js";
import { hasPython, notePythonSkip, PYTHON } from "../helpers/python.js";

notePythonSkip("test/integration/python-runs.test.ts");

const ws = tempWorkspace("spruce-py-runs-");
let allPassed = true;
afterEach((ctx) => {
  if (ctx.task.result?.state === "fail") allPassed = false;
});
afterAll(() => {
  if (allPassed) ws.cleanup();
});

function submit(name: string, args: string[], workspace = ws.dir) {
  return spruce(["--workspace", workspace, "submit", "hps", name, "--python", PYTHON, "--scheduler", "local", ...args]);
}

async function rowsOf(name: string): Promise<EvaluationRow[]> {
  const store = await openStore({ workspace: ws.dir });
  try {
    return await listEvaluations(store, (await getWorkflow(store, name))!.id);
  } finally {
    await store.close();
  }
}

describe.skipIf(!hasPython && !process.env.CI)("Python runs", () => {
  it("run(job) with job.record under asha: weak trials stop early, the best one trains to the end", { timeout: 240_000 }, async () => {
    expect(hasPython, `${PYTHON} must be installed in CI`).toBe(true);
    const r = submit("curve", ["--hp", "x=0:9", "y=a,b", "-r", fixture("python/curve.py"), "--searcher", "asha", "--max-length", "27", "--divisor", "3",
      "--mode", "aggressive", "--max-evals", "20", "--evals-per-node", "2", "--seed", "3", "--wait"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = await rowsOf("curve");
    expect(rows.filter((row) => row.state !== "DONE").map((row) => `${row.id} ${row.state} ${row.error}`)).toEqual([]);
    expect(new Set(rows.map((row) => row.fidelity!.trial)).size).toBe(20);
    const best = [...rows].sort((a, b) => (b.objective ?? 0) - (a.objective ?? 0))[0]!;
    expect(best.point).toEqual({ x: 7, y: "b" });
    expect(best.metrics).toMatchObject({ length: 27 });
    // Stopped early through the runner's wait for the launcher's answer: job.stopped() ended the loop
    // at the decision's step, well before 20 x 27 steps in all.
    const stopped = rows.filter((row) => row.metrics!.stopped !== undefined);
    expect(stopped.length).toBeGreaterThan(0);
    let trained = 0;
    for (const row of rows) {
      const file = join(ws.dir, "data/curve/evals", String(row.id), "steps.txt");
      const steps = existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").map(Number) : [];
      trained += steps.length;
      // A promoted trial resumed where its checkpoint left it.
      if (steps.length > 0) expect(steps[0]).toBe(row.fidelity!.fromLength + 1);
    }
    expect(trained).toBeLessThan(270);
  });

  it("a run that raises: FAILED, its error the exception's line, the traceback in stderr.txt; NaN: FAILED with the reason", async () => {
    const raises = submit("raises", ["--hp", "x=1:2", "-r", fixture("python/raises.py"), "--searcher", "random", "--max-evals", "2", "--wait"]);
    expect(raises.code, raises.stderr).toBe(0);
    for (const row of await rowsOf("raises")) {
      expect(row).toMatchObject({ state: "FAILED", exitCode: 1, error: `ValueError: diverged at epoch ${row.point.x}`, objective: null });
      const stderr = readFileSync(join(ws.dir, "data/raises/evals", String(row.id), "stderr.txt"), "utf8");
      expect(stderr).toMatch(/^Traceback \(most recent call last\):\n/);
      expect(stderr).toContain(`raises.py", line 9, in run`);
      expect(stderr).toContain(`raises.py", line 5, in train`);
      expect(stderr.trimEnd().split("\n").at(-1)).toBe(row.error);
    }
    const csv = readFileSync(join(ws.dir, "data/raises/results.csv"), "utf8");
    expect(csv.trim().split("\n").slice(1).every((line) => line.includes(",FAILED,"))).toBe(true);

    const nan = submit("nan", ["--hp", "x=1:2", "-r", fixture("python/nan.py"), "--searcher", "random", "--max-evals", "2", "--wait"]);
    expect(nan.code, nan.stderr).toBe(0);
    for (const row of await rowsOf("nan")) expect(row).toMatchObject({ state: "FAILED", exitCode: 0, error: "objective is NaN", objective: null });
  });
});

describe.skipIf(!hasPython && !process.env.CI)("refused at submit: one error line, exit 2, nothing written", () => {
  const fresh = join(ws.dir, "fresh");

  function expectNothingWritten(): void {
    expect(existsSync(fresh) ? readdirSync(fresh) : []).toEqual([]);
  }

  it("a problem with a SyntaxError names its file and line", () => {
    const r = submit("bad", ["-p", fixture("python/bad_syntax.py"), "-r", fixture("python/nan.py")], fresh);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Validating Problem\.\.\.FAILED\nerror: \S*bad_syntax\.py:5: SyntaxError: '\(' was never closed\nhint: fix the syntax there; .*py_compile/);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("error:"))).toHaveLength(1);
    expect(r.stderr).not.toMatch(/Traceback|    at /);
    expectNothingWritten();
  });

  it("a missing interpreter, and one that is not Python", () => {
    const missing = spruce(["--workspace", fresh, "submit", "hps", "nopy", "--hp", "x=1:2", "-r", fixture("python/nan.py"), "--python", "/nonexistent/python3", "--scheduler", "local"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("Validating Problem...OK\nValidating run...FAILED\nerror: --python /nonexistent/python3: no such interpreter\nhint: install Python 3.8 or later, or name one with --python /path/to/python3\n");
    const notPython = spruce(["--workspace", fresh, "submit", "hps", "nopy", "--hp", "x=1:2", "-r", fixture("python/nan.py"), "--python", "/bin/true", "--scheduler", "local"]);
    expect(notPython.code).toBe(2);
    expect(notPython.stderr).toMatch(/\nerror: --python \/bin\/true is not a Python interpreter/);
    expectNothingWritten();
  });

  it("--env-script is sourced before the interpreter at submit, as in the batch job; a failing one is refused", () => {
    // The package is only reachable through the PYTHONPATH the script exports.
    const lib = join(ws.dir, "envlib");
    mkdirSync(join(lib, "envpkg"), { recursive: true });
    writeFileSync(join(lib, "envpkg/__init__.py"), "");
    writeFileSync(join(lib, "envpkg/run.py"), "def run(point):\n    return point['x']\n");
    const good = join(ws.dir, "env-good.sh");
    writeFileSync(good, `echo loading modules\nexport PYTHONPATH=${lib}\n`);
    const ok = submit("envok", ["--hp", "x=1:2", "-r", "envpkg.run.run", "--env-script", good, "--dry-run"], fresh);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`source ${good}`);
    const without = submit("envok", ["--hp", "x=1:2", "-r", "envpkg.run.run", "--dry-run"], fresh);
    expect(without.code).toBe(2);
    const bad = join(ws.dir, "env-bad.sh");
    writeFileSync(bad, "echo 'module: command not found: cuda/12' >&2\nreturn 1\n");
    const refused = submit("envbad", ["--hp", "x=1:2", "-r", "envpkg.run.run", "--env-script", bad], fresh);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`error: --env-script ${bad} failed when sourced before the interpreter: module: command not found: cuda/12\n`);
    expectNothingWritten();
  });

  it("a run module without run, one with a SyntaxError, a dotted path that does not resolve", () => {
    const norun = submit("norun", ["--hp", "x=1:2", "-r", fixture("python/no_run.py")], fresh);
    expect(norun.code).toBe(2);
    expect(norun.stderr).toMatch(/^Validating Problem\.\.\.OK\nValidating run\.\.\.FAILED\nerror: \S*no_run\.py: defines no 'run'\nhint: name it 'run' in /);
    const syntax = submit("syntax", ["--hp", "x=1:2", "-r", fixture("python/bad_syntax.py")], fresh);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/\nerror: \S*bad_syntax\.py:5: SyntaxError: '\(' was never closed\n/);
    const missing = submit("nomod", ["--hp", "x=1:2", "-r", "no_such_pkg.model_run.run"], fresh);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error: no_such_pkg.model_run.run: no module named 'no_such_pkg' (searched the import roots, the current folder and PYTHONPATH)\nhint: run from the folder that holds 'no_such_pkg', or add that folder to PYTHONPATH\n");
    expectNothingWritten();
  });
});
