// The `regevo` searcher: regularized (aging) evolution, DeepHyper's aging-evolution NAS search
// (Real et al. 2019; docs/architecture.md, regevo and agebo). Starting points first; random points
// until the population holds `sample_size` results (a tournament can be held); then each free slot
// gets a child: the best of `sample_size` members drawn without replacement, with one choice
// mutated. Results join the population in the order they are told; once it holds
// `population_size`, the oldest member dies as each new one joins. Asynchronous: a child per
// point asked, no generation barrier. On a NAS problem the choices are the architecture's and the
// hyperparameters' alike (one mutation changes one of either); it works on any space.
// The launcher saves stateWithoutRows(): the population and the points proposed come back from the
// rows (docs/architecture.md, Searcher state from the rows).
import type { Space } from "../../space/space.js";
import type { JsonValue, Point } from "../../space/types.js";
import { Rng, type RngState } from "../../util/rng.js";
import type { EvaluationResult, Searcher, SearcherContext, SearcherHistory } from "../searcher.js";
import { mutate } from "./mutate.js";
import { Population, type Member } from "./population.js";
import { Seen } from "./seen.js";

export interface RegevoOptions {
  populationSize: number;
  sampleSize: number;
}

/** Tournaments tried for a child not proposed before, before a random unseen point stands in. */
export const CHILD_TRIES = 50;

/** state(): everything (version 1). stateWithoutRows() (version 2): what the rows do not hold. */
type SavedState =
  | {
      version: 1;
      rng: RngState;
      nextStart: number;
      population: Member[];
      seen: number[];
    }
  | { version: 2; rng: RngState; nextStart: number };

export class RegevoSearcher implements Searcher {
  readonly name = "regevo";
  private rng: Rng;
  private nextStart = 0;
  private readonly population: Population;
  private seen: Seen;

  constructor(
    private readonly space: Space,
    ctx: Pick<SearcherContext, "seed" | "direction" | "objectives">,
    opts: RegevoOptions,
  ) {
    this.rng = new Rng(ctx.seed);
    this.population = new Population(opts.populationSize, opts.sampleSize, ctx.direction, ctx.objectives);
    this.seen = new Seen(space);
  }

  ask(n: number): Point[] {
    const out: Point[] = [];
    const starts = this.space.startingPoints;
    while (out.length < n && this.nextStart < starts.length) {
      const p = starts[this.nextStart++]!;
      if (this.seen.add(p)) out.push(p);
    }
    while (out.length < n && !this.seen.full()) {
      const p = (this.population.breeding() ? this.child() : null) ?? this.seen.randomUnseen(this.rng);
      if (p === null) break;
      out.push(p);
    }
    return out;
  }

  /** A child of a tournament's winner not proposed before (marked proposed), or null after CHILD_TRIES tournaments. */
  private child(): Point | null {
    for (let t = 0; t < CHILD_TRIES; t++) {
      const parent = this.population.tournament(this.rng);
      const child = mutate(this.space, parent.point, this.rng);
      if (child !== null && this.seen.add(child)) return child;
    }
    return null;
  }

  tell(results: EvaluationResult[]): void {
    for (const r of results) this.seen.add(r.point);
    this.population.add(results);
  }

  state(): JsonValue {
    const s: SavedState = { version: 1, rng: this.rng.state(), nextStart: this.nextStart, population: this.population.toJSON() as unknown as Member[], seen: this.seen.toJSON() };
    return s as unknown as JsonValue;
  }

  /**
   * The generator and the starting points used: a few words whatever the length of the search.
   * state()'s population (the last results told) and proposed points (every row) grew by a hash
   * per proposal, saved whole with every event (docs/architecture.md, Searcher state from the rows).
   */
  stateWithoutRows(): JsonValue {
    const s: SavedState = { version: 2, rng: this.rng.state(), nextStart: this.nextStart };
    return s as unknown as JsonValue;
  }

  restore(state: JsonValue, history?: SearcherHistory): void {
    const s = state as unknown as SavedState;
    if (s === null || typeof s !== "object" || (s.version !== 1 && s.version !== 2)) throw new Error("regevo: unrecognised saved state");
    this.rng = new Rng(s.rng);
    this.nextStart = s.nextStart;
    this.seen = new Seen(this.space);
    if (s.version === 2) {
      if (!history) throw new Error("regevo: this saved state needs the history of the evaluation rows");
      // Every row was proposed; the population is the last results told, in tell order.
      this.population.restore([]);
      for (const p of history.pending) this.seen.add(p);
      this.tell(history.told);
      return;
    }
    this.population.restore(s.population);
    this.seen.restore(s.seen);
  }

  exhausted(): boolean {
    return this.seen.full();
  }
}
