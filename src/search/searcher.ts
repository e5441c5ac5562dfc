// The Searcher contract (docs/architecture.md, The searcher contract). The launcher asks for points as slots free, tells results as
// evaluations end, and saves state() in the database in the same transaction as the rows it
// produced, so a relaunched launcher restore()s and continues the same search.
import type { Space } from "../space/space.js";
import type { JsonValue, ObjectiveSpec, Point } from "../space/types.js";

export type Direction = "maximize" | "minimize";

export interface EvaluationResult {
  evalId: number;
  point: Point;
  /** DONE carries a finite objective; FAILED/TIMEOUT carry none (never a fake value). */
  status: "DONE" | "FAILED" | "TIMEOUT";
  objective: number | null;
  /**
   * With several objectives, DONE's values in the declared order of SearcherContext.objectives
   * (objective is the first); absent or null with one objective.
   */
  objectives?: number[] | null;
  /** Why a FAILED/TIMEOUT evaluation failed (first line of its error), when known. */
  error?: string | null;
}

export interface Searcher {
  readonly name: string;
  /**
   * Up to n new, distinct points. Fewer (possibly none) when the space is exhausted.
   * Points returned are "pending" until told.
   */
  ask(n: number): Point[];
  /** Results of earlier asked points (or, after a restore, of points asked before the crash). */
  tell(results: EvaluationResult[]): void;
  /** JSON-serialisable state: with restore(), the next ask() gives what it would have given. */
  state(): JsonValue;
  /**
   * Optional: the state without what the evaluation rows already hold (the results told, the
   * points pending), so that saving it costs the same however long the search has run. restore()
   * then needs those back as `history` (docs/architecture.md, Searcher state from the rows).
   */
  stateWithoutRows?(): JsonValue;
  /**
   * Optional, with stateWithoutRows(): what the searcher did since the last call that the rows do
   * not record (asha: the order of its decisions), as numbered entries. The launcher appends them
   * in the transaction that saves stateWithoutRows(), and restore() gets them all back as
   * `history.journal` (docs/architecture.md, Searcher state from the rows).
   */
  takeJournal?(): SearcherJournal;
  /** Takes a state(), or a stateWithoutRows() with the history of the rows. */
  restore(state: JsonValue, history?: SearcherHistory): void;
  /** True when the searcher will never propose another point (e.g. a finite space fully asked). */
  exhausted(): boolean;
}

/** What the rows of a workflow tell a searcher restoring a stateWithoutRows(). */
export interface SearcherHistory {
  /** The results the searcher was told, in the order it was told them. */
  told: EvaluationResult[];
  /** Every point proposed and not told (running, waiting, or ended untold), in proposal order. */
  pending: Point[];
  /** Searchers that count trials: each trial's point, by trial id (from the rows' fidelity). */
  trials?: Point[];
  /** Every journal entry saved (takeJournal), in order. */
  journal?: JsonValue[];
}

/** Journal entries `from`, `from` + 1, ... of a search (numbered from 0 at its start). */
export interface SearcherJournal {
  from: number;
  entries: JsonValue[];
}

export interface SearcherContext {
  space: Space;
  seed: number;
  /** The (first) objective's direction. */
  direction: Direction;
  /** The declared objectives when there are several (direction is the first's); absent: one objective. */
  objectives?: ObjectiveSpec[];
  /** Searcher-specific settings from the workflow row (e.g. kappa, n_initial_points). */
  options: Record<string, JsonValue>;
}

export type SearcherFactory = (ctx: SearcherContext) => Searcher;

/**
 * What a searcher does beyond ask and tell. Declared once per searcher in the registry, so that the
 * CLI, the results, the leader and its agents agree on it.
 */
export interface SearcherCapabilities {
  /**
   * What max_evals counts: evaluation rows, or trials. A trial that is promoted continues in a new
   * row, so rows say nothing of when such a search is over: its searcher decides.
   */
  counts: "evaluations" | "trials";
  /**
   * The leader answers or stops evaluations while they run (early stops, a custom method's stop
   * operations): agents on other nodes read its word from the database.
   */
  steersRunning: boolean;
  /**
   * Running evaluations' intermediate results go to the searcher as they are printed. "method": a
   * custom method hears them when its module has onReport (see hearsProgress in the registry).
   */
  hearsProgress: boolean | "method";
}
