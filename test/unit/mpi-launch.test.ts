// Launch-command construction (src/mpi/launch.ts), flavour by flavour: exact argv for N ranks,
// R per node, T threads, a host list, environment and binding, plus the input checks.
// test/integration/mpi-launch.test.ts runs the Open MPI and MPICH forms for real.

import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { buildLaunchCommand, type LaunchSpec } from "../../src/mpi/launch.js";

const PROG = ["python3", "train.py", "--lr", "0.1"];

describe("Open MPI", () => {
  const base: LaunchSpec = { flavour: "openmpi", command: "mpirun", hosts: ["h1", "h2"], ranksPerNode: 4 };

  it("spells out host:R slots and exports variables with -x", () => {
    expect(buildLaunchCommand({ ...base, env: { SPRUCE_EVAL_ID: "17", LIST: "a,b c" } }, PROG)).toEqual([
      "mpirun", "-n", "8", "-npernode", "4", "-H", "h1:4,h2:4",
      "-x", "SPRUCE_EVAL_ID=17", "-x", "LIST=a,b c",
      ...PROG,
    ]);
  });

  it("binds to cores", () => {
    expect(buildLaunchCommand({ ...base, cpuBind: true }, PROG)).toEqual([
      "mpirun", "-n", "8", "-npernode", "4", "--bind-to", "core", "-H", "h1:4,h2:4", ...PROG,
    ]);
  });

  it("maps T cores per rank with PE=T when binding threaded ranks", () => {
    expect(buildLaunchCommand({ ...base, threadsPerRank: 2, cpuBind: true }, PROG)).toEqual([
      "mpirun", "-n", "8", "--map-by", "ppr:4:node:PE=2", "--bind-to", "core", "-H", "h1:8,h2:8",
      "-x", "OMP_NUM_THREADS=2",
      ...PROG,
    ]);
  });

  it("unbinds threaded ranks without cpuBind (Open MPI would pin each to one core)", () => {
    expect(buildLaunchCommand({ ...base, hosts: ["h1"], ranksPerNode: 2, threadsPerRank: 4 }, PROG)).toEqual([
      "mpirun", "-n", "2", "-npernode", "2", "--bind-to", "none", "-H", "h1:2",
      "-x", "OMP_NUM_THREADS=4",
      ...PROG,
    ]);
  });

  it("leaves Open MPI's default binding for one thread per rank", () => {
    const argv = buildLaunchCommand({ ...base, threadsPerRank: 1 }, PROG);
    expect(argv).not.toContain("--bind-to");
    expect(argv).toContain("OMP_NUM_THREADS=1");
  });

  it("uses the detected command name (Debian's mpirun.openmpi)", () => {
    expect(buildLaunchCommand({ ...base, command: "mpirun.openmpi" }, PROG)[0]).toBe("mpirun.openmpi");
  });
});

describe("MPICH (Hydra)", () => {
  const base: LaunchSpec = { flavour: "mpich", command: "mpiexec", hosts: ["h1", "h2"], ranksPerNode: 2 };

  it("uses -ppn, --hosts and --env NAME value", () => {
    expect(buildLaunchCommand({ ...base, env: { A: "1", B: "x y" } }, PROG)).toEqual([
      "mpiexec", "-n", "4", "-ppn", "2", "--hosts", "h1,h2", "--env", "A", "1", "--env", "B", "x y", ...PROG,
    ]);
  });

  it("binds with -bind-to core, core:T for threaded ranks", () => {
    expect(buildLaunchCommand({ ...base, cpuBind: true }, PROG)).toEqual([
      "mpiexec", "-n", "4", "-ppn", "2", "--hosts", "h1,h2", "-bind-to", "core", ...PROG,
    ]);
    expect(buildLaunchCommand({ ...base, cpuBind: true, threadsPerRank: 3 }, PROG)).toEqual([
      "mpiexec", "-n", "4", "-ppn", "2", "--hosts", "h1,h2", "-bind-to", "core:3",
      "--env", "OMP_NUM_THREADS", "3",
      ...PROG,
    ]);
  });
});

describe("Intel MPI", () => {
  const base: LaunchSpec = { flavour: "intel", command: "mpiexec.hydra", hosts: ["h1", "h2"], ranksPerNode: 2 };

  it("uses -hosts and -genv", () => {
    expect(buildLaunchCommand({ ...base, env: { A: "1" } }, PROG)).toEqual([
      "mpiexec.hydra", "-n", "4", "-ppn", "2", "-hosts", "h1,h2", "-genv", "A", "1", ...PROG,
    ]);
  });

  it("pins through I_MPI_PIN_DOMAIN: omp with threads, core without", () => {
    expect(buildLaunchCommand({ ...base, cpuBind: true, threadsPerRank: 4 }, PROG)).toEqual([
      "mpiexec.hydra", "-n", "4", "-ppn", "2", "-hosts", "h1,h2",
      "-genv", "OMP_NUM_THREADS", "4", "-genv", "I_MPI_PIN", "1", "-genv", "I_MPI_PIN_DOMAIN", "omp",
      ...PROG,
    ]);
    const argv = buildLaunchCommand({ ...base, cpuBind: true }, PROG);
    expect(argv.slice(-PROG.length - 3, -PROG.length)).toEqual(["-genv", "I_MPI_PIN_DOMAIN", "core"]);
  });

  it("lets the user's own I_MPI_PIN_DOMAIN win, passed once", () => {
    const argv = buildLaunchCommand({ ...base, cpuBind: true, env: { I_MPI_PIN_DOMAIN: "socket" } }, PROG);
    expect(argv.filter((a) => a === "I_MPI_PIN_DOMAIN")).toHaveLength(1);
    expect(argv[argv.indexOf("I_MPI_PIN_DOMAIN") + 1]).toBe("socket");
  });
});

