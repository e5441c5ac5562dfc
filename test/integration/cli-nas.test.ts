// Neural architecture search end to end through the built CLI (local scheduler): submit nas with
// regevo until a small space is exhausted, results.csv's p:arch_seq column, topk, status and
// spruce arch; random and ambs on an architecture space; the polynome2-nas example; bad NAS
// problems refused with one line, exit 2, nothing written.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectOneError, fixture, ROOT, spruce, tempWorkspace } from "../helpers/cli.js";
import { readCsvRecords } from "../../src/results/csv.js";
import { hasPython, notePythonSkip, PYTHON } from "../helpers/python.js";

const ws = tempWorkspace("spruce-nas-");
const W = ["--workspace", ws.dir];
const tiny = fixture("nas/tiny.ts");
const tinyRun = fixture("nas/tiny-run.ts");
let allPassed = true;
afterAll(() => {
  if (allPassed) ws.cleanup();
});

function ok(r: { code: number; stderr: string }): void {
  if (r.code !== 0) allPassed = false;
  expect(r.stderr).not.toMatch(/\n\s+at \S/);
  expect(r.code, r.stderr).toBe(0);
}

describe("spruce submit nas (local scheduler)", () => {
  it("runs regevo until the 12 architectures are exhausted, each once, arch_seq in results.csv, topk, status and arch", () => {
    const r = spruce([...W, "submit", "nas", "tiny", "-p", tiny, "-r", tinyRun, "--scheduler", "local", "--max-evals", "20", "--evals-per-node", "3", "--population-size", "4", "--sample-size", "2", "--seed", "3", "--wait"]);
    ok(r);
    const csv = readCsvRecords(join(ws.dir, "data/tiny/results.csv"));
    expect(Object.keys(csv[0]!)).toEqual(["p:arch_seq", "objective", "eval_id", "status", "m:timestamp_submit", "m:timestamp_start", "m:timestamp_end", "m:duration", "m:host"]);
    // Every run checked that its decoded architecture matches its arch_seq (it throws otherwise).
    expect(csv.map((c) => c.status)).toEqual(Array(12).fill("DONE"));
    const seqs = csv.map((c) => JSON.parse(c["p:arch_seq"]!) as number[]);
    expect(new Set(seqs.map((s) => JSON.stringify(s))).size).toBe(12);
    for (const [i, s] of seqs.entries()) expect(Number(csv[i]!.objective)).toBe(s[0]! + s[1]! + s[2]!);

    const st = JSON.parse(spruce([...W, "status", "tiny", "--json"]).stdout);
    expect(st).toMatchObject({ state: "FINISHED", best: { objective: 4, point: { arch_seq: [1, 2, 1] } } });

    const top = spruce([...W, "topk", "tiny", "-k", "2"]);
    ok(top);
    expect(top.stdout).toMatch(/arch_seq:\s*\n\s*- 1\n\s*- 2\n\s*- 1\n\s*objective: 4/);

    const arch = spruce([...W, "arch", "tiny"]);
    ok(arch);
    expect(arch.stdout).toMatch(/evaluation \d+ \(objective 4\), arch_seq \[1,2,1\]/);
    expect(arch.stdout).toMatch(/^b\s+y\(k=2\)\s+<- a \+ skip input$/m);
    const id = csv.find((c) => c["p:arch_seq"] === "[0,0,0]")!.eval_id!;
    const json = JSON.parse(spruce([...W, "arch", "tiny", id, "--json"]).stdout);
    expect(json).toMatchObject({ workflow: "tiny", eval_id: Number(id), objective: 0, arch_seq: [0, 0, 0] });
    expect(json.architecture).toEqual([
      { name: "input", op: null, inputs: [] },
      { name: "a", op: { op: "x", k: 0 }, inputs: ["input"] },
      { name: "b", op: { op: "y", k: 0 }, inputs: ["a"] },
      { name: "out", op: { op: "sum" }, inputs: ["b"] },
    ]);
    const seq = spruce([...W, "arch", "tiny", "--seq", "[1, 1, 1]"]);
    ok(seq);
    expect(seq.stdout).toMatch(/^b\s+y\(k=1\)\s+<- a \+ skip input$/m);
    expectOneError(spruce([...W, "arch", "tiny", "--seq", "[1, 3, 1]"]), /--seq: arch_seq\[1\] = 3 is not a value of choice 1 \(b: operation: 0 to 2\)/);
    expectOneError(spruce([...W, "arch", "tiny", "999"]), /workflow 'tiny' has no evaluation 999/);
  });

  it.each(["random", "ambs"])("%s searches an architecture space through arch_seq", (searcher) => {
    const r = spruce([...W, "submit", "nas", `tiny-${searcher}`, "-p", tiny, "-r", tinyRun, "--searcher", searcher, "--scheduler", "local", "--max-evals", "6", "--evals-per-node", "2", "--seed", "5", "--wait"]);
    ok(r);
    const csv = readCsvRecords(join(ws.dir, `data/tiny-${searcher}/results.csv`));
    expect(csv.map((c) => c.status)).toEqual(Array(6).fill("DONE"));
    expect(new Set(csv.map((c) => c["p:arch_seq"])).size).toBe(6);
  });

  it("runs agebo on the polynome2-nas example (architecture by evolution, lr by the BO)", () => {
    const r = spruce(
      [...W, "submit", "nas", "poly-agebo", "-p", join(ROOT, "examples/polynome2-nas/problem.ts"), "-r", join(ROOT, "examples/polynome2-nas/run.ts"), "--searcher", "agebo", "--population-size", "2", "--sample-size", "2", "--kappa", "0.01", "--scheduler", "local", "--max-evals", "5", "--evals-per-node", "2", "--seed", "4", "--wait"],
      { env: { EPOCHS: "1" }, timeoutMs: 240_000 },
    );
    ok(r);
    const csv = readCsvRecords(join(ws.dir, "data/poly-agebo/results.csv"));
    expect(csv).toHaveLength(5);
    expect(new Set(csv.map((c) => `${c["p:arch_seq"]} ${c["p:lr"]}`)).size).toBe(5);
    for (const c of csv) expect(Number(c["p:lr"])).toBeGreaterThanOrEqual(0.001);
  });

  it("runs the polynome2-nas example (regevo by default for nas)", () => {
    const r = spruce(
      [...W, "submit", "nas", "poly-nas", "-p", join(ROOT, "examples/polynome2-nas/problem.ts"), "-r", join(ROOT, "examples/polynome2-nas/run.ts"), "--scheduler", "local", "--max-evals", "4", "--evals-per-node", "2", "--seed", "1", "--wait"],
      { env: { EPOCHS: "2" }, timeoutMs: 240_000 },
    );
    ok(r);
    const csv = readCsvRecords(join(ws.dir, "data/poly-nas/results.csv"));
    expect(Object.keys(csv[0]!).slice(0, 3)).toEqual(["p:arch_seq", "p:lr", "objective"]);
    expect(csv).toHaveLength(4);
    // The starting point first (evaluation ids count across the workspace's workflows).
    const firstId = String(Math.min(...csv.map((c) => Number(c.eval_id))));
    expect(csv.find((c) => c.eval_id === firstId)).toMatchObject({ "p:arch_seq": "[1,1,0,1,0,0]", "p:lr": "0.01", status: "DONE" });
    for (const c of csv.filter((c) => c.status === "DONE")) expect(Number(c.objective)).toBeLessThanOrEqual(1);
    const ls = JSON.parse(spruce([...W, "ls", "--json"]).stdout) as { workflow: string; searcher: string }[];
    expect(ls.find((w) => w.workflow === "poly-nas")?.searcher).toBe("regevo");
  });
});

