// startEvaluation end to end with real child processes: every outcome of an evaluation (docs/architecture.md, Evaluations: DONE, FAILED
// with its reason, TIMEOUT, INTERRUPTED, KILLED), the environment and files an evaluation gets, and
// that killing an evaluation kills its whole process group. Needs `npm run build` first: module runs
// execute the compiled dist/launcher/eval-entry.js, and every process is forked by the compiled
// spawner, dist/launcher/executor/forkserver.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SpawnerGoneError, startEvaluation, WorkdirError, type EvaluationJob, type EvaluationOutcome, type StartOptions } from "../../launcher/executor/process.js";
import { Spawner } from "../../launcher/executor/spawner-client.js";
import type { Point } from "../../src/space/types.js";
import type { RunSpec } from "../../src/store/types.js";

const FIXTURES = resolve("test/fixtures/runs");
const root = mkdtempSync(join(tmpdir(), "spruce-executor-"));
let nextId = 1;
const spawner = Spawner.start();

afterAll(async () => {
  await spawner.close();
  rmSync(root, { recursive: true, force: true });
});

const start = (j: EvaluationJob, opts: Partial<StartOptions> = {}) => startEvaluation(j, { spawner, ...opts });

function job(run: RunSpec, point: Point = {}, extra: Partial<EvaluationJob> = {}): EvaluationJob {
  const evalId = nextId++;
  return { evalId, attempt: 1, point, run, workdir: join(root, "evals", String(evalId)), seed: 42, timeoutSeconds: null, ...extra };
}
const moduleRun = (file: string): RunSpec => ({ kind: "module", path: join(FIXTURES, file) });
const commandRun = (template: string): RunSpec => ({ kind: "command", template, cwd: root });

async function evaluate(j: EvaluationJob, killGraceMs?: number): Promise<EvaluationOutcome> {
  return start(j, { killGraceMs }).done;
}

/**
 * Live (non-zombie) members of a process group, from /proc. kill(-pgid, 0) cannot answer this here:
 * killed members are orphaned to a PID 1 that never reaps them, and zombies still count for kill().
 */
function liveMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === pgid && state !== "Z") pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

