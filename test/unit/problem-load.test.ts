// Unit tests of loading user files: problem modules and YAML, run modules, the TypeScript loader
// for child processes, and the `spruce problem show` command module.
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import yargs from "yargs";
import { problemCommand } from "../../src/cli/problem.js";
import { SpruceError, ValidationError } from "../../src/errors.js";
import { describeImportError, loadProblem, loadRunModule } from "../../src/problem/load.js";
import { ensureTypeScriptLoader, tsxImportUrl } from "../../src/problem/loader.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/problems/", import.meta.url));
const fixture = (name: string): string => FIXTURES + name;

/** Awaits p, expecting a one-line ValidationError (exit code 2) that names the file. */
async function loadError(p: Promise<unknown>, file: string): Promise<string> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  const { message, exitCode, hint } = error as ValidationError;
  expect(exitCode).toBe(2);
  expect(message).not.toContain("\n");
  expect(hint ?? "").not.toContain("\n");
  expect(message).toContain(file);
  return message;
}

describe("loadProblem", () => {
  it("loads a TypeScript module exporting a Problem", async () => {
    const { spec, space, source } = await loadProblem(fixture("good.ts"));
    expect(source).toBe(fixture("good.ts"));
    expect(space.names).toEqual(["units", "dropout", "lr", "activation", "batch_size", "epochs"]);
    expect(spec.hyperparameters.map((h) => h.type)).toEqual(["int", "float", "float", "categorical", "ordinal", "const"]);
    expect(spec.startingPoints).toHaveLength(1);
    expect(space.startingPoints[0]).toEqual(spec.startingPoints[0]);
  });

  it("loads a Determined-style YAML file", async () => {
    const { space } = await loadProblem(fixture("good.yaml"));
    expect(space.params.find((h) => h.name === "lr")).toEqual({ type: "float", name: "lr", low: 1e-4, high: 0.1, log: true });
  });

  it("loads a default-exported plain ProblemSpec from a .mjs module", async () => {
    const { space } = await loadProblem(fixture("plain-spec.mjs"));
    expect(space.names).toEqual(["x", "mode"]);
    expect(space.startingPoints).toEqual([{ x: 0, mode: "a" }]);
  });

  const bad: [string, RegExp][] = [
    ["bad-syntax.ts", /: syntax error at line 5(:\d+)?: /],
    ["bad-noexport.ts", /: the module exports no 'problem'$/],
    ["bad-lohi.ts", /: hyperparameter 'units': low \(100\) must be less than high \(10\)$/],
    ["bad-empty-categorical.ts", /: hyperparameter 'activation': categorical needs at least one value/],
    ["bad-log-shorthand.ts", /: hyperparameter 'lr': a log range needs low > 0 \(got low=0\)$/],
    ["bad-start-outside.ts", /: starting point 1: lr=2 is outside \[0\.0001, 1\]$/],
    ["bad-start-missing.ts", /: starting point 1: missing 'units'$/],
    ["bad-type.yaml", /: hyperparameters\.lr\.type: unknown type "float"$/],
    ["bad-key.yaml", /: hyperparameters\.lr\.tpye: unknown key/],
  ];
  it.each(bad)("rejects %s with a one-line message naming the file", async (name, pattern) => {
    expect(await loadError(loadProblem(fixture(name)), fixture(name))).toMatch(pattern);
  });

  it("keeps the message and hint of a ValidationError from another copy of the package", async () => {
    const file = fixture("bad-foreign-error.mjs");
    const error = (await loadProblem(file).catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(`${file}: hyperparameter 'x': low (2) must be less than high (1)`);
    expect(error.hint).toBe("fix the bounds");
  });

  it("rejects a missing file and an unsupported extension", async () => {
    expect(await loadError(loadProblem(fixture("nope.ts")), fixture("nope.ts"))).toMatch(/^problem file not found: /);
    expect(await loadError(loadProblem(FIXTURES), FIXTURES.slice(0, -1))).toMatch(/problem path is not a file/);
    const json = fileURLToPath(new URL("../../package.json", import.meta.url));
    expect(await loadError(loadProblem(json), json)).toMatch(/unsupported problem file type '\.json'/);
  });

  it("rejects a module whose export is not a problem", async () => {
    expect(await loadError(loadProblem(fixture("run-default.mjs")), fixture("run-default.mjs"))).toMatch(/: the module exports no 'problem'$/);
    expect(await loadError(loadProblem(fixture("run-notfunction.ts")), fixture("run-notfunction.ts"))).toMatch(/: the module exports no 'problem'$/);
  });

  it("loads a TypeScript module from a CommonJS package (exports seen through the default export)", async () => {
    const { space, spec } = await loadProblem(fixture("cjs/problem.ts"));
    expect(space.names).toEqual(["x", "mode"]);
    expect(spec.hyperparameters[0]).toEqual({ type: "int", name: "x", low: 0, high: 10, log: false });
  });

  it("returns the space's normalised spec for a plain exported object", async () => {
    const { spec } = await loadProblem(fixture("plain-spec.mjs"));
    expect(spec).toEqual({
      hyperparameters: [
        { type: "float", name: "x", low: -1, high: 1, log: false },
        { type: "categorical", name: "mode", values: ["a", "b"] },
      ],
      startingPoints: [{ x: 0, mode: "a" }],
    });
  });
});

describe("loadRunModule", () => {
  it("loads a named run export from TypeScript and a default export from JavaScript", async () => {
    const named = await loadRunModule(fixture("run-good.ts"));
    expect(named.source).toBe(fixture("run-good.ts"));
    expect(named.run({ x: 3 })).toBe(-9);
    expect((await loadRunModule(fixture("run-default.mjs"))).run({ x: 4 })).toBe(8);
    expect((await loadRunModule(fixture("cjs/run.ts"))).run({ x: 4 })).toBe(5);
  });

  const bad: [string, RegExp][] = [
    ["run-noexport.ts", /: the module exports no 'run'$/],
    ["run-notfunction.ts", /: 'run' is a number, not a function$/],
    ["run-syntax.ts", /: syntax error at line 3(:\d+)?: /],
    ["cjs/run-noexport.ts", /: the module exports no 'run'$/],
    ["missing-run.ts", /^run file not found: /],
    ["good.yaml", /unsupported run file type '\.yaml'/],
  ];
  it.each(bad)("rejects %s", async (name, pattern) => {
    expect(await loadError(loadRunModule(fixture(name)), fixture(name))).toMatch(pattern);
  });
});

describe("describeImportError", () => {
  it("extracts the position from esbuild, oxc and V8 syntax errors", () => {
    const esbuild = new Error('Transform failed with 1 error:\n/x/p.ts:5:19: ERROR: Expected ")" but found ";"');
    expect(describeImportError(esbuild)).toBe('syntax error at line 5:19: Expected ")" but found ";"');
    const v8 = new SyntaxError("Unexpected token ';'");
    v8.stack = "file:///x/p.mjs:3\nexport const x = ;\n                 ^\n\nSyntaxError: Unexpected token ';'";
    expect(describeImportError(v8)).toBe("syntax error at line 3: Unexpected token ';'");
    const oxc = new Error("Transform failed with 1 error:\n\n\u001b[31m[PARSE_ERROR] \u001b[0mExpected `,` but found `;`\n   ╭─[ p.ts:5:20 ]\n");
    expect(describeImportError(oxc)).toBe("syntax error at line 5:20: Expected `,` but found `;`");
    expect(describeImportError(new Error("Cannot find package 'spruce-hps'\nmore"))).toBe("failed to load: Cannot find package 'spruce-hps'");
  });
});

describe("TypeScript loader", () => {
  it("registers once and shares the registration", async () => {
    const first = ensureTypeScriptLoader();
    expect(ensureTypeScriptLoader()).toBe(first);
    await expect(first).resolves.toBeUndefined();
  });

  // Real child processes of plain Node, as the launcher starts them: only --import makes .ts loadable.
  function node(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, args, { cwd: tmpdir(), encoding: "utf8", timeout: 30_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it("gives an absolute --import URL that lets a child in another directory load TypeScript", () => {
    const url = tsxImportUrl();
    expect(url).toMatch(/^file:\/\/\/.*tsx/);
    const script = `const m = await import(${JSON.stringify(pathToFileURL(fixture("run-good.ts")).href)}); console.log(m.run({ x: 5 }));`;
    const r = node(["--import", url, "--input-type=module", "-e", script]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("-25");
  });

  it("lets loadRunModule in a child load modules of ESM and CommonJS packages", () => {
    const load = pathToFileURL(fileURLToPath(new URL("../../src/problem/load.ts", import.meta.url))).href;
    const script =
      `const { loadRunModule } = await import(${JSON.stringify(load)});` +
      `const a = await loadRunModule(${JSON.stringify(fixture("run-good.ts"))});` +
      `const b = await loadRunModule(${JSON.stringify(fixture("cjs/run.ts"))});` +
      `console.log(a.run({ x: 2 }), b.run({ x: 2 }));`;
    const r = node(["--import", tsxImportUrl(), "--input-type=module", "-e", script]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("-4 3");
  });

  it("reports a user's syntax error through tsx as one line with its position", () => {
    const load = pathToFileURL(fileURLToPath(new URL("../../src/problem/load.ts", import.meta.url))).href;
    const script =
      `const { loadProblem } = await import(${JSON.stringify(load)});` +
      `try { await loadProblem(${JSON.stringify(fixture("bad-syntax.ts"))}); } catch (e) { console.log(e.exitCode + " " + e.message); }`;
    const r = node(["--import", tsxImportUrl(), "--input-type=module", "-e", script]);
    expect(r.stdout.trim()).toBe(`2 ${fixture("bad-syntax.ts")}: syntax error at line 5:19: Expected ")" but found ";"`);
  });
});

describe("spruce problem show", () => {
  afterEach(() => vi.restoreAllMocks());

  async function show(args: string[]): Promise<string> {
    let out = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    await yargs().command(problemCommand).strict().fail(false).exitProcess(false).parseAsync(["problem", "show", ...args]);
    return out;
  }

  it("prints the space table", async () => {
    const out = await show([fixture("good.ts")]);
    expect(out).toMatch(/^name\s+type\s+range \/ values\s+log\n/);
    expect(out).toMatch(/\nlr\s+float\s+\[0\.0001, 0\.1\]\s+log\n/);
    expect(out).toContain("starting points: 1");
  });

  it("prints a NAS problem's starting points as arch_seq and hyperparameters, not its choices", async () => {
    const out = await show([fileURLToPath(new URL("../../examples/polynome2-nas/problem.ts", import.meta.url))]);
    expect(out).toContain('starting points: 1\n  1. {"arch_seq":[1,1,0,1,0,0],"lr":0.01}\n');
    expect(out).not.toMatch(/\d\. \{"vnode_/);
  });

  it("prints the spec as JSON with --json", async () => {
    const out = await show([fixture("good.yaml"), "--json"]);
    const spec = JSON.parse(out);
    expect(spec.hyperparameters).toHaveLength(7);
    expect(spec.startingPoints).toHaveLength(1);
  });

  it("throws the loader's error for the CLI root to print", async () => {
    const error = await show([fixture("bad-lohi.ts")]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpruceError);
    expect((error as SpruceError).exitCode).toBe(2);
  });
});