notePythonSkip("test/integration/cli-nas.test.ts (its Python part)");

describe.skipIf(!hasPython && !process.env.CI)("spruce submit nas with a Python NaProblem and run", () => {
  it("searches examples/polynome2-nas's problem.py with model_run.py", () => {
    const dir = join(ROOT, "examples/polynome2-nas");
    const shown = spruce(["problem", "show", join(dir, "problem.py"), "--python", PYTHON]);
    ok(shown);
    expect(shown.stdout).toMatch(/6 choices, 1000 architectures/);
    expect(shown.stdout).toMatch(/\[5\]\s+vnode_00005\s+n3: skip from n1\s+0\.\.1/);
    const r = spruce(
      [...W, "submit", "nas", "poly-py", "-p", join(dir, "problem.py"), "-r", join(dir, "model_run.py"), "--python", PYTHON, "--scheduler", "local", "--max-evals", "3", "--evals-per-node", "2", "--seed", "2", "--wait"],
      { env: { EPOCHS: "1" }, timeoutMs: 240_000 },
    );
    ok(r);
    const csv = readCsvRecords(join(ws.dir, "data/poly-py/results.csv"));
    expect(csv.map((c) => c.status)).toEqual(["DONE", "DONE", "DONE"]);
    expect(csv.map((c) => c["p:arch_seq"])).toContain("[1,1,0,1,0,0]");
    for (const c of csv) expect(JSON.parse(c["p:arch_seq"]!)).toHaveLength(6);
    const arch = spruce([...W, "arch", "poly-py", "--json"]);
    ok(arch);
    expect(JSON.parse(arch.stdout).architecture.map((n: { name: string }) => n.name)).toEqual(["input", "n1", "n2", "n3", "out"]);
  });

  it("refuses a Python NaProblem with an empty node, naming its file and line", () => {
    const bad = join(ws.dir, "bad_nas.py");
    writeFileSync(bad, "from spruce_hps import NaProblem\n\nProblem = NaProblem()\nProblem.variable('n1', [])\n");
    expectOneError(spruce([...W, "submit", "nas", "bad-py", "-p", bad, "-r", join(ROOT, "examples/polynome2-nas/model_run.py"), "--python", PYTHON, "--scheduler", "local"]), /bad_nas\.py:4: SpaceError: node 'n1' has no operations/);
    expect(existsSync(join(ws.dir, "data", "bad-py"))).toBe(false);
  });
});

