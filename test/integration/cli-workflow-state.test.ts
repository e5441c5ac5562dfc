// Refusals that depend on a workflow's state, through the built CLI: --dry-run of a name taken,
// --resume with no work left, cancel of a FINISHED workflow, topk of a file that is not a
// results.csv. Each is exit 2 with one error line and a hint, and changes nothing: no state, no
// batch job, no file. Commands that only read never create a database or a workspace, and none
// leaves SQLite's -wal/-shm files behind when it exits on an error.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOneError, fixture, ROOT, spruce, tempWorkspace } from "../helpers/cli.js";

const ws = tempWorkspace("spruce-state-");
const W = ["--workspace", ws.dir];
let passed = true;
afterAll(() => {
  if (passed) ws.cleanup();
});

function ok(r: { code: number; stderr: string }): void {
  if (r.code !== 0) passed = false;
  expect(r.code, r.stderr).toBe(0);
}

function status(name: string): { state: string; max_evals: number; batch_jobs: unknown[]; error: string | null } {
  const r = spruce([...W, "status", name, "--json"]);
  ok(r);
  return JSON.parse(r.stdout);
}

/** The workspace's files, to show a refused command changed none of them. */
function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.startsWith("spruce.db")) out[p] = readFileSync(p, "utf8");
    }
  };
  walk(ws.dir);
  return out;
}

function expectNoWalFiles(): void {
  expect(readdirSync(ws.dir).filter((f) => /^spruce\.db-(wal|shm)$/.test(f))).toEqual([]);
}

