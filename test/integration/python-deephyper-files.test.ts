// DeepHyper's own problem files run on Spruce with only their import lines changed: the files in
// test/fixtures/deephyper are written for DeepHyper (DeepHyper's and ConfigSpace's imports), this
// test ports each by rewriting its import lines and nothing else, and searches it through the built
// CLI. Asserted on each search: results.csv has an empty cell exactly where a hyperparameter is
// inactive, each run got exactly the active hyperparameters (point.json), no forbidden point was
// evaluated, the starting points were evaluated first. examples/automl-py must be the port of the
// AutoML fixture, and is searched with scikit-learn. A ConfigSpace feature Spruce does not offer is
// one error line naming it, a hint, exit 2, nothing written. Needs `npm run build` and Debian's
// /usr/bin/python3 (with python3-sklearn for the AutoML search).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { readCsvRecords } from "../../src/results/csv.js";
import { expectOneError, fixture, ROOT, spruce, tempWorkspace } from "../helpers/cli.js";
import { hasPython, notePythonSkip, PYTHON } from "../helpers/python.js";

notePythonSkip("test/integration/python-deephyper-files.test.ts");
const hasSklearn = hasPython && spawnSync(PYTHON, ["-c", "import sklearn"]).status === 0;

const ws = tempWorkspace("spruce-dh-files-");
const W = ["--workspace", join(ws.dir, "space")];
let allPassed = true;
afterEach((ctx) => {
  if (ctx.task.result?.state === "fail") allPassed = false;
});
afterAll(() => {
  if (allPassed) ws.cleanup();
});

// The porting rule, as the README states it: these import lines change, every other line stays.
const RULES: [RegExp, string][] = [
  [/^(\s*)from deephyper\.(problem|hpo|evaluator) import /, "$1from spruce_hps import "],
  [/^(\s*)import ConfigSpace((\.\w+)?( as \w+)?)$/, "$1import spruce_hps.config_space$2"],
  [/^(\s*)from ConfigSpace((\.\w+)?) import /, "$1from spruce_hps.config_space$2 import "],
];

function port(text: string): string {
  return text
    .split("\n")
    .map((line) => RULES.reduce((l, [from, to]) => l.replace(from, to), line))
    .join("\n");
}

/** The fixture folder's .py files ported into a fresh folder; checks that only import lines changed. */
function portFolder(name: string): string {
  const from = fixture("deephyper", name);
  const to = join(ws.dir, "ported", name);
  mkdirSync(to, { recursive: true });
  for (const file of readdirSync(from).filter((f) => f.endsWith(".py"))) {
    const original = readFileSync(join(from, file), "utf8");
    expect(original, `${name}/${file} is DeepHyper's, not Spruce's`).not.toMatch(/spruce_hps/);
    const ported = port(original);
    const [a, b] = [original.split("\n"), ported.split("\n")];
    expect(b).toHaveLength(a.length);
    const changed = a.filter((line, i) => line !== b[i]);
    for (const line of changed) expect(line, `${name}/${file}`).toMatch(/^\s*(import|from) (ConfigSpace|deephyper)\b/);
    expect(ported, `${name}/${file} still imports DeepHyper or ConfigSpace`).not.toMatch(/^\s*(import|from) (ConfigSpace|deephyper)\b/m);
    writeFileSync(join(to, file), ported);
  }
  return to;
}

type Row = Record<string, string>;

interface Search {
  fixture: string;
  flags: string[];
  evals: number;
  /** Every hyperparameter, in the order the problem added them (results.csv's columns). */
  names: string[];
  /** The hyperparameters active in a row, decided from the conditions independently of Spruce. */
  active: (row: Row) => string[];
  forbidden?: (row: Row) => boolean;
  /** results.csv's cells (active ones) of the starting points, in order. */
  starts: Row[];
}

const all = (names: string[]) => () => names;

