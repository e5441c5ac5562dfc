// `spruce cancel` through the built CLI without a batch system: the local scheduler's job (a
// detached process group) is cancelled with its evaluations, and the usage errors. The real-Slurm
// cancel is in slurm.test.ts.
import { afterAll, describe, expect, it } from "vitest";
import { fixture, spruce, tempWorkspace, type CliResult } from "../helpers/cli.js";

const ws = tempWorkspace("spruce-cancel-");
const W = ["--workspace", ws.dir];
let allPassed = true;
afterAll(() => {
  if (allPassed) ws.cleanup();
});

function json(r: CliResult): any {
  if (r.code !== 0) allPassed = false;
  expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe("spruce cancel", () => {
  it("an unknown workflow is a usage error naming 'spruce ls'", () => {
    const r = spruce([...W, "submit", "hps", "other", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--scheduler", "local", "--max-evals", "1"]);
    expect(r.code, r.stderr).toBe(0);
    const c = spruce([...W, "cancel", "nope"]);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("error: workflow 'nope' not found");
    expect(c.stderr).toContain("spruce ls");
  });

  it("cancels a running local search: job CANCELLED, evaluations KILLED, workflow STOPPED", async () => {
    const sub = json(spruce([...W, "submit", "hps", "slow", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--scheduler", "local",
      "--searcher", "random", "--max-evals", "6", "--evals-per-node", "2", "--json"], { env: { SPRUCE_TEST_SLEEP_MS: "30000" } }));
    const deadline = Date.now() + 30_000;
    while (json(spruce([...W, "status", "slow", "--json"])).counts.RUNNING < 2) {
      if (Date.now() > deadline) throw new Error("the evaluations did not start");
      await new Promise((r) => setTimeout(r, 300));
    }
    const c = spruce([...W, "cancel", "slow"]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toContain(`local job ${sub.job_id}: RUNNING -> CANCELLED`);
    expect(c.stderr).toContain("killed 2 evaluation(s)");
    const s = json(spruce([...W, "status", "slow", "--json"]));
    expect(s).toMatchObject({ state: "STOPPED", counts: { RUNNING: 0, READY: 0, KILLED: 2 } });
    expect(s.batch_jobs).toEqual([expect.objectContaining({ scheduler: "local", id: sub.job_id, state: "CANCELLED" })]);
  });
});
