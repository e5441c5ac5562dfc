// Real MPI launches outside Slurm: the installed Open MPI and MPICH are detected by
// detectMpiFlavour, and the argv from buildLaunchCommand runs a 2-rank `node -e` program on the
// local host whose ranks report their rank/size variables and the exported environment.
// Without the MPI packages these tests skip with an install hint, except in CI (CI=true), where a
// missing launcher is a failure: the test bed must have them.

import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { detectAllocation } from "../../src/mpi/allocation.js";
import { detectMpiFlavour, parseMpiVersion, runCommand, type DetectedMpi } from "../../src/mpi/flavour.js";
import { buildLaunchCommand } from "../../src/mpi/launch.js";

const CI = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false";

// A clean environment: scheduler variables from an enclosing batch job would make the launchers
// use that allocation instead of the local host.
const env: Record<string, string> = {};
for (const [k, v] of Object.entries(process.env)) {
  if (v !== undefined && !/^(SLURM_|PBS_|COBALT_|LSB_|OMPI_|PMI_|PMIX_)/.test(k)) env[k] = v;
}
// Open MPI refuses root without these; the test bed runs as root (docs/architecture.md, The test bed).
Object.assign(env, {
  OMPI_ALLOW_RUN_AS_ROOT: "1",
  OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: "1",
  OMPI_MCA_rmaps_base_oversubscribe: "1",
});

type Found = { ok: DetectedMpi } | { ok: null; err: unknown };
const find = (override: string): Promise<Found> =>
  detectMpiFlavour({ env, override }).then(
    (ok) => ({ ok }),
    (err: unknown) => ({ ok: null, err }),
  );
const openmpi = await find("openmpi");
const mpich = await find("mpich");

/** The launcher, or the detection error (only reached in CI, where skipping is not allowed). */
function launcher(found: Found): DetectedMpi {
  if (found.ok === null) throw found.err;
  return found.ok;
}

// Each rank prints one JSON line: the rank/size variables of both families and what was exported.
const PROGRAM = [
  process.execPath,
  "-e",
  `const e = process.env;
   console.log(JSON.stringify({
     rank: Number(e.OMPI_COMM_WORLD_RANK ?? e.PMI_RANK),
     size: Number(e.OMPI_COMM_WORLD_SIZE ?? e.PMI_SIZE),
     value: e.SPRUCE_TEST_VALUE,
     threads: e.OMP_NUM_THREADS,
   }));`,
];

interface RankReport {
  rank: number;
  size: number;
  value: string;
  threads: string;
}

function run(argv: string[]): Promise<RankReport[]> {
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { env, timeout: 60_000, encoding: "utf8" }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${argv.join(" ")} failed: ${err.message}\n${stderr}`));
        return;
      }
      const reports = stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as RankReport);
      resolve(reports.sort((a, b) => a.rank - b.rank));
    });
  });
}

async function twoRanks(mpi: DetectedMpi): Promise<void> {
  const host = detectAllocation(env).nodes[0]!.name;
  // A comma and a space in the value: it must reach the ranks verbatim through the argv.
  const argv = buildLaunchCommand(
    { ...mpi, hosts: [host], ranksPerNode: 2, threadsPerRank: 1, env: { SPRUCE_TEST_VALUE: "a,b c" } },
    PROGRAM,
  );
  expect(await run(argv)).toEqual([
    { rank: 0, size: 2, value: "a,b c", threads: "1" },
    { rank: 1, size: 2, value: "a,b c", threads: "1" },
  ]);
}

const skipNote = (pkg: string, found: Found): string =>
  found.ok ? "" : ` (no launcher found: apt-get install ${pkg})`;

// Vitest lists skipped tests without their titles, so the install hint is also said once here.
const missing = [openmpi.ok ? null : "openmpi-bin", mpich.ok ? null : "mpich"].filter((p) => p !== null);
if (missing.length > 0 && !CI) {
  console.warn(`mpi-launch: skipping real-MPI tests; install with 'apt-get install ${missing.join(" ")}'`);
}

describe("real Open MPI", () => {
  it.skipIf(!openmpi.ok && !CI)(`--mpi openmpi finds Debian's launcher${skipNote("openmpi-bin", openmpi)}`, async () => {
    const mpi = launcher(openmpi);
    expect(mpi.flavour).toBe("openmpi");
    expect(mpi.command).toMatch(/^mpirun(\.openmpi)?$/);
    expect(parseMpiVersion(await runCommand(mpi.command, ["--version"], env))).toBe("openmpi");
  });

  it.skipIf(!openmpi.ok && !CI)(`runs 2 ranks on the local host${skipNote("openmpi-bin", openmpi)}`, async () => {
    await twoRanks(launcher(openmpi));
  });
});

describe("real MPICH", () => {
  it.skipIf(!mpich.ok && !CI)(`--mpi mpich finds Debian's launcher${skipNote("mpich", mpich)}`, async () => {
    const mpi = launcher(mpich);
    expect(mpi.flavour).toBe("mpich");
    expect(mpi.command).toMatch(/^(mpirun|mpiexec)(\.mpich|\.hydra)?$/);
    expect(parseMpiVersion(await runCommand(mpi.command, ["--version"], env))).toBe("mpich");
  });

  it.skipIf(!mpich.ok && !CI)(`runs 2 ranks on the local host${skipNote("mpich", mpich)}`, async () => {
    await twoRanks(launcher(mpich));
  });
});

describe("real detection without --mpi", () => {
  const any = openmpi.ok ?? mpich.ok;
  it.skipIf(!any && !CI)(
    `picks plain mpirun's flavour outside Slurm${any ? "" : " (no launcher found: apt-get install openmpi-bin)"}`,
    async () => {
      const mpi = await detectMpiFlavour({ env });
      expect(mpi.command).toBe("mpirun");
      expect(["openmpi", "mpich"]).toContain(mpi.flavour);
      expect(parseMpiVersion(await runCommand("mpirun", ["--version"], env))).toBe(mpi.flavour);
    },
  );
});
