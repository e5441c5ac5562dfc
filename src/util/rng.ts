// Seeded pseudo-random numbers (sfc32). Searchers and sampling take an Rng so that a seed reproduces
// a search, and the state is four integers, so a searcher's saved state can carry it.

export type RngState = [number, number, number, number];

export class Rng {
  /**
   * The four words in an Int32Array: as object fields, values above 2^30 are not small integers and
   * V8 kept them as heap numbers, so each draw took about 20 ns (a fifth of a forest fit's draws).
   * The arithmetic is modulo 2^32 either way, so the stream is the same.
   */
  private readonly s = new Int32Array(4);

  constructor(seed: number | RngState = 0) {
    const s = this.s;
    if (Array.isArray(seed)) {
      for (let i = 0; i < 4; i++) s[i] = seed[i]! >>> 0;
      return;
    }
    // splitmix32 expands one seed into four well-mixed words.
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) s[i] = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const s = this.s;
    const a = s[0]!;
    const b = s[1]!;
    const c = s[2]!;
    const d = s[3]!;
    const t = (a + b + d) | 0;
    s[3] = d + 1;
    s[0] = b ^ (b >>> 9);
    const c1 = (c + (c << 3)) | 0;
    s[1] = c1;
    s[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Exponential with the given mean. */
  exponential(mean = 1): number {
    let u = 0;
    while (u === 0) u = this.next();
    return -Math.log(u) * mean;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Unsigned words, as a restored generator holds them, so equal generators have equal states. */
  state(): RngState {
    const s = this.s;
    return [s[0]! >>> 0, s[1]! >>> 0, s[2]! >>> 0, s[3]! >>> 0];
  }

  /** An independent stream derived from this one (for sub-components that must not shift each other). */
  fork(): Rng {
    return new Rng([this.uint32(), this.uint32(), this.uint32(), this.uint32()]);
  }
}