const SEARCHES: Search[] = [
  {
    fixture: "tutorial",
    flags: ["--seed", "1"],
    evals: 8,
    names: ["units", "activation", "lr"],
    active: all(["units", "activation", "lr"]),
    // activation None is an empty cell too: there is no condition here, so point.json tells them apart.
    starts: [
      { units: "10", activation: "", lr: "0.01" },
      { units: "80", activation: "tanh", lr: "0.5" },
    ],
  },
  {
    fixture: "conditional",
    flags: ["--seed", "2"],
    evals: 14, // past ambs' 10 initial points: the surrogate proposes the last ones
    names: ["optimizer", "learning_rate", "momentum", "nesterov", "rho", "epsilon", "beta_2", "warmup_epochs"],
    active: (r) =>
      ["optimizer", "learning_rate", ...({ sgd: ["momentum", "nesterov"], rmsprop: ["rho", "epsilon", "warmup_epochs"], adam: ["epsilon", "beta_2", "warmup_epochs"] }[r["p:optimizer"]!] ?? [])],
    starts: [
      { optimizer: "sgd", learning_rate: "0.01", momentum: "0.9", nesterov: "true" },
      { optimizer: "adam", learning_rate: "0.001", epsilon: "1e-7", beta_2: "0.999", warmup_epochs: "1" },
    ],
  },
  {
    fixture: "nested",
    flags: ["--searcher", "random", "--seed", "3"],
    evals: 16,
    names: ["model", "alpha", "num_layers", "units", "dropout", "skip_connections"],
    active: (r) => {
      if (r["p:model"] === "linear") return ["model", "alpha"];
      const names = ["model", "num_layers", "units"];
      const layers = Number(r["p:num_layers"]);
      if (layers > 1) names.push("dropout");
      if (layers > 2 && Number(r["p:dropout"]) < 0.25) names.push("skip_connections");
      return names;
    },
    starts: [
      { model: "linear", alpha: "0.001" },
      { model: "mlp", num_layers: "3", units: "64", dropout: "0.1", skip_connections: "true" },
    ],
  },
  {
    fixture: "forbidden",
    flags: ["--seed", "4"],
    evals: 20,
    names: ["model", "batch_size", "precision", "lr"],
    active: all(["model", "batch_size", "precision", "lr"]),
    forbidden: (r) =>
      (r["p:model"] === "large" && ["128", "256"].includes(r["p:batch_size"]!)) ||
      (r["p:model"] === "small" && r["p:precision"] === "fp16" && ["16", "32"].includes(r["p:batch_size"]!)) ||
      r["p:precision"] === "bf16",
    starts: [{ model: "large", batch_size: "64", precision: "fp16", lr: "0.001" }],
  },
  {
    fixture: "config_space",
    flags: ["--seed", "5"],
    evals: 14,
    names: ["kernel", "C", "gamma", "degree", "coef0", "shrinking", "tol", "cache_size"],
    active: (r) => ["kernel", "C", ...(r["p:kernel"] === "linear" ? [] : ["gamma"]), ...(r["p:kernel"] === "poly" ? ["degree", "coef0"] : []), "shrinking", "tol", "cache_size"],
    forbidden: (r) => r["p:kernel"] === "poly" && r["p:degree"] === "5",
    starts: [{ kernel: "rbf", C: "1", gamma: "0.1", shrinking: "true", tol: "0.001", cache_size: "200" }],
  },
];

/** The search's rows in the order their evaluations were created (eval ids are per workspace). */
function rowsOf(workflow: string): Row[] {
  return readCsvRecords(join(ws.dir, "space", "data", workflow, "results.csv")).sort((a, b) => Number(a.eval_id) - Number(b.eval_id));
}

function pointOf(workflow: string, evalId: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ws.dir, "space", "data", workflow, "evals", evalId, "point.json"), "utf8")) as Record<string, unknown>;
}

