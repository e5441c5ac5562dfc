// The arithmetic of Determined's adaptive_asha (master/pkg/searcher/adaptive_asha.go and
// asha.go), kept apart from the scheduler's bookkeeping so it can be checked against hand-computed
// cases: how many rungs, the length of each rung, which brackets a mode runs, and how many of the
// trials each bracket gets.
import { ValidationError } from "../../errors.js";

export type AshaMode = "aggressive" | "standard" | "conservative";
export const ASHA_MODES: readonly AshaMode[] = ["aggressive", "standard", "conservative"];

/**
 * floor(log_divisor(x)): the largest k with divisor^k <= x. Counted with multiplications, because
 * Math.log(64) / Math.log(4) is 2.9999999999999996 and would lose a rung.
 */
export function floorLog(x: number, divisor: number): number {
  let k = 0;
  let power = divisor;
  while (power <= x * (1 + 1e-12)) {
    k++;
    power *= divisor;
  }
  return k;
}

/**
 * Rungs of the largest bracket. Determined caps max_rungs so that the shortest rung is at least
 * one unit (log_divisor(maxLength) + 1) and so that enough trials exist for one to reach the top
 * (log_divisor(maxTrials) + 1).
 */
export function effectiveMaxRungs(maxRungs: number, maxLength: number, maxTrials: number, divisor: number): number {
  return Math.max(1, Math.min(maxRungs, floorLog(maxLength, divisor) + 1, floorLog(maxTrials, divisor) + 1));
}

/**
 * Lengths of the rungs of a bracket with numRungs rungs: r_k = floor(maxLength / divisor^(numRungs-1-k)),
 * at least 1; the last rung (divisor^0) is maxLength itself.
 */
export function rungLengths(maxLength: number, divisor: number, numRungs: number): number[] {
  const lengths: number[] = [];
  for (let k = 0; k < numRungs; k++) {
    lengths.push(Math.max(1, Math.floor(maxLength / divisor ** (numRungs - 1 - k))));
  }
  return lengths;
}

/**
 * The number of rungs of each bracket, most rungs (most early stopping) first, as Determined sorts
 * them. aggressive: one bracket of maxRungs; standard: brackets of (maxRungs-1)/2+1 .. maxRungs
 * rungs (5 -> 5, 4, 3); conservative: 1 .. maxRungs rungs (5 -> 5, 4, 3, 2, 1; the 1-rung bracket
 * trains every one of its trials to maxLength).
 */
export function bracketRungs(mode: AshaMode, maxRungs: number): number[] {
  const from = mode === "aggressive" ? maxRungs : mode === "standard" ? Math.floor((maxRungs - 1) / 2) + 1 : 1;
  const rungs: number[] = [];
  for (let n = maxRungs; n >= from; n--) rungs.push(n);
  return rungs;
}

/**
 * Trials per bracket, for roughly the same total length per bracket: a bracket of n rungs gets a
 * weight divisor^(n-1) / n, each bracket floor(weight share * maxTrials) trials but at least one,
 * and the remainder goes to the first (most aggressive) bracket. A bracket may get 0 trials.
 */
export function bracketTrials(maxTrials: number, divisor: number, brackets: readonly number[]): number[] {
  const weights = brackets.map((n) => divisor ** (n - 1) / n);
  const total = weights.reduce((a, b) => a + b, 0);
  const trials = weights.map((w) => Math.max(1, Math.floor((w / total) * maxTrials)));
  const allocated = trials.reduce((a, b) => a + b, 0);
  trials[0]! += Math.max(0, maxTrials - allocated);
  // "At least one each" can exceed maxTrials in tiny searches (Determined then runs more trials
  // than asked); here max-evals is a hard limit, so the least aggressive brackets give them back.
  let excess = allocated - maxTrials;
  for (let i = trials.length - 1; i >= 0 && excess > 0; i--) {
    const take = Math.min(excess, trials[i]!);
    trials[i]! -= take;
    excess -= take;
  }
  return trials;
}

export interface AshaConfig {
  /** Length a trial trains to at the top rung, in the run's own units (epochs, steps...). */
  maxLength: number;
  /** Trials in all (max-evals counts trials). */
  maxTrials: number;
  /** Keep the top 1/divisor of each rung (default 4). */
  divisor: number;
  /** Upper bound of rungs per bracket (default 5). */
  maxRungs: number;
  mode: AshaMode;
  /** Determined's stop_once: trials run on to maxLength unless stopped once at a rung. */
  stopOnce: boolean;
}

export const ASHA_DEFAULTS = { divisor: 4, maxRungs: 5, mode: "standard" as AshaMode, stopOnce: false };

/** Checks a configuration; messages name the CLI flags. */
export function checkAshaConfig(c: AshaConfig): AshaConfig {
  const positiveInt = (flag: string, v: unknown, example: string): void => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      throw new ValidationError(`${flag} must be a positive integer (got ${JSON.stringify(v)})`, `e.g. ${flag} ${example}`);
    }
  };
  positiveInt("--max-length", c.maxLength, "27 (in the run's own units, e.g. epochs)");
  positiveInt("--max-evals", c.maxTrials, "100 (trials)");
  positiveInt("--max-rungs", c.maxRungs, String(ASHA_DEFAULTS.maxRungs));
  if (typeof c.divisor !== "number" || !Number.isFinite(c.divisor) || c.divisor <= 1) {
    throw new ValidationError(`--divisor must be a number greater than 1 (got ${JSON.stringify(c.divisor)})`, `e.g. --divisor ${ASHA_DEFAULTS.divisor} (keep the best quarter at each rung)`);
  }
  if (!ASHA_MODES.includes(c.mode)) {
    throw new ValidationError(`--mode must be one of ${ASHA_MODES.join(", ")} (got ${JSON.stringify(c.mode)})`, `e.g. --mode ${ASHA_DEFAULTS.mode}`);
  }
  if (typeof c.stopOnce !== "boolean") {
    throw new ValidationError(`--stop-once must be true or false (got ${JSON.stringify(c.stopOnce)})`, "give --stop-once alone, or leave it out");
  }
  return c;
}
