// mpi mode with a Python run under a real Open MPI: each evaluation is `mpirun -n 2` of the
// companion package's runner, every rank calls run (an mpi4py program that reduces over both
// ranks), and only rank 0's return value is the objective. Debian's /usr/bin/python3 with
// python3-mpi4py (built against Open MPI); needs `npm run build`.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { readCsvRecords } from "../../src/results/csv.js";
import { fixture, spruce, tempWorkspace } from "../helpers/cli.js";

const PYTHON = "/usr/bin/python3";

function works(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const available = works("mpirun.openmpi", ["--version"]) && works(PYTHON, ["-c", "import mpi4py"]);
const ws = tempWorkspace("spruce-py-mpi-");
let failed = false;
afterEach((ctx) => {
  if (ctx.task.result?.state === "fail") failed = true;
});
afterAll(() => {
  if (!failed) ws.cleanup();
});
// Open MPI refuses root without these (the test bed's env file sets them too).
const env = { OMPI_ALLOW_RUN_AS_ROOT: "1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: "1", OMPI_MCA_rmaps_base_oversubscribe: "1" };

describe("mpi mode with a Python run (Open MPI, mpi4py)", () => {
  const title = available ? "runs every rank of a 2-rank evaluation and takes rank 0's objective" : `needs mpirun.openmpi and mpi4py: apt-get install openmpi-bin python3-mpi4py`;
  it.skipIf(!available && !process.env.CI)(title, { timeout: 180_000 }, () => {
    expect(available, "Open MPI and python3-mpi4py must be installed in CI").toBe(true);
    const r = spruce(["--workspace", ws.dir, "submit", "hps", "pympi", "--hp", "x=1:5", "-r", fixture("python/mpi_run.py"), "--python", PYTHON,
      "-j", "mpi", "--ranks-per-node", "2", "--mpi", "openmpi", "--scheduler", "local", "--searcher", "random", "--max-evals", "3", "--wait"], { env });
    expect(r.code, r.stderr).toBe(0);
    const csv = readCsvRecords(join(ws.dir, "data/pympi/results.csv"));
    expect(csv).toHaveLength(3);
    for (const row of csv) {
      expect(row.status).toBe("DONE");
      // run returns the allreduce of x (rank 0) and 10 (rank 1): both ranks took part.
      expect(Number(row.objective)).toBe(Number(row["p:x"]) + 10);
      const stderr = readFileSync(join(ws.dir, "data/pympi/evals", row.eval_id!, "stderr.txt"), "utf8");
      expect(stderr).toContain("rank 0 of 2");
      expect(stderr).toContain("rank 1 of 2");
      // Only rank 0 wrote the objective line.
      const stdout = readFileSync(join(ws.dir, "data/pympi/evals", row.eval_id!, "stdout.txt"), "utf8");
      expect(stdout.match(/^objective: /gm)).toHaveLength(1);
    }
  });
});
