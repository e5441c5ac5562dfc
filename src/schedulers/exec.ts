// Process calls for the scheduler adapters: run a CommandSpec without a shell and turn the two
// failures users meet most (command missing, command refused) into SchedulerErrors that say what
// to do. Balsam's first bug report was a raw `qsub` not-found traceback.
import { execFile } from "node:child_process";
import { createReadStream } from "node:fs";
import { SchedulerError } from "../errors.js";
import type { CommandSpec } from "./types.js";

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

// Scheduler commands can hang for minutes when the controller is down; a status sync must not.
const TIMEOUT_MS = 120_000;

export function notFoundError(command: string): SchedulerError {
  return new SchedulerError(`${command} not found on PATH`, "use --scheduler local, or load the scheduler's module");
}

/** The line of a failed command's output that explains it: an error line, else the last line. */
export function explainLine(result: CommandResult): string {
  const lines = (result.stderr.trim() ? result.stderr : result.stdout)
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /error/i.test(l)) ?? lines[lines.length - 1] ?? "(no output)";
}

export function commandFailed(spec: CommandSpec, result: CommandResult): SchedulerError {
  return new SchedulerError(`${spec.command} failed (exit ${result.code}): ${explainLine(result)}`, `run '${[spec.command, ...spec.args].join(" ")}' yourself to see the scheduler's whole answer`);
}

/**
 * Runs spec and resolves with its output and exit code, whatever the code; rejects only when the
 * command cannot run (missing, killed, timed out). Callers decide which exit codes are failures.
 */
export function runCommand(spec: CommandSpec, timeoutMs: number = TIMEOUT_MS): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      spec.command,
      spec.args,
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr, code: 0 });
        const code = (err as NodeJS.ErrnoException & { code?: unknown }).code;
        if (code === "ENOENT") return reject(notFoundError(spec.command));
        if (typeof code === "number") return resolve({ stdout, stderr, code });
        const why = (err as { killed?: boolean }).killed ? `no answer within ${timeoutMs / 1000} s` : err.message;
        reject(new SchedulerError(`${spec.command} did not complete: ${why}`, "the scheduler may be busy or down: try again in a minute"));
      },
    );
    const stdin = child.stdin;
    if (!stdin) return;
    // A command that exits before reading all of stdin would otherwise raise EPIPE here.
    stdin.on("error", () => undefined);
    if (spec.stdinFile === undefined) {
      stdin.end();
      return;
    }
    createReadStream(spec.stdinFile)
      .on("error", (e) => {
        child.kill();
        reject(new SchedulerError(`cannot read ${spec.stdinFile} for ${spec.command}: ${e.message}`, "check that the results folder is readable"));
      })
      .pipe(stdin);
  });
}

/** runCommand, with a non-zero exit turned into a SchedulerError quoting the scheduler's error line. */
export async function runChecked(spec: CommandSpec): Promise<CommandResult> {
  const result = await runCommand(spec);
  if (result.code !== 0) throw commandFailed(spec, result);
  return result;
}
