// The AMBS searcher (docs/architecture.md, ambs, random, grid): starting points, then random points until
// n_initial_points results, then a tree-ensemble surrogate on the unit-cube encoding, refitted
// once per ask. The k points of one ask are chosen one by one, each inserted into the fitted
// forest with the liar's value (forest.insert) before the next is chosen, instead of DeepHyper's
// refit per point. Pending points (asked, not told) enter every fit with the same lie (in low
// dimension they are inserted after it, and no lie raises a candidate's spread).
// Candidates are uniform draws plus perturbations of the best points, and in 4-D and up
// neighbours of the best uniform draws (ranking.ts, refineCandidates); duplicates of evaluated or
// pending points are skipped, and a small finite space is enumerated instead of sampled. A trust
// region around the best point (in 4-D and up, the recombination of the best points;
// trustLength, on by default) adds candidates whose spread shrinks while results stop
// improving, and gets a share of the picks; a share of the picks (quad_picks) is the minimiser
// of a local quadratic model of the numeric hyperparameters over that region, the categoricals
// held at the best point's (once the best has stood, another group's: quadratic.ts,
// staleGroup), when the model fits; kappa may decay on DeepHyper's periodic schedule. In three
// hyperparameters or fewer a candidate's spread grows with its distance from the points tried
// (distance.ts). With conditions or forbidden clauses
// every candidate is repaired into an allowed point (candidates.ts) before it is scored:
// inactive hyperparameters are encoded apart from every real value (INACTIVE). With several
// objectives the surrogate learns a scalarization of them: the Pareto rank, then ParEGO's augmented
// Chebyshev function of min-max scaled losses with weights drawn anew for each proposal (one fit
// per point of a batch), so successive proposals aim at different parts of the Pareto front.
import { SpruceError } from "../../errors.js";
import { paretoRanks, toLosses } from "../../objectives/pareto.js";
import { rankedChebyshev, simplexWeights } from "../../objectives/scalarize.js";
import type { Space } from "../../space/space.js";
import type { JsonValue, ObjectiveSpec, Point } from "../../space/types.js";
import { Rng, type RngState } from "../../util/rng.js";
import type { Direction, EvaluationResult, Searcher, SearcherHistory } from "../searcher.js";
import { pickCandidate, type AcquisitionKind } from "./acquisition.js";
import { CandidateSampler, MAX_REPAIR_TRIES } from "./candidates.js";
import { Forest, type ForestKind } from "./forest.js";
import type { PriorObservation } from "../warm-start.js";
import { gaussianRankValues, gaussianRanks, refineCandidates, screenCandidates, type CandidateSet } from "./ranking.js";
import { distanceVariance, shrinkDistance } from "./distance.js";
import { TreeArena } from "./tree.js";
import { localStep, localTarget, type LocalTarget } from "./quadratic.js";
import { frontProgress, scheduledKappa, staleness, TRUST_INIT, TRUST_SHARE, trustLength, type FrontProgress } from "./trust.js";
import {
  AUTO_MAX_SAMPLES,
  AUTO_MIN_SAMPLES,
  DRAWS_PER_POINT,
  LOCAL_CENTRES,
  LOCAL_PICKS,
  LOCAL_SHARE,
  MAX_HELD_LIES,
  REFINE_MIN_SPACING,
  SCALE_MAX,
  SCALE_MIN,
  TRUST_FIRST_MIN,
} from "./tuning.js";

export type Liar = "cl_max" | "cl_min" | "cl_mean";

export interface AmbsOptions {
  nInitialPoints: number;
  surrogate: ForestKind;
  nEstimators: number;
  acq: AcquisitionKind;
  kappa: number;
  xi: number;
  liar: Liar;
  nCandidates: number;
  failures: "exclude" | "worst";
  /** Smallest leaf of the trees. */
  minSamplesLeaf: number;
  /** Points after the first of one ask: lies inserted into the fitted forest, or a refit per point. */
  batch: "insert" | "refit";
  /** Rows each tree is grown on, at most (a random subset when there are more): caps the fit cost. */
  maxSamples: number;
  /** Asks over which kappa decays from `kappa` to `kappaFinal` before starting again; 0: constant kappa. */
  kappaPeriod: number;
  kappaFinal: number;
  /** A trust region around the incumbent (see trustLength): its candidates and the share of picks among them. */
  trustRegion: "on" | "off";
  trustPicks: number;
  /** Share of the picks that take the local quadratic step (quadratic.ts) when its fit is good. */
  quadPicks: number;
}

