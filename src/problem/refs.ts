// Problem and run references as the CLI takes them (`-p`, `-r`): TS/JS modules and YAML files load
// through load.ts; Python files and dotted paths (`pkg.module.Problem`) through the companion
// package in the submission's interpreter (python.ts). One entry for submit, `problem show` and
// `hps`, so every command accepts the same references.
import { resolve } from "node:path";
import { ValidationError } from "../errors.js";
import { normalizeNasSpec } from "../nas/sequence.js";
import { checkObjectives } from "../objectives/declare.js";
import { Space } from "../space/space.js";
import type { ProblemSpec } from "../space/types.js";
import type { RunSpec } from "../store/types.js";
import { loadProblem, loadRunModule, withSource, type LoadedProblem } from "./load.js";
import { isDottedRef, isPythonRef, pythonFloats, pythonRunSpec, type PythonSession } from "./python.js";

export interface ProblemFromRef extends LoadedProblem {
  /** Set for a Python problem: choices that are integral floats, for a Python run to get back. */
  floatValues: Record<string, number[]> | null;
}

/** Where a reference came from, for display and the workflow row: an absolute path, or the dotted path. */
export function refSource(ref: string, cwd = process.cwd()): string {
  return isDottedRef(ref) && isPythonRef(ref) ? ref : resolve(cwd, ref);
}

/** The problem a reference names, validated. */
export async function loadProblemRef(ref: string, python: PythonSession): Promise<ProblemFromRef> {
  if (!isPythonRef(ref)) return { ...(await loadProblem(ref)), floatValues: null };
  const described = python.describe(ref);
  // A NAS problem's architecture choices become hyperparameters of the space.
  const raw = withSource(ref, () => normalizeNasSpec(described.spec));
  const space = withSource(ref, () => new Space(raw));
  // The space's normalised copy: conditions, forbidden clauses and defaults as the space validated them.
  const spec: ProblemSpec = space.toSpec();
  if (raw.objectives !== undefined) spec.objectives = withSource(ref, () => checkObjectives(raw.objectives, "objectives"));
  return { spec, space, source: refSource(ref), floatValues: described.floatValues, warnings: [] };
}

/** The run a reference names, checked (a Python run is imported, not called). */
export async function loadRunRef(ref: string, python: PythonSession, problem: ProblemFromRef): Promise<RunSpec> {
  if (!isPythonRef(ref)) {
    const path = resolve(ref);
    await loadRunModule(path);
    return { kind: "module", path };
  }
  const checked = python.checkRun(ref);
  return pythonRunSpec(ref, python, checked, pythonFloats(problem.spec, problem.floatValues ?? {}));
}

