// submit --warm-start through the built CLI and the local scheduler (docs/architecture.md, Warm
// start): from a workflow of the same database and from a DeepHyper-style results.csv, the priors
// stored with the new workflow and never counted, evaluated or written to its results.csv; a bad
// source refused with one error line, exit 2 and nothing written.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectOneError, fixture, spruce, tempWorkspace } from "../helpers/cli.js";
import { readCsvRecords } from "../../src/results/csv.js";
import { getWorkflow, openStore } from "../../src/store/index.js";

const ws = tempWorkspace("spruce-warm-");
const W = ["--workspace", ws.dir];
const problem = fixture("cli/problem.ts");
const run = fixture("cli/run.ts");
const LOCAL = ["-p", problem, "-r", run, "--scheduler", "local", "--evals-per-node", "3"];
let allPassed = true;
afterAll(() => {
  if (allPassed) ws.cleanup();
});

function ok(r: { code: number; stderr: string }): void {
  if (r.code !== 0) allPassed = false;
  expect(r.code, r.stderr).toBe(0);
}

async function storedWarmStart(name: string): Promise<{ source: string; observations: unknown[]; dropped: number } | undefined> {
  const store = await openStore({ workspace: ws.dir });
  try {
    return (await getWorkflow(store, name))?.searcherOptions.warm_start as never;
  } finally {
    await store.close();
  }
}

describe("submit --warm-start", () => {
  it("starts a search from an earlier workflow's results, without counting or re-recording them", async () => {
    ok(spruce([...W, "submit", "hps", "first", ...LOCAL, "--max-evals", "12", "--seed", "1", "--wait"]));
    const r = spruce([...W, "submit", "hps", "second", ...LOCAL, "--max-evals", "6", "--seed", "2", "--warm-start", "first", "--wait"]);
    ok(r);
    expect(r.stderr).toContain("Reading warm start...OK");
    expect(r.stderr).toContain("Warm start: 12 earlier result(s) from workflow first");
    expect(r.stderr).toMatch(/Search second finished: 6 evaluation/);
    // Not in its results, not in its budget.
    expect(readCsvRecords(join(ws.dir, "data/second/results.csv"))).toHaveLength(6);
    const st = JSON.parse(spruce([...W, "status", "second", "--json"]).stdout);
    expect(st).toMatchObject({ state: "FINISHED", max_evals: 6 });
    expect(st.counts.DONE).toBe(6);
    // Stored with the workflow: a relaunch needs neither the old workflow nor a file.
    const stored = await storedWarmStart("second");
    expect(stored).toMatchObject({ source: "first", dropped: 0 });
    expect(stored!.observations).toHaveLength(12);
    ok(spruce([...W, "rm", "first", "--yes"]));
    ok(spruce([...W, "submit", "hps", "second", "--resume", "--max-evals", "9", "--wait"]));
    expect(readCsvRecords(join(ws.dir, "data/second/results.csv"))).toHaveLength(9);
  });

  it("starts a search from a DeepHyper results.csv, dropping the rows outside the space", async () => {
    const file = join(ws.dir, "dh-results.csv");
    writeFileSync(
      file,
      "p:x,p:n,p:kind,p:dropout,objective,job_id,m:timestamp_submit\n" +
        "0.31,7,b,0.1,-0.001,0,1.0\n" +
        "0.2,6,b,0.1,-0.02,1,2.0\n" +
        "0.9,2,a,0.1,-0.7,2,3.0\n" +
        "1.5,7,b,0.1,-0.3,3,4.0\n" + // x outside [0, 1]
        "0.3,7,z,0.1,-0.1,4,5.0\n" + // unknown kind
        "0.4,5,c,0.1,F,5,6.0\n", // a failure
    );
    const r = spruce([...W, "submit", "hps", "third", ...LOCAL, "--max-evals", "4", "--seed", "3", "--warm-start", file, "--wait"]);
    ok(r);
    expect(r.stderr).toContain(`Warm start: 3 earlier result(s) from ${file}; dropped 2 outside this space, 1 without an objective; ignored: dropout`);
    expect(readCsvRecords(join(ws.dir, "data/third/results.csv"))).toHaveLength(4);
    const stored = await storedWarmStart("third");
    expect(stored).toMatchObject({ source: file, dropped: 3 });
    expect(stored!.observations).toEqual([
      { point: { x: 0.31, n: 7, kind: "b" }, objective: -0.001 },
      { point: { x: 0.2, n: 6, kind: "b" }, objective: -0.02 },
      { point: { x: 0.9, n: 2, kind: "a" }, objective: -0.7 },
    ]);
  });

  it("refuses a bad source with one line, exit 2, and writes nothing", () => {
    const nothing = join(ws.dir, "nothing.csv");
    writeFileSync(nothing, "p:a,p:b,objective\n1,2,3\n");
    const outside = join(ws.dir, "outside.csv");
    writeFileSync(outside, "p:x,objective\n3,1\n-1,2\n");
    const cases: [string[], RegExp][] = [
      [["--warm-start", join(ws.dir, "missing.csv")], /--warm-start: file not found/],
      [["--warm-start", "no-such-workflow"], /--warm-start: no workflow 'no-such-workflow' in the database, and no file of that name/],
      [["--warm-start", nothing], /--warm-start: .* shares no hyperparameter with this search \(it has a, b; this search has x, n, kind\)/],
      [["--warm-start", outside], /--warm-start: no usable row in .*: 2 row\(s\), 2 with a value outside this search's space, 0 without an objective/],
      [["--warm-start", "second", "--searcher", "random"], /--warm-start only applies to --searcher ambs \(this search uses random/],
    ];
    for (const [flags, error] of cases) {
      const r = spruce([...W, "submit", "hps", "bad", ...LOCAL, ...flags]);
      if (r.code !== 2) allPassed = false;
      expectOneError(r, error);
      expect(existsSync(join(ws.dir, "data/bad"))).toBe(false);
    }
    const ls = JSON.parse(spruce([...W, "ls", "--json"]).stdout) as { workflow?: string; name?: string }[];
    expect(JSON.stringify(ls)).not.toContain('"bad"');
    // --resume keeps what the first submission stored.
    expectOneError(spruce([...W, "submit", "hps", "second", "--resume", "--warm-start", "third"]), /--warm-start is set at the first submission and kept by --resume/);
  });
});
