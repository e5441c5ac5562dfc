// The seeded random searcher: uniform samples from the space, starting points first, no point
// proposed twice. The baseline every other searcher is measured against.
//
// Duplicates are tracked only where they can happen: in a finite space every proposed point is
// remembered (and saved with the state, so a resumed search does not repeat one). In a continuous
// space two samples never coincide in practice, so only the starting points are remembered: the
// state saved with every batch stays the same small size however long the search runs. The
// launcher saves stateWithoutRows(), which leaves a finite space's keys to the rows.
import { Rng, type RngState } from "../util/rng.js";
import type { JsonValue, Point } from "../space/types.js";
import type { EvaluationResult, Searcher, SearcherContext, SearcherHistory } from "./searcher.js";

/** Samples drawn per wanted point before deciding a finite space has nothing new left. */
const DRAWS_PER_POINT = 200;

interface RandomState {
  rng: RngState;
  /** Keys of every point proposed (finite space) or of the starting points proposed (continuous). */
  seen: string[];
  startIndex: number;
}

export function createRandomSearcher(ctx: SearcherContext): Searcher {
  const { space } = ctx;
  const finite = space.size();
  const continuous = finite === Infinity;
  let rng = new Rng(ctx.seed);
  let seen = new Set<string>();
  let startIndex = 0;
  let exhausted = false;

  function accept(p: Point, sampled: boolean): boolean {
    if (sampled && continuous) return true;
    const k = space.key(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  }

  return {
    name: "random",
    ask(n: number): Point[] {
      const out: Point[] = [];
      while (out.length < n && startIndex < space.startingPoints.length) {
        const p = space.startingPoints[startIndex++] as Point;
        if (accept(p, false)) out.push(p);
      }
      let misses = 0;
      while (out.length < n && !exhausted) {
        if (seen.size >= finite) {
          exhausted = true;
          break;
        }
        const p = space.sample(rng);
        if (accept(p, true)) {
          out.push(p);
          misses = 0;
        } else if (++misses > DRAWS_PER_POINT * Math.max(1, n)) {
          // A finite space whose unseen points random draws keep missing: treat as exhausted
          // rather than spin; size() above catches the exact case.
          exhausted = true;
        }
      }
      return out;
    },
    tell(results: EvaluationResult[]): void {
      // Random search learns nothing; a told point was normally marked seen when asked (this covers
      // results proposed by an earlier searcher state).
      if (!continuous) for (const r of results) seen.add(space.key(r.point));
    },
    state(): JsonValue {
      const s: RandomState = { rng: rng.state(), seen: [...seen], startIndex };
      return s as unknown as JsonValue;
    },
    stateWithoutRows(): JsonValue {
      // Every proposed point is a row: a finite space's seen keys come back from the rows.
      const s: RandomState = { rng: rng.state(), seen: [], startIndex };
      return s as unknown as JsonValue;
    },
    restore(state: JsonValue, history?: SearcherHistory): void {
      const s = state as unknown as RandomState;
      rng = new Rng(s.rng);
      startIndex = s.startIndex;
      // A continuous space's state from before it kept only starting points may list every sample.
      if (continuous) seen = new Set(space.startingPoints.slice(0, startIndex).map((p) => space.key(p)));
      else seen = new Set([...s.seen, ...(history ? [...history.told.map((r) => r.point), ...history.pending] : []).map((p) => space.key(p))]);
      exhausted = false;
    },
    exhausted(): boolean {
      return exhausted;
    },
  };
}
