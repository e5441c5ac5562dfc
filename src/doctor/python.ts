// Doctor check of Python for Python runs (commands like 'python3 train.py', the spruce_hps package):
// python3 on PATH, version 3.8 or later.
import { execFile } from "node:child_process";
import { findOnPath } from "../schedulers/index.js";
import { ok, warn, type CheckResult } from "./check.js";
import { versionAtLeast } from "./runtime.js";

const NEEDED = [3, 8];

function pythonVersion(python: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(python, ["--version"], { env, timeout: 10_000, encoding: "utf8" }, (err, stdout, stderr) => {
      // Python 2 printed its version on stderr.
      const m = /Python (\d+\.\d+(?:\.\d+)?)/.exec(`${stdout}${stderr}`);
      if (m) resolve(m[1]!);
      else reject(err ?? new Error(`unexpected answer: ${`${stdout}${stderr}`.trim().slice(0, 80)}`));
    });
  });
}

export async function checkPython(env: NodeJS.ProcessEnv = process.env): Promise<CheckResult> {
  const python = findOnPath("python3", env.PATH ?? "");
  const fix = `install Python ${NEEDED.join(".")} or later (or load its module) so that python3 is on PATH`;
  if (!python) return warn("python", "python3 is not on PATH: Python runs cannot start", fix);
  let version: string;
  try {
    version = await pythonVersion(python, env);
  } catch (e) {
    return warn("python", `${python} --version failed: ${(e as Error).message}`, fix);
  }
  if (!versionAtLeast(version.split(".").map(Number), NEEDED)) {
    return warn("python", `${python} is Python ${version}: Spruce's Python side needs ${NEEDED.join(".")} or later`, fix);
  }
  return ok("python", `${python}: Python ${version}`);
}