interface Observation {
  point: Point;
  x: Float64Array;
  /** The finite objective (the first, with several), or null for a failed or timed-out evaluation. */
  objective: number | null;
  /** With several objectives, every one (finite), in declared order; null for a failure. */
  objectives?: number[] | null;
  /** A warm start's prior lacking an active hyperparameter: learnt from, never a local centre. */
  partial?: boolean;
}

interface Pending {
  point: Point;
  x: Float64Array;
}

/** state(): everything. stateWithoutRows() (version 2): what the rows do not hold. */
type SavedState =
  | {
      version: 1;
      rng: RngState;
      nextStart: number;
      observations: { point: Point; objective: number | null; objectives?: number[] | null }[];
      pending: Point[];
    }
  | { version: 2; rng: RngState; nextStart: number };

export class AmbsSearcher implements Searcher {
  readonly name = "ambs";
  private rng: Rng;
  private observations: Observation[] = [];
  private observed = new Set<string>();
  private pending = new Map<string, Pending>();
  private nextStart = 0;
  private readonly sampler: CandidateSampler;
  /** +1 when minimising the objective, -1 when maximising: the loss is sign * objective. */
  private readonly sign: number;
  /** The objectives when there are several (the loss is then a scalarization), else null. */
  private readonly objectives: readonly ObjectiveSpec[] | null;
  /** The hyperparameters that vary. */
  private readonly active: number;
  /** Uniform candidates dense in the cube: n^(-1/k) <= REFINE_MIN_SPACING (three hyperparameters or fewer at 10 000). */
  private readonly dense: boolean;
  /**
   * The local quadratic step is taken (quad_picks): one objective, the trust region on, a numeric
   * hyperparameter (the model's axes; a one-hot column is none) and no conditions or forbidden clauses.
   */
  private readonly quadratic: boolean;
  /** One objective and TRUST_FIRST_MIN varying hyperparameters or more: each ask's first pick is the trust region's (askModel). */
  private readonly trustFirst: boolean;
  /** Several objectives: the scalarization's weights of the current fit. */
  private weights: number[] = [];
  /** Several objectives: the Pareto ranks of the first `count` successful observations (they do not depend on the weights). */
  private ranks: { count: number; ranks: number[] } = { count: 0, ranks: [] };
  /** Several objectives: the trust region's record of front entries (trust.ts, frontProgress), kept between asks. */
  private front: FrontProgress = { count: 0, front: [], entries: 0, seq: [] };
  /**
   * A warm start's earlier results (docs/architecture.md, Warm start): always the first
   * observations, learnt from like the search's own, never saved, never in the seen set.
   */
  private readonly priors: Observation[];
  /** The trees' memory, reused by every fit: one forest is alive at a time (askModel's). */
  private readonly arena = new TreeArena();

  constructor(
    private readonly space: Space,
    seed: number,
    direction: Direction,
    private readonly opts: AmbsOptions,
    objectives?: readonly ObjectiveSpec[],
    priors: readonly PriorObservation[] = [],
  ) {
    this.rng = new Rng(seed);
    this.sign = direction === "maximize" ? -1 : 1;
    this.sampler = new CandidateSampler(space);
    this.objectives = objectives && objectives.length > 1 ? objectives : null;
    this.active = Math.max(1, space.params.filter((p) => p.type !== "const").length);
    this.dense = Math.pow(opts.nCandidates, -1 / this.active) <= REFINE_MIN_SPACING;
    // With several objectives each point is its own ask: every pick would be the region's.
    this.trustFirst = !this.objectives && this.active >= TRUST_FIRST_MIN;
    this.quadratic = !this.objectives && opts.trustRegion === "on" && opts.quadPicks > 0 && this.sampler.axes.length > 0 && !this.sampler.repairs;
    // Absent hyperparameters encode as inactive ones do (INACTIVE, a categorical all zeros).
    this.priors = priors.map((o) => ({
      point: o.point,
      x: space.encodeTrusted(o.point),
      objective: o.objective,
      ...(this.objectives ? { objectives: o.objectives ?? null } : {}),
      partial: space.activeNames(o.point).some((n) => !(n in o.point)),
    }));
    this.observations = [...this.priors];
  }

