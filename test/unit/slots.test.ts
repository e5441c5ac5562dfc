// Slot planning: serial slots per node with their own GPU slices and OMP threads, mpi
// node groups that never overlap, and clear errors for requests the allocation cannot hold.
import { describe, expect, it } from "vitest";
import { planSlots, SlotPool, type SlotPlan } from "../../launcher/slots.js";
import { ValidationError } from "../../src/errors.js";

const base: SlotPlan = { mode: "serial", hosts: ["n1"], evalsPerNode: 1, nodesPerEval: 1, threadsPerRank: null, gpusPerNode: null, gpusPerEval: null };

describe("planSlots", () => {
  it("serial: evalsPerNode slots per host, each with its own CUDA_VISIBLE_DEVICES slice", () => {
    const slots = planSlots({ ...base, hosts: ["n1", "n2"], evalsPerNode: 2, gpusPerNode: 4, gpusPerEval: 2, threadsPerRank: 3 });
    expect(slots.map((s) => [s.hosts[0], s.env.CUDA_VISIBLE_DEVICES, s.env.OMP_NUM_THREADS])).toEqual([
      ["n1", "0,1", "3"],
      ["n1", "2,3", "3"],
      ["n2", "0,1", "3"],
      ["n2", "2,3", "3"],
    ]);
  });

  it("serial without GPUs or threads sets no variables", () => {
    expect(planSlots({ ...base, evalsPerNode: 3 }).map((s) => s.env)).toEqual([{}, {}, {}]);
  });

  it("refuses more GPUs per node than the node has", () => {
    expect(() => planSlots({ ...base, evalsPerNode: 3, gpusPerNode: 4, gpusPerEval: 2 })).toThrow(ValidationError);
    expect(() => planSlots({ ...base, evalsPerNode: 3, gpusPerNode: 4, gpusPerEval: 2 })).toThrow(/needs 6 GPUs per node; --gpus-per-node is 4/);
  });

  it("mpi: disjoint groups of nodesPerEval nodes; leftover nodes stay unused", () => {
    const slots = planSlots({ ...base, mode: "mpi", hosts: ["a", "b", "c", "d", "e"], nodesPerEval: 2 });
    expect(slots.map((s) => s.hosts)).toEqual([["a", "b"], ["c", "d"]]);
    expect(() => planSlots({ ...base, mode: "mpi", hosts: ["a"], nodesPerEval: 2 })).toThrow(/needs at least that many nodes; the allocation has 1/);
  });
});

describe("SlotPool", () => {
  it("hands out free slots in order and takes them back", () => {
    const pool = new SlotPool(planSlots({ ...base, evalsPerNode: 3 }));
    const taken = pool.take(2);
    expect(taken.map((s) => s.id)).toEqual([0, 1]);
    expect(pool.freeCount).toBe(1);
    pool.give(taken[0]!);
    expect(pool.take(5).map((s) => s.id).sort()).toEqual([0, 2]);
    expect(pool.freeCount).toBe(0);
  });
});
