// The `agebo` searcher: aging evolution for the architecture and Bayesian optimisation for the
// hyperparameters (Egelé et al., DeepHyper's AgEBO; docs/architecture.md, regevo and agebo). Each
// point asked pairs an architecture (random until a tournament can be held, then a tournament
// winner's architecture with one choice mutated) with a hyperparameter set from an AMBS searcher
// over the hyperparameters alone, built through its public factory: a random forest, UCB (LCB in
// DeepHyper's minimising terms) with kappa 0.001, as many random initial points as the first ask
// (the launcher's slots: DeepHyper's number of workers). Every result joins the population and is
// told to the BO, as DeepHyper 0.2.5's loop does in both of its branches. Once the BO has no new
// set left (a small finite hyperparameter space), the evolution carries the hyperparameters too:
// a child is a tournament winner with one choice of the whole point mutated, as regevo's. The
// launcher saves stateWithoutRows(): the population, the points proposed and the BO's results come
// back from the rows (docs/architecture.md, Searcher state from the rows).
import { ValidationError } from "../../errors.js";
import { archChoices } from "../../nas/architecture.js";
import { isNas } from "../../nas/sequence.js";
import { namesOf, parentsOf } from "../../space/conditions.js";
import { Space } from "../../space/space.js";
import type { JsonValue, Point } from "../../space/types.js";
import { Rng, type RngState } from "../../util/rng.js";
import { createAmbsSearcher } from "../ambs/index.js";
import type { EvaluationResult, Searcher, SearcherContext, SearcherHistory } from "../searcher.js";
import { mutate } from "../regevo/mutate.js";
import { Population, type Member } from "../regevo/population.js";
import { CHILD_TRIES, type RegevoOptions } from "../regevo/regevo.js";
import { Seen } from "../regevo/seen.js";

/** DeepHyper's AgEBO: strong exploitation. */
const AGEBO_KAPPA = 0.001;

/** stateWithoutRows() (version 2): the generator, the starting points used, the BO's own stateWithoutRows(). */
interface RowsState {
  version: 2;
  rng: RngState;
  nextStart: number;
  bo: { nInitialPoints: number; state: JsonValue } | null;
}

interface SavedState {
  /** 1: the whole state (one written before the evolution took over exhausted sets also holds hpStats, ignored). */
  version: 1;
  rng: RngState;
  nextStart: number;
  population: Member[];
  seen: number[];
  /** The BO's state once it exists (it is built at the first ask, which sets its initial points). */
  bo: { nInitialPoints: number; state: JsonValue } | null;
}

export class AgeboSearcher implements Searcher {
  readonly name = "agebo";
  private rng: Rng;
  private nextStart = 0;
  private readonly population: Population;
  private seen: Seen;
  private bo: { nInitialPoints: number; searcher: Searcher } | null = null;
  private readonly archNames: ReadonlySet<string>;
  /** The hyperparameters alone (the architecture's choices left out): the BO's space. */
  private readonly hpSpace: Space;

  constructor(
    private readonly space: Space,
    private readonly ctx: Pick<SearcherContext, "seed" | "direction" | "objectives">,
    opts: RegevoOptions,
    private readonly boOptions: Record<string, JsonValue>,
  ) {
    this.rng = new Rng(ctx.seed);
    this.population = new Population(opts.populationSize, opts.sampleSize, ctx.direction, ctx.objectives);
    this.seen = new Seen(space);
    const spec = space.toSpec();
    if (!isNas(spec)) {
      throw new ValidationError("--searcher agebo searches an architecture and hyperparameters: this problem has no architecture", "submit a NAS problem with 'submit nas', or use --searcher regevo or ambs");
    }
    this.archNames = new Set(archChoices(spec.architecture).map((c) => c.name));
    this.hpSpace = hyperparameterSpace(space, this.archNames);
  }

