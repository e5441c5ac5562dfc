// A search survives its PostgreSQL server restarting: a cluster made with `spruce db init`, a search
// submitted with --db-dir, `pg_ctl restart -m fast` (every session cut with 57P01) while evaluations
// run, then a 3 s outage (`spruce db stop`, `spruce db start`) during which evaluations finish and
// their results cannot be written. The launcher rides both out (store retries with backoff) and the
// search completes with exactly max-evals finished evaluations, none lost and none finished twice.
// And a launcher that starts while the server is down waits for it instead of failing its job.
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findPgPrograms, runAsServerUser } from "../../src/pgcluster/binaries.js";
import { readCsvRecords } from "../../src/results/csv.js";
import { countEvaluations, getWorkflow, listEvaluations, listEvents, listLaunchers, openStore } from "../../src/store/index.js";
import { fixture, spruce, spruceAsync, tempWorkspace } from "../helpers/cli.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const programs = (() => {
  try {
    return findPgPrograms();
  } catch (e) {
    if (process.env.CI === "true") throw e;
    process.stderr.write("PostgreSQL restart test left out: no initdb/pg_ctl; install the Debian package postgresql\n");
    return null;
  }
})();

describe.skipIf(!programs)("PostgreSQL restart during a search", () => {
  it("completes with nothing lost", { timeout: 180_000 }, async () => {
    const parent = mkdtempSync(join(tmpdir(), "spruce-pg-restart-"));
    chmodSync(parent, 0o711);
    const dir = join(parent, "db");
    expect(spruce(["db", "init", dir, "--listen", "127.0.0.1"]).code).toBe(0);
    expect(spruce(["db", "start", dir]).code).toBe(0);
    const ws = tempWorkspace("spruce-pg-restart-ws-");
    const maxEvals = 18;
    const store = await openStore({ credentialsFile: join(dir, "server-info.json") });
    try {
      const submitted = spruce(
        ["--workspace", ws.dir, "submit", "hps", "restart", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--db-dir", dir,
          "--scheduler", "local", "--searcher", "random", "--max-evals", String(maxEvals), "--evals-per-node", "3", "--seed", "2"],
        { env: { SPRUCE_TEST_SLEEP_MS: "1500" } },
      );
      expect(submitted.code, submitted.stderr).toBe(0);
      const wf = (await getWorkflow(store, "restart"))!;
      for (let i = 0; i < 300; i++) {
        const c = await countEvaluations(store, wf.id);
        if (c.DONE >= 2 && c.RUNNING === 3) break;
        await sleep(100);
      }
      const info = JSON.parse(readFileSync(join(dir, "server-info.json"), "utf8")) as { dataDir: string; logFile: string };
      // -l: without it the new server would keep pg_ctl's stdout open and the call would not return.
      const before = await countEvaluations(store, wf.id);
      const restart = runAsServerUser(programs!.pgCtl, ["restart", "-D", info.dataDir, "-l", info.logFile, "-m", "fast", "-w"]);
      expect(restart.status, restart.stderr).toBe(0);
      for (let i = 0; i < 100 && (await countEvaluations(store, wf.id)).DONE === before.DONE; i++) await sleep(100);
      const afterRestart = await countEvaluations(store, wf.id);
      expect(afterRestart.DONE).toBeGreaterThan(before.DONE);
      expect(afterRestart.DONE).toBeLessThan(maxEvals);

      // The outage must fall in the middle of the search: work left, the launcher still going.
      const atStop = await countEvaluations(store, wf.id);
      expect(atStop.DONE).toBeLessThan(maxEvals);
      expect((await listLaunchers(store, wf.id)).some((l) => l.endedAt === null)).toBe(true);
      expect(spruce(["db", "stop", dir]).code).toBe(0);
      await sleep(3000);
      expect(spruce(["db", "start", dir]).code).toBe(0);

      // The launcher ends on its own once max-evals have finished.
      let ended = false;
      for (let i = 0; i < 900 && !ended; i++) {
        const launchers = await listLaunchers(store, wf.id);
        ended = launchers.length > 0 && launchers.every((l) => l.endedAt !== null);
        if (!ended) await sleep(100);
      }
      expect(ended).toBe(true);
      const counts = await countEvaluations(store, wf.id);
      expect(counts.DONE).toBe(maxEvals);
      expect(counts.RUNNING + counts.READY + counts.FAILED).toBe(0);
      for (const r of await listEvaluations(store, wf.id)) {
        expect((await listEvents(store, r.id)).filter((e) => e.toState === "DONE")).toHaveLength(1);
      }
      const csv = readCsvRecords(join(wf.resultsDir, "results.csv"));
      expect(csv).toHaveLength(maxEvals);
      expect(new Set(csv.map((c) => c.eval_id)).size).toBe(maxEvals);
    } finally {
      await store.close();
      spruce(["db", "stop", dir]);
    }
    rmSync(parent, { recursive: true, force: true });
    ws.cleanup();
  });

  it("a launcher started while the server is down waits for it (a batch job starting during a restart)", { timeout: 120_000 }, async () => {
    const parent = mkdtempSync(join(tmpdir(), "spruce-pg-down-"));
    chmodSync(parent, 0o711);
    const dir = join(parent, "db");
    const ws = tempWorkspace("spruce-pg-down-ws-");
    try {
      expect(spruce(["db", "init", dir, "--listen", "127.0.0.1"]).code).toBe(0);
      expect(spruce(["db", "start", dir]).code).toBe(0);
      const submitted = spruce(["--workspace", ws.dir, "submit", "hps", "down", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--db-dir", dir,
        "--scheduler", "local", "--searcher", "random", "--max-evals", "4", "--wait", "--wait-timeout", "60"]);
      expect(submitted.code, submitted.stderr).toBe(0);
      expect(spruce(["db", "stop", dir]).code).toBe(0);
      // The launcher of a later job (here: with nothing left to do) starts while the server is down.
      const launch = spruceAsync(["--workspace", ws.dir, "launch", "down", "--db-dir", dir]);
      await sleep(3000);
      expect(spruce(["db", "start", dir]).code).toBe(0);
      const r = await launch;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/database connection lost \(connect ECONNREFUSED/);
      expect(r.stderr).not.toContain("cannot reach the workflow database");
      expect(r.stderr).toMatch(/launcher \d+ ended \(completed\)/);
    } finally {
      spruce(["db", "stop", dir]);
    }
    rmSync(parent, { recursive: true, force: true });
    ws.cleanup();
  });
});
