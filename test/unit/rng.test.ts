// Unit tests of the seeded generator (sfc32): its stream is part of every saved searcher state, so
// it must never change; these words are the stream of the implementation that wrote the states
// saved so far (kept when its words moved from object fields into an Int32Array for speed).
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/util/rng.js";

describe("Rng", () => {
  it("gives the same stream as always from a seed", () => {
    const r = new Rng(1);
    expect([r.uint32(), r.uint32(), r.uint32()]).toEqual([1828152527, 3394835397, 2967886022]);
    expect(r.state()).toEqual([1190388996, 3314191350, 1774087289, 2041432054]);
    for (let i = 0; i < 100_000; i++) r.uint32();
    expect(r.uint32()).toBe(852999287);
    expect(r.state()).toEqual([2143812025, 3582630304, 3337386709, 2041532055]);
  });

  it("continues a saved state with words above 2^31, and saves unsigned words", () => {
    const q = new Rng([4294967295, 2147483648, 1, 0]);
    expect([q.uint32(), q.uint32()]).toEqual([2147483647, 2151677962]);
    expect(q.state()).toEqual([9, 2166358007, 2150630409, 2]);
    const copy = new Rng(q.state());
    for (let i = 0; i < 1000; i++) expect(copy.next()).toBe(q.next());
  });

  it("draws in [0, 1)", () => {
    const r = new Rng(7);
    for (let i = 0; i < 10_000; i++) {
      const u = r.next();
      expect(u >= 0 && u < 1).toBe(true);
    }
  });
});
