// The AMBS surrogate: the tree ensembles fit a known function, and lies inserted into a fitted
// forest leave the candidates' incremental scores equal to a fresh prediction.
import { describe, expect, it } from "vitest";
import { Forest, type ForestKind } from "../../src/search/ambs/forest.js";
import { Rng } from "../../src/util/rng.js";

const D = 3;
const target = (x: Float64Array, o: number): number => Math.sin(6 * x[o]!) + 2 * x[o + 1]! * x[o + 1]! - x[o + 2]!;

function sample(rng: Rng, n: number): { X: Float64Array; y: Float64Array } {
  const X = new Float64Array(n * D);
  for (let i = 0; i < X.length; i++) X[i] = rng.next();
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = target(X, i * D);
  return { X, y };
}

function fit(kind: ForestKind, X: Float64Array, y: Float64Array, n: number, rng: Rng, maxSamples = 0): Forest {
  return Forest.fit(X, y, n, D, { kind, nTrees: 50, minSamplesLeaf: 1, maxSamples, bins: 64 }, rng);
}

function r2(forest: Forest, test: { X: Float64Array; y: Float64Array }, n: number): number {
  const { mean } = forest.predict(test.X, n);
  const avg = test.y.reduce((a, b) => a + b, 0) / n;
  let ss = 0;
  let st = 0;
  for (let i = 0; i < n; i++) {
    ss += (test.y[i]! - mean[i]!) ** 2;
    st += (test.y[i]! - avg) ** 2;
  }
  return 1 - ss / st;
}

describe("Forest", () => {
  it.each([
    ["et", 0],
    ["rf", 0],
    ["et", 150],
    // rf's bootstrap of max_samples rows (not n), so its fit stops growing with the search.
    ["rf", 150],
  ] as const)("%s (max_samples %d) predicts held-out points of a smooth function (R² > 0.85)", (kind, maxSamples) => {
    const rng = new Rng(11);
    const train = sample(rng, 400);
    const test = sample(rng, 500);
    expect(r2(fit(kind, train.X, train.y, 400, rng, maxSamples), test, 500)).toBeGreaterThan(0.85);
  });

  it("is exact on training points and uncertain away from them", () => {
    const rng = new Rng(2);
    const train = sample(rng, 40);
    const forest = fit("et", train.X, train.y, 40, rng);
    const { mean, std } = forest.predict(train.X, 40);
    for (let i = 0; i < 40; i++) {
      expect(mean[i]).toBeCloseTo(train.y[i]!, 9);
      expect(std[i]).toBeLessThan(1e-6);
    }
    const far = forest.predict(new Float64Array(D).fill(0.5), 1);
    expect(far.std[0]).toBeGreaterThan(0.01);
  });

  it("insert gives the lie its own leaf and keeps candidate scores equal to a fresh prediction", () => {
    const rng = new Rng(5);
    const train = sample(rng, 200);
    const forest = fit("et", train.X, train.y, 200, rng);
    const cands = sample(rng, 3000).X;
    const sc = forest.score(cands, 3000);
    const lie = 10;
    for (const c of [0, 1, 2]) forest.insert(cands.subarray(c * D, c * D + D), lie, sc);
    for (const c of [0, 1, 2]) {
      expect(sc.mean(c)).toBeCloseTo(lie, 9);
      expect(sc.std(c)).toBeLessThan(1e-6);
    }
    // The incremental bookkeeping agrees with routing every candidate through the grown trees.
    const fresh = forest.predict(cands, 3000);
    for (let c = 0; c < 3000; c++) {
      expect(sc.mean(c)).toBeCloseTo(fresh.mean[c]!, 9);
      expect(sc.std(c)).toBeCloseTo(fresh.std[c]!, 6);
    }
  });

  it("extend appends scored rows that then take lies like the others", () => {
    const rng = new Rng(8);
    const train = sample(rng, 200);
    const forest = fit("et", train.X, train.y, 200, rng);
    const a = sample(rng, 300).X;
    const b = sample(rng, 100).X;
    const sc = forest.extend(forest.score(a, 300), b, 100);
    expect(sc.n).toBe(400);
    forest.insert(b.subarray(0, D), 10, sc);
    const all = new Float64Array(400 * D);
    all.set(a);
    all.set(b, 300 * D);
    const fresh = forest.predict(all, 400);
    for (let c = 0; c < 400; c++) {
      expect(sc.mean(c)).toBeCloseTo(fresh.mean[c]!, 9);
      expect(sc.std(c)).toBeCloseTo(fresh.std[c]!, 6);
    }
    expect(sc.mean(300)).toBeCloseTo(10, 9);
  });

  it("capSpread: a lie inserted after it raises the candidates' mean but never their spread", () => {
    const rng = new Rng(9);
    const train = sample(rng, 200);
    const forest = fit("et", train.X, train.y, 200, rng);
    const cands = sample(rng, 3000).X;
    const capped = forest.score(cands, 3000);
    const before = Array.from({ length: 3000 }, (_, c) => capped.std(c));
    capped.capSpread();
    // Lies near some candidates (the first five, moved slightly), inserted into both scorings.
    const lies = cands.slice(0, 5 * D).map((v) => Math.min(1, v + 0.01));
    for (let r = 0; r < 5; r++) forest.insert(lies.subarray(r * D, r * D + D), 10, capped);
    const fresh = forest.predict(cands, 3000);
    let raisedFree = 0;
    for (let c = 0; c < 3000; c++) {
      expect(capped.mean(c)).toBeCloseTo(fresh.mean[c]!, 9);
      expect(capped.std(c)).toBeLessThanOrEqual(before[c]! + 1e-12);
      expect(capped.std(c)).toBeCloseTo(Math.min(before[c]!, fresh.std[c]!), 9);
      if (fresh.std[c]! > before[c]! + 1e-6) raisedFree++;
    }
    // Without the cap the same lies raise the spread of the candidates that share their leaves.
    expect(raisedFree).toBeGreaterThan(0);
  });
});
