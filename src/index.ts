// The library entry (`import { Problem } from "spruce-hps"`): what problem, run and search-method
// modules written by users need.
export { Problem } from "./problem/problem.js";
export { NasProblem, type NodeOptions } from "./problem/nas-problem.js";
export type { DecodedNode } from "./nas/sequence.js";
export { Space, type ConstraintFunction } from "./space/space.js";
export type { ArchitectureSpec, ArchNode, Condition, ConditionalHyperparameter, Forbidden, Hyperparameter, JsonValue, ObjectiveSpec, Point, ProblemSpec } from "./space/types.js";
export type { ConditionForm, ForbiddenForm } from "./problem/problem.js";
export type { EvaluationResult, Searcher, SearcherContext, Direction } from "./search/searcher.js";
export { Rng } from "./util/rng.js";
export { SpruceError, ValidationError } from "./errors.js";
export type { RunContext } from "./problem/run-context.js";
export type { Operation, SearchMethod, SearchMethodContext, MethodEvaluation } from "./search/custom/method.js";
