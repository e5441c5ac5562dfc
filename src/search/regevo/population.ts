// The aging population of regularized evolution (Real et al. 2019; docs/architecture.md, regevo and
// agebo): the last `size` results in the order they were told, the oldest dying as a new one
// joins; a tournament samples `sampleSize` members without replacement and its best is the parent.
import type { JsonValue, Point } from "../../space/types.js";
import type { Rng } from "../../util/rng.js";
import type { Direction, EvaluationResult } from "../searcher.js";

export interface Member {
  evalId: number;
  point: Point;
  /** The (first) objective; null for a failed evaluation, which loses every tournament it can lose. */
  objective: number | null;
}

export class Population {
  private members: Member[] = [];

  constructor(
    readonly size: number,
    readonly sampleSize: number,
    private readonly direction: Direction,
  ) {}

  get length(): number {
    return this.members.length;
  }

  /** Full: children are bred from now on (before, new points are random). */
  full(): boolean {
    return this.members.length >= this.size;
  }

  /** Adds told results in order, the oldest members dying past `size`; a result told again is ignored. */
  add(results: readonly EvaluationResult[]): void {
    for (const r of results) {
      if (this.members.some((m) => m.evalId === r.evalId)) continue;
      const objective = r.status === "DONE" && r.objective !== null && Number.isFinite(r.objective) ? r.objective : null;
      this.members.push({ evalId: r.evalId, point: r.point, objective });
      if (this.members.length > this.size) this.members.shift();
    }
  }

  /** The best of `sampleSize` members drawn without replacement (ties: the first drawn). */
  tournament(rng: Rng): Member {
    const n = this.members.length;
    const k = Math.min(this.sampleSize, n);
    // A partial Fisher-Yates shuffle of the indices: k distinct members.
    const idx = Array.from({ length: n }, (_, i) => i);
    let best: Member | null = null;
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rng.next() * (n - i));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
      const m = this.members[idx[i]!]!;
      if (best === null || this.better(m, best)) best = m;
    }
    return best!;
  }

  private better(a: Member, b: Member): boolean {
    if (a.objective === null) return false;
    if (b.objective === null) return true;
    return this.direction === "maximize" ? a.objective > b.objective : a.objective < b.objective;
  }

  toJSON(): JsonValue {
    return this.members as unknown as JsonValue;
  }

  restore(members: Member[]): void {
    this.members = members.slice(-this.size);
  }

  points(): Point[] {
    return this.members.map((m) => m.point);
  }
}