  ask(n: number): Point[] {
    const want = Math.max(0, Math.floor(n));
    const out: Point[] = [];
    const starts = this.space.startingPoints;
    while (out.length < want && this.nextStart < starts.length) {
      const p = starts[this.nextStart++]!;
      this.accept(p, this.space.key(p), out);
    }
    if (out.length < want && !this.exhausted()) {
      if (this.trainableCount() >= Math.max(1, this.opts.nInitialPoints)) {
        if (!this.objectives) this.askModel(want, out);
        // Several objectives: each point of a batch gets its own weights, hence its own fit (the
        // points before it pending, with the lie).
        else {
          while (out.length < want) {
            const before = out.length;
            this.askModel(before + 1, out);
            if (out.length === before) break;
          }
        }
      }
      // Random points start the search, and fill in should the model's candidates all be taken.
      if (out.length < want) this.askRandom(want, out);
    }
    return out;
  }

  tell(results: EvaluationResult[]): void {
    for (const r of results) {
      const key = this.space.key(r.point);
      const pend = this.pending.get(key);
      this.pending.delete(key);
      // A result told twice (a relaunch replaying its rows) counts once.
      if (this.observed.has(key)) continue;
      const x = pend?.x ?? this.space.encode(r.point);
      this.observed.add(key);
      if (this.objectives) {
        // A result without every objective (a run stopped early) teaches as a failure.
        const k = this.objectives.length;
        const ok = r.status === "DONE" && r.objectives?.length === k && r.objectives.every(Number.isFinite);
        this.observations.push({ point: r.point, x, objective: ok ? r.objectives![0]! : null, objectives: ok ? [...r.objectives!] : null });
        continue;
      }
      const objective = r.status === "DONE" && r.objective !== null && Number.isFinite(r.objective) ? r.objective : null;
      this.observations.push({ point: r.point, x, objective });
    }
  }

  state(): JsonValue {
    const s: SavedState = {
      version: 1,
      rng: this.rng.state(),
      nextStart: this.nextStart,
      observations: this.observations.slice(this.priors.length).map((o) => (this.objectives ? { point: o.point, objective: o.objective, objectives: o.objectives ?? null } : { point: o.point, objective: o.objective })),
      pending: [...this.pending.values()].map((p) => p.point),
    };
    return s as unknown as JsonValue;
  }

  stateWithoutRows(): JsonValue {
    const s: SavedState = { version: 2, rng: this.rng.state(), nextStart: this.nextStart };
    return s as unknown as JsonValue;
  }

  restore(state: JsonValue, history?: SearcherHistory): void {
    const s = state as unknown as SavedState;
    if (s === null || typeof s !== "object" || (s.version !== 1 && s.version !== 2)) throw new Error("ambs: unrecognised saved state");
    this.rng = new Rng(s.rng);
    this.nextStart = s.nextStart;
    this.observations = [...this.priors];
    this.ranks = { count: 0, ranks: [] };
    this.front = { count: 0, front: [], entries: 0, seq: [] };
    this.observed = new Set();
    this.pending = new Map();
    if (s.version === 2) {
      if (!history) throw new Error("ambs: this saved state needs the history of the evaluation rows");
      // The same calls, in the same order, that built the state being restored.
      for (const p of history.pending) this.pending.set(this.space.key(p), { point: p, x: this.space.encode(p) });
      this.tell(history.told);
      return;
    }
    for (const o of s.observations) {
      this.observed.add(this.space.key(o.point));
      this.observations.push({ point: o.point, x: this.space.encode(o.point), objective: o.objective, ...(this.objectives ? { objectives: o.objectives ?? null } : {}) });
    }
    for (const p of s.pending) this.pending.set(this.space.key(p), { point: p, x: this.space.encode(p) });
  }

  exhausted(): boolean {
    return this.observed.size + this.pending.size >= this.space.size();
  }

  private isSeen(key: string): boolean {
    return this.observed.has(key) || this.pending.has(key);
  }