beforeAll(() => {
  const args = ["--scheduler", "local", "--searcher", "random", "--seed", "3", "--wait"];
  ok(spruce([...W, "submit", "hps", "done", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--max-evals", "3", ...args]));
  // A grid of 2 points with a budget of 5: FINISHED with its space exhausted.
  ok(spruce([...W, "submit", "hps", "grid2", "--hp", "k=a,b", "--command", "echo objective: 1", "--max-evals", "5", "--scheduler", "local", "--searcher", "grid", "--wait"]));
}, 120_000);

describe("refused because of the workflow's state, changing nothing", () => {
  it("--dry-run of a name that exists is exit 2 (it printed 'nothing was written' and exit 0)", () => {
    const before = snapshot();
    const r = spruce([...W, "submit", "hps", "done", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--scheduler", "local", "--dry-run"]);
    expect(r.stderr).not.toContain("Dry run");
    expectOneError(r, /^error: workflow 'done' already exists$/, { hint: /--resume/ });
    expect(snapshot()).toEqual(before);
  });

  it("--resume of a finished workflow whose budget is spent says to raise --max-evals", () => {
    const before = snapshot();
    expectOneError(spruce([...W, "submit", "hps", "done", "--resume", "--scheduler", "local"]), /workflow 'done' has 3 finished evaluation\(s\): its budget of 3 evaluations is spent/, {
      hint: /spruce submit hps done --resume --max-evals 6/,
    });
    expect(status("done")).toMatchObject({ state: "FINISHED", max_evals: 3 });
    expect(status("done").batch_jobs).toHaveLength(1);
    expect(snapshot()).toEqual(before);
  });

  it("--resume with a lowered --max-evals is refused the same way", () => {
    expectOneError(spruce([...W, "submit", "hps", "done", "--resume", "--max-evals", "2"]), /--max-evals 2 is not more than the evaluations already finished/, { hint: /--max-evals 6/ });
    expect(status("done")).toMatchObject({ state: "FINISHED", max_evals: 3 });
  });

  it("--resume --max-evals 5 --dry-run prints the script and writes nothing (it used to write the budget)", () => {
    const r = spruce([...W, "submit", "hps", "done", "--resume", "--max-evals", "5", "--dry-run"]);
    ok(r);
    expect(r.stdout).toMatch(/^#!\/bin\/bash/);
    expect(status("done")).toMatchObject({ state: "FINISHED", max_evals: 3 });
    expect(status("done").batch_jobs).toHaveLength(1);
  });

  it("--resume of a search whose space is exhausted says a larger budget cannot help", () => {
    expect(status("grid2")).toMatchObject({ state: "FINISHED", max_evals: 5 });
    expectOneError(spruce([...W, "submit", "hps", "grid2", "--resume", "--max-evals", "10"]), /workflow 'grid2' is FINISHED with 2 of 5 evaluations: its searcher had no point left to propose/, {
      hint: /a larger --max-evals cannot help/,
    });
    expect(status("grid2").batch_jobs).toHaveLength(1);
  });

  it("cancel of a FINISHED workflow is exit 2 and leaves it FINISHED (it became STOPPED)", () => {
    const before = snapshot();
    expectOneError(spruce([...W, "cancel", "done"]), /workflow 'done' is FINISHED: there is nothing to cancel/, { hint: /spruce rm done/ });
    expect(status("done").state).toBe("FINISHED");
    expect(snapshot()).toEqual(before);
  });

  it("topk FILE on a file that is not a results.csv is exit 2 naming the file", () => {
    const readme = join(ROOT, "README.md");
    expectOneError(spruce([...W, "topk", readme]), new RegExp(`${readme.replace(/[.]/g, "\\.")} is not a results\\.csv: its first line has no 'objective' and 'p:<name>' columns`), { hint: /results\.csv/ });
    const other = join(ws.dir, "other.csv");
    writeFileSync(other, "a,b\n1,2\n");
    expectOneError(spruce([...W, "topk", other]), /other\.csv is not a results\.csv/);
    expectOneError(spruce([...W, "topk", join(ws.dir, "missing.csv")]), /results file not found: .*missing\.csv/, { hint: /spruce ls/ });
    mkdirSync(join(ws.dir, "adir.csv"), { recursive: true });
    expectOneError(spruce([...W, "topk", join(ws.dir, "adir.csv")]), /adir\.csv is not a file/);
    const real = spruce([...W, "topk", join(ws.dir, "data/done/results.csv"), "-k", "1", "--json"]);
    ok(real);
    expect(Object.keys(JSON.parse(real.stdout))).toEqual(["0"]);
  });
});

describe("the SQLite database is closed on every exit", () => {
  it.each([
    ["topk -k 0", ["topk", "done", "-k", "0"], 2],
    ["export --format xml", ["export", "done", "--format", "xml"], 2],
    ["topk -o with an unknown format", ["topk", "done", "-o", "best.txt"], 2],
    ["a mistyped workflow", ["status", "nope"], 2],
    ["status", ["status", "done"], 0],
    ["logs of a missing evaluation", ["logs", "done", "999"], 2],
  ] as [string, string[], number][])("%s leaves no -wal/-shm file", (_name, args, code) => {
    const r = spruce([...W, ...args]);
    expect(r.code, r.stderr).toBe(code);
    if (code === 2) expectOneError(r, /./);
    expectNoWalFiles();
  });
});

describe("commands that only read create no database and no workspace", () => {
  const cases: [string, string[], RegExp][] = [
    ["status", ["status", "wf"], /no workflow database in /],
    ["topk", ["topk", "wf"], /no workflow database in /],
    ["logs", ["logs", "wf"], /no workflow database in /],
    ["report", ["report", "wf"], /no workflow database in /],
    ["export", ["export", "wf", "--format", "csv"], /no workflow database in /],
    ["cancel", ["cancel", "wf"], /no workflow database in /],
    ["--resume of a missing workflow", ["submit", "hps", "wf", "--resume"], /workflow 'wf' does not exist, so it cannot be resumed/],
  ];
  it.each(cases)("%s", (_name, args, error) => {
    const tmp = tempWorkspace();
    const fresh = join(tmp.dir, "ws");
    expectOneError(spruce(["--workspace", fresh, ...args]), error);
    expect(existsSync(fresh)).toBe(false);
    tmp.cleanup();
  });

  it("ls on a fresh workspace lists nothing and creates nothing", () => {
    const tmp = tempWorkspace();
    const fresh = join(tmp.dir, "ws");
    const r = spruce(["--workspace", fresh, "ls", "--json"]);
    ok(r);
    expect(JSON.parse(r.stdout)).toEqual([]);
    expect(existsSync(fresh)).toBe(false);
    tmp.cleanup();
  });

  it("a mistyped workflow in an existing workspace changes nothing", () => {
    const before = snapshot();
    expectOneError(spruce([...W, "status", "dnoe"]), /workflow 'dnoe' not found/, { hint: /spruce ls/ });
    expectOneError(spruce([...W, "submit", "hps", "dnoe", "--resume"]), /workflow 'dnoe' does not exist/);
    expect(snapshot()).toEqual(before);
  });
});
