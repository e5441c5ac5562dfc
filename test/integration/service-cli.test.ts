// `spruce service` as a user runs it, with the local scheduler and SQLite: one service per database
// (a second start and run-once are refused, a SIGKILLed one is taken over at once, stop ends it),
// --detach with its pid file, a workflow whose launcher fails at start-up held after its second
// failed job and reported with the tail of the job's error file, and a tick recovering the
// evaluations of a launcher killed with its job.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CLI, fixture, spruce, tempWorkspace, type CliResult } from "../helpers/cli.js";

let ws: ReturnType<typeof tempWorkspace>;
let allPassed = true;
const children: ChildProcess[] = [];
const W = (): string[] => ["--workspace", ws.dir];

beforeAll(() => {
  ws = tempWorkspace("spruce-service-");
});
afterEach((ctx) => {
  if (ctx.task.result?.state === "fail") allPassed = false;
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  if (allPassed) ws.cleanup();
});

function ok(r: CliResult): CliResult {
  expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

/** A foreground `service start` whose stderr is collected; resolves once it holds the lock. */
async function startService(extra: string[] = []): Promise<{ child: ChildProcess; log: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, ...W(), "service", "start", "--every", "1", ...extra]);
  children.push(child);
  let log = "";
  child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const deadline = Date.now() + 20_000;
  while (!log.includes("service started")) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the service did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, log: () => log, exited };
}

