// The package as a user installs it. A copy of the checkout without dist/ is packed (`npm pack`
// builds it: prepack), the tarball is checked for what it holds and what it must not, and installed
// with `npm install -g --prefix` into a temporary folder with no node_modules above it (the
// README's command, dependencies from the npm cache; better-sqlite3 builds from source, so one
// install serves every case). The installed `spruce` then runs a local search of a problem that
// imports `spruce-hps`, from a project folder of its own:
//   - with the C compiler hidden from Spruce's own build (SPRUCE_CC=/nonexistent: CC would break
//     better-sqlite3's node-gyp build too): the install succeeds without the spawner, the launcher
//     uses the Node fallback and says so in its log, `spruce doctor` warns;
//   - with the compiler: the first launch compiles the spawner and uses it; `npm rebuild` (the
//     install script) compiles it too.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, fixture, tempWorkspace } from "../helpers/cli.js";

const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const tmp = tempWorkspace("spruce-install-");
const prefix = join(tmp.dir, "prefix");
const installed = join(prefix, "lib", "node_modules", "spruce-hps");
const spawnerBinary = join(installed, "dist", "launcher", "executor", "forkserver");
const project = join(tmp.dir, "project");
let allPassed = true;
afterAll(() => {
  if (allPassed) tmp.cleanup();
  else process.stderr.write(`kept the installation of the failed install test: ${tmp.dir}\n`);
});

/** The environment of a user's shell: nothing from the test runner's npm or Node settings. */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(npm_|NODE_OPTIONS$|NODE_PATH$|INIT_CWD$|SPRUCE_)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, PATH: `${join(prefix, "bin")}:${process.env.PATH}`, ...extra };
}

function run(command: string, args: string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd: opts.cwd, env: opts.env ?? userEnv(), encoding: "utf8", timeout: opts.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 });
}

function output(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status}${r.error ? ` (${r.error.message})` : ""}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** The installed spruce, run from the user's project folder. */
function spruce(args: string[], extra: Record<string, string> = {}): SpawnSyncReturns<string> {
  return run(join(prefix, "bin", "spruce"), args, { cwd: project, env: userEnv(extra) });
}

let tarball = "";
let packedFiles: string[] = [];
let installOutput = "";
/** The README's flags: npm 11 asks install scripts of global installs to be allowed by name. */
const allowScripts = () => `--allow-scripts=file:${tarball},better-sqlite3,esbuild`;

beforeAll(() => {
  // A copy of the checkout's files (tracked and new, not ignored): no dist/, as in a fresh clone.
  // Packing the checkout itself would rebuild its dist/ under the feet of tests running beside this one.
  const clone = join(tmp.dir, "clone");
  const listed = run("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: ROOT });
  expect(listed.status, output(listed)).toBe(0);
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue; // deleted, not yet committed
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(clone, file));
  }
  // The build tools (tsc) of the checkout; never reachable from the installation.
  symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"));
  const pack = run("npm", ["pack", "--json", "--pack-destination", tmp.dir], { cwd: clone });
  expect(pack.status, output(pack)).toBe(0);
  const info = (JSON.parse(pack.stdout.slice(pack.stdout.indexOf("[")) ) as { filename: string; files: { path: string }[] }[])[0]!;
  tarball = join(tmp.dir, info.filename);
  packedFiles = info.files.map((f) => f.path);

  mkdirSync(project);
  mkdirSync(prefix);
  // Nothing above the installation or the project may hold a node_modules the packages could use.
  for (let dir = tmp.dir; dir !== dirname(dir); dir = dirname(dir)) expect(existsSync(join(dir, "node_modules")), dir).toBe(false);
  const install = run("npm", ["install", "-g", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", "--foreground-scripts", allowScripts(), tarball], {
    cwd: project,
    env: userEnv({ SPRUCE_CC: "/nonexistent" }),
    timeoutMs: 900_000,
  });
  installOutput = output(install);
  expect(install.status, installOutput).toBe(0);
  copyFileSync(fixture("cli/problem.ts"), join(project, "problem.ts"));
  copyFileSync(fixture("cli/run.ts"), join(project, "run.ts"));
}, 1_200_000);

function track(fn: () => void | Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (e) {
      allPassed = false;
      throw e;
    }
  };
}

interface Check {
  check: string;
  level: string;
  message: string;
}

function doctorChecks(extra: Record<string, string> = {}): Map<string, Check> {
  const r = spruce(["doctor", "--json"], extra);
  expect(r.status, output(r)).toBe(0);
  return new Map((JSON.parse(r.stdout) as { checks: Check[] }).checks.map((c) => [c.check, c]));
}

