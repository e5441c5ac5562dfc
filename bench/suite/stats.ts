// The suite's significance test (bench/suite/RESULTS.md, "How much 10 seeds tell").

/**
 * Medians of 10 seeds move a lot between seed sets (ambs on 28 problems, seeds 0-9 against 10-19:
 * the two sets' medians differ by a factor of 1.1-1.35 on a typical problem), so a median just
 * above the best reference's is often chance. z of the one-sided Mann-Whitney U test that a's
 * values are larger than b's, as scipy.stats.mannwhitneyu(a, b, alternative="greater",
 * method="asymptotic") computes it (ties count a half and shrink the variance; continuity
 * correction): above Z_05, a is larger at p < 0.05.
 */
export function mannWhitneyZ(a: readonly number[], b: readonly number[]): number {
  let u = 0;
  for (const x of a) for (const y of b) u += x > y ? 1 : x === y ? 0.5 : 0;
  const n = a.length;
  const m = b.length;
  const all = [...a, ...b].sort((x, y) => x - y);
  let ties = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j] === all[i]) j++;
    const t = j - i;
    ties += t * t * t - t;
    i = j;
  }
  const N = n + m;
  const variance = ((n * m) / 12) * (N + 1 - ties / (N * (N - 1)));
  return variance <= 0 ? 0 : (u - (n * m) / 2 - 0.5) / Math.sqrt(variance);
}

/** One-sided 5%: the standard normal's 95th percentile. */
export const Z_05 = 1.645;
