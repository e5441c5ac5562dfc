// Maps a searcher name (the --searcher flag, the workflow row) to its factory.
import { ValidationError } from "../errors.js";
import { createAmbsSearcher } from "./ambs/index.js";
import { createAshaSearcher } from "./asha/searcher.js";
import { createGridSearcher } from "./grid.js";
import { createRandomSearcher } from "./random.js";
import type { Searcher, SearcherContext, SearcherFactory } from "./searcher.js";

const FACTORIES: Record<string, SearcherFactory> = {
  ambs: createAmbsSearcher,
  random: createRandomSearcher,
  grid: createGridSearcher,
  asha: createAshaSearcher,
};

export const SEARCHER_NAMES = Object.keys(FACTORIES);

export function createSearcher(name: string, ctx: SearcherContext): Searcher {
  const factory = FACTORIES[name];
  if (!factory) {
    throw new ValidationError(`unknown searcher '${name}'`, `use --searcher ${SEARCHER_NAMES.join("|")}`);
  }
  return factory(ctx);
}

export function assertSearcherName(name: string): void {
  // "custom" is loaded from the user's module by the launcher (src/search/custom/load.ts).
  if (!FACTORIES[name] && name !== "custom") {
    throw new ValidationError(`--searcher: unknown searcher '${name}'`, `use one of: ${[...SEARCHER_NAMES, "custom"].join(", ")}`);
  }
}

/**
 * Whether `finished` evaluation rows use up a workflow's max_evals. A multi-fidelity search (asha)
 * counts trials, and a promoted trial continues in a new row: only its launcher knows when it is
 * over (the workflow turns FINISHED).
 */
export function budgetReached(wf: { searcher: string; maxEvals: number }, finished: number): boolean {
  return wf.searcher !== "asha" && finished >= wf.maxEvals;
}