/** The checks every search gets: inactive cells empty, runs given the active names only, nothing forbidden, starting points first. */
function checkSearch(workflow: string, s: Search): Row[] {
  const rows = rowsOf(workflow);
  expect(rows).toHaveLength(s.evals);
  expect(Object.keys(rows[0]!).filter((k) => k.startsWith("p:"))).toEqual(s.names.map((n) => `p:${n}`));
  // The runs raise on a point with an inactive or missing hyperparameter or a forbidden one.
  expect(rows.filter((r) => r.status !== "DONE")).toEqual([]);
  for (const r of rows) {
    const active = s.active(r);
    expect(Object.keys(pointOf(workflow, r.eval_id!)).sort(), `point of ${JSON.stringify(r)}`).toEqual([...active].sort());
    for (const n of s.names) if (!active.includes(n)) expect(r[`p:${n}`], `${n} is inactive in ${JSON.stringify(r)}`).toBe("");
    if (s.forbidden) expect(s.forbidden(r), `forbidden: ${JSON.stringify(r)}`).toBe(false);
  }
  s.starts.forEach((start, i) => {
    const cells = Object.fromEntries(s.names.map((n) => [n, start[n] ?? ""]));
    expect(Object.fromEntries(s.names.map((n) => [n, rows[i]![`p:${n}`]])), `starting point ${i + 1}`).toEqual(cells);
  });
  return rows;
}

function submit(workflow: string, problem: string, run: string, flags: string[], cwd: string, evals: number) {
  return spruce([...W, "submit", "hps", workflow, "-p", problem, "-r", run, "--python", PYTHON, "--scheduler", "local", "--max-evals", String(evals), "--evals-per-node", "2", "--wait", ...flags], {
    cwd,
    timeoutMs: 300_000,
  });
}