  private accept(p: Point, key: string, out: Point[]): boolean {
    if (this.isSeen(key)) return false;
    this.pending.set(key, { point: p, x: this.space.encode(p) });
    out.push(p);
    return true;
  }

  /** Observations the surrogate learns from: finite ones, plus failures when imputed. */
  private trainableCount(): number {
    if (this.opts.failures === "worst") {
      return this.observations.some((o) => o.objective !== null) ? this.observations.length : 0;
    }
    let n = 0;
    for (const o of this.observations) if (o.objective !== null) n++;
    return n;
  }

  private askRandom(want: number, out: Point[]): void {
    const all = this.sampler.enumerate(this.opts.nCandidates);
    if (all) {
      // A small finite space: draw among the points not yet seen, so no draw is wasted.
      const unseen: number[] = [];
      all.keys.forEach((k, i) => {
        if (!this.isSeen(k)) unseen.push(i);
      });
      while (out.length < want && unseen.length > 0) {
        const j = Math.floor(this.rng.next() * unseen.length);
        const i = unseen[j]!;
        unseen[j] = unseen[unseen.length - 1]!;
        unseen.pop();
        this.accept(all.points[i]!, all.keys[i]!, out);
      }
      return;
    }
    const buf = new Float64Array(this.sampler.dim);
    const stats = { forbidden: 0 };
    // While every draw so far was forbidden, go on up to MAX_REPAIR_TRIES, then stop the search
    // with the reason rather than return nothing on every ask.
    const allForbidden = (): boolean => this.sampler.repairs && stats.forbidden === draws;
    let draws = 0;
    while (out.length < want && !this.exhausted() && (draws < DRAWS_PER_POINT * want || (allForbidden() && draws < MAX_REPAIR_TRIES))) {
      draws++;
      this.sampler.random(this.rng, buf, 0, 1);
      if (this.sampler.repairs && this.sampler.repair(this.rng, buf, 0, 1, stats) === 0) continue;
      const p = this.space.decode(buf);
      this.accept(p, this.space.key(p), out);
    }
    if (out.length === 0 && draws > 0 && allForbidden()) throw noAllowedDraw(draws);
  }

