// The command of a Python run's evaluation: the companion package's runner, started as a file
// (`python <spruce>/python/spruce_hps/runner.py REF`, which skips -m's runpy) in the interpreter
// recorded at submit, with PYTHONPATH naming the companion package, the module's import root and
// the PYTHONPATH of the submit, before whatever the node's own environment (an --env-script) set.
import { delimiter, join } from "node:path";
import { companionDir } from "../../src/problem/python.js";
import type { PythonRunSpec } from "../../src/store/types.js";

export interface PythonCommand {
  argv: string[];
  /** The evaluation's own variables (forwarded to every rank in mpi mode). */
  env: Record<string, string>;
}

/** The runner's file; scripts/postbuild.mjs compiles the package so no evaluation compiles it. */
export function runnerFile(): string {
  return join(companionDir(), "spruce_hps", "runner.py");
}

/** `inheritedPythonPath`: the launcher's own PYTHONPATH, kept after the recorded entries. */
export function pythonCommand(run: PythonRunSpec, inheritedPythonPath: string | undefined): PythonCommand {
  const argv = [run.python, runnerFile(), run.ref];
  if (run.importRoot) argv.push("--import-root", run.importRoot);
  const entries = [companionDir(), ...(run.importRoot ? [run.importRoot] : []), ...run.pythonPath, ...(inheritedPythonPath ? inheritedPythonPath.split(delimiter) : [])];
  const env: Record<string, string> = { PYTHONPATH: [...new Set(entries.filter((e) => e !== ""))].join(delimiter) };
  if (run.floats) env.SPRUCE_PYTHON_FLOATS = JSON.stringify(run.floats);
  return { argv, env };
}
