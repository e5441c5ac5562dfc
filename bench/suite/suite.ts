// The problems of bench/suite by name (BBOB bbob-f<N>-d<D> and the mixed ones of mixed.json), each
// with its search space as a Spruce problem spec, its optimum and its objective on a point; the
// TypeScript twin of suite.py.
import type { Point, ProblemSpec } from "../../src/space/types.js";
import { bbobProblem, type BbobGroup } from "./bbob.js";
import { mixedProblems } from "./mixed.js";

export type SuiteGroup = BbobGroup | "mixed";
export const SUITE_GROUPS: readonly SuiteGroup[] = [
  "separable",
  "low-conditioning",
  "high-conditioning",
  "multimodal-global",
  "multimodal-weak",
  "mixed",
];

export interface SuiteProblem {
  name: string;
  group: SuiteGroup;
  spec: ProblemSpec;
  fopt: number;
  objective: (p: Point) => number;
}

/** The cheap dimensions first, then the mixed problems, 10-D last (the order reference.py runs them in). */
export function allProblemNames(): string[] {
  const bbob = (d: number): string[] => Array.from({ length: 24 }, (_, i) => `bbob-f${i + 1}-d${d}`);
  return [...bbob(2), ...bbob(5), ...mixedProblems().map((m) => m.name), ...bbob(10)];
}

export function getProblem(name: string): SuiteProblem {
  const m = /^bbob-f(\d+)-d(\d+)$/.exec(name);
  if (m) {
    const p = bbobProblem(Number(m[1]), Number(m[2]));
    const names = Array.from({ length: p.dim }, (_, i) => `x${i}`);
    return {
      name,
      group: p.group,
      spec: { hyperparameters: names.map((n) => ({ type: "float", name: n, low: -5, high: 5, log: false })), startingPoints: [] },
      fopt: p.fopt,
      objective: (point) => p.evaluate(names.map((n) => point[n] as number)),
    };
  }
  const mixed = mixedProblems().find((p) => p.name === name);
  if (!mixed) throw new Error(`no problem ${name} in bench/suite`);
  return {
    name,
    group: "mixed",
    spec: { hyperparameters: mixed.hyperparameters, startingPoints: [] },
    fopt: mixed.fopt,
    objective: mixed.evaluate,
  };
}