describe("module runs", () => {
  it("DONE with a number from the point; writes point.json, stdout.txt, stderr.txt", async () => {
    const j = job(moduleRun("number.ts"), { x: 3 });
    const out = await evaluate(j);
    expect(out).toMatchObject({ status: "DONE", objective: -4, metadata: null, exitCode: 0, signal: null, error: null });
    expect(out.finishedAt).toBeGreaterThanOrEqual(out.startedAt);
    expect(JSON.parse(readFileSync(join(j.workdir, "point.json"), "utf8"))).toEqual({ x: 3 });
    expect(readFileSync(join(j.workdir, "stdout.txt"), "utf8")).toBe("objective: -4\n");
    expect(readFileSync(join(j.workdir, "stderr.txt"), "utf8")).toBe("");
    expect(JSON.parse(readFileSync(join(j.workdir, "result.json"), "utf8"))).toEqual({ objective: -4 });
  });

  it("returns { objective, metadata }; ctx and SPRUCE_* environment are set, cwd is the workdir", async () => {
    const j = job(moduleRun("context.ts"), { x: 0.5 }, { evalId: 9001, seed: 7 });
    const out = await evaluate(j);
    expect(out.status).toBe("DONE");
    expect(out.objective).toBe(0.5);
    const meta = out.metadata as { ctx: object; env: Record<string, string>; cwd: string };
    expect(meta.ctx).toEqual({ evalId: 9001, workdir: j.workdir, seed: 7, rank: 0, size: 1, maxLength: null, length: null, resume: null, checkpointDir: null });
    expect(meta.cwd).toBe(j.workdir);
    expect(meta.env).toMatchObject({
      SPRUCE_EVAL_ID: "9001",
      SPRUCE_WORKDIR: j.workdir,
      SPRUCE_SEED: "7",
      SPRUCE_RESULT_FILE: join(j.workdir, "result.json"),
      SPRUCE_POINT_FILE: join(j.workdir, "point.json"),
      SPRUCE_POINT: '{"x":0.5}',
    });
  });

  it("awaits an async run", async () => {
    expect(await evaluate(job(moduleRun("async.ts"), { x: 2 }))).toMatchObject({ status: "DONE", objective: 20 });
  });

  it("runs a plain JavaScript module (no TypeScript loader)", async () => {
    expect(await evaluate(job(moduleRun("plain.mjs"), { x: 1 }))).toMatchObject({ status: "DONE", objective: 1.5 });
  });

  it("finds a default-exported run function, in an ES module and in compiled CommonJS (.cts)", async () => {
    expect(await evaluate(job(moduleRun("default.mjs"), { x: 2 }))).toMatchObject({ status: "DONE", objective: 20 });
    expect(await evaluate(job(moduleRun("default.cts"), { x: 2 }))).toMatchObject({ status: "DONE", objective: 200 });
  });

  it("FAILED with exit code 1 and the stack when run throws", async () => {
    const out = await evaluate(job(moduleRun("throws.ts")));
    expect(out).toMatchObject({ status: "FAILED", exitCode: 1, objective: null });
    expect(out.error).toMatch(/^exit code 1\nError: boom from the run module\n\s+at run \(.*throws\.ts/);
  });

  it("FAILED with exit code 3 and the stderr tail on process.exit(3)", async () => {
    const out = await evaluate(job(moduleRun("exit3.ts")));
    expect(out).toMatchObject({ status: "FAILED", exitCode: 3, error: "exit code 3\nabout to exit with 3" });
  });

  it("FAILED 'killed by signal SIGSEGV' on a crash", async () => {
    const out = await evaluate(job(moduleRun("segv.ts")));
    expect(out).toMatchObject({ status: "FAILED", exitCode: null, signal: "SIGSEGV", error: "killed by signal SIGSEGV" });
  });

  it("FAILED 'objective is NaN' for a NaN result", async () => {
    expect(await evaluate(job(moduleRun("nan.ts")))).toMatchObject({ status: "FAILED", exitCode: 0, error: "objective is NaN" });
  });

  it("TIMEOUT for a run that never returns", async () => {
    const out = await evaluate(job(moduleRun("loop.ts"), {}, { timeoutSeconds: 1 }));
    expect(out).toMatchObject({ status: "TIMEOUT", signal: "SIGTERM", error: "timed out after 1s" });
  });

  it("only MPI rank 0 reports: another rank writes no result", async () => {
    const j = job(moduleRun("number.ts"), { x: 1 }, { env: { OMPI_COMM_WORLD_RANK: "1", OMPI_COMM_WORLD_SIZE: "2" } });
    const out = await evaluate(j);
    expect(out).toMatchObject({ status: "FAILED", exitCode: 0, error: "no 'objective: <number>' line in stdout" });
    expect(existsSync(join(j.workdir, "result.json"))).toBe(false);
  });
});

describe("command runs", () => {
  it("DONE from an 'objective:' line", async () => {
    expect(await evaluate(job(commandRun("echo starting; echo objective: {{x}}"), { x: 1.5 }))).toMatchObject({ status: "DONE", objective: 1.5, metadata: null });
  });

  it("DONE from DeepHyper's DH-OUTPUT line (python3)", async () => {
    const out = await evaluate(job(commandRun(`python3 -c "import sys; print('DH-OUTPUT:', sys.argv[1])" {{x}}`), { x: 2 }));
    expect(out).toMatchObject({ status: "DONE", objective: 2 });
  });

  it("the result file wins over stdout and carries metadata", async () => {
    const script = `import json, os; print("objective: 99"); json.dump({"objective": -0.25, "epochs": 3}, open(os.environ["SPRUCE_RESULT_FILE"], "w"))`;
    const out = await evaluate(job(commandRun(`python3 -c '${script}'`)));
    expect(out).toMatchObject({ status: "DONE", objective: -0.25, metadata: { epochs: 3 } });
  });

  it("a result file left by an earlier attempt is not taken for this one", async () => {
    const first = job(commandRun(`echo '{"objective": 5}' > "$SPRUCE_RESULT_FILE"`));
    expect(await evaluate(first)).toMatchObject({ status: "DONE", objective: 5 });
    const retry = { ...first, attempt: 2, run: commandRun("true") };
    expect(await evaluate(retry)).toMatchObject({ status: "FAILED", error: "no 'objective: <number>' line in stdout" });
  });

  it("FAILED when nothing is printed", async () => {
    expect(await evaluate(job(commandRun("true")))).toMatchObject({ status: "FAILED", exitCode: 0, error: "no 'objective: <number>' line in stdout" });
  });

  it("FAILED with exit code 2 and the last 20 lines of stderr", async () => {
    const out = await evaluate(job(commandRun("for i in $(seq 1 30); do echo line $i >&2; done; echo objective: 1; exit 2")));
    expect(out.status).toBe("FAILED");
    expect(out.exitCode).toBe(2);
    const lines = out.error!.split("\n");
    expect(lines[0]).toBe("exit code 2");
    expect(lines.slice(1)).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 11}`));
  });

  it("names the signal behind a shell's exit code 128 + N", async () => {
    expect(await evaluate(job(commandRun("exit 137")))).toMatchObject({ status: "FAILED", error: "exit code 137 (128 + SIGKILL)" });
  });

  it("passes a hostile value as one literal argument", async () => {
    const evil = "'; touch pwned; echo \"$HOME\" `id` ~";
    const j = job(commandRun(`python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' {{name}}; echo objective: 0`), { name: evil });
    expect(await evaluate(j)).toMatchObject({ status: "DONE", objective: 0 });
    expect(JSON.parse(readFileSync(join(j.workdir, "stdout.txt"), "utf8").split("\n")[0]!)).toEqual([evil]);
    expect(existsSync(join(root, "pwned"))).toBe(false);
  });

  it("runs in RunSpec.cwd with the SPRUCE_* environment, job.env and the point", async () => {
    const j = job(commandRun(`pwd; env | grep -E '^(SPRUCE_|EXTRA=)' | sort; echo objective: 1`), { lr: 0.01 }, { evalId: 555, seed: 3, env: { EXTRA: "yes" } });
    expect(await evaluate(j)).toMatchObject({ status: "DONE" });
    const lines = readFileSync(join(j.workdir, "stdout.txt"), "utf8").trim().split("\n");
    expect(lines[0]).toBe(root);
    expect(lines).toEqual(
      expect.arrayContaining([
        "EXTRA=yes",
        "SPRUCE_EVAL_ID=555",
        "SPRUCE_SEED=3",
        `SPRUCE_WORKDIR=${j.workdir}`,
        `SPRUCE_RESULT_FILE=${join(j.workdir, "result.json")}`,
        `SPRUCE_POINT_FILE=${join(j.workdir, "point.json")}`,
        'SPRUCE_POINT={"lr":0.01}',
      ]),
    );
  });

  it("puts launchPrefix before the program", async () => {
    const out = await evaluate(job(commandRun("echo objective: $PREFIXED"), {}, { launchPrefix: ["env", "PREFIXED=4"] }));
    expect(out).toMatchObject({ status: "DONE", objective: 4 });
  });

  it("FAILED without a process when the template does not fit the point", async () => {
    const run = start(job(commandRun("train --lr {{lr}}"), { units: 3 }));
    expect(await run.pid).toBe(0);
    const out = await run.done;
    expect(out.status).toBe("FAILED");
    expect(out.error).toMatch(/\{\{lr\}\}, which is not a hyperparameter/);
  });

  it("rejects with a WorkdirError, starting nothing, when the working directory cannot be written", async () => {
    writeFileSync(join(root, "a-file"), "");
    const run = start(job(commandRun("touch started"), {}, { workdir: join(root, "a-file", "evals", "1") }));
    await expect(run.done).rejects.toThrow(WorkdirError);
    await expect(run.done).rejects.toThrow(/^could not prepare .*a-file\/evals\/1: ENOTDIR/);
    expect(await run.pid).toBe(0);
    expect(existsSync(join(root, "started"))).toBe(false);
  });

  it("rejects with a WorkdirError when the output files cannot be created, running nothing", async () => {
    const workdir = join(root, "evals", "blocked");
    mkdirSync(join(workdir, "stdout.txt"), { recursive: true }); // a directory where the file goes
    const run = start(job(commandRun("touch started"), {}, { workdir }));
    await expect(run.done).rejects.toThrow(WorkdirError);
    await expect(run.done).rejects.toThrow(/could not prepare .*blocked: EISDIR: is a directory, open '.*blocked\/stdout.txt'/);
    expect(existsSync(join(root, "started"))).toBe(false);
  });

  it("FAILED when the program cannot start (missing cwd)", async () => {
    const out = await evaluate(job({ kind: "command", template: "true", cwd: join(root, "does-not-exist") }));
    expect(out.status).toBe("FAILED");
    expect(out.error).toMatch(/^could not start \/bin\/sh in .*does-not-exist: spawn \/bin\/sh ENOENT/);
  });
});

