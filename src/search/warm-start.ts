// Warm start (docs/architecture.md, Warm start): an earlier search's results, from a results.csv
// (Spruce's or DeepHyper's) or from a workflow's rows, turned into prior observations of a new
// space: values matched to its hyperparameters, rows with a value outside it dropped and counted.
// Pure: the CLI reads the file or the rows, ambs reads the observations stored in its options.
import { ValidationError } from "../errors.js";
import { canonicalJson } from "../space/json.js";
import type { Space } from "../space/space.js";
import type { Hyperparameter, JsonValue, Point } from "../space/types.js";

/** One earlier result: a point of the new space (possibly partial) and its finite objective(s). */
export interface PriorObservation {
  point: Point;
  objective: number;
  /** With several objectives, all of them in the new search's declared order. */
  objectives?: number[];
}

/** What submit stores in the workflow's searcher options under `warm_start`. */
export interface WarmStart {
  /** The workflow name or the file (absolute), for display. */
  source: string;
  observations: PriorObservation[];
  /** Rows of the source left out (values outside the new space, no objective). */
  dropped: number;
}

/** An earlier search's results before matching: its hyperparameter names and rows. */
export interface SourceTable {
  /** The source's hyperparameter names. */
  names: string[];
  /**
   * values: a cell per name, a string from a CSV file or a JSON value from a workflow row; an
   * empty string, null or absent is "not given" (an inactive hyperparameter). objectives: the
   * source's objective values in the new search's order, null where not a finite number.
   */
  rows: { values: Record<string, JsonValue | undefined>; objectives: (number | null)[] }[];
}

export interface WarmStartSummary {
  used: number;
  /** Rows with a value outside the new space (a range, an unknown category). */
  outside: number;
  /** Rows without a finite value for every objective (failed evaluations). */
  noObjective: number;
  /** Hyperparameters of the new space the source has. */
  shared: string[];
  /** Hyperparameters of the new space the source lacks (filled as inactive in the surrogate). */
  missing: string[];
  /** Hyperparameters of the source the new space lacks (ignored). */
  ignored: string[];
}

/** Columns of a DeepHyper or Spruce results.csv that are never hyperparameters. */
const OBJECTIVE_COLUMN = /^objective(_\d+)?$/;

/**
 * A results.csv (header row first) as a source table. Hyperparameters are the `p:name` columns
 * (Spruce, DeepHyper 0.13), or, in files without any (older DeepHyper: plain names), the columns
 * named like a hyperparameter of the new space. Objectives: `objective` for one, `objective_0` ...
 * `objective_{k-1}` for k (DeepHyper 0.13's form, and Spruce's); a cell that is not a finite number
 * (DeepHyper's `F` of a failure, an empty cell) is no objective.
 */
export function tableFromCsv(records: string[][], space: Space, objectiveCount: number, file: string): SourceTable {
  const [header, ...body] = records;
  if (!header || header.length === 0 || (header.length === 1 && header[0] === "")) {
    throw new ValidationError(`--warm-start: ${file} is empty`, "give the results.csv of an earlier search (a header row, then one row per evaluation)");
  }
  const prefixed = header.some((h) => h.startsWith("p:"));
  const spaceNames = new Set(space.names);
  const params: { name: string; col: number }[] = [];
  header.forEach((h, col) => {
    // arch_seq: a NAS file's architecture in one cell, which the CLI unfolds into the choices.
    if (prefixed ? h.startsWith("p:") : (spaceNames.has(h) || h === "arch_seq") && !OBJECTIVE_COLUMN.test(h)) params.push({ name: prefixed ? h.slice(2) : h, col });
  });
  const wanted = objectiveCount > 1 ? Array.from({ length: objectiveCount }, (_, j) => `objective_${j}`) : ["objective"];
  const cols = wanted.map((w) => header.indexOf(w));
  const missingCol = wanted.find((_, j) => cols[j]! < 0);
  if (missingCol !== undefined) {
    const has = header.filter((h) => OBJECTIVE_COLUMN.test(h));
    throw new ValidationError(
      `--warm-start: ${file} has no column '${missingCol}'${has.length ? ` (it has ${has.join(", ")})` : ""}: this search has ${objectiveCount === 1 ? "one objective" : `${objectiveCount} objectives`}`,
      objectiveCount === 1 ? "give the results.csv of a search with one objective (column 'objective')" : `give the results.csv of a search with ${objectiveCount} objectives (objective_0 ... objective_${objectiveCount - 1})`,
    );
  }
  const rows: SourceTable["rows"] = [];
  for (const r of body) {
    if (r.length === 1 && r[0] === "") continue; // a blank line
    const values: Record<string, JsonValue | undefined> = {};
    for (const p of params) values[p.name] = r[p.col] ?? "";
    rows.push({ values, objectives: cols.map((c) => finiteNumber(r[c] ?? "")) });
  }
  return { names: params.map((p) => p.name), rows };
}

