// Runs one evaluation in a child process (docs/architecture.md, Evaluations): a command template under /bin/sh, a run
// module under eval-entry.js or a Python run module under the companion package's runner, each in its own process group with its output going straight to files
// in the evaluation's working directory. The process is forked by the launcher's spawner
// (spawner-client.ts), timed out, stopped and drained from here. Turns whatever happens (exit code,
// signal, timeout, stop, objective or none) into one EvaluationOutcome; never throws for a failing run.
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { renderCommand } from "../../src/problem/command.js";
// tsx's package root loads both ESM and CommonJS TypeScript (a run.ts outside a "type": "module"
// package is CommonJS to Node), resolved from our own node_modules so user projects need not install it.
import { tsxImportUrl } from "../../src/problem/loader.js";
import { needsSelfResolve, selfResolveImportUrl } from "../../src/problem/self-resolve.js";
import type { JsonValue, Point } from "../../src/space/types.js";
import type { RunSpec } from "../../src/store/types.js";
import { distFile } from "../../src/util/paths.js";
import { evaluationFiles } from "../../src/results/layout.js";
import { classifyOutcome, makeOutcome, type EvaluationOutcome, type StopReason } from "./outcome.js";
import { drainGroup, signalGroup } from "./pgroup.js";
import { pythonCommand } from "./python-command.js";
import type { Spawner } from "./spawner-client.js";

export interface EvaluationJob {
  evalId: number;
  attempt: number;
  point: Point;
  /** The space's hyperparameter names: a command template naming one the point lacks (inactive) renders it empty. */
  names?: readonly string[];
  /** The declared objectives' names when there are several: the run must give each. */
  objectiveNames?: readonly string[] | null;
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

export type { EvaluationOutcome, EvaluationStatus, StopReason } from "./outcome.js";

export interface RunningEvaluation {
  /** Also the process-group id, once the spawner has started the process; 0 when it could not be
   * started (done says why). */
  pid: Promise<number>;
  done: Promise<EvaluationOutcome>;
  /** SIGTERM the group now, SIGKILL it after the grace period. No effect once finished. */
  stop(reason: StopReason): void;
}

export interface StartOptions {
  /** Forks the process, and kills its group should the launcher die (even by SIGKILL). */
  spawner: Spawner;
  /** Between SIGTERM and SIGKILL; default 5000 ms. */
  killGraceMs?: number;
}

/** Only the end of big logs is read back: the objective line is printed last, errors end the log. */
const TAIL_BYTES = 64 * 1024;
const TS_EXTENSIONS = /\.(?:ts|mts|cts|tsx)$/;

function commandLine(job: EvaluationJob): { argv: string[]; cwd: string; env?: Record<string, string> } {
  const run = job.run;
  if (run.kind === "command") return { argv: ["/bin/sh", "-c", renderCommand(run.template, job.point, job.names)], cwd: run.cwd };
  if (run.kind === "python") return { ...pythonCommand(run, job.env?.PYTHONPATH ?? process.env.PYTHONPATH), cwd: job.workdir };
  const modulePath = resolve(run.path);
  // Node 20 cannot import TypeScript; skip the loader for JavaScript, it costs start-up time.
  const ts = TS_EXTENSIONS.test(modulePath);
  const loaders = ts ? ["--import", tsxImportUrl()] : [];
  // `spruce-hps` must resolve to this Spruce wherever the module is. The hooks join tsx's loader
  // thread for free; a JavaScript module gets them (and that thread's start-up) only when Node
  // would not find this Spruce from its folder by itself.
  if (ts || needsSelfResolve(modulePath)) loaders.push("--import", selfResolveImportUrl());
  return { argv: [process.execPath, ...loaders, distFile("launcher/eval-entry"), modulePath], cwd: job.workdir };
}

// Reads are synchronous: they are small (tails only), and a thread-pool round trip per call costs
// more than the read itself.

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
  // Most command runs write no result file: a stat that does not throw is cheaper than an ENOENT.
  return statSync(path, { throwIfNoEntry: false }) ? readFileSync(path, "utf8") : null;
}

/** The evaluation's working directory could not be prepared (unwritable or full file system): the
 * launcher's problem, not the run's, so it is not turned into a FAILED outcome. */
export class WorkdirError extends Error {
  override name = "WorkdirError";
}

/** The spawner process died (or was closed) under the launcher: no evaluation can start or be watched. */
export class SpawnerGoneError extends Error {
  override name = "SpawnerGoneError";
}

/**
 * Starts one evaluation: the spawner prepares its working directory (point.json, empty stdout.txt
 * and stderr.txt, no stale result.json) and starts the process. The outcome arrives through `done`,
 * which rejects only with a WorkdirError or a SpawnerGoneError (the launcher's problems, not the run's).
 */
