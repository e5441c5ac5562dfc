// A batch system ending a job (scancel, the walltime, a node failure) signals every process of it
// at once: the evaluations die of the SIGTERM before their launcher has handled its own. Such a run
// is handed back (INTERRUPTED), not recorded FAILED against its point, when the launcher's stop
// follows within the hold; a run killed by SIGTERM on its own is still FAILED, a moment later.
// Found by the chaos test (bench/chaos): scancel and node DOWN failed the evaluations they cut.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SlotRunner, type Finished } from "../../launcher/slot-runner.js";
import { createEvaluations, createWorkflow, DEFAULT_SETTINGS, registerLauncher } from "../../src/store/index.js";
import { makeTempStore, sampleWorkflow } from "../helpers/db.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const TEMPLATES = {
  SIGTERM: 'echo $$ > "$SPRUCE_WORKDIR/pid"; exec sleep 30',
  shell: 'sleep 30 & echo $! > "$SPRUCE_WORKDIR/pid"; wait $!',
  // A member of its group that ignores SIGTERM keeps the slot busy for a second after the exit.
  lingering: 'sleep 30 & p=$!; echo $p > "$SPRUCE_WORKDIR/pid"; (trap "" TERM; sleep 1.5) & wait $p',
  exit: "exit 1",
};

/** SIGTERM: the run itself is killed; shell: the child of a shell is, which exits 143 (128 + SIGTERM). */
async function startOne(killBy: keyof typeof TEMPLATES) {
  const { store } = await makeTempStore("sqlite");
  const dir = mkdtempSync(join(tmpdir(), "spruce-jobsignal-"));
  const wf = await createWorkflow(store, sampleWorkflow({
    resultsDir: dir,
    run: { kind: "command", template: TEMPLATES[killBy], cwd: dir },
  }));
  const me = await registerLauncher(store, { workflowId: wf.id, batchJobId: null, host: "n1", pid: process.pid });
  const runner = new SlotRunner({ store, workflow: wf, launcherId: me.id, slots: [{ id: 0, hosts: ["n1"], env: {} }], settings: DEFAULT_SETTINGS });
  const slots = runner.takeSlots(1);
  const [row] = await createEvaluations(store, wf.id, [{ x: 1, act: "relu" }], { claim: { launcherId: me.id, hosts: [["n1"]] } });
  runner.startClaimed([row!], slots);
  const pidFile = join(dir, "evals", String(row!.id), "pid");
  for (let i = 0; i < 100 && killBy !== "exit" && !existsSync(pidFile); i++) await sleep(50);
  return { runner, pid: killBy !== "exit" ? Number(readFileSync(pidFile, "utf8")) : 0, done: () => rmSync(dir, { recursive: true, force: true }) };
}

async function next(runner: SlotRunner, timeoutMs: number): Promise<Finished[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = runner.takeFinished();
    if (f.length > 0 || Date.now() > deadline) return f;
    await runner.sleep(100);
  }
}

describe("a run killed by its job's ending signal", () => {
  it("is handed back when the launcher's own stop follows", async () => {
    const { runner, pid, done } = await startOne("SIGTERM");
    process.kill(pid, "SIGTERM"); // the batch system's signal reaches the run first...
    await sleep(300);
    expect(runner.takeFinished()).toEqual([]); // held, not recorded
    expect(runner.pendingFinished).toBe(1);
    runner.stopAll("walltime"); // ...then the launcher's handler stops everything
    const [f] = await next(runner, 1_000);
    expect(f!.outcome).toMatchObject({ status: "INTERRUPTED", signal: "SIGTERM" });
    await runner.close();
    done();
  });

  it("is handed back too when it ran under a shell that exits 143 (128 + SIGTERM)", async () => {
    const { runner, pid, done } = await startOne("shell");
    process.kill(pid, "SIGTERM");
    await sleep(300);
    expect(runner.takeFinished()).toEqual([]);
    runner.stopAll("walltime");
    const [f] = await next(runner, 1_000);
    expect(f!.outcome).toMatchObject({ status: "INTERRUPTED", exitCode: 143 });
    await runner.close();
    done();
  });

  it("is handed back when the stop comes after its exit but before its group is gone", async () => {
    const { runner, pid, done } = await startOne("lingering");
    process.kill(pid, "SIGTERM");
    await sleep(500); // the shell has exited 143; a member of its group lives on
    runner.stopAll("walltime");
    const [f] = await next(runner, 5_000);
    expect(f!.outcome).toMatchObject({ status: "INTERRUPTED", exitCode: 143 });
    await runner.close();
    done();
  });

  it("is FAILED a moment later when no stop follows (the run's own doing)", async () => {
    const { runner, pid, done } = await startOne("SIGTERM");
    const t0 = Date.now();
    process.kill(pid, "SIGTERM");
    const [f] = await next(runner, 5_000);
    expect(f!.outcome).toMatchObject({ status: "FAILED", signal: "SIGTERM", error: expect.stringContaining("killed by signal SIGTERM") });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_900);
    await runner.close();
    done();
  });

  it("leaves other failures alone: recorded at once", async () => {
    const { runner, done } = await startOne("exit");
    const t0 = Date.now();
    const [f] = await next(runner, 5_000);
    expect(f!.outcome).toMatchObject({ status: "FAILED", exitCode: 1 });
    expect(Date.now() - t0).toBeLessThan(1_900);
    await runner.close();
    done();
  });
});