  ask(n: number): Point[] {
    const out: Point[] = [];
    // DeepHyper's number of workers: the slots the first ask fills.
    this.bo ??= { nInitialPoints: Math.max(1, n), searcher: this.makeBo(Math.max(1, n)) };
    const starts = this.space.startingPoints;
    while (out.length < n && this.nextStart < starts.length) {
      const p = starts[this.nextStart++]!;
      if (this.seen.add(p)) out.push(p);
    }
    if (out.length >= n || this.seen.full()) return out;
    const hps = this.bo.searcher.ask(n - out.length);
    while (out.length < n && !this.seen.full()) {
      const hp = hps.shift();
      const p = hp === undefined ? this.wholeChild() : this.combine(hp);
      if (p === null) break;
      out.push(p);
    }
    return out;
  }

  tell(results: EvaluationResult[]): void {
    this.bo?.searcher.tell(results.map((r) => ({ ...r, point: this.hpPart(r.point) })));
    this.learn(results);
  }

  /** What tell() learns besides the BO's part: proposed points and the population. */
  private learn(results: EvaluationResult[]): void {
    for (const r of results) this.seen.add(r.point);
    this.population.add(results);
  }

  state(): JsonValue {
    const s: SavedState = {
      version: 1,
      rng: this.rng.state(),
      nextStart: this.nextStart,
      population: this.population.toJSON() as unknown as Member[],
      seen: this.seen.toJSON(),
      bo: this.bo ? { nInitialPoints: this.bo.nInitialPoints, state: this.bo.searcher.state() } : null,
    };
    return s as unknown as JsonValue;
  }

  /**
   * A few words whatever the length of the search: state()'s population, proposed points and BO
   * results are all in the rows, and were saved whole with every event.
   */
  stateWithoutRows(): JsonValue {
    const bo = this.bo ? { nInitialPoints: this.bo.nInitialPoints, state: this.bo.searcher.stateWithoutRows!() } : null;
    const s: RowsState = { version: 2, rng: this.rng.state(), nextStart: this.nextStart, bo };
    return s as unknown as JsonValue;
  }

  restore(state: JsonValue, history?: SearcherHistory): void {
    const s = state as unknown as SavedState | RowsState;
    if (s === null || typeof s !== "object" || (s.version !== 1 && s.version !== 2)) throw new Error("agebo: unrecognised saved state");
    this.rng = new Rng(s.rng);
    this.nextStart = s.nextStart;
    if (s.version === 2) {
      if (!history) throw new Error("agebo: this saved state needs the history of the evaluation rows");
      this.population.restore([]);
      this.seen = new Seen(this.space);
      this.bo = null;
      if (s.bo) {
        // The BO was asked the hyperparameters of every row still pending and told those of every result.
        this.bo = { nInitialPoints: s.bo.nInitialPoints, searcher: this.makeBo(s.bo.nInitialPoints) };
        this.bo.searcher.restore(s.bo.state, {
          told: history.told.map((r) => ({ ...r, point: this.hpPart(r.point) })),
          pending: history.pending.map((p) => this.hpPart(p)),
        });
      }
      for (const p of history.pending) this.seen.add(p);
      this.learn(history.told);
      return;
    }
    this.population.restore(s.population);
    this.seen = new Seen(this.space);
    this.seen.restore(s.seen);
    this.bo = null;
    if (s.bo) {
      this.bo = { nInitialPoints: s.bo.nInitialPoints, searcher: this.makeBo(s.bo.nInitialPoints) };
      this.bo.searcher.restore(s.bo.state);
    }
  }

  exhausted(): boolean {
    return this.seen.full();
  }

  private makeBo(nInitialPoints: number): Searcher {
    // A stream of its own, so the BO's draws do not shift the evolution's.
    // No trust region: AgEBO's BO is DeepHyper's plain one, and the evolution already searches
    // around the best architectures (bench/nas measured agebo so).
    const options = { surrogate: "rf", kappa: AGEBO_KAPPA, n_initial_points: nInitialPoints, trust_region: "off", ...this.boOptions };
    return createAmbsSearcher({ space: this.hpSpace, seed: (this.ctx.seed + 0x9e3779b9) >>> 0, direction: this.ctx.direction, options });
  }

