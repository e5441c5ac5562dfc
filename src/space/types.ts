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

/** What a problem module or YAML file describes, after validation. JSON-serialisable. */
export interface ProblemSpec {
  hyperparameters: Hyperparameter[];
  startingPoints: Point[];
  /** Grid points per numeric range by name (the `count` keys of a Determined YAML file). */
  gridCounts?: Record<string, number>;
}