  private askModel(want: number, out: Point[]): void {
    const d = this.sampler.dim;
    if (this.objectives) this.weights = simplexWeights(this.rng, this.objectives.length);
    let train = this.trainingSet();
    // Where the candidates are dense a lie may not raise a candidate's spread: the pending points
    // (the last rows) are held out of the fit, the spreads capped, and they are inserted after
    // (bench/suite/RESULTS.md, "A pending point's lie"). Thousands stay in the fit (bench/scale).
    const capped = this.opts.batch === "insert" && this.dense;
    const held = capped && this.pending.size <= MAX_HELD_LIES ? this.pending.size : 0;
    const fit = (): Forest =>
      Forest.fit(
        train.X,
        train.y,
        train.rows - held,
        d,
        {
          kind: this.opts.surrogate,
          nTrees: this.opts.nEstimators,
          minSamplesLeaf: this.opts.minSamplesLeaf,
          // Auto: a quarter of the rows, at least AUTO_MIN_SAMPLES, so the fit cost grows slowly,
          // and at most AUTO_MAX_SAMPLES, so it stops growing.
          maxSamples: this.opts.maxSamples || Math.min(AUTO_MAX_SAMPLES, Math.max(AUTO_MIN_SAMPLES, Math.ceil(train.rows / 4))),
          bins: 64,
          lies: want - out.length + held,
        },
        this.rng,
        this.arena,
      );
    let forest = fit();
    const acq = { kind: this.opts.acq, kappa: this.kappaAt(), xi: this.opts.xi };
    // The region's length, a replay of every result, once per ask: the results do not change within it.
    const length = this.trustLength();
    const pool = this.candidates(train.order, length);
    // In low dimension the spread grows with the distance from every point tried or pending
    // (distance.ts); a warm start's partial priors, encoded with a hyperparameter inactive, are
    // no point of this space.
    const tried = this.dense && !pool.points && !this.objectives ? [...this.observations.filter((o) => !o.partial), ...this.pending.values()] : [];
    const distance = tried.length > 0 ? distanceVariance(pool.X, pool.n, d, tried.map((o) => o.x)) : null;
    let { cands, sc } = screenCandidates(forest, pool, acq, train.best, distance);
    if (this.refines(cands)) ({ cands, sc } = refineCandidates(forest, cands, sc, acq, train.best, this.sampler, this.rng, this.space.params.length));
    if (capped) sc.capSpread();
    for (let r = train.rows - held; r < train.rows; r++) forest.insert(train.X.subarray(r * d, r * d + d), train.lie, sc);
    const taken = new Uint8Array(cands.n);
    // In many dimensions the first pick of every ask is the trust region's first row: the one
    // the screening trees rank first (bench/suite/RESULTS.md, "Many dimensions: the trust region first").
    let first = this.trustFirst && cands.nTrust > 0 && !cands.points;
    let quad: LocalTarget | null | undefined;
    while (out.length < want) {
      // Local candidates, in the incumbent's leaves, would win every pick and the search stop
      // exploring (bench: Ackley regret 17 instead of 8): a pick is local with probability
      // LOCAL_PICKS only, the trust region's with trust_picks, else uniform (pickCandidate).
      acq.kappa = this.kappaAt();
      // The local quadratic step (quadratic.ts) with probability quad_picks, where it has a step.
      if (this.quadratic && this.pending.size <= MAX_HELD_LIES && this.rng.next() < this.opts.quadPicks) {
        // One fit per ask: the results do not change within it.
        if (quad === undefined) quad = this.fitQuadratic(train.order, length);
        const qp = quad && this.quadraticPoint(quad);
        if (qp && this.accept(qp, this.space.key(qp), out)) {
          const x = this.space.encode(qp);
          if (sc.distance) shrinkDistance(sc.distance, sc.X, sc.n, d, x);
          if (out.length < want) forest.insert(x, train.lie, sc);
          continue;
        }
      }
      const u = first || (cands.nLocal === 0 && cands.nTrust === 0) ? 1 : this.rng.next();
      const c = first ? cands.nLocal : pickCandidate(sc, acq, train.best, taken, cands, u, LOCAL_PICKS, this.opts.trustPicks);
      first = false;
      if (c < 0) return;
      taken[c] = 1;
      const row = cands.X.subarray(c * d, c * d + d);
      const p = cands.points ? cands.points[c]! : this.space.decode(row);
      const key = cands.keys ? cands.keys[c]! : this.space.key(p);
      if (!this.accept(p, key, out)) continue;
      if (sc.distance) shrinkDistance(sc.distance, sc.X, sc.n, d, row);
      if (out.length === want) continue;
      if (this.opts.batch === "refit") {
        // DeepHyper's scheme, kept to measure the cheap one against: refit with the new lie.
        train = this.trainingSet();
        forest = fit();
        const distance = sc.distance;
        sc = forest.score(cands.X, cands.n);
        sc.distance = distance;
      } else forest.insert(row, train.lie, sc);
    }
  }

  /** What the local quadratic step works on (quadratic.ts, localTarget), from every result but the partial priors. */
  private fitQuadratic(order: number[], length: number): LocalTarget | null {
    const obs = this.observations;
    const rows = order.filter((i) => !obs[i]!.partial).map((i) => ({ x: obs[i]!.x, loss: this.sign * obs[i]!.objective!, i }));
    const told = this.sampler.onehots.length > 0 ? this.told() : null;
    const stale = told ? staleness(told.losses, this.opts.nInitialPoints, this.active) : { level: 0, at: -1 };
    const target = localTarget(rows, this.sampler.axes, stale.at >= 0 ? told!.index[stale.at]! : -1, stale.level);
    // Another group's best is no incumbent the region has shrunk around: a fresh region's length.
    return target && { ...target, length: target.other ? TRUST_INIT : length };
  }

  /** The local quadratic step's point, away from the pending ones, or null. */
  private quadraticPoint(t: LocalTarget): Point | null {
    const pending = [...this.pending.values()].map((p) => p.x);
    const seen = this.sampler.onehots.length > 0 ? [...pending, ...this.observations.map((o) => o.x)] : [];
    const row = localStep(t, this.sampler, this.rng, pending, seen);
    return row ? this.space.decode(row) : null;
  }

  /** Kappa of the next point (trust.ts), counted from results and pending points as the rows count them. */
  private kappaAt(): number {
    return scheduledKappa(this.opts.kappa, this.opts.kappaFinal, this.opts.kappaPeriod, this.observations.length + this.pending.size);
  }

