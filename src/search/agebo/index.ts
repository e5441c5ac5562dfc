// The `agebo` searcher factory: the evolution's options (--population-size, --sample-size, as
// regevo) and the BO's (AMBS's flags, with AgEBO's defaults: a random forest, kappa 0.001, as many
// initial points as the first ask), checked as the launcher would build them.
import type { JsonValue } from "../../space/types.js";
import { parseAmbsOptions } from "../ambs/index.js";
import { parseRegevoOptions } from "../regevo/index.js";
import type { Searcher, SearcherContext } from "../searcher.js";
import { AgeboSearcher } from "./agebo.js";

/** The AMBS options agebo passes on to its BO (the workflow row's snake_case keys). */
const BO_KEYS = ["surrogate", "acq", "kappa", "xi", "liar", "n_initial_points"];

export function createAgeboSearcher(ctx: SearcherContext): Searcher {
  const bo: Record<string, JsonValue> = {};
  for (const k of BO_KEYS) if (ctx.options[k] !== undefined) bo[k] = ctx.options[k] as JsonValue;
  // Refused here, at submit, rather than at the BO's first ask in the launcher.
  parseAmbsOptions(bo);
  return new AgeboSearcher(ctx.space, ctx, parseRegevoOptions(ctx.options), bo);
}
