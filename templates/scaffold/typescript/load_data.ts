// The data of the {{name}} problem: DeepHyper's polynome2 tutorial, y = sum(x_i^2) for x drawn
// uniformly from [-1, 1]^dim, split 80/20 into training and validation sets. Replace it with your
// own data loading.

export interface Data {
  train: { x: number[][]; y: number[] };
  valid: { x: number[][]; y: number[] };
}

/** A small seeded generator (mulberry32), so every evaluation sees the same data. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function loadData(dim = 3, size = 500, seed = 2018): Data {
  const random = seeded(seed);
  const x = Array.from({ length: size }, () => Array.from({ length: dim }, () => random() * 2 - 1));
  const y = x.map((row) => row.reduce((s, v) => s + v * v, 0));
  const split = Math.floor(0.8 * size);
  return { train: { x: x.slice(0, split), y: y.slice(0, split) }, valid: { x: x.slice(split), y: y.slice(split) } };
}
