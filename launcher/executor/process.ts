// Runs one evaluation in a child process (DESIGN §6): a command template under /bin/sh or a run
// module under eval-entry.js, each in its own process group with its output going straight to files
// in the evaluation's working directory. Turns whatever happens (exit code, signal, timeout, stop,
// objective or none) into one EvaluationOutcome; never throws for a failing run.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, unlinkSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { join, resolve } from "node:path";
import { renderCommand } from "../../src/problem/command.js";
// tsx's package root loads both ESM and CommonJS TypeScript (a run.ts outside a "type": "module"
// package is CommonJS to Node), resolved from our own node_modules so user projects need not install it.
import { tsxImportUrl } from "../../src/problem/loader.js";
import type { JsonValue, Point } from "../../src/space/types.js";
import type { RunSpec } from "../../src/store/types.js";
import { distFile } from "../../src/util/paths.js";
import { parseObjective } from "./objective.js";
import { drainGroup, signalGroup } from "./pgroup.js";
import type { Reaper } from "./reaper-client.js";

export interface EvaluationJob {
  evalId: number;
  attempt: number;
  point: Point;
  run: RunSpec;
  workdir: string;
  seed: number;
  /** Per-evaluation limit (--eval-timeout); null for none. */
  timeoutSeconds: number | null;
  /** Extra environment, on top of the launcher's own. */
  env?: Record<string, string>;
  /** A launch command put before the program, e.g. an MPI launcher for mpi mode; as a function it
   * gets the evaluation's own variables (SPRUCE_*, slot env) to forward to remote ranks. */
  launchPrefix?: string[] | ((evaluationEnv: Record<string, string>) => string[]);
}

export type EvaluationStatus = "DONE" | "FAILED" | "TIMEOUT" | "KILLED" | "INTERRUPTED";

export interface EvaluationOutcome {
  /** INTERRUPTED: stopped for the walltime, to be re-run; KILLED: stopped by the user. */
  status: EvaluationStatus;
  objective: number | null;
  metadata: Record<string, JsonValue> | null;
  exitCode: number | null;
  signal: string | null;
  /** Why it did not finish DONE, followed by the tail of stderr when there is one. */
  error: string | null;
  startedAt: number;
  finishedAt: number;
}

export interface RunningEvaluation {
  /** Also the process-group id; 0 when the process could not be started (done says why). */
  pid: number;
  done: Promise<EvaluationOutcome>;
  /** SIGTERM the group now, SIGKILL it after the grace period. No effect once finished. */
  stop(reason: "walltime" | "user"): void;
}

export interface StartOptions {
  /** Tracks the group so it dies even if the launcher is SIGKILLed. */
  reaper?: Reaper;
  /** Between SIGTERM and SIGKILL; default 5000 ms. */
  killGraceMs?: number;
}

/** Only the end of big logs is read back: the objective line is printed last, errors end the log. */
const TAIL_BYTES = 64 * 1024;
const STDERR_TAIL_LINES = 20;
const signalNames = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]));
const TS_EXTENSIONS = /\.(?:ts|mts|cts|tsx)$/;

function commandLine(job: EvaluationJob): { argv: string[]; cwd: string } {
  const run = job.run;
  if (run.kind === "command") {
    return { argv: ["/bin/sh", "-c", renderCommand(run.template, job.point)], cwd: run.cwd };
  }
  const modulePath = resolve(run.path);
  // Node 20 cannot import TypeScript; skip the loader for JavaScript, it costs start-up time.
  const loader = TS_EXTENSIONS.test(modulePath) ? ["--import", tsxImportUrl()] : [];
  return { argv: [process.execPath, ...loader, distFile("launcher/eval-entry"), modulePath], cwd: job.workdir };
}

// Reads are synchronous like the preparation: they are small (tails only), and a thread-pool round
// trip per call costs more than the read itself.

/** The last `maxBytes` of a file as text, without a leading partial line; "" if absent. */
function readTail(path: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return "";
  }
  try {
    const { size } = fstatSync(fd);
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString("utf8");
    return size > maxBytes ? text.slice(text.indexOf("\n") + 1) : text;
  } finally {
    closeSync(fd);
  }
}

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}

/** A shell reports a child killed by signal N as exit code 128 + N: say which signal that was. */
function describeExitCode(code: number | null): string {
  const name = code !== null && code > 128 ? signalNames.get(code - 128) : undefined;
  return name ? `exit code ${code} (128 + ${name})` : `exit code ${code}`;
}

function withTail(reason: string, stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  const tail = lines.slice(-STDERR_TAIL_LINES).join("\n");
  return tail.length > 0 ? `${reason}\n${tail}` : reason;
}

/**
 * Starts one evaluation now. Preparation is synchronous so the pid is known on return; the outcome
 * arrives through `done`, which never rejects. Throws only when the working directory cannot be
 * prepared (unwritable or full file system): that is the launcher's problem, not the run's.
 */
