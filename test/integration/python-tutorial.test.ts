// DeepHyper's tutorial through the built CLI with a real Python (Debian's /usr/bin/python3):
// start-project, new-problem, problem show, submit with dotted paths from another folder (the
// project on PYTHONPATH, as `pip install -e .` made it for DeepHyper), --wait, topk, a --resume from
// a third folder without that PYTHONPATH (the recorded import root and PYTHONPATH carry it), the
// local `spruce hps ambs`, and the TypeScript flavour of new-problem. Needs `npm run build`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { readCsvRecords } from "../../src/results/csv.js";
import { getWorkflow, openStore } from "../../src/store/index.js";
import { CLI, fixture, ROOT, spruce, tempWorkspace } from "../helpers/cli.js";
import { hasPython, notePythonSkip, PYTHON } from "../helpers/python.js";

notePythonSkip("test/integration/python-tutorial.test.ts");

const ws = tempWorkspace("spruce-py-tutorial-");
let allPassed = true;
afterEach((ctx) => {
  if (ctx.task.result?.state === "fail") allPassed = false;
});
afterAll(() => {
  if (allPassed) ws.cleanup();
});

const space = join(ws.dir, "space");
const project = join(ws.dir, "dh_project");
const P = "dh_project.polynome2.problem.Problem";
const R = "dh_project.polynome2.model_run.run";

