// The product's main job end to end through the built CLI: submit with the local
// scheduler, --wait, topk, status --json, the Python command example, --dry-run, a duplicate
// name, --resume and rm.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixture, ROOT, spruce, tempWorkspace } from "../helpers/cli.js";
import { formatNumber } from "../../src/cli/output.js";
import { readCsvRecords } from "../../src/results/csv.js";

const ws = tempWorkspace();
const W = ["--workspace", ws.dir];
const problem = fixture("cli/problem.ts");
const run = fixture("cli/run.ts");
let allPassed = true;
afterAll(() => {
  if (allPassed) ws.cleanup();
});

function ok(r: { code: number; stderr: string }): void {
  if (r.code !== 0) allPassed = false;
  expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack traces
  expect(r.code, r.stderr).toBe(0);
}

describe("spruce submit hps (local scheduler)", () => {
  it("runs a whole search: submit --wait, then topk and status --json", () => {
    const r = spruce([...W, "submit", "hps", "quad", "-p", problem, "-r", run, "--scheduler", "local", "--max-evals", "12", "--evals-per-node", "3", "--seed", "7", "--wait"]);
    ok(r);
    // DeepHyper's step lines, in order, on stderr.
    const steps = ["Validating Problem...OK", "Validating run...OK", "Creating workflow quad...OK", "Rendering local script...OK", "Performing job submission...", "Submit OK: local job", "Results:"];
    let at = -1;
    for (const s of steps) {
      const i = r.stderr.indexOf(s);
      expect(i, `missing '${s}' in:\n${r.stderr}`).toBeGreaterThan(at);
      at = i;
    }
    expect(r.stderr).toMatch(/Search quad finished: 12 evaluation/);

    const csv = readCsvRecords(join(ws.dir, "data/quad/results.csv"));
    expect(csv).toHaveLength(12);
    expect(Object.keys(csv[0] as object)).toEqual(["p:x", "p:n", "p:kind", "objective", "eval_id", "status", "m:timestamp_submit", "m:timestamp_start", "m:timestamp_end", "m:duration", "m:host"]);
    expect(new Set(csv.map((c) => c.eval_id)).size).toBe(12);
    // The starting point is evaluated first.
    const first = csv.find((c) => c.eval_id === "1");
    expect(first).toMatchObject({ "p:x": "0.5", "p:n": "5", "p:kind": "a", status: "DONE" });
    for (const id of csv.map((c) => c.eval_id)) {
      for (const f of ["stdout.txt", "stderr.txt", "point.json"]) expect(existsSync(join(ws.dir, "data/quad/evals", id, f))).toBe(true);
    }

    const top = spruce([...W, "topk", "quad", "-k", "3", "--json"]);
    ok(top);
    const table = JSON.parse(top.stdout) as Record<string, { objective: number; x: number }>;
    expect(Object.keys(table)).toEqual(["0", "1", "2"]);
    const best = Math.max(...csv.map((c) => Number(c.objective)));
    expect(table["0"]?.objective).toBe(best);
    // --wait's last progress line (a log, not a terminal: one line per change) has the same best.
    expect(r.stderr).toContain(`12/12 finished, 0 failed, 0 running, best ${formatNumber(best)},`);
    expect(table["0"]!.objective).toBeGreaterThanOrEqual(table["1"]!.objective);

    const st = spruce([...W, "status", "quad", "--json"]);
    ok(st);
    const status = JSON.parse(st.stdout);
    // The contract's fields (docs/architecture.md, The status JSON contract) first and never renamed; new fields (service) come after them.
    expect(Object.keys(status).slice(0, 6)).toEqual(["workflow", "state", "max_evals", "counts", "best", "batch_jobs"]);
    expect(status).toMatchObject({ workflow: "quad", state: "FINISHED", max_evals: 12 });
    expect(status.counts.DONE).toBe(12);
    expect(status.best.objective).toBe(best);
    expect(status.batch_jobs).toHaveLength(1);
    expect(status.batch_jobs[0]).toMatchObject({ scheduler: "local", state: "FINISHED", nodes: 1, queue: null });

    // topk from the CSV file gives the same ranking, and -o writes files.
    const fromCsv = spruce([...W, "topk", join(ws.dir, "data/quad/results.csv"), "-k", "3", "--json"]);
    ok(fromCsv);
    expect(JSON.parse(fromCsv.stdout)["0"].objective).toBe(best);
    const out = join(ws.dir, "best.yaml");
    ok(spruce([...W, "topk", "quad", "-k", "2", "-o", out]));
    expect(readFileSync(out, "utf8")).toMatch(/^"0":|^'0':/m);

    const ls = spruce([...W, "ls", "--json"]);
    ok(ls);
    expect(JSON.parse(ls.stdout)).toEqual([expect.objectContaining({ workflow: "quad", finished: 12, max_evals: 12 })]);
  });

  it("refuses an existing workflow name with exit 2 and names the fixes", () => {
    const r = spruce([...W, "submit", "hps", "quad", "-p", problem, "-r", run, "--scheduler", "local"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: workflow 'quad' already exists");
    expect(r.stderr).toContain("--resume");
    expect(r.stderr).toContain("spruce rm quad");
  });

  it("--resume continues the same workflow with a larger budget", () => {
    const r = spruce([...W, "submit", "hps", "quad", "--resume", "--max-evals", "16", "--scheduler", "local", "--wait"]);
    ok(r);
    const csv = readCsvRecords(join(ws.dir, "data/quad/results.csv"));
    expect(csv).toHaveLength(16);
    expect(new Set(csv.map((c) => c.eval_id)).size).toBe(16);
    const status = JSON.parse(spruce([...W, "status", "quad", "--json"]).stdout);
    expect(status.batch_jobs).toHaveLength(2);
    expect(status.counts.DONE).toBe(16);
  });

  it("--dry-run prints the script on stdout and writes nothing", () => {
    // Two nodes need PostgreSQL (SQLite is refused across nodes); a dry run never connects to it.
    const r = spruce([...W, "--database-url", "postgres://spruce@db.example.org/hps", "submit", "hps", "dry", "-p", problem, "-r", run, "--scheduler", "slurm", "-q", "debug", "-A", "proj", "-n", "2", "-t", "90", "--dry-run"]);
    ok(r);
    expect(r.stdout).toMatch(/^#!\/bin\/bash/);
    expect(r.stdout).toContain("#SBATCH -N 2");
    expect(r.stdout).toContain("#SBATCH -t 01:30:00");
    expect(r.stdout).toContain("postgres://spruce@db.example.org/hps");
    const sqlite = spruce([...W, "submit", "hps", "dry", "-p", problem, "-r", run, "--scheduler", "slurm", "-n", "2", "--dry-run"]);
    expect(sqlite.code).toBe(2);
    expect(sqlite.stderr).toMatch(/spans 2 nodes, but the workflow database is SQLite/);
    expect(r.stdout).toContain(" launch dry ");
    expect(r.stderr).toContain("Validating Problem...OK");
    expect(existsSync(join(ws.dir, "data/dry"))).toBe(false);
    expect(JSON.parse(spruce([...W, "ls", "--json"]).stdout).map((w: { workflow: string }) => w.workflow)).toEqual(["quad"]);
  });

  it("runs the Python command example (polynome2-python) through --command", () => {
    const cmd = "python3 examples/polynome2-python/train.py --units {{units}} --activation {{activation}} --lr {{lr}}";
    const r = spruce([...W, "submit", "hps", "py", "-p", join(ROOT, "examples/polynome2-python/problem.ts"), "--command", cmd, "--scheduler", "local", "--searcher", "random", "--max-evals", "3", "--evals-per-node", "2", "--wait"], { cwd: ROOT });
    ok(r);
    const csv = readCsvRecords(join(ws.dir, "data/py/results.csv"));
    expect(csv).toHaveLength(3);
    for (const c of csv) {
      if (c.status === "DONE") expect(Number.isFinite(Number(c.objective))).toBe(true);
    }
    expect(csv.some((c) => c.status === "DONE")).toBe(true);
  });

  it("records failures with their reason and goes on", () => {
    const r = spruce([...W, "submit", "hps", "flaky", "-p", problem, "-r", fixture("cli/run-flaky.ts"), "--scheduler", "local", "--searcher", "random", "--max-evals", "15", "--evals-per-node", "3", "--wait", "--seed", "3"]);
    ok(r);
    const csv = readCsvRecords(join(ws.dir, "data/flaky/results.csv"));
    expect(csv).toHaveLength(15);
    const failed = csv.filter((c) => c.status === "FAILED");
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) {
      expect(f["p:kind"]).toBe("c");
      expect(f.objective).toBe("");
      const err = readFileSync(join(ws.dir, "data/flaky/evals", f.eval_id as string, "stderr.txt"), "utf8");
      expect(err).toContain("kind c is not supported");
    }
    const logs = readdirSync(join(ws.dir, "data/flaky")).filter((f) => f.startsWith("launcher-"));
    expect(readFileSync(join(ws.dir, "data/flaky", logs[0] as string), "utf8")).toMatch(/FAILED: exit code 1/);
  });

  it("rm asks for --yes when not on a terminal, then deletes rows and results", () => {
    const refused = spruce([...W, "rm", "flaky"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("pass --yes");
    ok(spruce([...W, "rm", "flaky", "--yes"]));
    expect(existsSync(join(ws.dir, "data/flaky"))).toBe(false);
    const names = JSON.parse(spruce([...W, "ls", "--json"]).stdout).map((w: { workflow: string }) => w.workflow);
    expect(names).not.toContain("flaky");
    const gone = spruce([...W, "status", "flaky"]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain("workflow 'flaky' not found");
  });
});