describe.skipIf(!hasPython && !process.env.CI)("DeepHyper's problem files, ported by their imports alone", () => {
  it.each(SEARCHES.map((s) => [s.fixture, s] as const))("%s", { timeout: 300_000 }, (_name, s) => {
    expect(hasPython, `${PYTHON} must be installed in CI`).toBe(true);
    const dir = portFolder(s.fixture);
    const r = submit(`dh-${s.fixture.replace("_", "-")}`, join(dir, "problem.py"), join(dir, "model_run.py"), s.flags, dir, s.evals);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Validating Problem\.\.\.OK\nValidating run\.\.\.OK\n/);
    const rows = checkSearch(`dh-${s.fixture.replace("_", "-")}`, s);
    if (s.forbidden) {
      // Not a search that merely missed them: the other values of the clauses' hyperparameters were drawn.
      expect(new Set(rows.map((row) => row[`p:${s.names[0]}`])).size).toBeGreaterThan(1);
    }
  });

  it("a ported problem file prints ConfigSpace's summary with its starting points", () => {
    const dir = portFolder("nested");
    const printed = spawnSync(PYTHON, ["problem.py"], { cwd: dir, encoding: "utf8", env: { ...process.env, PYTHONPATH: join(ROOT, "python") } });
    expect(printed.status, printed.stderr).toBe(0);
    expect(printed.stdout).toBe(
      [
        "Configuration space object:",
        "  Hyperparameters:",
        "    alpha, Type: UniformFloat, Range: [1e-06, 1.0], Default: 0.001, on log-scale",
        "    dropout, Type: UniformFloat, Range: [0.0, 0.5], Default: 0.25",
        "    model, Type: Categorical, Choices: {linear, mlp}, Default: linear",
        "    num_layers, Type: UniformInteger, Range: [1, 4], Default: 2",
        "    skip_connections, Type: Categorical, Choices: {True, False}, Default: True",
        "    units, Type: Ordinal, Sequence: {16, 32, 64, 128}, Default: 16",
        "  Conditions:",
        "    (skip_connections | num_layers > 2 && skip_connections | dropout < 0.25)",
        "    alpha | model == 'linear'",
        "    dropout | num_layers > 1",
        "    num_layers | model == 'mlp'",
        "    units | model == 'mlp'",
        "",
        "",
        "  Starting Points:",
        "{0: {'alpha': 0.001, 'model': 'linear'},",
        " 1: {'dropout': 0.1,",
        "     'model': 'mlp',",
        "     'num_layers': 3,",
        "     'skip_connections': True,",
        "     'units': 64}}",
        "",
      ].join("\n"),
    );
  });

  const unsupported: [string, RegExp, RegExp][] = [
    ["relation.py", /^error: .*relation\.py:9: NotOfferedError: ConfigSpace's ForbiddenLessThanRelation is not offered by Spruce/, /ForbiddenInClause/],
    ["normal.py", /^error: .*normal\.py:7: NotOfferedError: ConfigSpace's NormalFloatHyperparameter is not offered by Spruce/, /UniformFloatHyperparameter/],
  ];
  it.each(unsupported)("a ConfigSpace feature Spruce does not offer (%s): one line naming it, exit 2, nothing written", (file, error, hint) => {
    const dir = portFolder("unsupported");
    const fresh = join(ws.dir, `untouched-${file}`);
    const r = spruce(["--workspace", fresh, "submit", "hps", "unsupported", "-p", join(dir, file), "-r", join(dir, "model_run.py"), "--python", PYTHON, "--scheduler", "local"], { cwd: dir });
    expectOneError(r, error, { hint });
    expect(r.stderr).toContain("Validating Problem...FAILED");
    expect(existsSync(fresh), "the workspace is not even created").toBe(false);
  });
});

describe.skipIf(!hasSklearn && !process.env.CI)("examples/automl-py: an AutoML classifier choice trained with scikit-learn", () => {
  it("is the AutoML fixture ported by its imports, and its search trains each classifier on its own hyperparameters", { timeout: 300_000 }, () => {
    expect(hasSklearn, `${PYTHON} with scikit-learn (python3-sklearn) must be installed in CI`).toBe(true);
    const example = join(ROOT, "examples/automl-py/automl");
    const dir = portFolder("automl");
    for (const file of readdirSync(dir)) expect(readFileSync(join(example, file), "utf8"), `examples/automl-py/automl/${file}`).toBe(readFileSync(join(dir, file), "utf8"));
    expect(readdirSync(example).filter((f) => statSync(join(example, f)).isFile()).sort()).toEqual(readdirSync(dir).sort());

    // Dotted paths, from the example's folder, as its README says.
    const readme = readFileSync(join(ROOT, "examples/automl-py/README.md"), "utf8");
    expect(readme).toContain("spruce submit hps automl -p automl.problem.Problem -r automl.model_run.run");
    const s: Search = {
      fixture: "automl",
      flags: ["--seed", "6"],
      evals: 12,
      names: ["classifier", "n_estimators", "max_depth", "n_neighbors", "weights", "C", "kernel", "gamma", "degree"],
      active: (r) => {
        const c = r["p:classifier"];
        if (c === "RandomForest") return ["classifier", "n_estimators", "max_depth"];
        if (c === "KNeighbors") return ["classifier", "n_neighbors", "weights"];
        if (c === "Logistic") return ["classifier", "C"];
        const kernel = r["p:kernel"];
        return ["classifier", "C", "kernel", ...(kernel === "linear" ? [] : ["gamma"]), ...(kernel === "poly" ? ["degree"] : [])];
      },
      forbidden: (r) => r["p:kernel"] === "poly" && ["4", "5"].includes(r["p:degree"]!),
      starts: [
        { classifier: "RandomForest", n_estimators: "50", max_depth: "8" },
        { classifier: "SVC", C: "1", kernel: "rbf", gamma: "0.01" },
      ],
    };
    // In a copy of the example, so that the repository stays clean of __pycache__.
    const copy = join(ws.dir, "automl-py");
    cpSync(join(ROOT, "examples/automl-py"), copy, { recursive: true });
    const r = submit("automl", "automl.problem.Problem", "automl.model_run.run", s.flags, copy, s.evals);
    expect(r.code, r.stderr).toBe(0);
    const rows = checkSearch("automl", s);
    // Real training: accuracies of fitted classifiers on held-out data, more than one classifier tried.
    for (const row of rows) expect(Number(row.objective)).toBeGreaterThan(0.5);
    expect(Math.max(...rows.map((row) => Number(row.objective)))).toBeGreaterThan(0.9);
    expect(new Set(rows.map((row) => row["p:classifier"])).size).toBeGreaterThan(2);
    const top = spruce([...W, "topk", "automl", "-k", "3", "--json"]);
    expect(top.code, top.stderr).toBe(0);
    expect(Object.values(JSON.parse(top.stdout) as Record<string, { objective: number }>)[0]!.objective).toBe(Math.max(...rows.map((row) => Number(row.objective))));
  });
});
