// Issue 3's crash test: SIGKILL the launcher mid-search, run `spruce launch` again, and the search
// ends with exactly max-evals finished evaluations, none finished twice, and no evaluation process
// of the killed launcher still alive. Then the same for the launcher's spawner: the launcher stops
// on a clear error, ends its evaluations itself and hands them back, and a relaunch finishes.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectFinishedOnce, launcherMidSearch } from "../helpers/recovery.js";
import { fixture, spruce, spruceAsync, tempWorkspace } from "../helpers/cli.js";
import { readCsvRecords } from "../../src/results/csv.js";
import { countEvaluations, getWorkflow, listLaunchers, loadSearcherState, openStore, type Store } from "../../src/store/index.js";
import type { WorkflowRow } from "../../src/store/types.js";

const ws = tempWorkspace("spruce-recovery-");
let passed = 0;
afterAll(() => {
  if (passed === 3) ws.cleanup(); // kept for a look when a test failed
});

/** Every live process whose parent chain reaches `root`. */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z") continue;
      parent.set(Number(d), Number(fields[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  for (const pid of parent.keys()) {
    let p = parent.get(pid);
    while (p !== undefined && p > 1) {
      if (p === root) {
        out.push(pid);
        break;
      }
      p = parent.get(p);
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

const env = { SPRUCE_TEST_SLEEP_MS: "1500" };

/**
 * Submits a search of 1.5 s evaluations, 3 at a time, and waits until its launcher runs three after
 * two finished. Returns the store, the workflow, the launcher's pid and its live descendants (the
 * three evaluations and the spawner).
 */
async function midSearch(name: string, maxEvals: number, seed: number, searcher = "random"): Promise<{ store: Store; wf: WorkflowRow; launcherPid: number; children: number[] }> {
  const submitted = spruce(
    ["--workspace", ws.dir, "submit", "hps", name, "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"),
      "--scheduler", "local", "--searcher", searcher, "--max-evals", String(maxEvals), "--evals-per-node", "3", "--seed", String(seed)],
    { env },
  );
  expect(submitted.code, submitted.stderr).toBe(0);
  const store = await openStore({ workspace: ws.dir });
  const wf = (await getWorkflow(store, name))!;
  const launcherPid = await launcherMidSearch(store, wf.id);
  expect(launcherPid).toBeGreaterThan(0);
  // Rows turn RUNNING just before their processes start: wait for 3 evaluations + the spawner.
  let children = descendants(launcherPid);
  for (let i = 0; i < 100 && children.length < 4; i++) {
    await sleep(50);
    children = descendants(launcherPid);
  }
  expect(children.length).toBeGreaterThanOrEqual(4);
  return { store, wf, launcherPid, children };
}

describe("launcher crash recovery", () => {
  it("recovers after SIGKILL with exactly max-evals finished and no orphans", async () => {
    const maxEvals = 12;
    const { store, wf, launcherPid, children } = await midSearch("crash", maxEvals, 1);
    try {
      process.kill(launcherPid, "SIGKILL");

      // Within a few seconds nothing the killed launcher started is alive.
      for (let i = 0; i < 50 && children.some(alive); i++) await sleep(100);
      expect(children.filter(alive)).toEqual([]);
      const before = await countEvaluations(store, wf.id);
      expect(before.RUNNING).toBeGreaterThan(0); // left RUNNING by the dead launcher

      // A new launcher recovers them at once (same host, dead pid) and finishes the search.
      const relaunch = await spruceAsync(["--workspace", ws.dir, "launch", "crash"], { env });
      expect(relaunch.code, relaunch.stderr).toBe(0);
      expect(relaunch.stderr).toMatch(/recovered from dead launcher/);

      const rows = await expectFinishedOnce(store, wf.id, maxEvals);
      // The interrupted ones were re-run with a higher attempt count.
      expect(rows.some((r) => r.attempt > 0)).toBe(true);
      const csv = readCsvRecords(join(wf.resultsDir, "results.csv"));
      expect(csv).toHaveLength(maxEvals);
      expect(new Set(csv.map((c) => c.eval_id)).size).toBe(maxEvals);
    } finally {
      await store.close();
    }
    passed++;
  });

  it("stops on a clear error when its spawner dies, ends its evaluations, and a relaunch finishes", async () => {
    const maxEvals = 9;
    const { store, wf, launcherPid, children } = await midSearch("spawner", maxEvals, 2);
    try {
      const spawner = children.find((pid) => comm(pid) === "forkserver");
      expect(spawner, `no spawner among ${children.map((p) => `${p}:${comm(p)}`).join(" ")}`).toBeDefined();
      const evaluations = children.filter((pid) => pid !== spawner);
      expect(evaluations.length).toBeGreaterThanOrEqual(3);
      process.kill(spawner!, "SIGKILL");

      // The launcher notices, ends the evaluations its dead spawner no longer watches, and exits.
      for (let i = 0; i < 150 && (alive(launcherPid) || evaluations.some(alive)); i++) await sleep(100);
      expect(alive(launcherPid)).toBe(false);
      expect(evaluations.filter(alive)).toEqual([]);
      const [first] = await listLaunchers(store, wf.id);
      const log = readFileSync(join(wf.resultsDir, `launcher-${first!.id}.log`), "utf8");
      expect(log).toMatch(/error: the launcher's spawner is gone \(the spawner process exited \(SIGKILL\)\)/);
      expect(log).toMatch(/stopped on an error: 3 evaluation\(s\) to re-run, 0 failed/);
      const after = await countEvaluations(store, wf.id);
      expect(after.RUNNING).toBe(0);
      expect(after.FAILED).toBe(0); // none was blamed on the evaluation

      const relaunch = await spruceAsync(["--workspace", ws.dir, "launch", "spawner"], { env });
      expect(relaunch.code, relaunch.stderr).toBe(0);
      const rows = await expectFinishedOnce(store, wf.id, maxEvals);
      expect(rows.filter((r) => r.attempt > 0)).toHaveLength(3);
      expect(rows.every((r) => r.state === "DONE")).toBe(true);
    } finally {
      await store.close();
    }
    passed++;
  });

  it("resumes ambs from its state without rows: every point once, the state the same few bytes", async () => {
    // Past n_initial_points (10), so the relaunched search proposes from a surrogate fitted on the
    // results it rebuilt from the rows.
    const maxEvals = 18;
    const { store, wf, launcherPid, children } = await midSearch("crash-ambs", maxEvals, 3, "ambs");
    try {
      const saved = (await loadSearcherState(store, wf.id)) as { version: number; observations?: unknown };
      expect(saved.version).toBe(2);
      expect(saved.observations).toBeUndefined();
      process.kill(launcherPid, "SIGKILL");
      for (let i = 0; i < 50 && children.some(alive); i++) await sleep(100);

      const relaunch = await spruceAsync(["--workspace", ws.dir, "launch", "crash-ambs"], { env });
      expect(relaunch.code, relaunch.stderr).toBe(0);
      const rows = await expectFinishedOnce(store, wf.id, maxEvals);
      // No point proposed twice: the rebuilt searcher knew every told and pending point.
      expect(new Set(rows.map((r) => JSON.stringify(r.point))).size).toBe(rows.length);
      expect(JSON.stringify(await loadSearcherState(store, wf.id)).length).toBeLessThan(200);
    } finally {
      await store.close();
    }
    passed++;
  });
});