  /** The trust region's length (trust.ts), or 0 when off; with several objectives, from frontProgress. */
  private trustLength(): number {
    if (this.opts.trustRegion !== "on") return 0;
    const k = this.active;
    const objectives = this.objectives;
    if (objectives) {
      const ok = this.observations.filter((o) => o.objective !== null);
      if (ok.length < this.front.count) this.front = { count: 0, front: [], entries: 0, seq: [] };
      this.front = frontProgress(ok.slice(this.front.count).map((o) => toLosses(o.objectives!, objectives)), this.front);
      return trustLength(this.front.seq, this.opts.nInitialPoints, k);
    }
    const losses: number[] = [];
    for (const o of this.observations) if (o.objective !== null) losses.push(this.sign * o.objective);
    return trustLength(losses, this.opts.nInitialPoints, k);
  }

  /** The losses of the successful observations in the order told, and their observations' indices. */
  private told(): { losses: number[]; index: number[] } {
    const index = [...this.observations.keys()].filter((i) => this.observations[i]!.objective !== null);
    return { losses: index.map((i) => this.sign * this.observations[i]!.objective!), index };
  }

  /**
   * Training rows: observations, their losses mapped to Gaussian ranks (bench: Branin regret
   * 0.007 against 0.13 with standardised losses, mixed3 5e-5 against 0.36), and pending points
   * with the liar's value on the same scale. `order` lists observation indices from the lowest
   * loss up.
   */
  private trainingSet(): { X: Float64Array; y: Float64Array; rows: number; best: number; lie: number; order: number[] } {
    const d = this.sampler.dim;
    const lossOf = this.lossFunction();
    const losses: number[] = [];
    /** The observation of each loss. */
    const of: number[] = [];
    this.observations.forEach((o, i) => {
      if (o.objective === null) return;
      losses.push(lossOf(o));
      of.push(i);
    });
    const worstLoss = Math.max(...losses);
    const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
    const z = gaussianRanks(losses);
    const lie =
      this.opts.liar === "cl_max" ? z(worstLoss) : this.opts.liar === "cl_min" ? z(Math.min(...losses)) : z(mean);
    // Each loss's z(loss), from one sort; `ranked` lists the losses from the lowest (ties: earlier observation first).
    const { z: zOf, order: ranked } = gaussianRankValues(losses);
    const zWorst = z(worstLoss);

    const total = this.observations.length + this.pending.size;
    const X = new Float64Array(total * d);
    const y = new Float64Array(total);
    let rows = 0;
    let k = 0;
    this.observations.forEach((o) => {
      let v: number;
      if (o.objective !== null) v = zOf[k++]!;
      else if (this.opts.failures === "worst") v = zWorst;
      else return;
      X.set(o.x, rows * d);
      y[rows++] = v;
    });
    for (const p of this.pending.values()) {
      X.set(p.x, rows * d);
      y[rows++] = lie;
    }
    // A literal array and push, not map(), for the reason given at candidates().
    const order: number[] = [];
    for (const r of ranked) order.push(of[r]!);
    return { X, y, rows, best: zOf[ranked[0]!]!, lie, order };
  }

  /** The loss of a successful observation: the signed objective, or the scalarization of the current fit. */
  private lossFunction(): (o: Observation) => number {
    const objectives = this.objectives;
    if (!objectives) return (o) => this.sign * o.objective!;
    const ok = this.observations.filter((o) => o.objective !== null);
    const losses = ok.map((o) => toLosses(o.objectives!, objectives));
    if (this.ranks.count !== losses.length) this.ranks = { count: losses.length, ranks: paretoRanks(losses) };
    const values = rankedChebyshev(losses, this.weights, this.ranks.ranks);
    const of = new Map(ok.map((o, i) => [o, values[i]!]));
    return (o) => of.get(o)!;
  }

  /** Whether the uniform candidates are too sparse for the acquisition (see REFINE_MIN_SPACING). */
  private refines(cands: CandidateSet): boolean {
    return !cands.points && !this.dense;
  }