describe("Slurm srun", () => {
  const base: LaunchSpec = { flavour: "srun", command: "srun", hosts: ["n1", "n2", "n3"], ranksPerNode: 2 };

  it("names the nodes as a hostlist and exports the variables", () => {
    expect(buildLaunchCommand({ ...base, env: { A: "1", B: "two words" } }, PROG)).toEqual([
      "srun", "-n", "6", "--ntasks-per-node", "2", "--nodelist", "n[1-3]", "-N", "3",
      "--export=ALL,A=1,B=two words",
      ...PROG,
    ]);
  });

  it("adds --cpus-per-task, --cpu-bind and the PMI plugin", () => {
    expect(
      buildLaunchCommand({ ...base, hosts: ["n1", "n3"], threadsPerRank: 2, cpuBind: true, srunMpi: "pmix" }, PROG),
    ).toEqual([
      "srun", "-n", "4", "--ntasks-per-node", "2", "--nodelist", "n[1,3]", "-N", "2",
      "--cpus-per-task", "2", "--cpu-bind=cores", "--mpi=pmix", "--export=ALL,OMP_NUM_THREADS=2",
      ...PROG,
    ]);
  });

  it("adds --overlap when asked (an agent started again beside a step still running)", () => {
    expect(buildLaunchCommand({ ...base, hosts: ["n2"], ranksPerNode: 1, overlap: true }, PROG)).toEqual([
      "srun", "-n", "1", "--ntasks-per-node", "1", "--nodelist", "n2", "-N", "1", "--overlap", "--export=ALL",
      ...PROG,
    ]);
    expect(buildLaunchCommand(base, PROG)).not.toContain("--overlap");
  });

  it("omits --mpi when srunMpi is null (the cluster's MpiDefault)", () => {
    expect(buildLaunchCommand({ ...base, srunMpi: null }, PROG).some((a) => a.startsWith("--mpi"))).toBe(false);
  });

  it("passes values with commas through env, since --export cannot escape them", () => {
    expect(buildLaunchCommand({ ...base, hosts: ["n1"], env: { CUDA_VISIBLE_DEVICES: "0,1", A: "1" } }, PROG)).toEqual([
      "srun", "-n", "2", "--ntasks-per-node", "2", "--nodelist", "n1", "-N", "1",
      "--export=ALL,A=1", "env", "CUDA_VISIBLE_DEVICES=0,1",
      ...PROG,
    ]);
  });
});

describe("Cray aprun", () => {
  const base: LaunchSpec = {
    flavour: "cray",
    command: "aprun",
    hosts: ["nid00001", "nid00002", "nid00003", "nid00007"],
    ranksPerNode: 16,
  };

  it("lists node ids with -L and exports with -e", () => {
    expect(buildLaunchCommand({ ...base, env: { A: "1" } }, PROG)).toEqual([
      "aprun", "-n", "64", "-N", "16", "-L", "1-3,7", "-e", "A=1", ...PROG,
    ]);
  });

  it("binds with -cc depth and -d T", () => {
    expect(buildLaunchCommand({ ...base, hosts: ["nid01234"], threadsPerRank: 4, cpuBind: true }, PROG)).toEqual([
      "aprun", "-n", "16", "-N", "16", "-L", "1234", "-e", "OMP_NUM_THREADS=4", "-cc", "depth", "-d", "4", ...PROG,
    ]);
  });

  it("rejects hosts that are not Cray nids", () => {
    expect(() => buildLaunchCommand({ ...base, hosts: ["login1"] }, PROG)).toThrow(
      /aprun needs Cray node names like 'nid00012', got 'login1'/,
    );
  });
});

describe("common rules", () => {
  const base: LaunchSpec = { flavour: "mpich", command: "mpiexec", hosts: ["h1"], ranksPerNode: 1 };

  it("lets an explicit OMP_NUM_THREADS win over threadsPerRank", () => {
    const argv = buildLaunchCommand({ ...base, threadsPerRank: 4, env: { OMP_NUM_THREADS: "2" } }, PROG);
    expect(argv.slice(argv.indexOf("OMP_NUM_THREADS"), argv.indexOf("OMP_NUM_THREADS") + 2)).toEqual([
      "OMP_NUM_THREADS",
      "2",
    ]);
    expect(argv.filter((a) => a === "OMP_NUM_THREADS")).toHaveLength(1);
  });

  it("keeps the program's arguments untouched, after the launcher's", () => {
    const program = ["sh", "-c", "echo $X; exit 3", "--hosts", "-n"];
    expect(buildLaunchCommand(base, program).slice(-program.length)).toEqual(program);
  });

  const bad: [string, Partial<LaunchSpec>, string[], RegExp][] = [
    ["no program", {}, [], /no program/],
    ["no hosts", { hosts: [] }, PROG, /no hosts/],
    ["an empty host", { hosts: ["h1", ""] }, PROG, /bad host name ''/],
    ["a host with a comma", { hosts: ["h1,h2"] }, PROG, /bad host name 'h1,h2'/],
    ["zero ranks per node", { ranksPerNode: 0 }, PROG, /ranks per node must be a positive integer, got 0/],
    ["fractional threads", { threadsPerRank: 1.5 }, PROG, /--threads-per-rank must be a positive integer, got 1.5/],
    ["a bad variable name", { env: { "A-B": "1" } }, PROG, /bad environment variable name 'A-B'/],
  ];
  it.each(bad)("rejects %s", (_what, change, program, message) => {
    const call = () => buildLaunchCommand({ ...base, ...change }, program);
    expect(call).toThrow(ValidationError);
    expect(call).toThrow(message);
  });
});
