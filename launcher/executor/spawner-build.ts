// Which spawner a launcher runs: the compiled one (forkserver.c, built with the machine's C
// compiler at `npm run build`, at the package's install, or here at the first launch), else the
// Node fallback (spawner-fallback.ts) on machines where no compiler could build it.
import { execFileSync } from "node:child_process";
import { accessSync, constants, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { distFile, packageRoot } from "../../src/util/paths.js";

/** The compiled spawner, next to the launcher's compiled JavaScript. */
export function spawnerBinary(): string {
  return join(packageRoot(), "dist", "launcher", "executor", "forkserver");
}

export function spawnerSource(): string {
  return join(packageRoot(), "launcher", "executor", "forkserver.c");
}

/**
 * The C compiler for the spawner: SPRUCE_CC, else CC, else cc. SPRUCE_CC exists because CC is
 * also read by node-gyp when npm builds better-sqlite3 from source: a CC set for Spruce alone
 * would change (or break) that build too.
 */
export function spawnerCompiler(env: NodeJS.ProcessEnv = process.env): string {
  return env.SPRUCE_CC || env.CC || "cc";
}

export type BuildResult = { ok: true; binary: string } | { ok: false; reason: string };

/**
 * Compiles forkserver.c into spawnerBinary(). The binary appears whole or not at all (compiled
 * under a temporary name, then renamed), so launchers starting at once on several nodes of a
 * shared file system never run a half-written one.
 */
export function buildSpawner(env: NodeJS.ProcessEnv = process.env): BuildResult {
  const cc = spawnerCompiler(env);
  const binary = spawnerBinary();
  const partial = `${binary}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(binary), { recursive: true });
    execFileSync(cc, ["-O2", "-std=c11", "-Wall", "-Wextra", "-o", partial, spawnerSource()], { stdio: ["ignore", "pipe", "pipe"], env });
    renameSync(partial, binary);
    return { ok: true, binary };
  } catch (e) {
    rmSync(partial, { force: true });
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === "ENOENT") return { ok: false, reason: `the C compiler '${cc}' was not found` };
    if (err.code === "EACCES" || err.code === "EROFS" || err.code === "EPERM") return { ok: false, reason: `${dirname(binary)} is not writable (${err.code})` };
    const detail = err.stderr?.toString().trim().split("\n").slice(-3).join(" | ");
    return { ok: false, reason: `'${cc}' could not compile ${spawnerSource()}${detail ? `: ${detail}` : ""}` };
  }
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export type SpawnerChoice =
  | { kind: "compiled"; command: string[] }
  /** why: the reason the compiled spawner is not used, for the launcher's log and spruce doctor. */
  | { kind: "fallback"; command: string[]; why: string };

/** The fallback program, run by the launcher's own Node. */
export function fallbackCommand(): string[] {
  return [process.execPath, distFile("launcher/executor/spawner-fallback")];
}

let chosen: SpawnerChoice | undefined;

/**
 * The spawner this process uses, decided once: SPRUCE_SPAWNER=node asks for the fallback; else the
 * compiled binary, built now if it is missing (an install whose scripts npm did not run).
 */
export function chooseSpawner(env: NodeJS.ProcessEnv = process.env): SpawnerChoice {
  if (chosen) return chosen;
  const binary = spawnerBinary();
  if (env.SPRUCE_SPAWNER === "node") {
    chosen = { kind: "fallback", command: fallbackCommand(), why: "SPRUCE_SPAWNER=node asks for it" };
  } else if (isExecutable(binary)) {
    chosen = { kind: "compiled", command: [binary] };
  } else {
    const built = buildSpawner(env);
    chosen = built.ok ? { kind: "compiled", command: [binary] } : { kind: "fallback", command: fallbackCommand(), why: `${binary} is missing and ${built.reason}` };
  }
  return chosen;
}
