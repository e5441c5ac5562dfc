// bench/suite's significance test against scipy.stats.mannwhitneyu(a, b, alternative="greater",
// method="asymptotic"): the z below are norm.isf of the p-values scipy 1.10 printed for these samples.
import { describe, expect, it } from "vitest";
import { mannWhitneyZ, Z_05 } from "../../bench/suite/stats.js";

describe("mannWhitneyZ", () => {
  it("matches scipy without ties, with ties, and either way round", () => {
    const lo = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const hi = lo.map((v) => v + 10);
    expect(mannWhitneyZ(hi, lo)).toBeCloseTo(3.7418482827913504, 9);
    expect(mannWhitneyZ([1, 3, 5, 7, 9, 11, 13, 15, 17, 19], [2, 4, 6, 8, 10, 12, 14, 16, 18, 20])).toBeCloseTo(-0.4157609203101499, 9);
    expect(mannWhitneyZ([0, 0, 0, 0.5, 2, 3, 4, 5, 6, 7], [0, 0, 1, 1, 1, 2, 2, 9, 9, 9])).toBeCloseTo(-0.3443356301548606, 9);
    expect(mannWhitneyZ(hi, lo)).toBeGreaterThan(Z_05);
    expect(mannWhitneyZ(lo, hi)).toBeLessThan(-Z_05);
  });

  it("is 0 when every value ties", () => {
    expect(mannWhitneyZ([0, 0, 0], [0, 0])).toBe(0);
  });
});