export function startEvaluation(job: EvaluationJob, opts: StartOptions = {}): RunningEvaluation {
  const grace = opts.killGraceMs ?? 5000;
  const startedAt = Date.now();
  const files = {
    point: join(job.workdir, "point.json"),
    result: join(job.workdir, "result.json"),
    stdout: join(job.workdir, "stdout.txt"),
    stderr: join(job.workdir, "stderr.txt"),
  };
  const pointJson = JSON.stringify(job.point);

  // A template that does not fit this point, or a spawn refused outright: the evaluation fails,
  // the launcher goes on.
  const failedAtStart = (error: string): RunningEvaluation => ({
    pid: 0,
    done: Promise.resolve(outcome("FAILED", { error, startedAt, finishedAt: Date.now() })),
    stop: () => {},
  });
  let command: { argv: string[]; cwd: string };
  try {
    command = commandLine(job);
  } catch (e) {
    return failedAtStart((e as Error).message);
  }

  mkdirSync(job.workdir, { recursive: true });
  writeFileSync(files.point, pointJson + "\n");
  // A result file left by an earlier attempt would be taken for this attempt's answer.
  removeIfPresent(files.result);
  const outFd = openSync(files.stdout, "w");
  let errFd: number;
  try {
    errFd = openSync(files.stderr, "w");
  } catch (e) {
    closeSync(outFd);
    throw e;
  }

  const own: Record<string, string> = {
    ...job.env,
    SPRUCE_EVAL_ID: String(job.evalId),
    SPRUCE_ATTEMPT: String(job.attempt),
    SPRUCE_WORKDIR: job.workdir,
    SPRUCE_SEED: String(job.seed),
    SPRUCE_RESULT_FILE: files.result,
    SPRUCE_POINT_FILE: files.point,
    SPRUCE_POINT: pointJson,
  };
  const prefix = typeof job.launchPrefix === "function" ? job.launchPrefix(own) : (job.launchPrefix ?? []);
  const argv = [...prefix, ...command.argv];
  const env: NodeJS.ProcessEnv = { ...process.env, ...own };
  // detached: the child leads a new process group (and session), so signals to -pid reach
  // everything it forks and none of it shares the launcher's group. Output goes to files, not pipes
  // through us: a fast writer can never block on a busy launcher.
  let child: ChildProcess;
  try {
    child = spawn(argv[0]!, argv.slice(1), { cwd: command.cwd, env, detached: true, stdio: ["ignore", outFd, errFd] });
  } catch (e) {
    return failedAtStart(`could not start ${argv[0]}: ${(e as Error).message}`);
  } finally {
    closeSync(outFd);
    closeSync(errFd);
  }
  const pid = child.pid ?? 0;
  if (pid > 0) opts.reaper?.track(pid);

  let stopReason: "timeout" | "walltime" | "user" | null = null;
  let killAt = 0;
  let killTimer: NodeJS.Timeout | undefined;
  let finished = false;

  const terminate = (reason: "timeout" | "walltime" | "user") => {
    if (finished || stopReason !== null || pid === 0) return;
    stopReason = reason;
    killAt = Date.now() + grace;
    signalGroup(pid, "SIGTERM");
    killTimer = setTimeout(() => signalGroup(pid, "SIGKILL"), grace);
  };
  const timeoutTimer = job.timeoutSeconds !== null ? setTimeout(() => terminate("timeout"), job.timeoutSeconds * 1000) : undefined;

  const done = new Promise<EvaluationOutcome>((resolveDone) => {
    let settled = false;
    const settle = (result: EvaluationOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      if (pid > 0) opts.reaper?.untrack(pid);
      resolveDone(result);
    };
    child.on("error", (err) => {
      // Spawn failed (missing program or cwd): there is no exit event to wait for.
      if (child.pid === undefined) {
        settle(outcome("FAILED", { error: `could not start ${argv[0]} in ${command.cwd}: ${err.message}`, startedAt, finishedAt: Date.now() }));
      }
    });
    child.once("exit", (code, signal) => {
      finished = true;
      clearTimeout(timeoutTimer);
      // Whatever the run forked may still be alive (background jobs, MPI helpers): the slot is only
      // free once the whole group is gone. In the common case the group is already empty.
      drainGroup(pid, stopReason !== null ? killAt : Date.now() + grace)
        .then(() => classify(code, signal, readTail(files.stdout, TAIL_BYTES), readTail(files.stderr, TAIL_BYTES), readOptional(files.result)))
        .catch((e: unknown) => outcome("FAILED", { exitCode: code, signal, error: `could not read the evaluation's output: ${(e as Error).message}`, startedAt, finishedAt: Date.now() }))
        .then(settle);
    });
  });

  function classify(code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string, resultText: string | null): EvaluationOutcome {
    const base = { exitCode: code, signal, startedAt, finishedAt: Date.now() };
    switch (stopReason) {
      case "timeout":
        return outcome("TIMEOUT", { ...base, error: withTail(`timed out after ${job.timeoutSeconds}s`, stderr) });
      case "walltime":
        return outcome("INTERRUPTED", { ...base, error: "stopped: the batch job's walltime is running out" });
      case "user":
        return outcome("KILLED", { ...base, error: "stopped by the user" });
    }
    if (signal !== null) return outcome("FAILED", { ...base, error: withTail(`killed by signal ${signal}`, stderr) });
    if (code !== 0) return outcome("FAILED", { ...base, error: withTail(describeExitCode(code), stderr) });
    const parsed = parseObjective(stdout, resultText);
    if ("error" in parsed) return outcome("FAILED", { ...base, error: withTail(parsed.error, stderr) });
    return outcome("DONE", { ...base, objective: parsed.objective, metadata: parsed.metadata });
  }

  return { pid, done, stop: (reason) => terminate(reason) };
}

function outcome(
  status: EvaluationStatus,
  fields: Partial<EvaluationOutcome> & { startedAt: number; finishedAt: number },
): EvaluationOutcome {
  return { status, objective: null, metadata: null, exitCode: null, signal: null, error: null, ...fields };
}
