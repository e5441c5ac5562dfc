// Python references without running Python: which -p/-r values are Python, PYTHONPATH as recorded
// at submit, what the runner must turn back into floats, the evaluation command the executor
// starts, and the scaffold's refusals.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { companionDir, isDottedRef, isPythonRef, pythonFloats, pythonPackageOf, splitPythonPath } from "../../src/problem/python.js";
import { refSource } from "../../src/problem/refs.js";
import { pythonCommand, runnerFile } from "../../launcher/executor/python-command.js";
import { newProblem, startProject } from "../../src/scaffold/scaffold.js";
import type { PythonRunSpec } from "../../src/store/types.js";
import { fixture } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "spruce-pyref-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("isPythonRef", () => {
  it("takes .py files and dotted paths, and leaves files of the other loaders alone", () => {
    for (const ref of ["problem.py", "dir/model_run.py", "/abs/x.PY", "dh_project.polynome2.problem.Problem", "pkg.module", "a.b.run"]) {
      expect(isPythonRef(ref), ref).toBe(true);
    }
    for (const ref of ["problem.ts", "run.mjs", "space.yaml", "problem.yml", "x.json", "problem", "dir/problem", "pkg..run", "1pkg.run", "pkg.mod-ule.run"]) {
      expect(isPythonRef(ref), ref).toBe(false);
    }
    // An existing file of another kind whose name looks dotted is that file.
    expect(isPythonRef(fixture("problems/good.ts"))).toBe(false);
    expect(isDottedRef("pkg.module.run")).toBe(true);
    expect(isDottedRef("pkg/module.py")).toBe(false);
  });

  it("records a dotted path as written and a file as its absolute path", () => {
    expect(refSource("dh_project.polynome2.problem.Problem", "/home/u")).toBe("dh_project.polynome2.problem.Problem");
    expect(refSource("polynome2/problem.py", "/home/u")).toBe("/home/u/polynome2/problem.py");
    expect(refSource("problem.ts", "/home/u")).toBe("/home/u/problem.ts");
  });
});

describe("splitPythonPath", () => {
  it("makes every entry absolute from the submit folder; an empty entry is that folder, as in Python; duplicates go", () => {
    expect(splitPythonPath(undefined, "/s")).toEqual([]);
    expect(splitPythonPath(["lib", "", "/opt/x", "lib"].join(delimiter), "/s")).toEqual(["/s/lib", "/s", "/opt/x"]);
  });
});

describe("pythonFloats", () => {
  it("names the float ranges and passes the integral float choices on; null when there is nothing to restore", () => {
    const spec = {
      hyperparameters: [
        { type: "float" as const, name: "lr", low: 0.001, high: 1, log: true },
        { type: "int" as const, name: "units", low: 1, high: 10, log: false },
      ],
      startingPoints: [],
    };
    expect(pythonFloats(spec, { width: [32] })).toEqual({ names: ["lr"], values: { width: [32] } });
    expect(pythonFloats({ ...spec, hyperparameters: [spec.hyperparameters[1]!] }, {})).toBeNull();
  });
});

describe("pythonCommand", () => {
  const run: PythonRunSpec = {
    kind: "python",
    ref: "dh_project.polynome2.model_run.run",
    python: "/usr/bin/python3",
    importRoot: "/home/u/proj",
    pythonPath: ["/home/u/lib"],
    floats: { names: ["lr"], values: {} },
  };

  it("starts the runner as a file in the recorded interpreter, with the import root", () => {
    expect(pythonCommand(run, undefined).argv).toEqual(["/usr/bin/python3", runnerFile(), run.ref, "--import-root", "/home/u/proj"]);
    expect(runnerFile()).toBe(join(companionDir(), "spruce_hps", "runner.py"));
    expect(pythonCommand({ ...run, importRoot: null }, undefined).argv).toEqual(["/usr/bin/python3", runnerFile(), run.ref]);
  });

  it("PYTHONPATH: the companion package, the import root, the submit's PYTHONPATH, then the node's own", () => {
    const { env } = pythonCommand(run, ["/node/site", "/home/u/lib"].join(delimiter));
    expect(env.PYTHONPATH!.split(delimiter)).toEqual([companionDir(), "/home/u/proj", "/home/u/lib", "/node/site"]);
    expect(JSON.parse(env.SPRUCE_PYTHON_FLOATS!)).toEqual({ names: ["lr"], values: {} });
    expect(pythonCommand({ ...run, floats: null }, undefined).env).toEqual({ PYTHONPATH: [companionDir(), "/home/u/proj", "/home/u/lib"].join(delimiter) });
  });
});

describe("pythonPackageOf", () => {
  it("finds the top-level package of a file or a dotted path (current folder, then PYTHONPATH)", () => {
    const proj = join(tmp, "proj");
    mkdirSync(join(proj, "pkg/sub"), { recursive: true });
    for (const f of ["pkg/__init__.py", "pkg/sub/__init__.py", "pkg/sub/run.py", "single.py"]) writeFileSync(join(proj, f), "");
    expect(pythonPackageOf(join(proj, "pkg/sub/run.py"))).toEqual({ top: join(proj, "pkg"), name: "pkg", inside: join("sub", "run.py") });
    expect(pythonPackageOf(join(proj, "single.py"))).toEqual({ top: join(proj, "single.py"), name: "single.py", inside: null });
    expect(pythonPackageOf("pkg.sub.run.run", { cwd: proj })).toEqual({ top: join(proj, "pkg"), name: "pkg", inside: null });
    expect(pythonPackageOf("single.run", { cwd: tmp, pythonPath: [proj] })).toEqual({ top: join(proj, "single.py"), name: "single.py", inside: null });
    expect(pythonPackageOf("nowhere.run", { cwd: proj })).toBeNull();
    expect(pythonPackageOf("run.ts", { cwd: proj })).toBeNull();
  });
});

describe("the scaffold's refusals (nothing written)", () => {
  it("refuses names that cannot be a package and folders that exist", () => {
    expect(() => newProblem("my-problem", "python", tmp)).toThrow(/cannot name a Python package/);
    expect(() => newProblem("class", "python", tmp)).toThrow(/cannot name a Python package/);
    expect(() => startProject(join(tmp, "2fast"))).toThrow(/cannot name a Python package/);
    mkdirSync(join(tmp, "taken"));
    expect(() => newProblem("taken", "typescript", tmp)).toThrow(/already exists/);
  });

  it("continues the dotted name of the packages above", () => {
    const project = startProject(join(tmp, "dh_project"));
    const made = newProblem("polynome2", "python", project.packageDir);
    expect(made).toMatchObject({ importRoot: join(tmp, "dh_project"), problemRef: "dh_project.polynome2.problem.Problem", runRef: "dh_project.polynome2.model_run.run" });
    expect(made.files.map((f) => f.slice(made.dir.length + 1))).toEqual(["__init__.py", "load_data.py", "model_run.py", "problem.py"]);
    const ts = newProblem("poly_ts", "typescript", tmp);
    expect(ts).toMatchObject({ importRoot: null, problemRef: join(tmp, "poly_ts", "problem.ts"), runRef: join(tmp, "poly_ts", "model_run.ts") });
  });
});
