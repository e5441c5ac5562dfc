// mpi mode with a real mpirun outside any scheduler: each evaluation is a 2-rank MPI run
// of the run module; every rank sees its rank and size, and only rank 0's value is the objective.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixture, ROOT, spruce, tempWorkspace } from "../helpers/cli.js";
import { getWorkflow, listEvaluations, openStore } from "../../src/store/index.js";
import { readCsvRecords } from "../../src/results/csv.js";

function has(cmd: string): boolean {
  try {
    execFileSync(cmd, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const flavours = [
  { mpi: "openmpi", binary: "mpirun.openmpi" },
  { mpi: "mpich", binary: "mpirun.mpich" },
];
const ws = tempWorkspace("spruce-mpi-mode-");
let failures = 0;
afterAll(() => {
  if (failures === 0) ws.cleanup();
});
// Open MPI refuses root without these (the test bed's env file sets them too).
const env = { OMPI_ALLOW_RUN_AS_ROOT: "1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: "1", OMPI_MCA_rmaps_base_oversubscribe: "1" };

describe.each(flavours)("mpi mode with $mpi", ({ mpi, binary }) => {
  const available = has(binary);
  // Outside CI a missing MPI skips (the title says how to install it); in CI it fails.
  const title = available ? "runs each evaluation as a 2-rank MPI program and takes rank 0's objective" : `needs ${binary}: apt-get install openmpi-bin mpich`;
  it.skipIf(!available && !process.env.CI)(title, () => {
    expect(available, `${binary} must be installed in CI`).toBe(true);
    const name = `m-${mpi}`;
    const r = spruce(["--workspace", ws.dir, "submit", "hps", name, "-p", fixture("mpi-run/problem.ts"), "-r", fixture("mpi-run/run.ts"),
      "-j", "mpi", "--ranks-per-node", "2", "--mpi", mpi, "--scheduler", "local", "--searcher", "random", "--max-evals", "2", "--wait"], { env });
    if (r.code !== 0) failures++;
    expect(r.code, r.stderr).toBe(0);
    const csv = readCsvRecords(join(ws.dir, "data", name, "results.csv"));
    expect(csv).toHaveLength(2);
    for (const row of csv) {
      expect(row.status).toBe("DONE");
      // run returns x + size*10 + rank: rank 0 of 2 reports x + 20.
      expect(Number(row.objective)).toBeCloseTo(Number(row["p:x"]) + 20, 9);
      const stderr = readFileSync(join(ws.dir, "data", name, "evals", row.eval_id as string, "stderr.txt"), "utf8");
      expect(stderr).toContain("rank 0 of 2");
      expect(stderr).toContain("rank 1 of 2");
    }
  });
});

describe("asha in mpi mode (Open MPI)", () => {
  const available = has("mpirun.openmpi");
  it.skipIf(!available && !process.env.CI)("every rank waits for the launcher's answer; rank 0's reports decide", async () => {
    expect(available, "mpirun.openmpi must be installed in CI").toBe(true);
    const r = spruce(["--workspace", ws.dir, "submit", "hps", "m-asha", "--hp", "x=5:8", "y=a,b", "-r", join(ROOT, "test/fixtures/runs/curve.mjs"),
      "-j", "mpi", "--ranks-per-node", "2", "--mpi", "openmpi", "--scheduler", "local", "--searcher", "asha", "--max-length", "9", "--divisor", "3",
      "--mode", "aggressive", "--max-evals", "8", "--seed", "2", "--wait"], { env });
    if (r.code !== 0) failures++;
    expect(r.code, r.stderr).toBe(0);
    const store = await openStore({ workspace: ws.dir });
    try {
      const rows = await listEvaluations(store, (await getWorkflow(store, "m-asha"))!.id);
      expect(rows.every((row) => row.state === "DONE")).toBe(true);
      expect(new Set(rows.map((row) => row.fidelity!.trial)).size).toBe(8);
      const best = [...rows].sort((a, b) => (b.objective ?? 0) - (a.objective ?? 0))[0]!;
      expect(best.point).toEqual({ x: 7, y: "b" });
      expect(best.metrics).toMatchObject({ length: 9 });
      // Stopped early: both ranks of a stopped run returned at the same step (each appends its steps).
      const stopped = rows.filter((row) => row.metrics!.stopped !== undefined);
      expect(stopped.length).toBeGreaterThan(0);
      for (const row of stopped) {
        const steps = readFileSync(join(ws.dir, "data", "m-asha", "evals", String(row.id), "steps.txt"), "utf8").trim().split("\n").map(Number);
        expect(Math.max(...steps)).toBeLessThan(9);
        expect(steps.filter((s) => s === Math.max(...steps))).toHaveLength(2);
      }
    } finally {
      await store.close();
    }
  });
});
