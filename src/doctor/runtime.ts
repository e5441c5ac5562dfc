// Doctor checks of what runs Spruce itself: the Node version and the launcher's spawner (compiled,
// to be compiled at the first launch, or the Node fallback).
import { spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { isExecutable, spawnerBinary, spawnerCompiler } from "../../launcher/executor/spawner-build.js";
import { findOnPath } from "../schedulers/index.js";
import { packageRoot } from "../util/paths.js";
import { fail, ok, warn, type CheckResult } from "./check.js";

/** The lowest Node version package.json's engines field accepts (">=20.19" -> [20, 19, 0]). */
export function requiredNode(): number[] {
  const engines = (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { engines?: { node?: string } }).engines?.node ?? "";
  const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(engines.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : [0, 0, 0];
}

/** True when version a is at least b, comparing major, minor and patch in turn. */
export function versionAtLeast(a: number[], b: number[]): boolean {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

export function checkNode(version: string = process.versions.node, required: number[] = requiredNode()): CheckResult {
  const atLeast = versionAtLeast(version.split(".").map(Number), required);
  const need = required.join(".");
  return atLeast
    ? ok("node", `Node ${version} (${need} or later needed)`)
    : fail("node", `Node ${version} is too old: Spruce needs ${need} or later`, `install Node ${need} or later (e.g. 'module load nodejs', nvm, or the tarball from nodejs.org) and reinstall spruce-hps with it`);
}

/** The compiler named by SPRUCE_CC / CC / cc, resolved on PATH; null when there is none. */
export function findCompiler(env: NodeJS.ProcessEnv = process.env): string | null {
  const cc = spawnerCompiler(env);
  if (cc.includes("/")) return isExecutable(cc) ? cc : null;
  return findOnPath(cc, env.PATH ?? "");
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

const FALLBACK = "launchers will use the Node fallback spawner, which starts evaluations more slowly";

export function checkSpawner(env: NodeJS.ProcessEnv = process.env): CheckResult {
  const binary = spawnerBinary();
  if (env.SPRUCE_SPAWNER === "node") {
    return warn("spawner", `SPRUCE_SPAWNER=node: ${FALLBACK}`, "unset SPRUCE_SPAWNER to use the compiled spawner");
  }
  const cc = spawnerCompiler(env);
  if (isExecutable(binary)) {
    // With its stdin at its end, the spawner has nothing to watch and exits 0 at once: proof that
    // it runs here (a binary built on a machine of another architecture or C library does not).
    const r = spawnSync(binary, [], { input: "", timeout: 10_000 });
    if (r.status === 0) return ok("spawner", `compiled: ${binary}`);
    const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`;
    return fail("spawner", `${binary} does not run on this machine (${why})`, `delete it; the next launch compiles it again with ${cc} (or ${FALLBACK.replace("launchers will use", "use")})`);
  }
  const compiler = findCompiler(env);
  const dir = dirname(binary);
  if (compiler && writable(dir)) {
    return ok("spawner", `not compiled yet: the first launch compiles it with ${compiler}`);
  }
  if (!compiler) {
    return warn(
      "spawner",
      `no C compiler ('${cc}' not found), so the spawner is not compiled: ${FALLBACK}`,
      "install gcc or clang (or load a compiler module), setting SPRUCE_CC if it is not 'cc'; the next launch compiles the spawner",
    );
  }
  return warn(
    "spawner",
    `the spawner is not compiled and ${dir} is not writable: ${FALLBACK}`,
    `ask whoever installed spruce-hps to run 'npm rebuild -g spruce-hps' there, or install your own copy with 'npm install -g --prefix ~/.local ...'`,
  );
}
