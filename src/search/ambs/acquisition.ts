// Acquisition functions on the surrogate's mean and spread. The searcher minimises a loss (the
// objective, negated when maximising), so UCB on the objective is the lower confidence bound on
// the loss, and EI is the expected improvement below the best loss.
import type { ScoredCandidates } from "./scored.js";

export type AcquisitionKind = "ucb" | "ei";

export interface Acquisition {
  kind: AcquisitionKind;
  kappa: number;
  xi: number;
}

/**
 * Index of the candidate in [from, to) with the best acquisition among those not `taken`, or -1
 * if all are taken. `best` is the lowest (transformed) loss seen, used by EI.
 */
export function bestCandidate(
  sc: ScoredCandidates,
  acq: Acquisition,
  best: number,
  taken: Uint8Array,
  from: number,
  to: number,
): number {
  let arg = -1;
  let top = -Infinity;
  for (let c = from; c < to; c++) {
    if (taken[c]) continue;
    const value = utility(acq, sc.mean(c), sc.std(c), best);
    if (value > top) {
      top = value;
      arg = c;
    }
  }
  return arg;
}

/**
 * The pick for a draw u in [0, 1) among the pools of `cands`: rows [0, nLocal) local, then nTrust
 * of the trust region, the rest uniform. Local with probability localPicks, the region's with
 * trustPicks, else uniform; an empty pool falls through to the uniform rows, then to all of them;
 * -1 when every candidate is taken.
 */
export function pickCandidate(
  sc: ScoredCandidates,
  acq: Acquisition,
  best: number,
  taken: Uint8Array,
  cands: { n: number; nLocal: number; nTrust: number },
  u: number,
  localPicks: number,
  trustPicks: number,
): number {
  const local = cands.nLocal > 0 && u < localPicks;
  const trust = cands.nTrust > 0 && !local && u < localPicks + trustPicks;
  const uniform = cands.nLocal + cands.nTrust;
  let c = local ? bestCandidate(sc, acq, best, taken, 0, cands.nLocal) : -1;
  if (trust) c = bestCandidate(sc, acq, best, taken, cands.nLocal, uniform);
  if (c < 0) c = bestCandidate(sc, acq, best, taken, uniform, cands.n);
  if (c < 0) c = bestCandidate(sc, acq, best, taken, 0, cands.n);
  return c;
}

/** Higher is better. */
export function utility(acq: Acquisition, mean: number, std: number, best: number): number {
  if (acq.kind === "ucb") return -(mean - acq.kappa * std);
  const gain = best - acq.xi - mean;
  if (std <= 0) return Math.max(gain, 0);
  const z = gain / std;
  return gain * normalCdf(z) + std * normalPdf(z);
}

function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** Φ(z) through erfc (the Chebyshev fit of Numerical Recipes' erfcc, relative error < 1.2e-7). */
function normalCdf(z: number): number {
  const x = -z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  const erfc = x >= 0 ? y : 2 - y;
  return 0.5 * erfc;
}

// The coefficients of normalQuantile, built once: as literals inside it they were four new arrays
// per call, and the training targets call it once per distinct loss of every ask.
const QA = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239] as const;
const QB = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572] as const;
const QC = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783] as const;
const QD = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416] as const;

/** Φ⁻¹(p) for 0 < p < 1 (P. J. Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = QA;
  const b = QB;
  const c = QC;
  const d = QD;
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}
