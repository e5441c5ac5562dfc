// The `ambs` searcher factory: reads and checks the options of the workflow row (the CLI's
// --surrogate, --acq, --kappa, --xi, --liar, --n-initial-points ...) and builds the searcher.
import { ValidationError } from "../../errors.js";
import type { JsonValue } from "../../space/types.js";
import type { Searcher, SearcherContext } from "../searcher.js";
import { readWarmStart } from "../warm-start.js";
import { AmbsSearcher, type AmbsOptions } from "./ambs.js";

/**
 * Defaults. Extra trees: on bench/search's Ackley-5 (8 seeds) the random forest's median regret
 * was 13.8 against 8.3. 50 trees and max_samples 0 (auto: each tree grown on a quarter of the
 * rows, at least 256 and at most 1 024) keep a batch of 8 within the proposal-time budget at
 * 5 000 evaluations, and a batch of 64 at 20 000.
 * batch "insert" adds the lies of a batch to the fitted forest; "refit" refits per point as
 * DeepHyper does, to compare against.
 * trust_region "on" (trust.ts): over 10 seeds on bench/suite's quick subset, median regret at or
 * below the best of TPE, CMA-ES and a DeepHyper-style AMBS on 6 of 12 problems at 100 and at 200
 * evaluations (3 and 4 without), and on 16 problems held out of that choice lower than without on
 * 9 at 100 and 12 at 200; it costs the start (worse at 50 on 11 of those 16) and bench/search's
 * Ackley-5 (20 seeds: 8.15 against 6.38 at 100). kappa_period (off) lost on the conditioned and
 * integer problems (bench/suite/RESULTS.md).
 * quad_picks 0.5 (quadratic.ts, the local quadratic step where its fit is good): bench/suite's 78
 * problems, 10 seeds, at or below the best of TPE and CMA-ES at 100 and 200 on 64 and 69 (60 and
 * 59 without; 0.125: 60 and 65; 0.25: 64 and 67); on bench/search, held out of that choice, 20
 * seeds, Ackley-5 6.30 at 100 against 7.06 without, Branin 8.8e-7 against 1.7e-3.
 */
export const AMBS_DEFAULTS: Readonly<AmbsOptions> = Object.freeze({
  nInitialPoints: 10,
  surrogate: "et",
  nEstimators: 50,
  acq: "ucb",
  kappa: 1.96,
  xi: 0.01,
  liar: "cl_max",
  nCandidates: 10_000,
  failures: "exclude",
  minSamplesLeaf: 1,
  maxSamples: 0,
  batch: "insert",
  kappaPeriod: 0,
  kappaFinal: 0.01,
  trustRegion: "on",
  trustPicks: 0.25,
  quadPicks: 0.5,
});

/**
 * kappa with several objectives, unless set: each proposal's own scalarization weights already
 * spread the search along the front. bench/moo, median hypervolume of 10 seeds at 200 evaluations,
 * kappa 1 against 1.96: ZDT1-30 9.83 / 9.65, ZDT2-30 9.30 / 9.09, DTLZ2-12 41.38 / 41.19 (ZDT1-6
 * and ZDT2-6 within 0.04), and on three problems held out of that choice, ZDT3-30 9.81 / 9.76,
 * ZDT3-6 11.92 / 11.88, DTLZ2-7 42.06 / 41.99.
 */
export const AMBS_KAPPA_SEVERAL_OBJECTIVES = 1;

export function createAmbsSearcher(ctx: SearcherContext): Searcher {
  const priors = readWarmStart(ctx.options.warm_start, ctx.objectives?.length ?? 1);
  const options = parseAmbsOptions(ctx.options);
  if ((ctx.objectives?.length ?? 1) > 1 && ctx.options.kappa === undefined) options.kappa = AMBS_KAPPA_SEVERAL_OBJECTIVES;
  return new AmbsSearcher(ctx.space, ctx.seed, ctx.direction, options, ctx.objectives, priors);
}

/** The submit flags that set an option; the others come only from a workflow row written by code. */
const FLAGS: Partial<Record<keyof AmbsOptions, string>> = {
  nInitialPoints: "--n-initial-points",
  surrogate: "--surrogate",
  acq: "--acq",
  kappa: "--kappa",
  xi: "--xi",
  liar: "--liar",
};

/**
 * Accepts both the snake_case names of DeepHyper and the camelCase of this code. Submit and the
 * launcher both build the searcher through this, so a value refused here is refused at submit.
 */
export function parseAmbsOptions(raw: Record<string, JsonValue>): AmbsOptions {
  const get = (snake: string, camel: keyof AmbsOptions): JsonValue | undefined => raw[snake] ?? raw[camel];
  const bad = (snake: string, camel: keyof AmbsOptions, v: JsonValue, what: string): never => {
    const flag = FLAGS[camel];
    throw new ValidationError(
      flag ? `${flag} must be ${what} (got ${JSON.stringify(v)})` : `ambs option ${snake} must be ${what} (got ${JSON.stringify(v)})`,
      flag ? `e.g. ${flag} ${String(AMBS_DEFAULTS[camel])} (the default)` : `leave ${snake} out for its default, ${String(AMBS_DEFAULTS[camel])}`,
    );
  };
  const int = (snake: string, camel: keyof AmbsOptions, min: number): number => {
    const v = get(snake, camel);
    if (v === undefined || v === null) return AMBS_DEFAULTS[camel] as number;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) bad(snake, camel, v, `a whole number of at least ${min}`);
    return v as number;
  };
  const num = (snake: string, camel: keyof AmbsOptions): number => {
    const v = get(snake, camel);
    if (v === undefined || v === null) return AMBS_DEFAULTS[camel] as number;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) bad(snake, camel, v, "a number, 0 or more");
    return v as number;
  };
  const share = (snake: string, camel: keyof AmbsOptions): number => {
    const v = num(snake, camel);
    if (v > 1) bad(snake, camel, v, "a share between 0 and 1");
    return v;
  };
  const choice = <T extends string>(snake: string, camel: keyof AmbsOptions, allowed: readonly T[]): T => {
    const v = get(snake, camel);
    if (v === undefined || v === null) return AMBS_DEFAULTS[camel] as T;
    if (typeof v !== "string" || !allowed.includes(v as T)) bad(snake, camel, v, `one of ${allowed.join(", ")}`);
    return v as T;
  };
  return {
    nInitialPoints: int("n_initial_points", "nInitialPoints", 0),
    surrogate: choice("surrogate", "surrogate", ["et", "rf"] as const),
    nEstimators: int("n_estimators", "nEstimators", 1),
    acq: choice("acq", "acq", ["ucb", "ei"] as const),
    kappa: num("kappa", "kappa"),
    xi: num("xi", "xi"),
    liar: choice("liar", "liar", ["cl_max", "cl_min", "cl_mean"] as const),
    nCandidates: int("n_candidates", "nCandidates", 1),
    failures: choice("failures", "failures", ["exclude", "worst"] as const),
    minSamplesLeaf: int("min_samples_leaf", "minSamplesLeaf", 1),
    maxSamples: int("max_samples", "maxSamples", 0),
    batch: choice("batch", "batch", ["insert", "refit"] as const),
    kappaPeriod: int("kappa_period", "kappaPeriod", 0),
    kappaFinal: num("kappa_final", "kappaFinal"),
    trustRegion: choice("trust_region", "trustRegion", ["on", "off"] as const),
    trustPicks: share("trust_picks", "trustPicks"),
    quadPicks: share("quad_picks", "quadPicks"),
  };
}
