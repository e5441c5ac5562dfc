// Conditional spaces, forbidden clauses and several objectives end to end through the built CLI:
// the examples run as documented (their run modules throw on any inactive value), every searcher's
// 200 proposals keep clear of the forbidden clause, a command template renders an inactive
// hyperparameter empty, the grid walks the allowed points once, a two-objective search prints its
// front in topk and status, a missing objective fails its evaluation, and bad input is one line.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixture, ROOT, spruce, tempWorkspace } from "../helpers/cli.js";
import { readCsvRecords } from "../../src/results/csv.js";
import { dominates } from "../../src/objectives/pareto.js";

const ws = tempWorkspace("spruce-space-");
const W = ["--workspace", ws.dir];
let allPassed = true;
afterAll(() => {
  if (allPassed) ws.cleanup();
});

function ok(r: { code: number; stderr: string }): void {
  if (r.code !== 0) allPassed = false;
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack traces
  expect(r.code, r.stderr).toBe(0);
}

const csvOf = (name: string) => readCsvRecords(join(ws.dir, "data", name, "results.csv"));
const pointOf = (name: string, id: string) => JSON.parse(readFileSync(join(ws.dir, "data", name, "evals", id, "point.json"), "utf8")) as Record<string, unknown>;

describe("a conditional search (examples/conditional)", () => {
  it("runs with nothing but the problem and the run; no run ever gets an inactive value", () => {
    const r = spruce([...W, "submit", "hps", "cond", "-p", join(ROOT, "examples/conditional/problem.ts"), "-r", join(ROOT, "examples/conditional/run.ts"), "--scheduler", "local", "--max-evals", "30", "--evals-per-node", "4", "--seed", "3", "--wait"], { timeoutMs: 300_000 });
    ok(r);
    const csv = csvOf("cond");
    expect(csv).toHaveLength(30);
    // The run module throws (FAILED) on a point with an inactive hyperparameter or a forbidden one.
    expect(csv.filter((c) => c.status !== "DONE")).toEqual([]);
    const active: Record<string, string[]> = { linear: ["model", "lr"], tree: ["model", "depth"], mlp: ["model", "lr", "layers", "units"] };
    for (const c of csv) {
      const point = pointOf("cond", c.eval_id!);
      const names = [...active[c["p:model"]!]!, ...(c["p:model"] === "mlp" && Number(c["p:layers"]) > 1 ? ["dropout"] : [])];
      expect(Object.keys(point).sort()).toEqual([...names].sort());
      // Inactive cells are empty, active ones filled.
      for (const n of ["lr", "depth", "layers", "units", "dropout"]) expect(c[`p:${n}`] === "", `${n} of ${JSON.stringify(c)}`).toBe(!names.includes(n));
      expect(c["p:layers"] === "4" && ["128", "256"].includes(c["p:units"]!)).toBe(false);
    }
    expect(new Set(csv.map((c) => c["p:model"]))).toEqual(new Set(["linear", "tree", "mlp"]));
    const status = JSON.parse(spruce([...W, "status", "cond", "--json"]).stdout);
    expect(status.objectives).toEqual([{ name: "score", direction: "maximize" }]);
    expect(status.best.objective).toBe(Math.max(...csv.map((c) => Number(c.objective))));
  });
});

