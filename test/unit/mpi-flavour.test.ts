// MPI flavour detection (src/mpi/flavour.ts): parsing recorded and documented `--version` outputs
// (test/fixtures/mpi/README.md says which is which), and the probing order with a fake `run` that
// stands for the commands on PATH.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SpruceError, ValidationError } from "../../src/errors.js";
import { detectMpiFlavour, parseMpiVersion, type MpiFlavour } from "../../src/mpi/flavour.js";

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/mpi/${name}`, import.meta.url), "utf8");

describe("parseMpiVersion", () => {
  const cases: [string, MpiFlavour][] = [
    ["openmpi-4.1.4-mpirun.txt", "openmpi"],
    ["openmpi-4.1.4-mpiexec.txt", "openmpi"],
    ["openmpi-4.1.4-mpirun.openmpi.txt", "openmpi"],
    ["mpich-4.0.2-mpirun.mpich.txt", "mpich"],
    ["intel-2021.10-mpirun.txt", "intel"],
    ["intel-2019u9-mpiexec.hydra.txt", "intel"],
    ["cray-aprun.txt", "cray"],
    ["slurm-22.05-srun-debian.txt", "srun"],
    ["slurm-23.02-srun.txt", "srun"],
  ];
  it.each(cases)("%s -> %s", (file, flavour) => {
    expect(parseMpiVersion(fixture(file))).toBe(flavour);
  });

  it.each(["", "bash: mpirun: command not found", "usage: foo [options]"])("%j -> null", (output) => {
    expect(parseMpiVersion(output)).toBeNull();
  });
});

/**
 * A fake PATH: commands present answer `--version` with the given output; absent ones reject as
 * execFile does (ENOENT). Records the probe order.
 */
function fakeRun(present: Record<string, string>) {
  const calls: string[] = [];
  const run = async (cmd: string, args: string[]): Promise<string> => {
    calls.push(`${cmd} ${args.join(" ")}`);
    const out = present[cmd];
    if (out === undefined) throw Object.assign(new Error(`spawn ${cmd} ENOENT`), { code: "ENOENT" });
    return out;
  };
  return { run, calls };
}

const OMPI = fixture("openmpi-4.1.4-mpirun.txt");
const OMPI_RTE = fixture("openmpi-4.1.4-mpirun.openmpi.txt");
const MPICH = fixture("mpich-4.0.2-mpirun.mpich.txt");
const INTEL = fixture("intel-2021.10-mpirun.txt");
const APRUN = fixture("cray-aprun.txt");
const SRUN = fixture("slurm-22.05-srun-debian.txt");

describe("detectMpiFlavour without --mpi", () => {
  it("uses srun inside a Slurm job when srun is on PATH", async () => {
    const { run, calls } = fakeRun({ srun: SRUN, mpirun: OMPI });
    await expect(detectMpiFlavour({ env: { SLURM_JOB_ID: "12" }, run })).resolves.toEqual({
      flavour: "srun",
      command: "srun",
    });
    expect(calls).toEqual(["srun --version"]);
  });

  it("falls back to mpirun inside Slurm when srun is missing", async () => {
    const { run } = fakeRun({ mpirun: OMPI });
    await expect(detectMpiFlavour({ env: { SLURM_JOB_ID: "12" }, run })).resolves.toEqual({
      flavour: "openmpi",
      command: "mpirun",
    });
  });

  it("ignores srun outside a Slurm job", async () => {
    const { run, calls } = fakeRun({ srun: SRUN, mpirun: MPICH });
    await expect(detectMpiFlavour({ env: {}, run })).resolves.toEqual({ flavour: "mpich", command: "mpirun" });
    expect(calls).toEqual(["mpirun --version"]);
  });

  it("tries mpirun, then mpiexec, then aprun", async () => {
    const intel = fakeRun({ mpiexec: INTEL });
    await expect(detectMpiFlavour({ env: {}, run: intel.run })).resolves.toEqual({ flavour: "intel", command: "mpiexec" });
    expect(intel.calls).toEqual(["mpirun --version", "mpiexec --version"]);

    const cray = fakeRun({ aprun: APRUN });
    await expect(detectMpiFlavour({ env: {}, run: cray.run })).resolves.toEqual({ flavour: "cray", command: "aprun" });
    expect(cray.calls).toEqual(["mpirun --version", "mpiexec --version", "aprun --version"]);
  });

  it("skips a launcher whose output it does not recognise", async () => {
    const { run } = fakeRun({ mpirun: "site wrapper 1.0\n", mpiexec: MPICH });
    await expect(detectMpiFlavour({ env: {}, run })).resolves.toEqual({ flavour: "mpich", command: "mpiexec" });
  });

  it("fails naming --mpi and the Debian packages when nothing is found", async () => {
    const { run } = fakeRun({});
    const err = await detectMpiFlavour({ env: {}, run }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpruceError);
    const e = err as SpruceError;
    expect(e.message).toBe("no MPI launcher found (tried mpirun, mpiexec, aprun)");
    expect(e.hint).toMatch(/--mpi openmpi\|mpich\|intel\|cray\|srun/);
    expect(e.hint).toMatch(/openmpi-bin/);
    expect(e.hint).toMatch(/mpich/);
    expect(e.exitCode).toBe(1);
  });
});

describe("detectMpiFlavour with --mpi", () => {
  it("openmpi prefers Debian's mpirun.openmpi", async () => {
    const { run } = fakeRun({ "mpirun.openmpi": OMPI_RTE, mpirun: OMPI });
    await expect(detectMpiFlavour({ env: {}, override: "openmpi", run })).resolves.toEqual({
      flavour: "openmpi",
      command: "mpirun.openmpi",
    });
  });

  it("openmpi falls back to plain mpirun", async () => {
    const { run } = fakeRun({ mpirun: OMPI });
    await expect(detectMpiFlavour({ env: {}, override: "openmpi", run })).resolves.toEqual({
      flavour: "openmpi",
      command: "mpirun",
    });
  });

  it("mpich prefers mpirun.mpich, then mpiexec.mpich, and skips an mpirun that is Open MPI", async () => {
    const both = fakeRun({ "mpirun.mpich": MPICH, mpirun: OMPI });
    await expect(detectMpiFlavour({ env: {}, override: "mpich", run: both.run })).resolves.toEqual({
      flavour: "mpich",
      command: "mpirun.mpich",
    });
    const execOnly = fakeRun({ "mpiexec.mpich": MPICH, mpirun: OMPI, mpiexec: OMPI });
    await expect(detectMpiFlavour({ env: {}, override: "mpich", run: execOnly.run })).resolves.toEqual({
      flavour: "mpich",
      command: "mpiexec.mpich",
    });
    const wrongOnly = fakeRun({ mpirun: OMPI, mpiexec: OMPI });
    await expect(detectMpiFlavour({ env: {}, override: "mpich", run: wrongOnly.run })).rejects.toThrow(
      "--mpi mpich: no mpich launcher found (tried mpirun.mpich, mpiexec.mpich, mpiexec.hydra, mpiexec, mpirun)",
    );
  });

  it("wins over srun inside Slurm", async () => {
    const { run } = fakeRun({ srun: SRUN, "mpirun.openmpi": OMPI_RTE });
    await expect(detectMpiFlavour({ env: { SLURM_JOB_ID: "1" }, override: "openmpi", run })).resolves.toEqual({
      flavour: "openmpi",
      command: "mpirun.openmpi",
    });
  });

  it("trusts an unrecognised output for the flavour the user named", async () => {
    const { run } = fakeRun({ mpiexec: "site wrapper\n" });
    await expect(detectMpiFlavour({ env: {}, override: "intel", run })).resolves.toEqual({
      flavour: "intel",
      command: "mpiexec",
    });
  });

  it("accepts srun and cray by name, case-insensitively", async () => {
    const { run } = fakeRun({ srun: SRUN, aprun: APRUN });
    await expect(detectMpiFlavour({ env: {}, override: "SRUN", run })).resolves.toEqual({ flavour: "srun", command: "srun" });
    await expect(detectMpiFlavour({ env: {}, override: "cray", run })).resolves.toEqual({ flavour: "cray", command: "aprun" });
  });

  it("rejects an unknown flavour as a usage error", async () => {
    const err = await detectMpiFlavour({ env: {}, override: "lam", run: fakeRun({}).run }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toBe("--mpi 'lam' is not an MPI flavour");
    expect((err as ValidationError).exitCode).toBe(2);
  });
});
