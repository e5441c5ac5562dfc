// The points an evolutionary searcher has proposed, so it never proposes one twice: a child may
// mutate back into an ancestor, which DeepHyper answered from its evaluator's cache but would be a
// second evaluation here. Kept as 53-bit hashes of the space's keys, so the saved state grows by
// about 17 characters per proposal rather than by a whole point (a collision, about n²/2^54, would
// only skip one point).
import type { Space } from "../../space/space.js";
import { enumeratePoints, allValues } from "../../space/enumerate.js";
import type { Point } from "../../space/types.js";
import type { Rng } from "../../util/rng.js";

/** Random draws per wanted point before a large space's unseen points count as out of reach for this ask. */
const DRAWS_PER_POINT = 200;
/** A finite space up to this size is enumerated once, so its last unseen points are found for sure. */
const ENUMERATE_LIMIT = 100_000;

/** cyrb53: a fast 53-bit string hash (exact in a JSON number). */
export function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export class Seen {
  private hashes = new Set<number>();
  /** A small finite space's points not proposed when it was enumerated (see randomUnseen); null until then. */
  private unseen: Point[] | null = null;

  constructor(private readonly space: Space) {}

  get size(): number {
    return this.hashes.size;
  }

  has(p: Point): boolean {
    return this.hashes.has(hash53(this.space.key(p)));
  }

  /** Marks p proposed; false when it was already. */
  add(p: Point): boolean {
    const h = hash53(this.space.key(p));
    if (this.hashes.has(h)) return false;
    this.hashes.add(h);
    return true;
  }

  /** Every allowed point has been proposed (never true for a continuous space). */
  full(): boolean {
    return this.hashes.size >= this.space.size();
  }

  /**
   * A random point not proposed yet, marked proposed; null when none is found (the space is
   * exhausted, or a large space's unseen points were missed DRAWS_PER_POINT times in a row).
   * Draws first; a small finite space whose draws keep hitting proposed points is enumerated once,
   * and its unseen points are then picked from that list, so its last points are found for sure.
   */
  randomUnseen(rng: Rng): Point | null {
    if (this.full()) return null;
    if (this.unseen === null) {
      for (let t = 0; t < DRAWS_PER_POINT; t++) {
        const p = this.space.sample(rng);
        if (this.add(p)) return p;
      }
      if (this.space.size() > ENUMERATE_LIMIT) return null;
      this.unseen = (enumeratePoints(this.space, allValues, ENUMERATE_LIMIT) ?? []).filter((p) => !this.has(p));
    }
    // Points proposed since the list was made (children) are dropped as they come up.
    while (this.unseen.length > 0) {
      const j = Math.floor(rng.next() * this.unseen.length);
      const p = this.unseen[j]!;
      this.unseen[j] = this.unseen[this.unseen.length - 1]!;
      this.unseen.pop();
      if (this.add(p)) return p;
    }
    return null;
  }

  toJSON(): number[] {
    return [...this.hashes];
  }

  restore(hashes: readonly number[]): void {
    this.hashes = new Set(hashes);
    this.unseen = null;
  }
}