describe("every searcher keeps clear of the forbidden clause (200 proposals each)", () => {
  const sweep = fixture("space/sweep.ts");
  // An inactive hyperparameter renders as an empty word: `layers=''` prints `layers=`.
  const command = "echo layers={{layers}} width={{width}}; echo objective: {{lr}}";
  const searchers: [string, string[]][] = [
    ["random", ["--searcher", "random"]],
    ["ambs", ["--searcher", "ambs"]],
    ["asha", ["--searcher", "asha", "--max-length", "4"]],
    ["custom", ["--searcher", "custom", "--search-method", fixture("space/sweep-method.ts")]],
  ];
  it.each(searchers)("%s", (name, flags) => {
    const r = spruce([...W, "submit", "hps", `sweep-${name}`, "-p", sweep, "--command", command, "--scheduler", "local", "--max-evals", "200", "--evals-per-node", "8", "--seed", "5", "--wait", ...flags], { timeoutMs: 600_000 });
    ok(r);
    const csv = csvOf(`sweep-${name}`);
    expect(csv.length).toBeGreaterThanOrEqual(200);
    for (const c of csv) {
      expect(c.status).toBe("DONE");
      expect(c["p:layers"] === "4" && c["p:width"] === "256").toBe(false);
      expect(c["p:layers"] === "").toBe(c["p:model"] === "linear");
      expect(c["p:width"] === "").toBe(c["p:model"] === "linear" || c["p:layers"] === "1");
      const stdout = readFileSync(join(ws.dir, "data", `sweep-${name}`, "evals", c.eval_id!, "stdout.txt"), "utf8");
      expect(stdout.split("\n")[0]).toBe(`layers=${c["p:layers"]} width=${c["p:width"]}`);
    }
  });

  it("grid: walks the 21 allowed points once each, its default budget", () => {
    const r = spruce([...W, "submit", "hps", "sweep-grid", "-p", sweep, "--command", command, "--scheduler", "local", "--searcher", "grid", "--grid-count", "3", "--evals-per-node", "8", "--wait"], { timeoutMs: 300_000 });
    ok(r);
    expect(r.stderr).toContain("Search sweep-grid finished: 21 evaluation(s)");
    const csv = csvOf("sweep-grid");
    expect(csv).toHaveLength(21);
    const keys = csv.map((c) => [c["p:model"], c["p:lr"], c["p:layers"], c["p:width"]].join("|"));
    expect(new Set(keys).size).toBe(21);
    expect(csv.some((c) => c["p:layers"] === "4" && c["p:width"] === "256")).toBe(false);
  });
});

