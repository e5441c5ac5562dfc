// The `regevo` searcher factory: reads and checks the options of the workflow row (the CLI's
// --population-size and --sample-size, DeepHyper's population_size and sample_size) and builds it.
import { ValidationError } from "../../errors.js";
import type { JsonValue } from "../../space/types.js";
import type { Searcher, SearcherContext } from "../searcher.js";
import { RegevoSearcher, type RegevoOptions } from "./regevo.js";

/** DeepHyper's defaults (and Real et al.'s): a population of 100, tournaments of 10. */
export const REGEVO_DEFAULTS: Readonly<RegevoOptions> = Object.freeze({ populationSize: 100, sampleSize: 10 });

export function createRegevoSearcher(ctx: SearcherContext): Searcher {
  return new RegevoSearcher(ctx.space, ctx, parseRegevoOptions(ctx.options));
}

/** population_size and sample_size, whole numbers of at least 1, the sample no larger than the population. Shared by agebo. */
export function parseRegevoOptions(raw: Record<string, JsonValue>): RegevoOptions {
  const int = (key: string, flag: string, fallback: number): number => {
    const v = raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      throw new ValidationError(`${flag} must be a whole number of at least 1 (got ${JSON.stringify(v)})`, `e.g. ${flag} ${fallback} (the default)`);
    }
    return v;
  };
  const populationSize = int("population_size", "--population-size", REGEVO_DEFAULTS.populationSize);
  const sampleSize = int("sample_size", "--sample-size", Math.min(REGEVO_DEFAULTS.sampleSize, populationSize));
  if (sampleSize > populationSize) {
    throw new ValidationError(
      `--sample-size ${sampleSize} is larger than --population-size ${populationSize}: a tournament draws members without replacement`,
      "give a sample size no larger than the population",
    );
  }
  return { populationSize, sampleSize };
}
