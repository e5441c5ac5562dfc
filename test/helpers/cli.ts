// Runs the BUILT CLI as a subprocess, the way a user does (docs/architecture.md, Tests). `npm test`
// builds first.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const CLI = join(ROOT, "dist/src/cli/main.js");

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first (npm test does)`);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function spruce(args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    input: opts.input ?? "",
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking the test's event loop (for tests that act while the CLI runs). */
export function spruceAsync(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** A throwaway workspace; removed by cleanup() (call it only when the test passed, to keep evidence). */
export function tempWorkspace(prefix = "spruce-cli-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // Retries: a process a test started (a Slurm job's Python writing its cache) may still be
  // adding files while the tree goes (ENOTEMPTY seen once on the test bed).
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }) };
}

export function fixture(...parts: string[]): string {
  return join(ROOT, "test/fixtures", ...parts);
}

/**
 * A refusal as the README promises it: exit code `code`, exactly one `error:` line matching
 * `error`, the `hint:` line right after it (matching `hint` when given), no stack, nothing on
 * stdout. Returns the hint's text.
 */
export function expectOneError(r: CliResult, error: RegExp, o: { code?: number; hint?: RegExp } = {}): string {
  const lines = r.stderr.split("\n");
  const errors = lines.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith("error: "));
  if (errors.length !== 1 || r.code !== (o.code ?? 2)) {
    throw new Error(`expected exit ${o.code ?? 2} and one error line, got exit ${r.code}:\n${r.stderr}`);
  }
  const [line, at] = errors[0]!;
  if (!error.test(line)) throw new Error(`error line ${JSON.stringify(line)} does not match ${error}`);
  const hint = lines[at + 1] ?? "";
  if (!hint.startsWith("hint: ") || hint.length <= "hint: ".length) throw new Error(`no hint after the error line:\n${r.stderr}`);
  if (o.hint && !o.hint.test(hint)) throw new Error(`hint ${JSON.stringify(hint)} does not match ${o.hint}`);
  if (lines.filter((l) => l.startsWith("hint: ")).length !== 1) throw new Error(`more than one hint line:\n${r.stderr}`);
  if (/^\s+at \S/m.test(r.stderr) || /Acquire connection|knex:/.test(r.stderr + r.stdout)) throw new Error(`a stack or a driver's log line:\n${r.stderr}`);
  if (r.stdout !== "") throw new Error(`stdout is not empty: ${JSON.stringify(r.stdout)}`);
  return hint.slice("hint: ".length);
}
