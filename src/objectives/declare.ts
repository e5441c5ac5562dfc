// Objective declarations: `--objective acc:max`, problem.addObjective("acc", "max"), YAML
// `objectives:`. Names become results.csv columns and keys of a run's result, so they follow the
// hyperparameter name rules; a name declared twice is refused.
import { ValidationError } from "../errors.js";
import { formatValue, isPlainObject } from "../space/json.js";
import type { ObjectiveSpec } from "../space/types.js";

export type Direction = ObjectiveSpec["direction"];

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const DIRECTIONS: Record<string, Direction> = { max: "maximize", maximize: "maximize", min: "minimize", minimize: "minimize" };

/** "max", "maximize", "min", "minimize" as a direction; a ValidationError naming `where` otherwise. */
export function parseDirection(raw: unknown, where: string): Direction {
  const d = typeof raw === "string" ? DIRECTIONS[raw.toLowerCase()] : undefined;
  if (d === undefined) throw new ValidationError(`${where}: unknown direction ${formatValue(raw)}`, "use max or min (maximize, minimize)");
  return d;
}

/** One `--objective NAME:DIRECTION` flag. */
export function parseObjectiveFlag(flag: string): ObjectiveSpec {
  const m = /^([^:]+):([^:]+)$/.exec(flag.trim());
  if (!m) throw new ValidationError(`--objective ${flag}: expected NAME:max or NAME:min`, "e.g. --objective acc:max --objective time:min");
  return checkObjective({ name: m[1]!.trim(), direction: parseDirection(m[2]!.trim(), `--objective ${flag}`) }, `--objective ${flag}`);
}

function checkObjective(raw: unknown, where: string): ObjectiveSpec {
  if (!isPlainObject(raw)) throw new ValidationError(`${where}: an objective must be {name, direction} (got ${formatValue(raw)})`);
  const { name, direction, reference } = raw;
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    throw new ValidationError(`${where}: invalid objective name ${formatValue(name)}`, "use letters, digits, '_' and '-', starting with a letter or '_'");
  }
  const out: ObjectiveSpec = { name, direction: parseDirection(direction, where) };
  if (reference !== undefined) {
    if (typeof reference !== "number" || !Number.isFinite(reference)) {
      throw new ValidationError(`${where}: reference must be a finite number (got ${formatValue(reference)})`, "give the worst value that still counts, e.g. 0 for an accuracy");
    }
    out.reference = reference;
  }
  for (const key of Object.keys(raw)) {
    if (!["name", "direction", "reference"].includes(key)) throw new ValidationError(`${where}: unknown key '${key}'`, "an objective has name, direction and an optional reference");
  }
  return out;
}

/** Validates a list of objectives (untrusted JSON): at least one, names unique. */
export function checkObjectives(raw: unknown, where: string): ObjectiveSpec[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new ValidationError(`${where}: expected a non-empty list of objectives`, "e.g. [{name: 'acc', direction: 'maximize'}]");
  const out = raw.map((o, i) => checkObjective(o, `${where}, objective ${i + 1}`));
  const seen = new Set<string>();
  for (const o of out) {
    if (seen.has(o.name)) throw new ValidationError(`objective '${o.name}' is declared twice`, "give each objective once, with one direction");
    seen.add(o.name);
  }
  return out;
}

/** A workflow's objectives: those declared, else the one unnamed objective of its direction. */
export function objectivesOf(wf: { objectives?: readonly ObjectiveSpec[] | null; direction: Direction }): ObjectiveSpec[] {
  return wf.objectives && wf.objectives.length > 0 ? [...wf.objectives] : [{ name: "objective", direction: wf.direction }];
}

/** Whether a workflow has several objectives (results.csv columns objective_0..., a Pareto front). */
export function isMultiObjective(wf: { objectives?: readonly ObjectiveSpec[] | null }): boolean {
  return (wf.objectives?.length ?? 0) > 1;
}