describe("bad NAS problems: one line, exit 2, nothing written", () => {
  const cases: [string, string, RegExp][] = [
    ["an empty node", "nas/bad-empty-node.ts", /bad-empty-node\.ts: node 'n2' has no operations/],
    ["a skip from a later node", "nas/bad-later-skip.ts", /bad-later-skip\.ts: node 'n1': skip connection from "n2", which comes later/],
    ["an hps problem", "cli/problem.ts", /-p: submit nas needs a NAS problem, and .*problem\.ts defines no architecture/],
  ];
  it.each(cases)("%s", (_what, file, error) => {
    const name = `bad-${file.replace(/\W/g, "-")}`;
    expectOneError(spruce([...W, "submit", "nas", name, "-p", fixture(file), "-r", tinyRun, "--scheduler", "local"]), error);
    expect(existsSync(join(ws.dir, "data", name))).toBe(false);
    const ls = JSON.parse(spruce([...W, "ls", "--json"]).stdout) as { workflow: string }[];
    expect(ls.map((w) => w.workflow)).not.toContain(name);
  });

  it("refuses agebo on a NAS problem without hyperparameters", () => {
    expectOneError(spruce([...W, "submit", "nas", "bad-agebo", "-p", tiny, "-r", tinyRun, "--scheduler", "local", "--searcher", "agebo"]), /agebo optimises hyperparameters beside the architecture, and this NAS problem has none to search/, { hint: /--searcher regevo/ });
    expect(existsSync(join(ws.dir, "data", "bad-agebo"))).toBe(false);
  });

  it("refuses a NAS problem given to submit hps, and --sample-size above --population-size", () => {
    expectOneError(spruce([...W, "submit", "hps", "bad-kind", "-p", tiny, "-r", tinyRun, "--scheduler", "local"]), /tiny\.ts is a NAS problem/, { hint: /submit nas bad-kind/ });
    expectOneError(spruce([...W, "submit", "nas", "bad-sample", "-p", tiny, "-r", tinyRun, "--scheduler", "local", "--population-size", "3", "--sample-size", "4"]), /--sample-size 4 is larger than --population-size 3/);
    expectOneError(spruce([...W, "submit", "nas", "bad-flag", "-p", tiny, "-r", tinyRun, "--scheduler", "local", "--searcher", "ambs", "--sample-size", "4"]), /--sample-size only applies to --searcher regevo/);
    expect(existsSync(join(ws.dir, "data", "bad-kind"))).toBe(false);
  });
});