function finiteNumber(cell: string): number | null {
  const t = cell.trim();
  if (t === "") return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

/**
 * The prior observations a source gives a space. A row is used when every value it gives for a
 * hyperparameter of the space lies inside the space (a range, a known category) and it has every
 * objective; the hyperparameters the source lacks stay out of the point (ambs encodes them as it
 * encodes an inactive one). Throws a ValidationError when nothing is shared or no row is usable.
 */
export function priorsFor(space: Space, table: SourceTable, source: string): { warm: WarmStart; summary: WarmStartSummary } {
  const sourceNames = new Set(table.names);
  const byName = new Map(space.params.map((p) => [p.name, p]));
  const shared = space.params.filter((p) => sourceNames.has(p.name)).map((p) => p.name);
  // A constant the source lacks takes its one value: it is no missing information.
  const missing = space.params.filter((p) => !sourceNames.has(p.name) && p.type !== "const").map((p) => p.name);
  const constants = space.params.filter((p) => !sourceNames.has(p.name) && p.type === "const");
  const ignored = table.names.filter((n) => !byName.has(n));
  if (shared.filter((n) => byName.get(n)!.type !== "const").length === 0) {
    throw new ValidationError(
      `--warm-start: ${source} shares no hyperparameter with this search (it has ${table.names.length ? table.names.join(", ") : "none"}; this search has ${space.names.join(", ")})`,
      "give the results of a search over the same or an overlapping space (hyperparameters with the same names)",
    );
  }
  const observations: PriorObservation[] = [];
  let outside = 0;
  let noObjective = 0;
  for (const row of table.rows) {
    if (row.objectives.some((v) => v === null)) {
      noObjective++;
      continue;
    }
    const point: Point = {};
    for (const c of constants) if (c.type === "const") point[c.name] = c.value;
    let inside = true;
    for (const name of shared) {
      const raw = row.values[name];
      if (raw === undefined || raw === null || raw === "") continue;
      const v = valueIn(byName.get(name)!, raw);
      if (v === undefined) {
        inside = false;
        break;
      }
      point[name] = v;
    }
    // Values the space's conditions make inactive are not part of its point.
    const active = inside ? space.activeValues(point) : point;
    if (!inside || !Object.keys(active).some((n) => byName.get(n)!.type !== "const")) {
      outside++;
      continue;
    }
    const objectives = row.objectives as number[];
    observations.push(objectives.length > 1 ? { point: active, objective: objectives[0]!, objectives } : { point: active, objective: objectives[0]! });
  }
  const dropped = outside + noObjective;
  if (observations.length === 0) {
    throw new ValidationError(
      `--warm-start: no usable row in ${source}: ${table.rows.length} row(s), ${outside} with a value outside this search's space, ${noObjective} without ${table.rows[0]?.objectives.length === 1 ? "an objective" : "every objective"}`,
      "give the results of a search over the same or an overlapping space, with finished evaluations",
    );
  }
  return { warm: { source, observations, dropped }, summary: { used: observations.length, outside, noObjective, shared, missing, ignored } };
}

/** One line for submit: what the source gave. */
export function describeWarmStart(s: WarmStartSummary, source: string): string {
  const parts = [`${s.used} earlier result(s) from ${source}`];
  const dropped: string[] = [];
  if (s.outside) dropped.push(`${s.outside} outside this space`);
  if (s.noObjective) dropped.push(`${s.noObjective} without an objective`);
  if (dropped.length) parts.push(`dropped ${dropped.join(", ")}`);
  if (s.missing.length) parts.push(`not in the source: ${s.missing.join(", ")}`);
  if (s.ignored.length) parts.push(`ignored: ${s.ignored.join(", ")}`);
  return parts.join("; ");
}

/** Relative slack on float bounds: a value printed with fewer digits than it had stays inside. */
const BOUND_SLACK = 1e-9;

/** The value of `param` a cell stands for, or undefined when it is outside the space. */
function valueIn(param: Hyperparameter, raw: JsonValue): JsonValue | undefined {
  switch (param.type) {
    case "int":
    case "float": {
      const v = typeof raw === "number" ? raw : typeof raw === "string" ? finiteNumber(raw) : null;
      if (v === null || !Number.isFinite(v)) return undefined;
      if (param.type === "int") return Number.isInteger(v) && v >= param.low && v <= param.high ? v : undefined;
      const slack = BOUND_SLACK * (param.high - param.low);
      if (v < param.low - slack || v > param.high + slack) return undefined;
      return Math.min(param.high, Math.max(param.low, v));
    }
    case "categorical":
    case "ordinal":
      return param.values.find((c) => sameValue(c, raw));
    case "const":
      return sameValue(param.value, raw) ? param.value : undefined;
  }
}

/**
 * Whether a cell is this choice: JSON values compare as JSON; a CSV string matches the text Spruce
 * writes (JSON for lists and objects), the same number, or Python's True/False for a boolean.
 */
function sameValue(choice: JsonValue, raw: JsonValue): boolean {
  if (typeof raw !== "string" || typeof choice === "string") return canonicalJson(choice) === canonicalJson(raw);
  if (typeof choice === "number") return finiteNumber(raw) === choice;
  if (typeof choice === "boolean") return raw.trim().toLowerCase() === String(choice);
  if (choice === null) return raw === "null" || raw === "None";
  try {
    return canonicalJson(JSON.parse(raw) as JsonValue) === canonicalJson(choice);
  } catch {
    return false;
  }
}

/**
 * The prior observations stored in a workflow's searcher options (`warm_start`), checked: a row
 * written by another version or by hand must not reach the surrogate half-formed.
 */
export function readWarmStart(raw: JsonValue | undefined, objectiveCount: number): PriorObservation[] {
  if (raw === undefined || raw === null) return [];
  const bad = (what: string): never => {
    throw new ValidationError(`searcher option warm_start: ${what}`, "submit again with --warm-start, or without it");
  };
  if (typeof raw !== "object" || Array.isArray(raw) || !Array.isArray(raw.observations)) return bad("expected {source, observations: [...], dropped}");
  return raw.observations.map((o, i) => {
    if (o === null || typeof o !== "object" || Array.isArray(o)) return bad(`observation ${i} is not an object`);
    const point = o.point;
    if (point === null || typeof point !== "object" || Array.isArray(point)) return bad(`observation ${i} has no point`);
    if (typeof o.objective !== "number" || !Number.isFinite(o.objective)) return bad(`observation ${i} has no finite objective`);
    if (objectiveCount > 1) {
      const all = o.objectives;
      if (!Array.isArray(all) || all.length !== objectiveCount || !all.every((v) => typeof v === "number" && Number.isFinite(v))) {
        return bad(`observation ${i} needs ${objectiveCount} finite objectives`);
      }
      return { point, objective: o.objective, objectives: all as number[] };
    }
    return { point, objective: o.objective };
  });
}
