// A workflow's searcher from its name and options: the one path that submit (to refuse a bad
// setting before anything is written or queued) and the launcher (to search) both take, so the two
// can never disagree about what is valid.
import type { Searcher, SearcherContext } from "./searcher.js";
import { createSearcher } from "./registry.js";
import { loadCustomSearcher } from "./custom/load.js";

export async function buildSearcher(name: string, ctx: SearcherContext): Promise<Searcher> {
  return name === "custom" ? loadCustomSearcher(ctx) : createSearcher(name, ctx);
}
