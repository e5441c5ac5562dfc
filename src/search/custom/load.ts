// Loads a user's search method module (--search-method) and wraps it in the runner: used by submit
// (to validate it before anything is written) and by the launcher.
import { loadSearchMethodModule } from "../../problem/load.js";
import type { JsonValue } from "../../space/types.js";
import type { SearcherContext } from "../searcher.js";
import { assertSearchMethod } from "./method.js";
import { createCustomSearcher, type CustomSearcher } from "./searcher.js";

/** The searcher options a custom method is saved with. */
export interface CustomOptions {
  search_method: string;
  method_args: JsonValue;
}

export async function loadCustomSearcher(ctx: SearcherContext): Promise<CustomSearcher> {
  const { search_method: path, method_args: args } = ctx.options as unknown as CustomOptions;
  const { create, source } = await loadSearchMethodModule(path);
  const method = create({ space: ctx.space, seed: ctx.seed, direction: ctx.direction, objectives: ctx.objectives ?? [{ name: "objective", direction: ctx.direction }], args: args ?? null });
  assertSearchMethod(method, source);
  return createCustomSearcher(ctx, method);
}
