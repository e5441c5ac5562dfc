// The ambs searcher's tuned constants (docs/architecture.md, ambs, random, grid), each with the
// measurement that set it: one default for every problem, chosen on bench/search and bench/suite.

/** Share of the candidates that are perturbations of the best points rather than uniform draws. */
export const LOCAL_SHARE = 0.1;
/** Share of the picks made among the local candidates only. */
export const LOCAL_PICKS = 0.1;
/** How many of the best points local candidates are drawn around. */
export const LOCAL_CENTRES = 5;
/** Perturbation scales in the unit cube: log-uniform between these. */
export const SCALE_MIN = 0.002, SCALE_MAX = 0.2;
/** Rows per tree when max_samples is 0 (auto), at least: all of them until the search is long. */
export const AUTO_MIN_SAMPLES = 256;
/**
 * Rows per tree when max_samples is 0 (auto), at most: the fit then costs the same past 4 096
 * evaluations (a batch of 64 at 20 000: 0.55 s of CPU with a quarter of the rows, 0.12 s with
 * this). Regret, batches of 64, median of 5 seeds, a quarter of the rows against 1 024: Ackley-5
 * at 6 000 evaluations 4.7e-3 against 3.7e-3, at 8 000 3.0e-3 against 1.8e-3.
 */
export const AUTO_MAX_SAMPLES = 1024;
/** Above SCREEN_KEEP candidates, all are scored with SCREEN_TREES trees and the best SCREEN_KEEP rescored by all. */
export const SCREEN_TREES = 10;
export const SCREEN_KEEP = 1000;
/**
 * Acquisition refinement: the REFINE_TOP best uniform candidates each get REFINE_PER neighbours
 * (perturbation scales log-uniform between the two bounds). Only where the uniform draws are
 * sparse: 10 000 draws are 0.01 apart in 2-D but 0.16 in 5-D, too coarse to find the
 * acquisition's optimum. bench, median regret at 100 over 40 seeds: Ackley-5 7.3 against 8.8
 * without (50 neighbours: also 7.3); over 20 seeds Hartmann6 0.19 against 0.20. In 2-D (Branin) a
 * finer acquisition search made the search explore too much (0.13 against 0.002, as did 30 000
 * uniform candidates), hence REFINE_MIN_SPACING.
 */
export const REFINE_TOP = 10;
export const REFINE_PER = 100;
export const REFINE_SCALE_MIN = 0.005, REFINE_SCALE_MAX = 0.1;
/** Refine when the uniform draws are further apart than this: n^(-1/k) for k hyperparameters. */
export const REFINE_MIN_SPACING = 0.05;
/** Uniform draws tried per wanted point before a large finite space counts as full for this ask. */
export const DRAWS_PER_POINT = 200;
/**
 * Pending points held out of the fit and inserted after it, at most (the low-dimension case of
 * askModel): past this they stay in the fit, as bench/scale's thousands of pending points must
 * (an insert splits a leaf in every tree, for every pending point, on every ask).
 */
export const MAX_HELD_LIES = 64;
/**
 * From this many varying hyperparameters on (one objective), each ask's first pick is the trust
 * region's first row instead of the pool drawn by trust_picks (bench/suite/RESULTS.md, "Many
 * dimensions: the trust region first"): better in 7-D and 10-D, worse in 5-D.
 */
export const TRUST_FIRST_MIN = 7;
