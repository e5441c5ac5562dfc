// Issue 2's validation table through the built CLI: every bad input gives one clear line that names
// the file or field, a hint, exit code 2, no stack trace — and writes nothing.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixture, spruce, tempWorkspace } from "../helpers/cli.js";

const ws = tempWorkspace("spruce-validation-");
afterAll(() => ws.cleanup());
const W = ["--workspace", ws.dir];
const goodRun = fixture("problems/run-good.ts");
const goodProblem = fixture("problems/good.ts");

function expectUserError(r: { code: number; stderr: string; stdout: string }, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/^error: /m);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
  expect(r.stdout).toBe("");
}

describe("problem validation (spruce problem show)", () => {
  const cases: [string, RegExp][] = [
    ["does-not-exist.ts", /not found|no such file/i],
    ["bad-syntax.ts", /bad-syntax\.ts: syntax error at line \d+/],
    ["bad-noexport.ts", /exports no 'problem'/],
    ["bad-lohi.ts", /'units': low \(100\) must be less than high \(10\)/],
    ["bad-empty-categorical.ts", /'activation': categorical needs at least one value/],
    ["bad-log-shorthand.ts", /'lr': a log range needs low > 0/],
    ["bad-start-outside.ts", /starting point 1: lr=2 is outside/],
    ["bad-start-missing.ts", /starting point 1: missing 'units'/],
    ["bad-type.yaml", /hyperparameters\.lr\.type: unknown type/],
    ["bad-key.yaml", /hyperparameters\.lr\.tpye: unknown key/],
  ];
  it.each(cases)("%s", (file, pattern) => {
    expectUserError(spruce(["problem", "show", fixture("problems", file)]), pattern);
  });

  it("shows a TypeScript problem module and a YAML file", () => {
    const ts = spruce(["problem", "show", goodProblem]);
    expect(ts.code, ts.stderr).toBe(0);
    expect(ts.stdout).toMatch(/units/);
    const yaml = spruce(["problem", "show", fixture("problems/good.yaml"), "--json"]);
    expect(yaml.code, yaml.stderr).toBe(0);
    expect(JSON.parse(yaml.stdout).hyperparameters.length).toBeGreaterThan(0);
  });
});

describe("submit validation writes nothing", () => {
  const submit = (...extra: string[]) => spruce([...W, "submit", "hps", "v", "--scheduler", "local", ...extra]);
  const cases: [string, string[], RegExp][] = [
    ["run module missing", ["-p", goodProblem, "-r", fixture("problems/nope.ts")], /not found|no such file/i],
    ["run syntax error", ["-p", goodProblem, "-r", fixture("problems/run-syntax.ts")], /run-syntax\.ts: syntax error/],
    ["no run export", ["-p", goodProblem, "-r", fixture("problems/run-noexport.ts")], /run-noexport\.ts: .*'run'/],
    ["run not a function", ["-p", goodProblem, "-r", fixture("problems/run-notfunction.ts")], /run-notfunction\.ts: .*not a function/],
    ["bad problem", ["-p", fixture("problems/bad-lohi.ts"), "-r", goodRun], /low \(100\) must be less than high/],
    ["unknown template variable", ["-p", goodProblem, "--command", "echo {{nope}}"], /nope/],
    ["queue with shell characters", ["-p", goodProblem, "-r", goodRun, "-q", "debug; rm -rf ~"], /queue 'debug; rm -rf ~'/],
    ["bad walltime", ["-p", goodProblem, "-r", goodRun, "-t", "abc"], /-t|--time/],
    ["bad evals per node", ["-p", goodProblem, "-r", goodRun, "--evals-per-node", "0"], /--evals-per-node must be a whole number/],
    ["unknown searcher", ["-p", goodProblem, "-r", goodRun, "--searcher", "bogus"], /unknown searcher 'bogus'/],
    ["bad workflow name", ["-p", goodProblem, "-r", goodRun], /./],
    ["missing run", ["-p", goodProblem], /a run is required/],
    ["unknown option", ["-p", goodProblem, "-r", goodRun, "--max-eval", "3"], /unknown option --max-eval/],
  ];
  it.each(cases)("%s", (name, args, pattern) => {
    const r = name === "bad workflow name"
      ? spruce([...W, "submit", "hps", "../evil", "--scheduler", "local", ...args])
      : submit(...args);
    expectUserError(r, pattern);
    expect(existsSync(join(ws.dir, "data", "v"))).toBe(false);
  });

  it("left no workflow behind", () => {
    const ls = spruce([...W, "ls", "--json"]);
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout)).toEqual([]);
  });
});
