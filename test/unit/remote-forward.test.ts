// What `--site` does before any connection: recognising forwarded commands (src/remote/invocation.ts)
// and planning the submit upload and its path rewrites (src/cli/remote-forward.ts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { MODULE_TREE_MAX_FILES, planSubmitUpload } from "../../src/cli/remote-forward.js";
import { remoteInvocation } from "../../src/remote/invocation.js";
import { fixture } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "spruce-fwd-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("remoteInvocation", () => {
  it("leaves commands without --site, fetch and dashboard to yargs", () => {
    expect(remoteInvocation(["status", "demo"])).toBeNull();
    expect(remoteInvocation(["--site", "s", "fetch", "demo"])).toBeNull();
    expect(remoteInvocation(["--site", "s", "dashboard", "--port", "0"])).toBeNull();
    expect(remoteInvocation(["--site", "s", "--help"])).toBeNull();
  });

  it("finds --site anywhere and strips the options that only mean something here", () => {
    expect(remoteInvocation(["--verbose", "--database-url", "postgres://x/y", "--site", "s", "status", "demo", "--json"])).toEqual({
      site: "s",
      acceptNewHostKey: false,
      connectTimeoutSeconds: undefined,
      command: "status",
      args: ["--verbose", "--database-url", "postgres://x/y", "status", "demo", "--json"],
    });
    expect(remoteInvocation(["topk", "demo", "--site=s", "--accept-new-host-key", "--connect-timeout", "5", "-k", "3"])).toEqual({
      site: "s",
      acceptNewHostKey: true,
      connectTimeoutSeconds: 5,
      command: "topk",
      args: ["topk", "demo", "-k", "3"],
    });
    // After `--`, everything belongs to the command.
    expect(remoteInvocation(["--site", "s", "submit", "--", "--site", "x"])!.args).toEqual(["submit", "--", "--site", "x"]);
  });

  it("refuses --site with local-only commands, --workspace, and a bad timeout", () => {
    expect(() => remoteInvocation(["--site", "s", "rm", "demo"])).toThrow(/'rm' runs only on this machine/);
    expect(() => remoteInvocation(["--site", "s", "--workspace", "/w", "ls"])).toThrow(/--workspace cannot be combined with --site/);
    expect(() => remoteInvocation(["--site", "s", "ls", "--connect-timeout", "soon"])).toThrow(ValidationError);
  });
});

