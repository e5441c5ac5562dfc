// The seeded random searcher: uniform samples from the space, starting points first, no point
// proposed twice. The baseline every other searcher is measured against.
import { Rng, type RngState } from "../util/rng.js";
import type { JsonValue, Point } from "../space/types.js";
import type { EvaluationResult, Searcher, SearcherContext } from "./searcher.js";

/** Samples drawn per wanted point before deciding a finite space has nothing new left. */
const DRAWS_PER_POINT = 200;

interface RandomState {
  rng: RngState;
  seen: string[];
  startIndex: number;
}

export function createRandomSearcher(ctx: SearcherContext): Searcher {
  const { space } = ctx;
  let rng = new Rng(ctx.seed);
  let seen = new Set<string>();
  let startIndex = 0;
  let exhausted = false;

  function accept(p: Point): boolean {
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
        if (accept(p)) out.push(p);
      }
      const finite = space.size();
      let misses = 0;
      while (out.length < n && !exhausted) {
        if (seen.size >= finite) {
          exhausted = true;
          break;
        }
        const p = space.sample(rng);
        if (accept(p)) {
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
    tell(_results: EvaluationResult[]): void {
      // Random search learns nothing; a told point was already marked seen when asked.
      for (const r of _results) seen.add(space.key(r.point));
    },
    state(): JsonValue {
      const s: RandomState = { rng: rng.state(), seen: [...seen], startIndex };
      return s as unknown as JsonValue;
    },
    restore(state: JsonValue): void {
      const s = state as unknown as RandomState;
      rng = new Rng(s.rng);
      seen = new Set(s.seen);
      startIndex = s.startIndex;
      exhausted = false;
    },
    exhausted(): boolean {
      return exhausted;
    },
  };
}