  /**
   * The points the acquisition chooses from: on a small finite space every unseen point; else
   * uniform draws plus perturbations of the best observations, which let the search refine a
   * basin at a resolution uniform draws in several dimensions never reach; the trust region's of
   * `regionLength`.
   */
  private candidates(order: number[], regionLength: number): CandidateSet {
    const d = this.sampler.dim;
    const all = this.sampler.enumerate(this.opts.nCandidates);
    if (all) {
      const idx: number[] = [];
      all.keys.forEach((k, i) => {
        if (!this.isSeen(k)) idx.push(i);
      });
      const X = new Float64Array(idx.length * d);
      idx.forEach((i, r) => X.set(all.X.subarray(i * d, i * d + d), r * d));
      return { X, n: idx.length, nLocal: 0, nTrust: 0, points: idx.map((i) => all.points[i]!), keys: idx.map((i) => all.keys[i]!) };
    }
    const n = Math.max(1, this.opts.nCandidates);
    // The best LOCAL_CENTRES observations that are not partial priors, in a loop: map()'s array
    // changed hidden class as V8 inlined it, which threw this method away (30-40 ms in bench/search).
    const centres: Float64Array[] = [];
    for (let r = 0; r < order.length && centres.length < LOCAL_CENTRES; r++) {
      const o = this.observations[order[r]!]!;
      if (!o.partial) centres.push(o.x);
    }
    const nLocal = centres.length > 0 ? Math.floor(n * LOCAL_SHARE) : 0;
    const length = centres.length > 0 ? regionLength : 0;
    const nTrust = length > 0 ? Math.floor(n * TRUST_SHARE) : 0;
    const X = new Float64Array(n * d);
    this.sampler.random(this.rng, X, nLocal + nTrust, n - nLocal - nTrust);
    // Dense uniform draws (REFINE_MIN_SPACING: three hyperparameters or fewer) crowd the incumbent
    // too and nothing explores: drawn outside the trust region's box (bench/suite/RESULTS.md, "Low dimension").
    if (length > 0 && this.dense)
      this.sampler.redrawNear(this.rng, X, nLocal + nTrust, n - nLocal - nTrust, centres[0]!, length, 8);
    const pMove = Math.min(1, 2 / Math.max(1, this.space.params.length));
    for (let r = 0; r < nLocal; r++) {
      // Rank-weighted centres: the best point gets the most neighbours.
      const k = Math.min(centres.length - 1, Math.floor(centres.length * this.rng.next() * this.rng.next()));
      const scale = SCALE_MIN * Math.pow(SCALE_MAX / SCALE_MIN, this.rng.next());
      this.sampler.perturb(this.rng, centres[k]!, scale, pMove, X, r);
    }
    const pTrust = Math.min(1, 20 / this.active);
    // Where the draws are sparse the region is centred on the recombination of the best points,
    // itself a candidate (bench/suite/RESULTS.md, "The trust region around the best points' mean").
    const around = nTrust > 0 && !this.dense ? this.sampler.recombine(centres, this.active) : null;
    for (let r = nLocal; r < nLocal + nTrust; r++) {
      if (around && r === nLocal) X.set(around, r * d);
      else this.sampler.perturb(this.rng, around ?? centres[0]!, length, pTrust, X, r, true);
    }
    if (!this.sampler.repairs) return { X, n, nLocal, nTrust };
    // Forbidden candidates are dropped; each pool closes up behind the one before it.
    const keptLocal = this.sampler.repair(this.rng, X, 0, nLocal);
    X.copyWithin(keptLocal * d, nLocal * d, n * d);
    const keptTrust = this.sampler.repair(this.rng, X, keptLocal, nTrust);
    X.copyWithin((keptLocal + keptTrust) * d, (keptLocal + nTrust) * d, (n - nLocal + keptLocal) * d);
    const keptUniform = this.sampler.repair(this.rng, X, keptLocal + keptTrust, n - nLocal - nTrust);
    const kept = keptLocal + keptTrust + keptUniform;
    return { X: X.subarray(0, kept * d), n: kept, nLocal: keptLocal, nTrust: keptTrust };
  }
}

function noAllowedDraw(tries: number): SpruceError {
  return new SpruceError(`ambs: no allowed point in ${tries} random draws: the forbidden clauses and constraints leave (almost) nothing of the space`, {
    hint: "loosen the forbidden clauses or constraint functions of the problem",
  });
}