export function startEvaluation(job: EvaluationJob, opts: StartOptions): RunningEvaluation {
  const { spawner } = opts;
  const grace = opts.killGraceMs ?? 5000;
  const startedAt = Date.now();
  const files = evaluationFiles(job.workdir);
  const pointJson = JSON.stringify(job.point);

  // A template that does not fit this point: the evaluation fails, the launcher goes on.
  let command: { argv: string[]; cwd: string; env?: Record<string, string> };
  try {
    command = commandLine(job);
  } catch (e) {
    const error = (e as Error).message;
    return { pid: Promise.resolve(0), done: Promise.resolve(makeOutcome("FAILED", { error, startedAt, finishedAt: Date.now() })), stop: () => {} };
  }

  const own: Record<string, string> = {
    ...job.env,
    ...command.env,
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

  let pid = 0;
  let stopReason: "timeout" | StopReason | null = null;
  let killAt = 0;
  let killTimer: NodeJS.Timeout | undefined;
  let finished = false;

  // SIGTERM now, SIGKILL at killAt. A stop that comes before the spawner reported the pid is
  // remembered here and carried out as soon as the pid is known.
  const signalNow = () => {
    signalGroup(pid, "SIGTERM");
    killTimer = setTimeout(() => signalGroup(pid, "SIGKILL"), Math.max(0, killAt - Date.now()));
  };
  const terminate = (reason: "timeout" | StopReason) => {
    if (finished || stopReason !== null) return;
    stopReason = reason;
    killAt = Date.now() + grace;
    if (pid > 0) signalNow();
  };
  const timeoutTimer = job.timeoutSeconds !== null ? setTimeout(() => terminate("timeout"), job.timeoutSeconds * 1000) : undefined;

  let resolvePid!: (pid: number) => void;
  const pidKnown = new Promise<number>((r) => (resolvePid = r));
  const done = new Promise<EvaluationOutcome>((resolveDone, rejectDone) => {
    const end = () => {
      finished = true;
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      resolvePid(pid);
    };
    const settle = (result: EvaluationOutcome) => {
      end();
      resolveDone(result);
    };
    // Whatever the run forked may still be alive (background jobs, MPI helpers): the slot is only
    // free once the whole group is gone. In the common case the spawner found it empty already.
    // Once drained, the spawner may forget the group: it is no longer ours to kill should the
    // launcher die.
    const drained = async (): Promise<void> => {
      await drainGroup(pid, stopReason !== null ? killAt : Date.now() + grace);
      spawner.release(pid);
    };
    spawner.spawn(
      { argv, cwd: command.cwd, env: own, workdir: job.workdir, point: files.point, pointJson, result: files.result, stdout: files.stdout, stderr: files.stderr },
      {
        onUnprepared: (message) => {
          end();
          rejectDone(new WorkdirError(`could not prepare ${job.workdir}: ${message}`));
        },
        onSpawned: (p) => {
          pid = p;
          resolvePid(p);
          if (stopReason !== null) signalNow();
        },
        onExit: (code, signal, left) => {
          finished = true;
          clearTimeout(timeoutTimer);
          (left ? drained() : Promise.resolve())
            .then(() => classify(code, signal))
            .catch((e: unknown) => makeOutcome("FAILED", { exitCode: code, signal, error: `could not read the evaluation's output: ${(e as Error).message}`, startedAt, finishedAt: Date.now() }))
            .then(settle);
        },
        onError: (message, spawnerGone) => {
          if (spawnerGone) {
            // Not the run's fault, and every later start would fail the same way: the launcher
            // stops (as for a WorkdirError) and the row is re-run by the next one. A started run is
            // ended here first: its watchdog was the spawner.
            void (pid > 0 ? drained() : Promise.resolve()).then(() => {
              end();
              rejectDone(new SpawnerGoneError(`the launcher's spawner is gone (${message}): evaluation ${job.evalId} is left to the next launcher`));
            });
            return;
          }
          settle(makeOutcome("FAILED", { error: `could not start ${argv[0]} in ${command.cwd}: ${message}`, startedAt, finishedAt: Date.now() }));
        },
      },
    );
  });

  function classify(code: number | null, signal: NodeJS.Signals | null): EvaluationOutcome {
    return classifyOutcome(
      { exitCode: code, signal, stoppedFor: stopReason, timeoutSeconds: job.timeoutSeconds, startedAt, finishedAt: Date.now() },
      { stdout: () => readTail(files.stdout, TAIL_BYTES), stderr: () => readTail(files.stderr, TAIL_BYTES), result: () => readOptional(files.result) },
      job.objectiveNames ?? null,
    );
  }

  return { pid: pidKnown, done, stop: (reason) => terminate(reason) };
}