describe.skipIf(!hasPython && !process.env.CI)("the tutorial, in Python", () => {
  it("start-project and new-problem write the package; problem show reads it by its dotted path", () => {
    expect(hasPython, `${PYTHON} must be installed in CI`).toBe(true);
    const started = spruce(["start-project", "dh_project"], { cwd: ws.dir });
    expect(started.code, started.stderr).toBe(0);
    const made = spruce(["new-problem", "hps", "polynome2"], { cwd: join(project, "dh_project") });
    expect(made.code, made.stderr).toBe(0);
    for (const f of ["__init__.py", "polynome2/__init__.py", "polynome2/problem.py", "polynome2/model_run.py", "polynome2/load_data.py"]) {
      expect(existsSync(join(project, "dh_project", f)), f).toBe(true);
    }
    // The files are the user's to edit: standard library only, readable, the tutorial's space.
    expect(readFileSync(join(project, "dh_project/polynome2/problem.py"), "utf8")).toContain("from spruce_hps import HpProblem");
    expect(made.stderr).toContain(`spruce hps ambs --problem ${P} --run ${R}`);
    // A second time: refused, nothing changed.
    expect(spruce(["new-problem", "hps", "polynome2"], { cwd: join(project, "dh_project") })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: .*polynome2 already exists\nhint: /) });

    const shown = spruce(["problem", "show", P, "--python", PYTHON, "--json"], { cwd: project });
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toEqual({
      hyperparameters: [
        { type: "int", name: "units", low: 1, high: 100, log: false },
        { type: "categorical", name: "activation", values: [null, "relu", "sigmoid", "tanh"] },
        { type: "float", name: "lr", low: 0.0001, high: 1, log: true },
      ],
      startingPoints: [{ units: 10, activation: "relu", lr: 0.01 }],
    });
  });

  it("submit with dotted paths from another folder, --wait, topk; --resume from a third folder without that PYTHONPATH", async () => {
    const elsewhere = join(ws.dir, "elsewhere");
    mkdirSync(elsewhere);
    const common = ["--workspace", space, "--python", PYTHON, "--scheduler", "local"];
    const dry = spruce(["submit", "hps", "poly", "-p", P, "-r", R, ...common, "--dry-run"], { cwd: elsewhere, env: { PYTHONPATH: project } });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(/Validating Problem\.\.\.OK\nValidating run\.\.\.OK\n/);
    expect(existsSync(space), "a dry run writes nothing").toBe(false);

    // The tutorial's own command, word for word, through balsam-submit (a dry run: no Slurm job here).
    const balsam = spawnSync(process.execPath, [join(ROOT, "dist/src/cli/balsam-submit.js"), "hps", "polynome2_demo", "-p", P, "-r", R, "-t", "30", "-q", "debug", "-n", "4", "-A", "datascience", "-j", "mpi",
      "--scheduler", "slurm", "--python", PYTHON, "--database-url", "postgres://spruce@db.example/spruce", "--dry-run"], { cwd: elsewhere, env: { ...process.env, PYTHONPATH: project }, encoding: "utf8" });
    expect(balsam.status, balsam.stderr).toBe(0);
    expect(balsam.stdout).toMatch(/^#SBATCH -N 4$/m);
    expect(balsam.stdout).toMatch(/^#SBATCH -A datascience$/m);

    const r = spruce(["submit", "hps", "poly", "-p", P, "-r", R, ...common, "--max-evals", "4", "--evals-per-node", "2", "--seed", "5", "--wait"], { cwd: elsewhere, env: { PYTHONPATH: project } });
    expect(r.code, r.stderr).toBe(0);
    const store = await openStore({ workspace: space });
    try {
      const wf = (await getWorkflow(store, "poly"))!;
      expect(wf.problemSource).toBe(P);
      expect(wf.run).toEqual({ kind: "python", ref: R, python: PYTHON, importRoot: project, pythonPath: [project], floats: { names: ["lr"], values: {} } });
    } finally {
      await store.close();
    }

    // Another folder, no PYTHONPATH: the recorded import root finds the package for the new batch job.
    const later = spruce(["submit", "hps", "poly", "--resume", "--max-evals", "7", "--workspace", space, "--wait"], { cwd: "/", env: { PYTHONPATH: "" } });
    expect(later.code, later.stderr).toBe(0);
    const csv = readCsvRecords(join(space, "data/poly/results.csv"));
    expect(csv.map((row) => row.status)).toEqual(Array(7).fill("DONE"));
    // The starting point first; R² of a network that learnt something is a number below 1.
    expect(csv.find((row) => row.eval_id === "1")).toMatchObject({ "p:units": "10", "p:activation": "relu", "p:lr": "0.01" });
    for (const row of csv) expect(Number(row.objective)).toBeLessThan(1);

    const top = spruce(["topk", "poly", "-k", "3", "--workspace", space, "--json"], { cwd: "/" });
    expect(top.code, top.stderr).toBe(0);
    // deephyper-analytics' shape: {"0": best, "1": next, ...}.
    const best = Object.values(JSON.parse(top.stdout) as Record<string, { objective: number }>);
    expect(best).toHaveLength(3);
    expect(best[0]!.objective).toBe(Math.max(...csv.map((row) => Number(row.objective))));
  });

  it("spruce hps ambs leaves results.csv and spruce.log in the current folder", () => {
    const r = spruce(["hps", "ambs", "--problem", P, "--run", R, "--max-evals", "4", "--num-workers", "2", "--python", PYTHON, "--evaluator", "ray"], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("--evaluator ray ignored");
    const csv = readCsvRecords(join(project, "results.csv"));
    expect(csv.map((row) => row.status)).toEqual(Array(4).fill("DONE"));
    const log = readFileSync(join(project, "spruce.log"), "utf8");
    expect(log).toMatch(/launcher 1 on .*: workflow ambs-/);
    expect(log.match(/evaluation \d+ objective /g)).toHaveLength(4);
    // The workspace is the current folder's ./.spruce, as for any command.
    expect(existsSync(join(project, ".spruce", "spruce.db"))).toBe(true);
  });
});

describe.skipIf(!hasPython && !process.env.CI)("spruce hps interrupted", () => {
  it("Ctrl-C cancels the search and still leaves what finished in results.csv", { timeout: 120_000 }, async () => {
    const dir = join(ws.dir, "interrupted");
    mkdirSync(dir);
    writeFileSync(join(dir, "x.py"), "from spruce_hps import HpProblem\nProblem = HpProblem()\nProblem.add_dim('x', (0, 100))\n");
    const child = spawn(process.execPath, [CLI, "hps", "random", "--problem", "x.py", "--run", fixture("python/slow.py"), "--max-evals", "40", "--num-workers", "2", "--python", PYTHON, "--workflow", "stopme"], { cwd: dir });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      // Interrupt once a few evaluations have finished.
      if (/^[2-9]\/40 finished/m.test(stderr) && child.exitCode === null && !child.killed) child.kill("SIGINT");
    });
    const code = await new Promise<number | null>((done) => child.on("close", done));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain("Interrupted: cancelling stopme...");
    const csv = readCsvRecords(join(dir, "results.csv"));
    expect(csv.length).toBeGreaterThanOrEqual(2);
    expect(csv.length).toBeLessThan(40);
    const store = await openStore({ workspace: join(dir, ".spruce") });
    try {
      expect((await getWorkflow(store, "stopme"))!.state).toBe("STOPPED");
    } finally {
      await store.close();
    }
  });
});

describe("new-problem --lang typescript", () => {
  it("passes submit --dry-run and a local search as generated", () => {
    const dir = join(ws.dir, "ts");
    mkdirSync(dir);
    const made = spruce(["new-problem", "hps", "polynome2", "--lang", "typescript"], { cwd: dir });
    expect(made.code, made.stderr).toBe(0);
    const args = ["submit", "hps", "poly_ts", "-p", "polynome2/problem.ts", "-r", "polynome2/model_run.ts", "--workspace", join(dir, "space"), "--scheduler", "local"];
    expect(spruce([...args, "--dry-run"], { cwd: dir }).code).toBe(0);
    const r = spruce([...args, "--max-evals", "3", "--evals-per-node", "2", "--searcher", "random", "--wait"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const csv = readCsvRecords(join(dir, "space/data/poly_ts/results.csv"));
    expect(csv.map((row) => row.status)).toEqual(["DONE", "DONE", "DONE"]);
  });
});
