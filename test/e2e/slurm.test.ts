// End to end against the REAL Slurm of the test bed (scripts/testbed.sh, 3 emulated nodes n[1-3],
// partition debug): a search submitted with --scheduler slurm runs inside a Slurm job and finishes;
// `spruce cancel` takes a running one down to CANCELLED with no evaluation left RUNNING; a
// --dry-run script passes `sbatch --test-only`. In CI a missing Slurm fails the run; elsewhere
// these tests skip with one line saying how to start the test bed.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { findOnPath } from "../../src/schedulers/index.js";
import { readCsvRecords } from "../../src/results/csv.js";
import { fixture, spruce, tempWorkspace, type CliResult } from "../helpers/cli.js";

const START = "run 'bash scripts/testbed.sh install && bash scripts/testbed.sh up'";
/** sbatch installed and a controller that answers (an installed but stopped test bed is no Slurm). */
const hasSlurm = findOnPath("sbatch", process.env.PATH ?? "") !== null && spawnSync("scontrol", ["ping"], { encoding: "utf8" }).stdout?.includes("UP") === true;
const inCi = Boolean(process.env.CI);
if (!hasSlurm && !inCi) process.stderr.write(`test/e2e/slurm.test.ts skipped: no running Slurm; ${START}\n`);

const partition = process.env.SLURM_PARTITION ?? "debug";
const problem = fixture("cli/problem.ts");
const run = fixture("cli/run.ts");
const submitted: string[] = [];
let allPassed = true;
// Made in beforeAll: a skipped run leaves no empty workspace behind (hooks do not run then).
let ws: ReturnType<typeof tempWorkspace>;
const W = (): string[] => ["--workspace", ws.dir];
beforeAll(() => {
  ws = tempWorkspace("spruce-slurm-");
});
afterEach((ctx) => {
  // Keep the workspace (database, job output, launcher logs) of a failed run as evidence.
  if (ctx.task.result?.state === "fail") allPassed = false;
});
afterAll(() => {
  // A failed test must not leave its jobs holding the shared test bed's nodes.
  if (hasSlurm && submitted.length > 0) spawnSync("scancel", submitted);
  if (allPassed) ws.cleanup();
});

function ok(r: CliResult): void {
  if (r.code !== 0) allPassed = false;
  expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack traces
  expect(r.code, r.stderr).toBe(0);
}

function json<T = any>(r: CliResult): T {
  ok(r);
  return JSON.parse(r.stdout) as T;
}

function scontrolState(id: string): string {
  const out = execFileSync("scontrol", ["show", "job", id], { encoding: "utf8" });
  return /\bJobState=(\S+)/.exec(out)?.[1] ?? "";
}

/**
 * Processes of the search: the launcher names the workspace on its command line, evaluations run
 * in their folder under it.
 */
function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmd.includes(dir) || readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) found.push(`${pid} ${cmd}`);
    } catch {
      // The process ended while we looked, or is not ours to inspect.
    }
  }
  return found;
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function submitArgs(name: string, extra: string[]): string[] {
  return [...W(), "submit", "hps", name, "-p", problem, "-r", run, "--scheduler", "slurm", "-q", partition, "-n", "1", "-t", "5",
    "--searcher", "random", "--evals-per-node", "2", "--json", ...extra];
}

describe("Slurm test bed", () => {
  // Always run (never counted as skipped): outside CI a missing test bed only skips the tests below.
  it("is running (CI runs the Slurm tests, it never skips them)", () => {
    if (!hasSlurm && inCi) expect.fail(`sbatch is missing or slurmctld does not answer 'scontrol ping'; ${START}`);
  });
});

