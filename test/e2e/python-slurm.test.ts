// A Python search across the test bed's 3 emulated Slurm nodes with PostgreSQL: a package's
// problem and run named by dotted paths, resolved from the submit folder; the batch job starts in
// the results folder and the agents on n2 and n3 start elsewhere again, so every evaluation
// imports the package through the import root recorded at submit.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { findOnPath } from "../../src/schedulers/index.js";
import { readCsvRecords } from "../../src/results/csv.js";
import { getWorkflow, listEvaluations, openStore } from "../../src/store/index.js";
import { spruce, tempWorkspace } from "../helpers/cli.js";
import { PG, testDatabaseUrl } from "../helpers/pg.js";

const PYTHON = "/usr/bin/python3";
const hasSlurm = findOnPath("sbatch", process.env.PATH ?? "") !== null && spawnSync("scontrol", ["ping"], { encoding: "utf8" }).stdout?.includes("UP") === true;
const nodes = spawnSync("sinfo", ["-h", "-N", "-o", "%N"], { encoding: "utf8" }).stdout?.trim().split("\n").filter(Boolean).length ?? 0;
const hasPython = spawnSync(PYTHON, ["-c", "pass"]).status === 0;
const ready = hasSlurm && nodes >= 3 && PG !== null && hasPython;
const inCi = Boolean(process.env.CI);
const START = "run 'bash scripts/testbed.sh install && bash scripts/testbed.sh up' (3 Slurm nodes, PostgreSQL, python3)";
if (!ready && !inCi) process.stderr.write(`test/e2e/python-slurm.test.ts skipped: ${START}\n`);

const ws = tempWorkspace("spruce-py-slurm-");
let allPassed = true;
afterEach((ctx) => {
  if (ctx.task.result?.state === "fail") allPassed = false;
});
afterAll(() => {
  if (allPassed) ws.cleanup();
});

/** A package whose run imports a sibling module relatively, and says where it ran. */
function writePackage(root: string): void {
  const pkg = join(root, "slurmpkg");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, "__init__.py"), "");
  writeFileSync(join(pkg, "helper.py"), "def score(point):\n    return -(point['x'] - 6) ** 2 - point['lr']\n");
  writeFileSync(
    join(pkg, "problem.py"),
    ["from spruce_hps import HpProblem", "Problem = HpProblem()", "Problem.add_dim('x', (0, 9))", "Problem.add_dim('lr', (0.0, 1.0))", "Problem.add_starting_point(x=1, lr=1.0)", ""].join("\n"),
  );
  writeFileSync(
    join(pkg, "model_run.py"),
    [
      "import os, socket, time",
      "from .helper import score",
      "def run(point):",
      "    assert type(point['lr']) is float, point  # 1.0 came through JavaScript as 1",
      "    time.sleep(0.3)",
      "    return {'objective': score(point), 'metadata': {'cwd': os.getcwd(), 'node': os.environ.get('SLURMD_NODENAME', '')}}",
      "",
    ].join("\n"),
  );
}

describe("multi-node test bed", () => {
  it("is running (CI never skips the Python Slurm test)", () => {
    if (!ready && inCi) expect.fail(`need 3 Slurm nodes, PostgreSQL and ${PYTHON}: ${START}`);
  });
});

describe.skipIf(!ready && !inCi)("a Python run across the 3 nodes of a Slurm allocation", () => {
  it("serial mode: agents on n2 and n3 import the package through the recorded import root", { timeout: 240_000 }, async () => {
    const project = join(ws.dir, "project");
    writePackage(project);
    const url = await testDatabaseUrl();
    const r = spruce(["--workspace", join(ws.dir, "space"), "--database-url", url, "submit", "hps", "py3", "-p", "slurmpkg.problem.Problem", "-r", "slurmpkg.model_run.run",
      "--python", PYTHON, "--scheduler", "slurm", "-q", process.env.SLURM_PARTITION ?? "debug", "-n", "3", "-t", "5", "--searcher", "random",
      "--evals-per-node", "2", "--max-evals", "18", "--wait", "--wait-timeout", "180"], { cwd: project, env: { PYTHONPATH: "" }, timeoutMs: 220_000 });
    expect(r.code, r.stderr).toBe(0);
    const results = join(ws.dir, "space/data/py3");
    const csv = readCsvRecords(join(results, "results.csv"));
    expect(csv).toHaveLength(18);
    expect(csv.filter((row) => row.status !== "DONE")).toEqual([]);
    expect(new Set(csv.map((row) => row["m:host"]))).toEqual(new Set(["n1", "n2", "n3"]));
    const store = await openStore({ databaseUrl: url });
    try {
      const wf = (await getWorkflow(store, "py3"))!;
      expect(wf.run).toMatchObject({ kind: "python", ref: "slurmpkg.model_run.run", python: PYTHON, importRoot: project });
      for (const row of await listEvaluations(store, wf.id)) {
        // Each ran in its own working directory, on the node the row names, far from the submit folder.
        expect(row.metrics).toMatchObject({ cwd: join(results, "evals", String(row.id)), node: row.hosts![0] });
      }
    } finally {
      await store.close();
    }
  });
});