describe("a two-objective search (examples/multi-objective)", () => {
  it("prints its Pareto front in topk and status", () => {
    const r = spruce([...W, "submit", "hps", "moo", "-p", join(ROOT, "examples/multi-objective/problem.ts"), "-r", join(ROOT, "examples/multi-objective/run.ts"), "--scheduler", "local", "--max-evals", "30", "--evals-per-node", "4", "--seed", "2", "--wait"], { timeoutMs: 300_000 });
    ok(r);
    expect(r.stderr).toMatch(/30\/30 finished, 0 failed, 0 running, front \d+,/);
    const csv = csvOf("moo");
    expect(csv).toHaveLength(30);
    expect(Object.keys(csv[0]!)).toEqual(["p:width", "p:depth", "p:precision", "p:lr", "objective_0", "objective_1", "eval_id", "status", "m:timestamp_submit", "m:timestamp_start", "m:timestamp_end", "m:duration", "m:host"]);
    const losses = csv.map((c) => [-Number(c.objective_0), Number(c.objective_1)]);
    const front = csv.filter((_, i) => !losses.some((l) => dominates(l, losses[i]!))).map((c) => Number(c.eval_id));

    const top = spruce([...W, "topk", "moo", "--json"]);
    ok(top);
    const table = Object.values(JSON.parse(top.stdout) as Record<string, { eval_id: number; pareto_rank: number; objective_0: number; objective_1: number }>);
    expect(table.map((e) => e.eval_id).sort((a, b) => a - b)).toEqual(front.sort((a, b) => a - b));
    expect(table.every((e) => e.pareto_rank === 1)).toBe(true);
    const ranked = Object.values(JSON.parse(spruce([...W, "topk", "moo", "-k", "20", "--json"]).stdout) as Record<string, { pareto_rank: number }>);
    expect(ranked).toHaveLength(20);
    expect(ranked.map((e) => e.pareto_rank)).toEqual([...ranked.map((e) => e.pareto_rank)].sort((a, b) => a - b));

    const status = JSON.parse(spruce([...W, "status", "moo", "--json"]).stdout);
    expect(Object.keys(status).slice(0, 6)).toEqual(["workflow", "state", "max_evals", "counts", "best", "batch_jobs"]);
    expect(status.objectives).toEqual([{ name: "accuracy", direction: "maximize", reference: 0.5 }, { name: "latency", direction: "minimize", reference: 100 }]);
    expect(status.best.map((b: { eval_id: number }) => b.eval_id).sort((a: number, b: number) => a - b)).toEqual(front);
    expect(status).toMatchObject({ front_size: front.length, reference_point: { accuracy: 0.5, latency: 100 }, reference: "declared" });
    expect(status.hypervolume).toBeGreaterThan(0);
    const text = spruce([...W, "status", "moo"]).stdout;
    expect(text).toMatch(new RegExp(`front      ${front.length} points, hypervolume [0-9.]+ \\(reference accuracy=0\\.5, latency=100: declared\\)`));
    expect(text).toContain("PARETO FRONT");
  });

  it("fails an evaluation whose run leaves an objective out, with the reason", () => {
    const r = spruce([...W, "submit", "hps", "moo-missing", "-p", fixture("space/two-objectives.ts"), "-r", fixture("space/run-missing-objective.ts"), "--scheduler", "local", "--searcher", "random", "--max-evals", "12", "--evals-per-node", "4", "--seed", "1", "--wait"], { timeoutMs: 300_000 });
    ok(r);
    const csv = csvOf("moo-missing");
    expect(csv).toHaveLength(12);
    for (const c of csv) expect(c.status).toBe(Number(c["p:width"]) < 64 ? "FAILED" : "DONE");
    const failed = csv.find((c) => c.status === "FAILED");
    expect(failed, "no narrow model drawn").toBeDefined();
    expect(failed!.objective_0).toBe("");
    const doc = JSON.parse(spruce([...W, "export", "moo-missing", "--format", "json"]).stdout);
    const error = doc.evaluations.find((e: { eval_id: number }) => e.eval_id === Number(failed!.eval_id)).error;
    expect(error).toMatch(/^objective 'latency' is missing from \$SPRUCE_RESULT_FILE/);
  });
});

describe("bad input: one line each, exit 2, nothing written", () => {
  const run = fixture("cli/run.ts");
  const cases: [string, string[], string][] = [
    ["a condition on an unknown parent", ["-p", fixture("space/unknown-parent.ts")], "condition of 'momentum': parent 'optimiser' is not a hyperparameter"],
    ["a cycle of conditions", ["-p", fixture("space/cycle.ts")], "the conditions form a cycle: a -> b -> c -> a"],
    ["a forbidden value outside the range", ["-p", fixture("space/forbidden-outside.ts")], "forbidden clause 1: batch=512 is not one of [16, 32, 64, 128, 256]"],
    ["an objective declared twice in the problem", ["-p", fixture("space/objective-twice.ts")], "objective 'acc' is declared twice"],
    ["an objective declared twice with --objective", ["-p", fixture("cli/problem.ts"), "--objective", "acc:max", "--objective", "acc:min"], "objective 'acc' is declared twice"],
    ["--minimize beside --objective", ["-p", fixture("cli/problem.ts"), "--objective", "acc:max", "--minimize"], "--minimize with objectives declared by --objective"],
  ];
  it.each(cases)("%s", (_name, args, message) => {
    const r = spruce([...W, "submit", "hps", "bad", "--scheduler", "local", "-r", run, ...args]);
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    const error = lines.filter((l) => l.startsWith("error: "));
    expect(error).toHaveLength(1);
    expect(error[0]).toContain(message);
    expect(lines.filter((l) => l.startsWith("hint: "))).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe("");
    expect(existsSync(join(ws.dir, "data", "bad"))).toBe(false);
    expect(JSON.parse(spruce([...W, "ls", "--json"]).stdout).some((w: { workflow: string }) => w.workflow === "bad")).toBe(false);
  });
});