describe.skipIf(!hasSlurm && !inCi)("spruce with the real Slurm", () => {
  it("runs a search inside a Slurm job: sbatch, launcher on a node, --wait, status", () => {
    const r = spruce(submitArgs("slurm-search", ["--max-evals", "6", "--seed", "3", "--wait", "--wait-timeout", "120"]), { timeoutMs: 150_000 });
    const sub = json<{ scheduler: string; job_id: string }>(r);
    submitted.push(sub.job_id);
    expect(sub).toMatchObject({ scheduler: "slurm", job_id: expect.stringMatching(/^\d+$/) });
    expect(r.stderr).toContain("Rendering slurm script...OK\nPerforming job submission...");
    expect(r.stderr).toMatch(/Search slurm-search finished: 6 evaluation/);

    // The launcher ran inside the allocation: m:host is the Slurm node name (SLURMD_NODENAME).
    const csv = readCsvRecords(join(ws.dir, "data/slurm-search/results.csv"));
    expect(csv).toHaveLength(6);
    for (const row of csv) {
      expect(row.status).toBe("DONE");
      expect(row["m:host"]).toMatch(/^n[1-9]\d*$/);
    }

    const status = json(spruce([...W(), "status", "slurm-search", "--json"]));
    expect(status).toMatchObject({ workflow: "slurm-search", state: "FINISHED", counts: { DONE: 6, RUNNING: 0 } });
    expect(status.batch_jobs).toEqual([
      expect.objectContaining({ scheduler: "slurm", id: sub.job_id, state: "FINISHED", nodes: 1, queue: partition }),
    ]);
    // Slurm agrees (the job stays known for MinJobAge after it ends); COMPLETING is its last moments.
    expect(["COMPLETED", "COMPLETING"]).toContain(scontrolState(sub.job_id));
  }, 180_000);

  it("cancel takes a running search down: CANCELLED job, no evaluation RUNNING, workflow STOPPED", async () => {
    // Evaluations sleep 30 s: they are still running when the cancel comes. The variable reaches
    // them because sbatch exports the submitting environment (--export=ALL is its default).
    const sub = json<{ job_id: string }>(spruce(submitArgs("slurm-cancel", ["--max-evals", "8"]), { env: { SPRUCE_TEST_SLEEP_MS: "30000" } }));
    submitted.push(sub.job_id);
    await until("two evaluations RUNNING inside the job", 90_000, () => {
      const s = json(spruce([...W(), "status", "slurm-cancel", "--json"]));
      return s.counts.RUNNING === 2 && s.batch_jobs[0].state === "RUNNING" ? s : undefined;
    });
    expect(scontrolState(sub.job_id)).toBe("RUNNING");

    const cancelled = json(spruce([...W(), "cancel", "slurm-cancel", "--json"]));
    expect(cancelled).toMatchObject({
      workflow: "slurm-cancel",
      previous_state: "RUNNING",
      state: "STOPPED",
      batch_jobs: [{ scheduler: "slurm", id: sub.job_id, was: "RUNNING", state: "CANCELLED" }],
    });
    expect(cancelled.killed_evaluations).toHaveLength(2);
    expect(scontrolState(sub.job_id)).toBe("CANCELLED");

    // Nothing the dying launcher wrote brings a row back, now or a moment later.
    for (const pause of [0, 2000]) {
      await new Promise((r) => setTimeout(r, pause));
      const s = json(spruce([...W(), "status", "slurm-cancel", "--json"]));
      expect(s).toMatchObject({ state: "STOPPED", counts: { RUNNING: 0, READY: 0, KILLED: 2, DONE: 0, FAILED: 0 } });
      expect(s.batch_jobs).toEqual([expect.objectContaining({ id: sub.job_id, state: "CANCELLED" })]);
    }
    // No process of the search is left (Slurm reports CANCELLED only once the job's processes are gone).
    expect(processesIn(ws.dir)).toEqual([]);

    // Cancelling again is harmless: nothing active is left to cancel.
    const again = json(spruce([...W(), "cancel", "slurm-cancel", "--json"]));
    expect(again).toMatchObject({ previous_state: "STOPPED", batch_jobs: [], killed_evaluations: [] });
  }, 180_000);

  it("cancel of a job still PENDING: Slurm never starts it", () => {
    const sub = json<{ job_id: string }>(spruce(submitArgs("slurm-held", ["--max-evals", "2", "--sched-flags=--hold"])));
    submitted.push(sub.job_id);
    expect(scontrolState(sub.job_id)).toBe("PENDING");
    expect(json(spruce([...W(), "status", "slurm-held", "--json"])).batch_jobs[0]).toMatchObject({ id: sub.job_id, state: "QUEUED" });
    const c = spruce([...W(), "cancel", "slurm-held"]);
    ok(c);
    expect(c.stderr).toContain(`slurm job ${sub.job_id}: SUBMITTED -> CANCELLED`);
    expect(scontrolState(sub.job_id)).toBe("CANCELLED");
    const s = json(spruce([...W(), "status", "slurm-held", "--json"]));
    expect(s).toMatchObject({ state: "STOPPED", counts: { RUNNING: 0, READY: 0, DONE: 0 } });
    expect(s.batch_jobs[0]).toMatchObject({ id: sub.job_id, state: "CANCELLED" });
  });

  it("Slurm never requeues a launcher job (a node failure ends it; the service submits the next at once)", () => {
    const sub = json<{ job_id: string }>(spruce(submitArgs("slurm-norequeue", ["--max-evals", "2", "--sched-flags=--hold"])));
    submitted.push(sub.job_id);
    const shown = execFileSync("scontrol", ["show", "job", sub.job_id], { encoding: "utf8" });
    expect(/\bRequeue=(\d)/.exec(shown)?.[1]).toBe("0");
    ok(spruce([...W(), "cancel", "slurm-norequeue"]));
  });

  it("a --dry-run script passes sbatch --test-only; a bad partition does not", () => {
    const script = join(ws.dir, "dry.sbatch");
    // Two nodes need PostgreSQL (SQLite is refused across nodes); a dry run never connects to it.
    const r = spruce([...W(), "--database-url", "postgres://spruce@db.example.org/hps", "submit", "hps", "slurm-dry", "-p", problem, "-r", run, "--scheduler", "slurm", "-q", partition, "-n", "2", "-t", "90", "--dry-run"]);
    ok(r);
    writeFileSync(script, r.stdout);
    const test = spawnSync("sbatch", ["--test-only", script], { encoding: "utf8" });
    expect(test.status, test.stderr).toBe(0);
    expect(test.stderr).toMatch(new RegExp(`sbatch: Job \\d+ to start at \\S+ using \\d+ processors on nodes \\S+ in partition ${partition}`));

    const bad = spruce([...W(), "submit", "hps", "slurm-dry", "-p", problem, "-r", run, "--scheduler", "slurm", "-q", "nope", "--dry-run"]);
    ok(bad);
    const badScript = join(ws.dir, "bad.sbatch");
    writeFileSync(badScript, bad.stdout);
    const refused = spawnSync("sbatch", ["--test-only", badScript], { encoding: "utf8" });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("invalid partition specified: nope");
  });

  it("a submission Slurm refuses is a clear error and leaves no workflow behind", () => {
    const r = spruce([...W(), "submit", "hps", "slurm-refused", "-p", problem, "-r", run, "--scheduler", "slurm", "-q", "nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: sbatch failed (exit 1): sbatch: error: invalid partition specified: nope");
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    const st = spruce([...W(), "status", "slurm-refused"]);
    expect(st.code).toBe(2);
  });
});