describe("the spawner (forkserver.c)", () => {
  it("FAILED, naming the program, when it is not found; the launcher goes on", async () => {
    const out = await evaluate(job(commandRun("true"), {}, { launchPrefix: ["/no/such/mpirun", "-n", "2"] }));
    expect(out.status).toBe("FAILED");
    expect(out.error).toMatch(/^could not start \/no\/such\/mpirun in .*: spawn \/no\/such\/mpirun ENOENT$/);
    expect((await evaluate(job(commandRun("echo objective: 1")))).status).toBe("DONE");
  });

  it("looks the program up in the PATH of the evaluation's environment, as node:child_process does", async () => {
    const bin = join(root, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "fake-launcher"), '#!/bin/sh\necho "launched with $#" >&2\nexec "$@"\n', { mode: 0o755 });
    const out = await evaluate(job(commandRun("echo objective: 7"), {}, { launchPrefix: ["fake-launcher"], env: { PATH: `${bin}:${process.env.PATH}` } }));
    expect(out).toMatchObject({ status: "DONE", objective: 7 });
  });

  it("gives the evaluation the environment asked for, default signal handling, /dev/null as stdin and no other descriptor", async () => {
    // The spawner ignores SIGTERM and SIGINT and blocks SIGCHLD for itself: exec would pass that on.
    const j = job(commandRun("read line; echo \"read=$?\"; grep -E '^Sig(Blk|Ign)' /proc/self/status; echo \"own=$OWN_VAR\"; echo fds $(ls /proc/$$/fd); echo objective: 0"), {}, { env: { OWN_VAR: "a b=c" } });
    const out = await evaluate(j);
    expect(out.status).toBe("DONE");
    const stdout = readFileSync(join(j.workdir, "stdout.txt"), "utf8");
    expect(stdout).toMatch(/^read=1$/m);
    expect(stdout).toMatch(/^SigBlk:\s+0+$/m);
    expect(stdout).toMatch(/^SigIgn:\s+0+$/m);
    expect(stdout).toMatch(/^own=a b=c$/m);
    // No descriptor of the spawner's leaks into the evaluation (the shell's own ls may add one).
    expect(stdout).toMatch(/^fds 0 1 2( \d+)?$/m);
  });

  it("FAILED, without starting, when an argument holds a NUL character", async () => {
    const out = await evaluate(job(commandRun("echo {{s}}"), { s: "a\u0000b" }));
    expect(out.status).toBe("FAILED");
    expect(out.error).toMatch(/NUL character/);
  });

  it("reports an evaluation's own exit and signal, with many in flight at once", async () => {
    const runs = Array.from({ length: 40 }, (_, i) => evaluate(job(commandRun(i % 2 === 0 ? `exit ${i % 7}` : "kill -USR1 $$"))));
    const outs = await Promise.all(runs);
    outs.forEach((out, i) => {
      if (i % 2 === 0) expect(out.exitCode).toBe(i % 7);
      else expect(out).toMatchObject({ status: "FAILED", signal: "SIGUSR1", error: "killed by signal SIGUSR1" });
    });
  });
});