  /**
   * An architecture for these hyperparameters, as a point not proposed before (marked proposed):
   * a tournament winner's mutated architecture once a tournament can be held, else (or after
   * CHILD_TRIES tournaments) a random one; null when no new point could be found.
   */
  private combine(hp: Point): Point | null {
    if (this.population.breeding()) {
      for (let t = 0; t < CHILD_TRIES; t++) {
        const parent = this.population.tournament(this.rng);
        const child = mutate(this.space, { ...this.archPart(parent.point), ...hp }, this.rng, this.archNames);
        if (child !== null && this.seen.add(child)) return child;
      }
    }
    for (let t = 0; t < CHILD_TRIES; t++) {
      const p = this.inOrder({ ...this.archPart(this.space.sample(this.rng)), ...hp });
      if (!this.space.isForbidden(p) && this.seen.add(p)) return p;
    }
    return this.seen.randomUnseen(this.rng);
  }

  /**
   * When the BO has no new set left (a small finite hyperparameter space it has tried whole): a
   * tournament winner with one choice of the whole point mutated, architecture or hyperparameter,
   * as regevo's child (before a tournament can be held, or after CHILD_TRIES tournaments, a random
   * unseen point). DeepHyper's forest, with only the hyperparameters as inputs, would keep
   * proposing the set of best mean result; the set that suits the best architectures is another
   * question, which selection answers (docs/architecture.md, regevo and agebo).
   */
  private wholeChild(): Point | null {
    if (this.population.breeding()) {
      for (let t = 0; t < CHILD_TRIES; t++) {
        const parent = this.population.tournament(this.rng);
        const child = mutate(this.space, parent.point, this.rng);
        if (child !== null && this.seen.add(child)) return child;
      }
    }
    return this.seen.randomUnseen(this.rng);
  }

  private archPart(p: Point): Point {
    const out: Point = {};
    for (const [k, v] of Object.entries(p)) if (this.archNames.has(k)) out[k] = v;
    return out;
  }

  private hpPart(p: Point): Point {
    const out: Point = {};
    for (const [k, v] of Object.entries(p)) if (!this.archNames.has(k)) out[k] = v;
    return out;
  }

  private inOrder(p: Point): Point {
    const out: Point = {};
    for (const n of this.space.names) if (n in p) out[n] = p[n] as JsonValue;
    return out;
  }
}

/**
 * The hyperparameters of a NAS space without its architecture: the BO's space. Refused (one line)
 * when there is nothing to search there, or when conditions, forbidden clauses or constraint
 * functions tie hyperparameters to the architecture's choices, which the split cannot keep.
 */
function hyperparameterSpace(space: Space, archNames: ReadonlySet<string>): Space {
  const spec = space.toSpec();
  const hyperparameters = spec.hyperparameters.filter((h) => !archNames.has(h.name));
  if (!hyperparameters.some((h) => h.type !== "const")) {
    throw new ValidationError(
      "--searcher agebo optimises hyperparameters beside the architecture, and this NAS problem has none to search",
      "add one (e.g. problem.add(\"lr\", [1e-4, 1e-1, \"log-uniform\"])), or use --searcher regevo for the architecture alone",
    );
  }
  const touchesArch = (names: string[]): boolean => names.some((n) => archNames.has(n));
  if ((spec.conditions ?? []).some((c) => touchesArch([c.child, ...parentsOf(c.when)])) || (spec.forbidden ?? []).some((f) => touchesArch(namesOf(f)))) {
    throw new ValidationError("--searcher agebo cannot take conditions or forbidden clauses on architecture choices", "use --searcher regevo, which mutates the whole space");
  }
  if (space.constraintCount > 0) {
    throw new ValidationError("--searcher agebo cannot take constraint functions (they read architecture and hyperparameters together)", "use --searcher regevo, or forbidden clauses on the hyperparameters");
  }
  return new Space({ hyperparameters, startingPoints: [], ...(spec.conditions ? { conditions: spec.conditions } : {}), ...(spec.forbidden ? { forbidden: spec.forbidden } : {}) });
}
