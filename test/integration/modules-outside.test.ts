// User modules that live outside this checkout, as a user's do: examples/polynome2 and
// examples/custom-searcher copied to a temporary folder with no node_modules above it, and modules
// of every extension (ESM and CommonJS) importing spruce-hps, run through the built CLI: problem
// show, a local search, a launch; spruce-hps must resolve to the Spruce that runs them, in the CLI,
// the launcher and the evaluation processes. And the warning when the user's project installed
// another version of spruce-hps (the running one is used all the same).
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { fixture, ROOT, spruce, tempWorkspace, type CliResult } from "../helpers/cli.js";
import { readCsvRecords } from "../../src/results/csv.js";

const home = tempWorkspace("spruce-outside-");
const ws = join(home.dir, "workspace");
const W = ["--workspace", ws];
const RUNNING_INDEX = join(ROOT, "dist/src/index.js");
const RUNNING_VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
let allPassed = true;
afterAll(() => {
  if (allPassed) home.cleanup();
});

function ok(r: CliResult): CliResult {
  if (r.code !== 0) allPassed = false;
  expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

/** A copy of `from` in a fresh folder of the temporary directory. */
function copyOutside(from: string, name: string): string {
  const dir = join(home.dir, name);
  cpSync(from, dir, { recursive: true });
  return dir;
}

/** Where spruce-hps resolved in an evaluation, as its run() reported it (a path or a file URL). */
function resolvedFrom(workflow: string, evalId: string): string {
  const { from } = JSON.parse(readFileSync(join(ws, "data", workflow, "evals", evalId, "result.json"), "utf8")) as { from: string };
  return from.startsWith("file:") ? fileURLToPath(from) : from;
}

describe("user modules outside the checkout", () => {
  it("sit where Node alone finds no spruce-hps (the premise of these tests)", () => {
    expect(home.dir.startsWith(ROOT + "/")).toBe(false);
    for (let d = home.dir; ; d = dirname(d)) {
      expect(existsSync(join(d, "node_modules")), `${d}/node_modules would hide what is tested`).toBe(false);
      expect(existsSync(join(d, "package.json")), `${d}/package.json`).toBe(false);
      if (dirname(d) === d) break;
    }
  });

  it("examples/polynome2: problem show, a local search and a launch", { timeout: 180_000 }, () => {
    const dir = copyOutside(join(ROOT, "examples/polynome2"), "polynome2");
    const shown = ok(spruce(["problem", "show", "problem.ts"], { cwd: dir }));
    expect(shown.stdout).toMatch(/^units\s+int\s+\[1, 100\]/m);
    expect(shown.stdout).toMatch(/^activation\s+categorical/m);
    expect(shown.stderr).not.toMatch(/warning/);

    const searched = ok(spruce([...W, "submit", "hps", "poly", "-p", "problem.ts", "-r", "run.ts", "--scheduler", "local", "--searcher", "random",
      "--max-evals", "4", "--evals-per-node", "2", "--seed", "2", "--wait"], { cwd: dir }));
    expect(searched.stderr).toMatch(/Search poly finished: 4 evaluation/);
    const csv = readCsvRecords(join(ws, "data/poly/results.csv"));
    expect(csv).toHaveLength(4);
    // The starting point trains without diverging; others may diverge (a FAILED row, by design).
    expect(csv.find((c) => c.eval_id === "1")).toMatchObject({ "p:units": "10", status: "DONE" });

    // A launch run by hand: the batch job's environment script ends it before its own launch line.
    writeFileSync(join(dir, "hold.sh"), "exit 0\n");
    ok(spruce([...W, "submit", "hps", "held", "-p", "problem.ts", "-r", "run.ts", "--scheduler", "local", "--searcher", "random",
      "--max-evals", "3", "--evals-per-node", "2", "--seed", "3", "--env-script", "hold.sh"], { cwd: dir }));
    let jobState = "";
    for (let i = 0; i < 100 && jobState !== "FINISHED"; i++) {
      const status = JSON.parse(ok(spruce([...W, "status", "held", "--json"], { cwd: dir })).stdout) as { batch_jobs: { state: string }[] };
      jobState = status.batch_jobs[0]!.state;
      if (jobState !== "FINISHED") sleepSync(100);
    }
    expect(jobState).toBe("FINISHED");
    expect(existsSync(join(ws, "data/held/results.csv"))).toBe(false);
    const launched = ok(spruce([...W, "launch", "held"], { cwd: dir }));
    expect(launched.stderr).toMatch(/launcher \d+ ended \(completed\): 3 evaluation/);
    const status = JSON.parse(ok(spruce([...W, "status", "held", "--json"])).stdout);
    expect(status).toMatchObject({ state: "FINISHED", max_evals: 3 });
    expect(status.counts.DONE + status.counts.FAILED).toBe(3);
  });

  it("examples/custom-searcher: the search method, loaded by submit and by the launcher", { timeout: 120_000 }, () => {
    const dir = copyOutside(join(ROOT, "examples/custom-searcher"), "custom-searcher");
    const r = ok(spruce([...W, "submit", "hps", "evo", "-p", "problem.ts", "-r", "run.ts", "--searcher", "custom", "--search-method", "method.ts",
      "--method-args", '{"budget": 6, "population": 3}', "--scheduler", "local", "--max-evals", "6", "--evals-per-node", "2", "--seed", "4", "--wait"], { cwd: dir }));
    expect(r.stderr).toMatch(/Search evo finished: 6 evaluation/);
    const csv = readCsvRecords(join(ws, "data/evo/results.csv"));
    expect(csv).toHaveLength(6);
    expect(csv.every((c) => c.status === "DONE")).toBe(true);
  });

  // Every extension, in an ES-module and a CommonJS package: problem show, then a search whose
  // evaluations report where spruce-hps came from.
  const modules: [string, string][] = [
    ["esm", "both.mjs"], ["esm", "both.js"], ["esm", "both.mts"], ["esm", "both.ts"],
    ["cjs", "both.cjs"], ["cjs", "both.js"], ["cjs", "both.cts"], ["cjs", "both.ts"],
  ];
  it.each(modules)("a %s package's %s imports spruce-hps", (kind, file) => {
    const dir = existsSync(join(home.dir, kind)) ? join(home.dir, kind) : copyOutside(fixture("outside", kind), kind);
    const shown = JSON.parse(ok(spruce(["problem", "show", file, "--json"], { cwd: dir })).stdout);
    expect(shown).toEqual({ hyperparameters: [{ type: "int", name: "x", low: 0, high: 10, log: false }], startingPoints: [{ x: 3 }] });

    const name = `${kind}-${file.replace(".", "-")}`;
    ok(spruce([...W, "submit", "hps", name, "-p", file, "-r", file, "--scheduler", "local", "--searcher", "random", "--max-evals", "2", "--seed", "1", "--wait"], { cwd: dir }));
    const csv = readCsvRecords(join(ws, "data", name, "results.csv"));
    expect(csv).toHaveLength(2);
    for (const row of csv) {
      expect(row.status, row.status === "DONE" ? "" : readFileSync(join(ws, "data", name, "evals", row.eval_id!, "stderr.txt"), "utf8")).toBe("DONE");
      expect(resolvedFrom(name, row.eval_id!)).toBe(RUNNING_INDEX);
    }
  });

  it("warns once, naming both versions, when the project installed another spruce-hps, and uses the running one", () => {
    const dir = copyOutside(fixture("outside", "esm"), "other-version");
    // Another copy where Node would look first; loading it would fail loudly.
    const other = join(dir, "node_modules", "spruce-hps");
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, "package.json"), JSON.stringify({ name: "spruce-hps", version: "0.0.1-other", type: "module", exports: { ".": "./index.js" } }));
    writeFileSync(join(other, "index.js"), 'throw new Error("the project\'s own spruce-hps was loaded");\n');
    const expected = `warning: spruce-hps 0.0.1-other is installed at ${other}, but Spruce ${RUNNING_VERSION} is running (${ROOT}); user modules get the running one, as the search's rows and protocol are its own`;

    const shown = ok(spruce(["problem", "show", "both.mjs"], { cwd: dir }));
    expect(shown.stderr.trim().split("\n")).toEqual([expected]);
    expect(shown.stdout).toMatch(/^x\s+int\s+\[0, 10\]/m);

    const r = ok(spruce([...W, "submit", "hps", "other", "-p", "both.mjs", "-r", "both.mjs", "--scheduler", "local", "--searcher", "random", "--max-evals", "2", "--seed", "1", "--wait"], { cwd: dir }));
    expect(r.stderr.split("\n").filter((l) => l.startsWith("warning:"))).toEqual([expected]);
    const csv = readCsvRecords(join(ws, "data/other/results.csv"));
    expect(csv.map((c) => [c.status, resolvedFrom("other", c.eval_id!)])).toEqual([["DONE", RUNNING_INDEX], ["DONE", RUNNING_INDEX]]);
  });
});

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
