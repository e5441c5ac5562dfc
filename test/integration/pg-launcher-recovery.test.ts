// Issue 5's crash test on PostgreSQL: submit with --database-url, SIGKILL the launcher mid-search,
// run `spruce launch` again, and the search ends with exactly max-evals finished evaluations, none
// finished twice, every result in results.csv once, and nothing written to SQLite.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCsvRecords } from "../../src/results/csv.js";
import { countEvaluations, getWorkflow, openStore } from "../../src/store/index.js";
import { expectFinishedOnce, launcherMidSearch } from "../helpers/recovery.js";
import { fixture, spruce, spruceAsync, tempWorkspace } from "../helpers/cli.js";
import { PG, testDatabaseUrl } from "../helpers/pg.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What the launcher's own dead-pid check sees (a zombie still counts as alive). */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!PG)("launcher crash recovery on PostgreSQL", () => {
  it("recovers after SIGKILL with exactly max-evals finished", { timeout: 180_000 }, async () => {
    const url = await testDatabaseUrl();
    const ws = tempWorkspace("spruce-pg-recovery-");
    const env = { SPRUCE_TEST_SLEEP_MS: "1500" };
    const maxEvals = 12;
    const submitted = spruce(
      ["--workspace", ws.dir, "--database-url", url, "submit", "hps", "crash", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"),
        "--scheduler", "local", "--searcher", "random", "--max-evals", String(maxEvals), "--evals-per-node", "3", "--seed", "1"],
      { env },
    );
    expect(submitted.code, submitted.stderr).toBe(0);

    const store = await openStore({ databaseUrl: url });
    try {
      const wf = (await getWorkflow(store, "crash"))!;
      const launcherPid = await launcherMidSearch(store, wf.id);
      expect(launcherPid).toBeGreaterThan(0);
      process.kill(launcherPid, "SIGKILL");
      // The new launcher recovers at once when the old pid is gone (same host): wait until it is.
      for (let i = 0; i < 100 && pidExists(launcherPid); i++) await sleep(100);
      expect(pidExists(launcherPid)).toBe(false);
      expect((await countEvaluations(store, wf.id)).RUNNING).toBeGreaterThan(0);

      const relaunch = await spruceAsync(["--workspace", ws.dir, "--database-url", url, "launch", "crash"], { env });
      expect(relaunch.code, relaunch.stderr).toBe(0);
      expect(relaunch.stderr).toMatch(/recovered from dead launcher/);

      const rows = await expectFinishedOnce(store, wf.id, maxEvals);
      expect(rows.some((r) => r.attempt > 0)).toBe(true);
      const csv = readCsvRecords(join(wf.resultsDir, "results.csv"));
      expect(csv).toHaveLength(maxEvals);
      expect(new Set(csv.map((c) => c.eval_id)).size).toBe(maxEvals);
      expect(existsSync(join(ws.dir, "spruce.db"))).toBe(false);
    } finally {
      await store.close();
    }
    ws.cleanup();
  });
});
