// Unit tests of src/problem/self-resolve.ts: which copy of spruce-hps Node alone would give a module,
// when an evaluation process needs the hooks, the version warning, and real child processes started
// with the --import entry as the launcher starts them: spruce-hps (ESM and CommonJS) resolves to the
// running package through its "exports", while the user's own node_modules keeps everything else.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { naturalCopy, needsSelfResolve, runningPackage, selfResolveImportUrl, warnIfOtherCopy } from "../../src/problem/self-resolve.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const tmp = mkdtempSync(join(tmpdir(), "spruce-self-resolve-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes files (path relative to tmp -> content) and returns the folder of the first. */
function files(entries: Record<string, string>): string {
  for (const [rel, content] of Object.entries(entries)) {
    mkdirSync(dirname(join(tmp, rel)), { recursive: true });
    writeFileSync(join(tmp, rel), content);
  }
  return dirname(join(tmp, Object.keys(entries)[0]!));
}

/** A package in a node_modules folder whose entry exports `value`. */
function fakePackage(dir: string, name: string, version: string, value: string): Record<string, string> {
  return {
    [`${dir}/node_modules/${name}/package.json`]: JSON.stringify({ name, version, type: "module", exports: { ".": "./index.js" } }),
    [`${dir}/node_modules/${name}/index.js`]: `export const value = ${JSON.stringify(value)};\n`,
  };
}

// A folder with no spruce-hps above it, and a project that installed version 0.0.7.
const bare = files({ "bare/m.mjs": "" });
const project = files({ "project/src/m.mjs": "", "project/pkg/package.json": "{}", "project/pkg/m.mjs": "", ...fakePackage("project", "spruce-hps", "0.0.7", "theirs") });

describe("naturalCopy and needsSelfResolve", () => {
  it("finds the package itself by self-reference, an installed copy, or none", () => {
    expect(runningPackage()).toEqual({ root: ROOT, version: VERSION });
    expect(naturalCopy(join(ROOT, "examples/polynome2"))).toEqual({ root: ROOT, version: VERSION });
    expect(naturalCopy(bare)).toBeNull();
    expect(naturalCopy(project)).toEqual({ root: join(tmp, "project/node_modules/spruce-hps"), version: "0.0.7" });
    // A package.json of the user's in between does not stop the search for node_modules.
    expect(naturalCopy(join(tmp, "project/pkg"))?.version).toBe("0.0.7");
  });

  it("needs the hooks only where Node would not find the running Spruce", () => {
    expect(needsSelfResolve(join(ROOT, "examples/custom-searcher/run.ts"))).toBe(false);
    expect(needsSelfResolve(join(tmp, "bare/m.mjs"))).toBe(true);
    expect(needsSelfResolve(join(tmp, "project/src/m.mjs"))).toBe(true);
  });
});

describe("warnIfOtherCopy", () => {
  afterEach(() => vi.restoreAllMocks());

  function warnings(modules: string[]): string {
    let out = "";
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    for (const m of modules) warnIfOtherCopy(m);
    return out;
  }

  it("names both versions once per copy, and says nothing for the running copy or the same version", () => {
    const sameVersion = files({ "same/m.mjs": "", ...fakePackage("same", "spruce-hps", VERSION, "same") });
    expect(warnings([join(ROOT, "examples/polynome2/problem.ts"), join(tmp, "bare/m.mjs"), join(sameVersion, "m.mjs")])).toBe("");
    const copy = join(tmp, "project/node_modules/spruce-hps");
    expect(warnings([join(tmp, "project/src/m.mjs"), join(tmp, "project/pkg/m.mjs")])).toBe(
      `warning: spruce-hps 0.0.7 is installed at ${copy}, but Spruce ${VERSION} is running (${ROOT}); user modules get the running one, as the search's rows and protocol are its own\n`,
    );
  });
});

describe("the --import entry in a child process", () => {
  // Plain Node in the module's folder, as the launcher starts an evaluation (no tsx: JavaScript).
  function child(cwd: string, script: string): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, ["--import", selfResolveImportUrl(), "--input-type=module", "-e", script], { cwd, encoding: "utf8", timeout: 30_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it("resolves spruce-hps to the running package for import and require, and the user's packages from their node_modules", () => {
    const dir = files({
      "user/m.mjs": 'import { Problem } from "spruce-hps";\nimport { value } from "leftpad";\nexport const seen = [typeof Problem, value, import.meta.resolve("spruce-hps")];\n',
      "user/c.cjs": 'const { Rng } = require("spruce-hps");\nexports.seen = [typeof Rng, require.resolve("spruce-hps"), require.resolve("leftpad")];\n',
      // The project's own copy of spruce-hps is never loaded: it would give "theirs".
      ...fakePackage("user", "spruce-hps", "0.0.1", "theirs"),
      ...fakePackage("user", "leftpad", "1.0.0", "users-own"),
    });
    const script =
      'const m = await import("./m.mjs");' +
      'const { createRequire } = await import("node:module");' +
      'const c = createRequire(process.cwd() + "/x.js")("./c.cjs");' +
      "console.log(JSON.stringify([...m.seen, ...c.seen]));";
    const r = child(dir, script);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual([
      "function", "users-own", `file://${ROOT}/dist/src/index.js`,
      "function", `${ROOT}/dist/src/index.js`, join(dir, "node_modules/leftpad/index.js"),
    ]);
  });

  it("applies the package's exports: a subpath it does not export is refused", () => {
    const r = child(bare, 'try { await import("spruce-hps/dist/src/errors.js"); } catch (e) { console.log(e.code); }');
    expect(r.stdout.trim()).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });
});
