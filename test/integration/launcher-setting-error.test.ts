// A launcher that stops on a setting error leaves the workflow FAILED with that error, which
// `status`, `status --json` and `--wait` show, instead of a workflow that looks RUNNING. The case
// is one submit cannot see: -j mpi -n 2 --nodes-per-eval 2 passes at submit (two nodes are asked
// for), but the local scheduler's allocation is this one host. Two nodes need PostgreSQL.
import { describe, expect, it } from "vitest";
import { expectOneError, fixture, spruce, tempWorkspace } from "../helpers/cli.js";
import { PG, testDatabaseUrl } from "../helpers/pg.js";

describe.skipIf(!PG)("a launcher stopped by a setting error (PostgreSQL)", () => {
  it("leaves the workflow FAILED with the reason, shown by --wait, status and status --json", { timeout: 120_000 }, async () => {
    const url = await testDatabaseUrl();
    const ws = tempWorkspace("spruce-setting-error-");
    const W = ["--workspace", ws.dir, "--database-url", url];
    const reason = "--nodes-per-eval 2 needs at least that many nodes; the allocation has 1";

    const wait = spruce([...W, "submit", "hps", "toosmall", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--scheduler", "local",
      "-j", "mpi", "-n", "2", "--nodes-per-eval", "2", "--searcher", "random", "--max-evals", "2", "--wait", "--wait-timeout", "60"]);
    expect(wait.stderr).toContain("Submit OK: local job");
    expectOneError({ ...wait, stdout: "" }, new RegExp(`^error: workflow 'toosmall' FAILED: ${reason.replace(/[()]/g, "\\$&")}$`), {
      code: 1,
      hint: /spruce logs toosmall/,
    });

    const json = spruce([...W, "status", "toosmall", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const status = JSON.parse(json.stdout);
    expect(status).toMatchObject({ workflow: "toosmall", state: "FAILED", error: reason });
    expect(status.batch_jobs).toEqual([expect.objectContaining({ state: "FAILED" })]);
    expect(Object.keys(status).slice(-3)).toEqual(["service", "error", "objectives"]);
    expect(status.counts.RUNNING + status.counts.READY).toBe(0);

    const text = spruce([...W, "status", "toosmall"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("workflow   toosmall (FAILED)\n");
    expect(text.stdout).toContain(`error      ${reason}\n`);

    // The batch job's error file says it too, in the CLI's one-line form.
    const err = spruce([...W, "logs", "toosmall", "--stderr"]);
    expect(err.stdout).toContain(`error: ${reason}`);
    ws.cleanup();
  });
});
