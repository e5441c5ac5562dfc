// The `grid` searcher (Determined's grid, docs/architecture.md, ambs, random, grid): walks the grid of src/space/grid.ts in its
// stable order, first hyperparameter slowest (with conditions: only the allowed points, inactive
// hyperparameters left out, each once). Its state is the index of the next point, so a
// restored launcher continues exactly where the saved one stopped. Starting points are ignored:
// the grid is the experiment design, and a point off the grid would make its size a lie.
import { ValidationError } from "../errors.js";
import { isPlainObject } from "../space/json.js";
import { DEFAULT_GRID_COUNT, buildGrid, type GridCounts } from "../space/grid.js";
import type { Space } from "../space/space.js";
import type { JsonValue, Point } from "../space/types.js";
import type { EvaluationResult, Searcher, SearcherContext } from "./searcher.js";

/**
 * Reads `grid_count` (points per numeric range, default 5) and `grid_counts` ({name: count}, e.g.
 * the `count` keys of a Determined YAML file, which submit copies from ProblemSpec.gridCounts).
 */
export function gridCountsFromOptions(options: Record<string, JsonValue>): GridCounts {
  const count = options.grid_count ?? DEFAULT_GRID_COUNT;
  if (typeof count !== "number") {
    throw new ValidationError(`--grid-count must be a whole number of at least 1 (got ${JSON.stringify(count)})`, `e.g. --grid-count ${DEFAULT_GRID_COUNT}`);
  }
  const raw = options.grid_counts ?? {};
  if (!isPlainObject(raw)) {
    throw new ValidationError(`grid option grid_counts must be an object of name: count (got ${JSON.stringify(raw)})`, "give per-hyperparameter counts as 'count:' keys in a YAML problem");
  }
  const perName: Record<string, number> = {};
  for (const [name, n] of Object.entries(raw)) {
    if (typeof n !== "number") {
      throw new ValidationError(`grid count of '${name}' must be a whole number of at least 1 (got ${JSON.stringify(n)})`, `set its count to 1 or more in the problem file (YAML 'count: ${DEFAULT_GRID_COUNT}')`);
    }
    perName[name] = n;
  }
  return { count, perName };
}

/** The grid's size for these options: submit's default for --max-evals with --searcher grid. */
export function gridSizeFor(space: Space, options: Record<string, JsonValue>): number {
  return buildGrid(space, gridCountsFromOptions(options)).size;
}

export function createGridSearcher(ctx: SearcherContext): Searcher {
  const grid = buildGrid(ctx.space, gridCountsFromOptions(ctx.options));
  const size = grid.size;
  let next = 0;

  return {
    name: "grid",
    ask(n: number): Point[] {
      const out: Point[] = [];
      while (out.length < n && next < size) out.push(grid.point(next++));
      return out;
    },
    tell(_results: EvaluationResult[]): void {
      // The grid's order does not depend on results.
    },
    state(): JsonValue {
      return { next, size };
    },
    restore(state: JsonValue): void {
      const s = state as { next?: unknown; size?: unknown } | null;
      if (!isPlainObject(s) || !Number.isInteger(s.next) || (s.next as number) < 0 || (s.next as number) > size) {
        throw new ValidationError(`grid: invalid saved state ${JSON.stringify(state)}`, "the saved search state is damaged: submit the search again under a new name");
      }
      // A different size means the problem or the counts changed: the index would point elsewhere.
      if (s.size !== size) {
        throw new ValidationError(
          `grid: the saved search had ${String(s.size)} grid points, this problem and counts give ${size}`,
          "resume with the same problem and grid counts",
        );
      }
      next = s.next as number;
    },
    exhausted(): boolean {
      return next >= size;
    },
  };
}
