// Issue 7's walltime test: a launcher whose walltime margin is reached stops dispatching, stops its
// running evaluations (no orphan process, none left RUNNING: they go back to READY with a higher
// attempt), and a second launch finishes the search with exactly max-evals evaluations.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixture, spruce, spruceAsync, tempWorkspace } from "../helpers/cli.js";
import { readCsvRecords } from "../../src/results/csv.js";

const ws = tempWorkspace("spruce-walltime-");
let passed = false;
afterAll(() => {
  if (passed) ws.cleanup();
});
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Live processes working in the workflow's evaluation folders (zombies excluded). */
function evaluationProcesses(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2)[0] === "Z") continue;
      if (readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) found.push(pid);
    } catch {
      // ended while we looked
    }
  }
  return found;
}

describe("walltime", () => {
  it("stops before the walltime with nothing RUNNING, and a second launch finishes", { timeout: 120_000 }, async () => {
    const W = ["--workspace", ws.dir];
    const env = { SPRUCE_TEST_SLEEP_MS: "3000" };
    // A 1-minute walltime with a 52 s margin: dispatch stops 8 s after the launcher starts.
    const submitted = spruce([...W, "submit", "hps", "wt", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--scheduler", "local",
      "--searcher", "random", "--max-evals", "10", "--evals-per-node", "2", "-t", "1", "--walltime-margin", "52", "--kill-grace-seconds", "2", "--seed", "5"], { env });
    expect(submitted.code, submitted.stderr).toBe(0);

    let status: { counts: Record<string, number>; batch_jobs: { state: string }[] } | undefined;
    for (let i = 0; i < 300; i++) {
      status = JSON.parse(spruce([...W, "status", "wt", "--json"]).stdout);
      if (status!.batch_jobs[0]!.state !== "SUBMITTED" && status!.batch_jobs[0]!.state !== "RUNNING") break;
      await sleep(200);
    }
    expect(status!.batch_jobs[0]!.state).toBe("FINISHED");
    const finishedFirst = status!.counts.DONE!;
    expect(finishedFirst).toBeGreaterThan(0);
    expect(finishedFirst).toBeLessThan(10);
    expect(status!.counts.RUNNING).toBe(0);
    expect(status!.counts.READY).toBeGreaterThan(0); // interrupted ones, waiting for the next launcher
    expect(evaluationProcesses(join(ws.dir, "data/wt/evals"))).toEqual([]);
    const log = readFileSync(join(ws.dir, "data/wt/launcher-1.log"), "utf8");
    expect(log).toContain("walltime margin reached");
    expect(log).toContain("ended (walltime)");

    const second = await spruceAsync([...W, "launch", "wt"], { env });
    expect(second.code, second.stderr).toBe(0);
    const csv = readCsvRecords(join(ws.dir, "data/wt/results.csv"));
    expect(csv).toHaveLength(10);
    expect(new Set(csv.map((c) => c.eval_id)).size).toBe(10);
    const final = JSON.parse(spruce([...W, "status", "wt", "--json"]).stdout);
    expect(final.counts).toMatchObject({ DONE: 10, RUNNING: 0, READY: 0 });
    passed = true;
  });
});
