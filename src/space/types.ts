// The search-space contract shared by problems, searchers, the store and the launcher.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One configuration: hyperparameter name -> value. */
export type Point = Record<string, JsonValue>;

export type Hyperparameter =
  /** Integers in [low, high], both inclusive; log: sampled/encoded in log space (low >= 1). */
  | { type: "int"; name: string; low: number; high: number; log: boolean }
  /** Reals in [low, high]; log: sampled/encoded in log space (low > 0). */
  | { type: "float"; name: string; low: number; high: number; log: boolean }
  /** Unordered choices (any JSON values); one-hot encoded. */
  | { type: "categorical"; name: string; values: JsonValue[] }
  /** Ordered choices (any JSON values); encoded as the index scaled to [0, 1]. */
  | { type: "ordinal"; name: string; values: JsonValue[] }
  /** A fixed value: part of every point, no encoded column. */
  | { type: "const"; name: string; value: JsonValue };

/**
 * When a conditional hyperparameter is active: a test of its parent's value (the parent must be
 * active too), or a conjunction of such tests. The same JSON shape as the Python package writes.
 */
export type Condition =
  | { op: "eq" | "ne"; parent: string; value: JsonValue }
  | { op: "in"; parent: string; values: JsonValue[] }
  | { op: "gt" | "lt"; parent: string; value: number }
  | { op: "and" | "or"; terms: Condition[] };

/** A hyperparameter that exists only when its condition holds. */
export interface ConditionalHyperparameter {
  child: string;
  when: Condition;
}

/** A combination no point may have (ConfigSpace's forbidden clauses): true means forbidden. */
export type Forbidden =
  | { op: "eq"; name: string; value: JsonValue }
  | { op: "in"; name: string; values: JsonValue[] }
  | { op: "and"; terms: Forbidden[] };

/** One objective of a search: its name (a results.csv column, a key of a run's result) and direction. */
export interface ObjectiveSpec {
  name: string;
  direction: "maximize" | "minimize";
  /** The objective's value in the hypervolume's reference point (declared, else the worst observed). */
  reference?: number;
}

/**
 * One node of a neural architecture space (src/nas; docs/architecture.md, Neural architecture
 * search): a variable node chooses one of its candidate operations, a constant node has one; each
 * skip is an earlier node whose output it may also take (an on/off choice).
 */
export interface ArchNode {
  name: string;
  /** The candidate operations, any JSON the run interprets (e.g. {op: "dense", units: 32}); one for a constant node. */
  ops: JsonValue[];
  /** false: a constant node (its one operation is no choice). */
  variable: boolean;
  /** The node whose output goes through its operation: the node before it unless given. */
  input: string;
  /** Anchor points: earlier nodes whose output may be added to its own, one on/off choice each. */
  skips: string[];
}

/** The architecture of a NAS problem: an input node, then nodes in order (each reads only earlier ones). */
export interface ArchitectureSpec {
  /** The input node's name. */
  input: string;
  nodes: ArchNode[];
}

/** What a problem module or YAML file describes, after validation. JSON-serialisable. */
export interface ProblemSpec {
  hyperparameters: Hyperparameter[];
  startingPoints: Point[];
  /** Conditional hyperparameters: absent from a point unless their condition holds. */
  conditions?: ConditionalHyperparameter[];
  /** Forbidden combinations: no searcher proposes a point any of them matches. */
  forbidden?: Forbidden[];
  /** Default values the problem gave (DeepHyper's default_value), by name. */
  defaults?: Record<string, JsonValue>;
  /**
   * The problem's constraint functions (TS/JS problems only): functions are not JSON, so the spec
   * records the module that defines them and how many; whoever builds the space from a stored spec
   * imports the module again (src/problem/load.ts, loadSpace).
   */
  constraints?: { source: string; count: number };
  /** The objectives the problem declares, in order (a run then returns one value per objective). */
  objectives?: ObjectiveSpec[];
  /** Grid points per numeric range by name (the `count` keys of a Determined YAML file). */
  gridCounts?: Record<string, number>;
  /**
   * A NAS problem's architecture space. Its choices are ordinary int hyperparameters at the front of
   * `hyperparameters` (src/nas adds them), so every searcher works on it unchanged; the space only
   * carries this description along.
   */
  architecture?: ArchitectureSpec;
}
