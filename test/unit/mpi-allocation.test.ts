// Allocation discovery (src/mpi/allocation.ts) from each scheduler's environment and node files,
// with the files served from test/fixtures/mpi/ through the injectable reader.

import { readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import {
  countSlots,
  currentNodeName,
  detectAllocation,
  expandCobaltPartname,
  expandCpusPerNode,
} from "../../src/mpi/allocation.js";

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/mpi/${name}`, import.meta.url));
const readFixture = (path: string): string => readFileSync(path, "utf8");
const opts = { readFile: readFixture, hostname: "laptop", cpus: 8 };

describe("Slurm", () => {
  it("expands SLURM_JOB_NODELIST with per-node CPU counts", () => {
    const a = detectAllocation(
      { SLURM_JOB_ID: "42", SLURM_JOB_NODELIST: "nid[0001-0003,0007]", SLURM_JOB_CPUS_PER_NODE: "64(x3),32" },
      opts,
    );
    expect(a).toEqual({
      source: "slurm",
      jobId: "42",
      nodes: [
        { name: "nid0001", slots: 64 },
        { name: "nid0002", slots: 64 },
        { name: "nid0003", slots: 64 },
        { name: "nid0007", slots: 32 },
      ],
    });
  });

  it("reads the older SLURM_NODELIST / SLURM_JOBID names", () => {
    const a = detectAllocation({ SLURM_JOBID: "7", SLURM_NODELIST: "n[1-2]", SLURM_JOB_CPUS_PER_NODE: "2(x2)" }, opts);
    expect(a.jobId).toBe("7");
    expect(a.nodes.map((n) => n.name)).toEqual(["n1", "n2"]);
  });

  it("falls back to SLURM_CPUS_ON_NODE, then this host's cores, when per-node counts are missing", () => {
    const withOnNode = detectAllocation({ SLURM_JOB_NODELIST: "n[1-3]", SLURM_CPUS_ON_NODE: "4" }, opts);
    expect(withOnNode.nodes.map((n) => n.slots)).toEqual([4, 4, 4]);
    const bare = detectAllocation({ SLURM_JOB_NODELIST: "n1" }, opts);
    expect(bare).toEqual({ source: "slurm", jobId: null, nodes: [{ name: "n1", slots: 8 }] });
  });

  it("rejects a malformed node list, naming the variable", () => {
    expect(() => detectAllocation({ SLURM_JOB_NODELIST: "n[1-3" }, opts)).toThrow(
      /SLURM_JOB_NODELIST is not a valid hostlist: unclosed '\[' in 'n\[1-3'/,
    );
  });

  it("rejects CPU counts that do not match the node count", () => {
    expect(() =>
      detectAllocation({ SLURM_JOB_NODELIST: "n[1-3]", SLURM_JOB_CPUS_PER_NODE: "2(x2)" }, opts),
    ).toThrow(/gives 2 counts for 3 nodes/);
  });

  it.each([
    ["2(x3),1", [2, 2, 2, 1]],
    ["36", [36]],
    ["1,2(x2),3", [1, 2, 2, 3]],
  ])("expandCpusPerNode(%j)", (input, expected) => {
    expect(expandCpusPerNode(input)).toEqual(expected);
  });

  it.each(["", "2(x)", "x2", "0", "2(x0)", "2(3)"])("expandCpusPerNode(%j) is a ValidationError", (input) => {
    expect(() => expandCpusPerNode(input)).toThrow(ValidationError);
  });
});

describe("PBS", () => {
  it("collapses PBS_NODEFILE's line per slot into nodes with slot counts", () => {
    const a = detectAllocation({ PBS_JOBID: "123.pbs01", PBS_NODEFILE: fixture("pbs-nodefile.txt") }, opts);
    expect(a).toEqual({
      source: "pbs",
      jobId: "123.pbs01",
      nodes: [
        { name: "nid00008", slots: 3 },
        { name: "nid00009", slots: 3 },
        { name: "nid00010", slots: 3 },
      ],
    });
  });

  it("keeps the order of first appearance when slots interleave", () => {
    expect(countSlots(["b", "a", "b", "", "  a  ", "c"])).toEqual([
      { name: "b", slots: 2 },
      { name: "a", slots: 2 },
      { name: "c", slots: 1 },
    ]);
  });

  it("names the variable and path of an unreadable node file", () => {
    expect(() => detectAllocation({ PBS_NODEFILE: "/nonexistent/nodes" }, opts)).toThrow(
      /PBS_NODEFILE names '\/nonexistent\/nodes', which cannot be read/,
    );
  });

  it("rejects an empty node file", () => {
    expect(() => detectAllocation({ PBS_NODEFILE: "/f" }, { ...opts, readFile: () => "\n\n" })).toThrow(
      /PBS_NODEFILE '\/f' lists no hosts/,
    );
  });
});

describe("Cobalt", () => {
  it("turns COBALT_PARTNAME node ids into nid%05d names", () => {
    const a = detectAllocation({ COBALT_JOBID: "999", COBALT_PARTNAME: "1-3,7" }, opts);
    expect(a).toEqual({
      source: "cobalt",
      jobId: "999",
      nodes: ["nid00001", "nid00002", "nid00003", "nid00007"].map((name) => ({ name, slots: 8 })),
    });
  });

  it("reads COBALT_NODEFILE when the partition name is not a node-id list", () => {
    const a = detectAllocation(
      { COBALT_PARTNAME: "cc012-cc013", COBALT_NODEFILE: fixture("cobalt-nodefile.txt") },
      opts,
    );
    expect(a.nodes).toEqual([
      { name: "cc012", slots: 1 },
      { name: "cc013", slots: 1 },
    ]);
  });

  it("reads COBALT_NODEFILE alone", () => {
    const a = detectAllocation({ COBALT_NODEFILE: fixture("cobalt-nodefile.txt") }, opts);
    expect(a.source).toBe("cobalt");
    expect(a.nodes.map((n) => n.name)).toEqual(["cc012", "cc013"]);
  });

  it.each(["3-1", "1-", "a", "1,,2"])("COBALT_PARTNAME %j without a node file is a ValidationError", (part) => {
    expect(() => expandCobaltPartname(part)).toThrow(/COBALT_PARTNAME is not a node-id list/);
  });
});

describe("LSF", () => {
  it("drops the launch host from LSB_DJOB_HOSTFILE and counts slots", () => {
    const a = detectAllocation({ LSB_JOBID: "5150", LSB_DJOB_HOSTFILE: fixture("lsb-djob-hostfile.txt") }, opts);
    expect(a).toEqual({
      source: "lsf",
      jobId: "5150",
      nodes: [
        { name: "h41n01", slots: 4 },
        { name: "h41n02", slots: 4 },
      ],
    });
  });

  it("reads LSB_HOSTS (space separated, one entry per slot)", () => {
    const a = detectAllocation({ LSB_HOSTS: "batch1 c1 c1 c2 c2" }, opts);
    expect(a.nodes).toEqual([
      { name: "c1", slots: 2 },
      { name: "c2", slots: 2 },
    ]);
  });

  it("keeps a single host: a job on one node has no separate launch host", () => {
    const a = detectAllocation({ LSB_HOSTS: "c7 c7 c7" }, opts);
    expect(a.nodes).toEqual([{ name: "c7", slots: 3 }]);
  });
});

describe("local and precedence", () => {
  it("is the local host with all its cores outside a batch job", () => {
    expect(detectAllocation({}, opts)).toEqual({ source: "local", jobId: null, nodes: [{ name: "laptop", slots: 8 }] });
  });

  it("defaults to os.hostname() and os.availableParallelism()", () => {
    expect(detectAllocation({})).toEqual({
      source: "local",
      jobId: null,
      nodes: [{ name: os.hostname(), slots: os.availableParallelism() }],
    });
  });

  it("ignores empty variables", () => {
    expect(detectAllocation({ SLURM_JOB_NODELIST: "", PBS_NODEFILE: " " }, opts).source).toBe("local");
  });

  it("prefers Slurm over the other schedulers' variables", () => {
    const a = detectAllocation({ SLURM_JOB_NODELIST: "n1", LSB_HOSTS: "a b" }, opts);
    expect(a.source).toBe("slurm");
  });
});

describe("currentNodeName", () => {
  it("is SLURMD_NODENAME on (emulated) Slurm nodes sharing one OS hostname", () => {
    expect(currentNodeName({ SLURMD_NODENAME: "n2", SLURM_JOB_NODELIST: "n[1-3]" }, opts)).toBe("n2");
  });

  it("is the allocation's first node elsewhere", () => {
    expect(currentNodeName({ PBS_NODEFILE: fixture("pbs-nodefile.txt") }, opts)).toBe("nid00008");
  });

  it("is the OS hostname outside a batch job", () => {
    expect(currentNodeName({})).toBe(os.hostname());
  });
});
