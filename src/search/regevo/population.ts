// The aging population of regularized evolution (Real et al. 2019; docs/architecture.md, regevo and
// agebo): the last `size` results in the order they were told, the oldest dying as a new one
// joins once there are `size`; a tournament samples `sampleSize` members without replacement and its best is the parent.
// With several objectives the best is the one of lowest Pareto rank in the whole population, then
// of best first objective: ranking within the sample alone would always pick the best first
// objective (that member is never dominated there).
import { paretoRanks, toLosses } from "../../objectives/pareto.js";
import type { JsonValue, ObjectiveSpec, Point } from "../../space/types.js";
import type { Rng } from "../../util/rng.js";
import type { Direction, EvaluationResult } from "../searcher.js";

export interface Member {
  evalId: number;
  point: Point;
  /** The (first) objective; null for a failed evaluation, which loses every tournament it can lose. */
  objective: number | null;
  /** With several objectives, all of them in declared order; null when a result lacks one. */
  objectives?: number[] | null;
}

export class Population {
  private members: Member[] = [];
  /** Each member's Pareto rank in the population (several objectives only), computed when asked. */
  private ranks: Map<number, number> | null = null;

  constructor(
    readonly size: number,
    readonly sampleSize: number,
    private readonly direction: Direction,
    /** The declared objectives when there are several. */
    private readonly objectives?: readonly ObjectiveSpec[],
  ) {}

  private get multi(): boolean {
    return (this.objectives?.length ?? 0) > 1;
  }

  get length(): number {
    return this.members.length;
  }

  /**
   * Whether children are bred from now on (before, new points are random): as soon as a whole
   * tournament can be held, `sampleSize` members; the population then grows by children up to
   * `size` before the oldest die. DeepHyper waits until it is full (docs/architecture.md, regevo
   * and agebo, for why not here).
   */
  breeding(): boolean {
    return this.members.length >= this.sampleSize;
  }

  /** Adds told results in order, the oldest members dying past `size`; a result told again is ignored. */
  add(results: readonly EvaluationResult[]): void {
    for (const r of results) {
      if (this.members.some((m) => m.evalId === r.evalId)) continue;
      const objective = r.status === "DONE" && r.objective !== null && Number.isFinite(r.objective) ? r.objective : null;
      const member: Member = { evalId: r.evalId, point: r.point, objective };
      if (this.multi) {
        const values = r.objectives;
        member.objectives = objective !== null && Array.isArray(values) && values.length === this.objectives!.length && values.every(Number.isFinite) ? [...values] : null;
      }
      this.members.push(member);
      if (this.members.length > this.size) this.members.shift();
    }
    this.ranks = null;
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
    if (this.multi) {
      const ra = this.rank(a);
      const rb = this.rank(b);
      if (ra !== rb) return ra < rb;
    }
    return this.direction === "maximize" ? a.objective > b.objective : a.objective < b.objective;
  }

  /** A member's Pareto rank among the members with every objective; Infinity without them. */
  private rank(m: Member): number {
    if (this.ranks === null) {
      const scored = this.members.filter((x) => x.objective !== null && x.objectives);
      const ranks = paretoRanks(scored.map((x) => toLosses(x.objectives!, this.objectives!)));
      this.ranks = new Map(scored.map((x, i) => [x.evalId, ranks[i]!]));
    }
    return this.ranks.get(m.evalId) ?? Infinity;
  }

  toJSON(): JsonValue {
    return this.members as unknown as JsonValue;
  }

  restore(members: Member[]): void {
    this.members = members.slice(-this.size);
    this.ranks = null;
  }

  points(): Point[] {
    return this.members.map((m) => m.point);
  }
}
