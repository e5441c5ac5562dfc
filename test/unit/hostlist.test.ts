// Slurm hostlist expansion and compression (src/mpi/hostlist.ts): a table of valid expressions,
// a table of malformed ones, and round trips through compressHostlist.

import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { compressHostlist, expandHostlist } from "../../src/mpi/hostlist.js";

describe("expandHostlist", () => {
  const cases: [string, string[]][] = [
    ["n1", ["n1"]],
    ["login2.cluster.org", ["login2.cluster.org"]],
    ["n[1-3]", ["n1", "n2", "n3"]],
    ["nid[0001-0003,0007]", ["nid0001", "nid0002", "nid0003", "nid0007"]],
    ["nid[001-004,007]", ["nid001", "nid002", "nid003", "nid004", "nid007"]],
    ["n[08-10]", ["n08", "n09", "n10"]],
    ["n[8-10]", ["n8", "n9", "n10"]],
    ["n[098-101]", ["n098", "n099", "n100", "n101"]],
    ["n[5]", ["n5"]],
    ["a[1-2]b[3-4]", ["a1b3", "a1b4", "a2b3", "a2b4"]],
    ["rack[1-2]-node[01-02]", ["rack1-node01", "rack1-node02", "rack2-node01", "rack2-node02"]],
    ["n1,n[3-4],login2", ["n1", "n3", "n4", "login2"]],
    ["gpu[1-2],cpu[10-11]", ["gpu1", "gpu2", "cpu10", "cpu11"]],
    ["n[3,1,2]", ["n3", "n1", "n2"]],
    ["  n[1-2]\n", ["n1", "n2"]],
    ["x[1-2]y", ["x1y", "x2y"]],
  ];
  it.each(cases)("%j expands in order", (input, expected) => {
    expect(expandHostlist(input)).toEqual(expected);
  });

  const malformed: [string, RegExp][] = [
    ["", /empty value/],
    ["   ", /empty value/],
    ["n[1-3", /unclosed '\['/],
    ["n1-3]", /']' without '\['/],
    ["n[1-[2]]", /nested '\['/],
    ["n[3-1]", /reversed range '3-1'/],
    ["n[]", /empty '\[\]'/],
    ["n[a-b]", /bad range 'a-b'/],
    ["n[1-2,]", /bad range ''/],
    ["n[1--2]", /bad range '1--2'/],
    ["n1,,n2", /empty host name/],
    ["n1,", /empty host name/],
    ["n1 n2", /whitespace/],
    ["n[1-99999999]", /more than 1000000 hosts/],
  ];
  it.each(malformed)("%j is a ValidationError (%s)", (input, why) => {
    let caught: unknown;
    try {
      expandHostlist(input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const message = (caught as Error).message;
    expect(message).toMatch(why);
    expect(message).toContain("SLURM_JOB_NODELIST");
    expect(message).toContain(`'${input.trim() === "" ? input : input.trim()}'`);
  });

  it("names the variable it was given", () => {
    expect(() => expandHostlist("n[2-1]", "SLURM_NODELIST")).toThrow(/^SLURM_NODELIST is not a valid hostlist/);
  });
});

describe("compressHostlist", () => {
  const cases: [string[], string][] = [
    [["n1"], "n1"],
    [["n1", "n2", "n3", "n7"], "n[1-3,7]"],
    [["nid0001", "nid0002", "nid0003", "nid0007"], "nid[0001-0003,0007]"],
    [["n9", "n10", "n11"], "n[9-11]"],
    [["n098", "n099", "n100"], "n[098-100]"],
    [["n3", "n1"], "n[3,1]"],
    [["login", "n1", "n2", "gpu5"], "login,n[1-2],gpu5"],
    [["a1b3", "a1b4", "a2b3"], "a1b[3-4],a2b3"],
    [["n01", "n2"], "n01,n2"],
    [[], ""],
  ];
  it.each(cases)("%j -> %s", (hosts, expected) => {
    expect(compressHostlist(hosts)).toBe(expected);
  });

  it.each(cases.filter(([hosts]) => hosts.length > 0))("%j round-trips through expandHostlist", (hosts) => {
    expect(expandHostlist(compressHostlist(hosts))).toEqual(hosts);
  });
});
