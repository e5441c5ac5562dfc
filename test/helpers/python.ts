// Debian's Python 3 (with numpy, scikit-learn and mpi4py from the test bed), which the Python tests
// pass as --python: the python3 first on PATH may be another (pyenv's, without those packages).
import { execFileSync } from "node:child_process";

export const PYTHON = "/usr/bin/python3";

export const hasPython = (() => {
  try {
    execFileSync(PYTHON, ["-c", "pass"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** Outside CI a missing Python only skips the file, with one line saying how to get it. */
export function notePythonSkip(file: string): void {
  if (!hasPython && !process.env.CI) process.stderr.write(`${file} skipped: needs ${PYTHON} (apt-get install python3)\n`);
}