/** A local search of the project's problem (it imports spruce-hps) and its launcher's log. */
function search(name: string, extra: Record<string, string> = {}): string {
  const r = spruce(["submit", "hps", name, "-p", "problem.ts", "-r", "run.ts", "--scheduler", "local", "--searcher", "random", "--max-evals", "6", "--evals-per-node", "2", "--wait", "--wait-timeout", "240"], extra);
  expect(r.status, output(r)).toBe(0);
  const status = spruce(["status", name, "--json"], extra);
  expect(status.status, output(status)).toBe(0);
  expect((JSON.parse(status.stdout) as { counts: Record<string, number> }).counts).toMatchObject({ DONE: 6 });
  const dir = join(project, ".spruce", "data", name);
  const logs = readdirSync(dir).filter((f) => /^launcher-\d+\.log$/.test(f));
  expect(logs.length).toBe(1);
  return readFileSync(join(dir, logs[0]!), "utf8");
}

describe("the package", () => {
  it("holds the built JavaScript, templates, the spawner's C source, README and LICENSE; no tests, benches or binaries", track(() => {
    expect(packedFiles).toEqual(expect.arrayContaining(["package.json", "README.md", "LICENSE", "npm-shrinkwrap.json", "launcher/executor/forkserver.c", "scripts/install.mjs", "templates/slurm.sbatch.hbs", "dist/src/cli/main.js", "dist/src/index.js", "dist/src/index.d.ts", "dist/launcher/eval-entry.js", "dist/launcher/executor/spawner-fallback.js", "dist/db/migrations.js"]));
    const unwanted = packedFiles.filter((f) => /^(test|bench|examples|scripts\/(?!install\.mjs$)|dist\/bench|dist\/test|python\/tests)\//.test(f) || f.endsWith(".map") || f === "dist/launcher/executor/forkserver" || f === "package-lock.json");
    expect(unwanted).toEqual([]);
    expect(readFileSync(join(installed, "LICENSE"), "utf8")).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} The Spruce authors\n/);
  }));

  it("installs without a C compiler for Spruce: the install script says so and builds nothing", track(() => {
    expect(installOutput).toContain("spruce-hps: the spawner was not compiled (the C compiler '/nonexistent' was not found); launchers will use the slower Node fallback.");
    // npm ran the allowed install scripts without listing them as unreviewed.
    expect(installOutput).not.toMatch(/not yet covered by allowScripts:[\s\S]*(spruce-hps|better-sqlite3)@/);
    expect(existsSync(spawnerBinary)).toBe(false);
    expect(existsSync(join(installed, "node_modules", "better-sqlite3"))).toBe(true);
    expect(spruce(["--version"]).stdout).toBe(`${VERSION}\n`);
  }));
});

describe("the installed spruce", () => {
  it("without a compiler: a local search through the Node fallback spawner, said once in the launcher's log; doctor warns", track(() => {
    const hidden = { SPRUCE_CC: "/nonexistent" };
    expect(doctorChecks(hidden).get("spawner")).toMatchObject({ level: "warn", message: "no C compiler ('/nonexistent' not found), so the spawner is not compiled: launchers will use the Node fallback spawner, which starts evaluations more slowly" });
    const log = search("no-compiler", hidden);
    expect(log.match(/spawner: using the Node fallback/g)).toHaveLength(1);
    expect(log).toContain(`(${spawnerBinary} is missing and the C compiler '/nonexistent' was not found)`);
    expect(existsSync(spawnerBinary)).toBe(false);
  }));

  it("with a compiler: the first launch compiles the spawner and uses it; doctor says it is compiled", track(() => {
    expect(doctorChecks().get("spawner")).toMatchObject({ level: "ok", message: expect.stringMatching(/^not compiled yet: the first launch compiles it with \//) });
    const log = search("compiled");
    expect(log).not.toContain("Node fallback");
    expect(existsSync(spawnerBinary)).toBe(true);
    expect(doctorChecks().get("spawner")).toEqual({ check: "spawner", level: "ok", message: `compiled: ${spawnerBinary}` });
  }));

  it("with a compiler, the install script (npm rebuild) compiles the spawner", track(() => {
    rmSync(spawnerBinary, { force: true });
    const r = run("npm", ["rebuild", "-g", "--prefix", prefix, "--foreground-scripts", "spruce-hps"], { cwd: project });
    expect(r.status, output(r)).toBe(0);
    expect(r.stdout + r.stderr).not.toContain("the spawner was not compiled");
    expect(existsSync(spawnerBinary)).toBe(true);
  }));
});