describe("process groups", () => {
  it("TIMEOUT kills the whole group, background children included", async () => {
    const run = start(job(commandRun("sleep 1000 & sleep 1000"), {}, { timeoutSeconds: 1 }));
    const pid = await run.pid;
    // sh and its two sleeps; poll, a loaded machine may take a moment to fork them.
    for (let i = 0; i < 100 && liveMembers(pid).length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(liveMembers(pid).length).toBe(3);
    const out = await run.done;
    expect(out).toMatchObject({ status: "TIMEOUT", error: "timed out after 1s" });
    expect(liveMembers(pid)).toEqual([]);
  });

  it("SIGKILLs after the grace period a group that ignores SIGTERM", async () => {
    const run = start(job(commandRun("trap '' TERM; sleep 1000 & wait; wait"), {}, { timeoutSeconds: 0.5 }), { killGraceMs: 300 });
    const out = await run.done;
    expect(out).toMatchObject({ status: "TIMEOUT", signal: "SIGKILL" });
    expect(liveMembers(await run.pid)).toEqual([]);
  });

  it("stop('walltime') is INTERRUPTED, stop('user') is KILLED; both end the group", async () => {
    for (const [reason, status] of [["walltime", "INTERRUPTED"], ["cancel", "KILLED"]] as const) {
      const run = start(job(commandRun("sleep 1000 & sleep 1000")));
      await new Promise((r) => setTimeout(r, 200));
      run.stop(reason);
      const out = await run.done;
      expect(out.status).toBe(status);
      expect(liveMembers(await run.pid)).toEqual([]);
    }
  });

  it("a DONE run's leftover background processes are ended too", async () => {
    const run = start(job(commandRun("sleep 1000 & echo objective: 1")));
    expect(await run.done).toMatchObject({ status: "DONE", objective: 1 });
    expect(liveMembers(await run.pid)).toEqual([]);
  });

  it("stop() before the spawner has reported the pid is carried out once it has", async () => {
    const run = start(job(commandRun("sleep 1000 & sleep 1000")));
    run.stop("cancel");
    expect(await run.done).toMatchObject({ status: "KILLED", error: "stopped by the user" });
    expect(liveMembers(await run.pid)).toEqual([]);
  });

  it("rejects with a SpawnerGoneError, the group ended, when the spawner dies under a running evaluation", async () => {
    const own = Spawner.start();
    const j = job(commandRun("sleep 1000 & sleep 1000"));
    const run = startEvaluation(j, { spawner: own, killGraceMs: 300 });
    const pid = await run.pid;
    process.kill(own.pid!, "SIGKILL");
    await expect(run.done).rejects.toThrow(SpawnerGoneError);
    await expect(run.done).rejects.toThrow(`the launcher's spawner is gone (the spawner process exited (SIGKILL)): evaluation ${j.evalId} is left to the next launcher`);
    expect(liveMembers(pid)).toEqual([]);
    // Nothing more can start through it: that is the launcher's problem too, not the run's.
    await expect(startEvaluation(job(commandRun("true")), { spawner: own }).done).rejects.toThrow(/spawner is gone \(the spawner process is gone\)/);
    await own.close();
  });

  it("stop() after the end changes nothing", async () => {
    const run = start(job(commandRun("echo objective: 1")));
    const out = await run.done;
    run.stop("cancel");
    expect(out.status).toBe("DONE");
  });
});