describe("spruce service (local scheduler, SQLite)", () => {
  it("holds a workflow whose launcher fails at start-up after its second failed job, with the log tail", async () => {
    const env = join(ws.dir, "broken-env.sh");
    writeFileSync(env, 'echo "module load: no module named hpc-stack/9" >&2\nexit 1\n');
    ok(spruce([...W(), "submit", "hps", "broken", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--scheduler", "local", "-t", "1",
      "--searcher", "random", "--max-evals", "3", "--env-script", env]));
    const jobs = (): { state: string }[] => JSON.parse(ok(spruce([...W(), "status", "broken", "--json"])).stdout).batch_jobs;
    for (let i = 0; i < 5; i++) {
      // Let the local job fail before each tick (a local job is a process: it ends within a second).
      await new Promise((r) => setTimeout(r, 1500));
      ok(spruce([...W(), "service", "run-once"]));
    }
    // One resubmission after the first failure; after the second failure, none.
    expect(jobs()).toHaveLength(2);
    const status = JSON.parse(ok(spruce([...W(), "status", "broken", "--json"])).stdout);
    expect(status.service.held).toContain("the last 2 launcher jobs failed at start-up");
    expect(status.service.held).toContain("module load: no module named hpc-stack/9");
    expect(status.counts.DONE).toBe(0);
    const text = ok(spruce([...W(), "status", "broken"])).stdout;
    expect(text).toMatch(/HELD \(not resubmitted\): .*failed at start-up/);
    expect(text).toMatch(/^service {4}not running, last tick \d{4}-/m);
    const svc = JSON.parse(ok(spruce([...W(), "service", "status", "--json"])).stdout);
    expect(svc.held).toEqual([expect.objectContaining({ workflow: "broken", reason: expect.stringContaining("hpc-stack/9") })]);
    expect(svc.recent_actions[0]).toMatchObject({ workflow: "broken", action: expect.stringMatching(/^held: /) });
  }, 60_000);

  it("a tick recovers the evaluations of a launcher killed with its job, and submits the next launcher job", async () => {
    const env = { SPRUCE_TEST_SLEEP_MS: "60000" };
    ok(spruce([...W(), "submit", "hps", "killed", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--scheduler", "local", "-t", "5",
      "--searcher", "random", "--max-evals", "2"], { env }));
    const status = (): any => JSON.parse(ok(spruce([...W(), "status", "killed", "--json"])).stdout);
    const deadline = Date.now() + 30_000;
    while (status().counts.RUNNING !== 1) {
      if (Date.now() > deadline) throw new Error("no evaluation started");
      await new Promise((r) => setTimeout(r, 500));
    }
    // The whole job at once, as a node failure or the scheduler's SIGKILL would: its row stays open.
    const pid = Number(status().batch_jobs[0].id);
    process.kill(-pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 1000));
    const tick = JSON.parse(ok(spruce([...W(), "service", "run-once", "--json"], { env })).stdout);
    expect(tick).toMatchObject({ ended: 1, recovered: 1, submitted: 1 });
    const s = status();
    expect(s.batch_jobs).toHaveLength(2);
    expect(s.service.last_action).toMatch(/^submitted launcher job \d+ \(local \d+\)$/);
    const actions = JSON.parse(ok(spruce([...W(), "service", "status", "--json"])).stdout).recent_actions.map((a: { action: string }) => a.action);
    expect(actions).toContainEqual(expect.stringMatching(/^ended launcher\(s\) \d+ of ended batch jobs: 1 evaluation\(s\) back to READY, 0 FAILED/));
    ok(spruce([...W(), "cancel", "killed"]));
  }, 60_000);

  it("allows one service per database: a second start and run-once are refused; stop ends it", async () => {
    const first = await startService();
    const second = spruce([...W(), "service", "start", "--every", "1"]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/error: a spruce service already runs for .*spruce\.db: host \S+, pid \d+/);
    const once = spruce([...W(), "service", "run-once"]);
    expect(once.code).toBe(1);
    expect(once.stderr).toContain("already runs");
    expect(JSON.parse(ok(spruce([...W(), "service", "status", "--json"])).stdout)).toMatchObject({ running: true, pid: first.child.pid });

    expect(ok(spruce([...W(), "service", "stop"])).stderr).toContain(`service stopped (pid ${first.child.pid})`);
    expect(await first.exited).toBe(0);
    expect(first.log()).toMatch(/tick: .*\n[^]*stopping: SIGTERM\n[^]*service stopped/);
    expect(JSON.parse(ok(spruce([...W(), "service", "status", "--json"])).stdout)).toMatchObject({ running: false, last_tick: expect.stringContaining("job(s) submitted") });
    expect(ok(spruce([...W(), "service", "stop"])).stderr).toContain("no service is running");
  }, 60_000);

  it("takes the lock of a SIGKILLed service over at once (same host, dead pid)", async () => {
    const dead = await startService();
    dead.child.kill("SIGKILL");
    await dead.exited;
    const next = await startService();
    expect(next.log()).toContain(`took over the service lock from host`);
    expect(next.log()).toContain(`pid ${dead.child.pid} (dead or stale)`);
    ok(spruce([...W(), "service", "stop"]));
    expect(await next.exited).toBe(0);
  }, 60_000);

  it("--detach returns once the background service holds the lock; pid file and log in the workspace", async () => {
    const r = ok(spruce([...W(), "service", "start", "--detach", "--every", "2"]));
    const pidFile = join(ws.dir, "service.pid");
    const pid = Number(readFileSync(pidFile, "utf8"));
    expect(r.stderr).toContain(`service started in the background: pid ${pid}, log ${join(ws.dir, "service.log")}`);
    // A second detached start is refused and leaves the running service's pid file alone.
    const again = spruce([...W(), "service", "start", "--detach"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already runs");
    expect(Number(readFileSync(pidFile, "utf8"))).toBe(pid);
    ok(spruce([...W(), "service", "stop"]));
    expect(existsSync(pidFile)).toBe(false);
    expect(readFileSync(join(ws.dir, "service.log"), "utf8")).toContain("service stopped");
  }, 60_000);

  it("refuses --chain with the local scheduler, which has no job dependencies, and bad periods", () => {
    const r = spruce([...W(), "submit", "hps", "chained", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--scheduler", "local", "--chain"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--chain needs a batch scheduler with job dependencies");
    const every = spruce([...W(), "service", "start", "--every", "7"]);
    expect(every.code).toBe(2);
    expect(every.stderr).toContain("--every 7: the period must divide a minute, an hour or a day evenly");
  });
});