describe("planSubmitUpload", () => {
  const dir = fixture("remote/search");
  const root = "/home/u/ws/uploads/demo/T";

  it("copies the modules' directory (relative imports included) and --upload contents, and maps the paths", () => {
    const problem = join(dir, "problem.ts");
    const run = join(dir, "run.ts");
    const plan = planSubmitUpload({ workflow: "demo", problem, run, upload: fixture("remote/data") }, root);
    expect(plan.files.map((f) => f.remote).sort()).toEqual([`${root}/notes.txt`, `${root}/package.json`, `${root}/problem.ts`, `${root}/run.ts`, `${root}/space.ts`]);
    expect(plan.paths).toEqual(new Map([[problem, `${root}/problem.ts`], [run, `${root}/run.ts`]]));
  });

  it("uses the smallest directory holding both modules, skips dot entries and node_modules, and puts other files in _extra/", () => {
    const base = join(tmp, "proj");
    for (const d of ["a", "b", ".git", "node_modules/x", "etc"]) mkdirSync(join(base, d), { recursive: true });
    for (const f of ["a/problem.ts", "b/run.ts", "b/helper.ts", ".git/HEAD", "node_modules/x/i.js", "etc/env.sh"]) writeFileSync(join(base, f), "");
    const outside = join(tmp, "template.sh.hbs");
    writeFileSync(outside, "");
    const plan = planSubmitUpload({ workflow: "w", problem: join(base, "a/problem.ts"), run: join(base, "b/run.ts"), template: outside, envScript: join(base, "etc/env.sh") }, root);
    expect(plan.files.map((f) => f.remote.slice(root.length + 1)).sort()).toEqual(["_extra/template.sh.hbs", "a/problem.ts", "b/helper.ts", "b/run.ts", "etc/env.sh"]);
    expect(plan.paths.get(outside)).toBe(`${root}/_extra/template.sh.hbs`);
    // A file inside the copied tree keeps its place there.
    expect(plan.paths.get(join(base, "etc/env.sh"))).toBe(`${root}/etc/env.sh`);
  });

  it("Python: a dotted path or a .py file inside a package brings its top-level package whole, from which the site resolves it", () => {
    const proj = join(tmp, "pyproj");
    for (const d of ["dh_project/polynome2/__pycache__", "other"]) mkdirSync(join(proj, d), { recursive: true });
    for (const f of ["dh_project/__init__.py", "dh_project/polynome2/__init__.py", "dh_project/polynome2/problem.py", "dh_project/polynome2/model_run.py", "dh_project/polynome2/__pycache__/problem.cpython-311.pyc", "other/x.py"]) {
      writeFileSync(join(proj, f), "");
    }
    const expected = ["dh_project/__init__.py", "dh_project/polynome2/__init__.py", "dh_project/polynome2/model_run.py", "dh_project/polynome2/problem.py"];
    // Dotted paths resolve as Python would, here from PYTHONPATH (the current folder comes first); they are passed on unchanged.
    const saved = process.env.PYTHONPATH;
    process.env.PYTHONPATH = proj;
    try {
      const plan = planSubmitUpload({ workflow: "w", problem: "dh_project.polynome2.problem.Problem", run: "dh_project.polynome2.model_run.run" }, root);
      expect(plan.files.map((f) => f.remote.slice(root.length + 1)).sort()).toEqual(expected);
      expect(plan.paths.size).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.PYTHONPATH;
      else process.env.PYTHONPATH = saved;
    }
    // Files inside the package: the same tree, their paths mapped into it.
    const problem = join(proj, "dh_project/polynome2/problem.py");
    const plan = planSubmitUpload({ workflow: "w", problem, run: join(proj, "dh_project/polynome2/model_run.py") }, root);
    expect(plan.files.map((f) => f.remote.slice(root.length + 1)).sort()).toEqual(expected);
    expect(plan.paths.get(problem)).toBe(`${root}/dh_project/polynome2/problem.py`);
    // A lone .py file is a module like the others: its folder comes with it.
    const lone = planSubmitUpload({ workflow: "w", run: join(proj, "other/x.py") }, root);
    expect(lone.files.map((f) => f.remote.slice(root.length + 1))).toEqual(["x.py"]);
  });

  it("copies a --warm-start results.csv to _extra/, and passes a workflow name on", () => {
    const csv = join(tmp, "old-results.csv");
    writeFileSync(csv, "p:x,objective\n0.5,1\n");
    const plan = planSubmitUpload({ workflow: "w", problem: "/site/only/problem.ts", warmStart: csv }, root);
    expect(plan.files.map((f) => f.remote)).toEqual([`${root}/_extra/old-results.csv`]);
    expect(plan.paths.get(csv)).toBe(`${root}/_extra/old-results.csv`);
    const byName = planSubmitUpload({ workflow: "w", problem: "/site/only/problem.ts", warmStart: "earlier-search" }, root);
    expect(byName.files).toEqual([]);
  });

  it("passes on paths that do not exist here (paths on the site)", () => {
    const plan = planSubmitUpload({ workflow: "w", problem: "/site/only/problem.ts", envScript: "/opt/site/env.sh" }, root);
    expect(plan.files).toEqual([]);
    expect(plan.paths.size).toBe(0);
  });

  it("refuses two different files for one remote name, a missing --upload directory, and a huge modules' directory", () => {
    const up = join(tmp, "up");
    mkdirSync(up, { recursive: true });
    writeFileSync(join(up, "run.ts"), "");
    expect(() => planSubmitUpload({ workflow: "w", run: join(dir, "run.ts"), upload: up }, root)).toThrow(/two files would be uploaded as run.ts/);
    expect(() => planSubmitUpload({ workflow: "w", upload: join(tmp, "missing") }, root)).toThrow(/--upload: not a directory/);
    const big = join(tmp, "big");
    mkdirSync(big);
    for (let i = 0; i <= MODULE_TREE_MAX_FILES; i++) writeFileSync(join(big, `f${i}`), "");
    expect(() => planSubmitUpload({ workflow: "w", problem: join(big, "f0") }, root)).toThrow(/holds more than 1000 files/);
  });
});
