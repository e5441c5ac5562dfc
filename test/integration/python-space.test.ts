// The Python twins of examples/conditional and examples/multi-objective through the built CLI, by
// the command their README gives (`submit hps NAME -p problem.py -r run.py --scheduler local
// --wait`, here with fewer evaluations): conditions, a forbidden clause and objectives declared in
// problem.py reach the searcher, no run ever gets an inactive value (the conditional run raises on
// one), and a run returning a tuple of two objectives gives a front in topk and status. Needs
// Debian's /usr/bin/python3 (standard library only), put first on PATH as `python3`.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dominates } from "../../src/objectives/pareto.js";
import { readCsvRecords } from "../../src/results/csv.js";
import { ROOT, spruce, tempWorkspace } from "../helpers/cli.js";
import { hasPython, notePythonSkip, PYTHON } from "../helpers/python.js";

notePythonSkip("test/integration/python-space.test.ts");

const ws = tempWorkspace("spruce-py-space-");
const W = ["--workspace", ws.dir];
// `python3` on PATH is the interpreter the commands use when --python is not given.
const env = { PATH: `${dirname(PYTHON)}:${process.env.PATH ?? ""}` };
let allPassed = true;
afterAll(() => {
  if (allPassed) ws.cleanup();
});

function ok(r: { code: number; stderr: string }): void {
  if (r.code !== 0) allPassed = false;
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code, r.stderr).toBe(0);
}

const csvOf = (name: string) => readCsvRecords(join(ws.dir, "data", name, "results.csv"));
const pointOf = (name: string, id: string) => JSON.parse(readFileSync(join(ws.dir, "data", name, "evals", id, "point.json"), "utf8")) as Record<string, unknown>;
const submit = (name: string, example: string) =>
  spruce([...W, "submit", "hps", name, "-p", join(ROOT, "examples", example, "problem.py"), "-r", join(ROOT, "examples", example, "run.py"), "--scheduler", "local", "--max-evals", "30", "--evals-per-node", "4", "--seed", "3", "--wait"], { env, timeoutMs: 300_000 });

describe.skipIf(!hasPython && !process.env.CI)("Python twins of the space examples", () => {
  it("examples/conditional/problem.py: inactive cells empty, no inactive value ever given to run.py", () => {
    expect(hasPython, `${PYTHON} must be installed in CI`).toBe(true);
    const shown = spruce(["problem", "show", join(ROOT, "examples/conditional/problem.py"), "--json"], { env });
    ok(shown);
    const spec = JSON.parse(shown.stdout);
    expect(spec.conditions.map((c: { child: string }) => c.child)).toEqual(["lr", "depth", "layers", "units", "dropout"]);
    expect(spec.objectives).toEqual([{ name: "score", direction: "maximize" }]);

    ok(submit("cond-py", "conditional"));
    const csv = csvOf("cond-py");
    expect(csv).toHaveLength(30);
    // run.py raises (FAILED) on a point with an inactive or missing hyperparameter, or a forbidden one.
    expect(csv.filter((c) => c.status !== "DONE")).toEqual([]);
    // The starting point is the first evaluation.
    const first = csv.reduce((a, c) => (Number(c.eval_id) < Number(a.eval_id) ? c : a));
    expect(first).toMatchObject({ "p:model": "tree", "p:depth": "4", "p:lr": "" });
    const active: Record<string, string[]> = { linear: ["model", "lr"], tree: ["model", "depth"], mlp: ["model", "lr", "layers", "units"] };
    for (const c of csv) {
      const names = [...active[c["p:model"]!]!, ...(c["p:model"] === "mlp" && Number(c["p:layers"]) > 1 ? ["dropout"] : [])];
      expect(Object.keys(pointOf("cond-py", c.eval_id!)).sort()).toEqual([...names].sort());
      for (const n of ["lr", "depth", "layers", "units", "dropout"]) expect(c[`p:${n}`] === "", `${n} of ${JSON.stringify(c)}`).toBe(!names.includes(n));
      expect(c["p:layers"] === "4" && ["128", "256"].includes(c["p:units"]!)).toBe(false);
    }
    expect(new Set(csv.map((c) => c["p:model"]))).toEqual(new Set(["linear", "tree", "mlp"]));
    const status = JSON.parse(spruce([...W, "status", "cond-py", "--json"]).stdout);
    expect(status.objectives).toEqual([{ name: "score", direction: "maximize" }]);
    expect(status.best.objective).toBe(Math.max(...csv.map((c) => Number(c.objective))));
  });

  it("examples/multi-objective/problem.py: objective_0 and objective_1, the front in topk --json", () => {
    ok(submit("moo-py", "multi-objective"));
    const csv = csvOf("moo-py");
    expect(csv).toHaveLength(30);
    expect(csv.filter((c) => c.status !== "DONE")).toEqual([]);
    expect(Object.keys(csv[0]!).slice(0, 6)).toEqual(["p:width", "p:depth", "p:precision", "p:lr", "objective_0", "objective_1"]);
    expect(Object.keys(csv[0]!)).not.toContain("objective");
    // The run's own formulas: latency is 2 + 0.05 * width * depth * speed of the precision.
    const speed: Record<string, number> = { fp32: 1, fp16: 0.6, int8: 0.35 };
    for (const c of csv) expect(Number(c.objective_1)).toBeCloseTo(2 + 0.05 * Number(c["p:width"]) * Number(c["p:depth"]) * speed[c["p:precision"]!]!, 9);
    const losses = csv.map((c) => [-Number(c.objective_0), Number(c.objective_1)]);
    const front = csv.filter((_, i) => !losses.some((l) => dominates(l, losses[i]!))).map((c) => Number(c.eval_id)).sort((a, b) => a - b);

    const top = spruce([...W, "topk", "moo-py", "--json"]);
    ok(top);
    const table = Object.values(JSON.parse(top.stdout) as Record<string, { eval_id: number; pareto_rank: number }>);
    expect(table.map((e) => e.eval_id).sort((a, b) => a - b)).toEqual(front);
    expect(table.every((e) => e.pareto_rank === 1)).toBe(true);

    const status = JSON.parse(spruce([...W, "status", "moo-py", "--json"]).stdout);
    expect(status.objectives).toEqual([{ name: "accuracy", direction: "maximize", reference: 0.5 }, { name: "latency", direction: "minimize", reference: 100 }]);
    expect(status).toMatchObject({ front_size: front.length, reference_point: { accuracy: 0.5, latency: 100 }, reference: "declared" });
  });
});
