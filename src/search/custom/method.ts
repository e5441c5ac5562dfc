// The custom search-method contract (Determined's SearchMethod, in TypeScript): event handlers that
// return operations, plus saveState/loadState so a restarted launcher continues where it stopped.
// Handlers are synchronous: the launcher calls them between evaluations, in the order events occur.
import { SpruceError, ValidationError } from "../../errors.js";
import type { Space } from "../../space/space.js";
import type { JsonValue, ObjectiveSpec, Point } from "../../space/types.js";

/** What a handler asks the launcher to do. */
export type Operation =
  /** Evaluate this point (queued until a slot frees). */
  | { create: Point }
  /** Stop a running evaluation (its id, as in the events). */
  | { stop: number }
  /** No new points after this: those already created still run, then the search ends. */
  | { shutdown: true };

export interface MethodEvaluation {
  id: number;
  point: Point;
}

export interface SearchMethod {
  initialPoints(): Operation[];
  /** objective: the (first) objective; objectives: with several, every one by name. */
  onResult(evaluation: MethodEvaluation & { objective: number; objectives?: Record<string, number> }): Operation[];
  onFailure(evaluation: MethodEvaluation, reason: string): Operation[];
  onReport?(evaluation: MethodEvaluation, step: number, value: number): Operation[];
  /** Fraction of the search done, 0..1 (shown by status). */
  progress(): number;
  saveState(): JsonValue;
  loadState(state: JsonValue): void;
}

/** What the method's factory (or class constructor) receives. */
export interface SearchMethodContext {
  space: Space;
  seed: number;
  direction: "maximize" | "minimize";
  /** The workflow's objectives in declared order (one, named "objective", unless several were declared). */
  objectives?: ObjectiveSpec[];
  /** --method-args, parsed JSON. */
  args: JsonValue;
}

const REQUIRED = ["initialPoints", "onResult", "onFailure", "progress", "saveState", "loadState"] as const;

/** Checks a method object has every handler; names the missing ones and the file. */
export function assertSearchMethod(method: unknown, source: string): asserts method is SearchMethod {
  if (typeof method !== "object" || method === null) {
    throw new ValidationError(`${source}: the search method is ${method === null ? "null" : typeof method}, not an object`, "return an object (or a class instance) with the handlers");
  }
  const m = method as Record<string, unknown>;
  const missing = REQUIRED.filter((h) => typeof m[h] !== "function");
  if (missing.length > 0) {
    throw new ValidationError(
      `${source}: the search method has no ${missing.join(", ")} handler${missing.length > 1 ? "s" : ""}`,
      `implement ${REQUIRED.join(", ")} (onReport is optional)`,
    );
  }
  if (m.onReport !== undefined && typeof m.onReport !== "function") {
    throw new ValidationError(`${source}: onReport is ${typeof m.onReport}, not a function`, "define onReport(evaluation, step, value) as a method, or leave it out");
  }
}

/**
 * Checks what a handler returned: an array of operations whose points lie in the space. A bad value
 * is the method's bug: the error names the handler so the user knows where to look.
 */
export function checkOperations(ops: unknown, handler: string, space: Space): Operation[] {
  if (!Array.isArray(ops)) {
    throw new SpruceError(`search method: ${handler} returned ${describe(ops)}, not an array of operations`, {
      hint: "return e.g. [{ create: point }], [{ stop: evaluationId }], [{ shutdown: true }] or []",
    });
  }
  ops.forEach((op, i) => {
    const o = op as Record<string, unknown>;
    if (typeof o !== "object" || o === null) throw badOperation(handler, i, op);
    if ("create" in o) {
      const why = space.contains(o.create as Point);
      if (why) throw new SpruceError(`search method: ${handler} operation ${i} creates a point outside the space: ${why}`, { hint: "create points inside the problem's space (ctx.space checks one: ctx.space.contains(point))" });
    } else if ("stop" in o) {
      if (!Number.isInteger(o.stop)) throw badOperation(handler, i, op);
    } else if (!("shutdown" in o && o.shutdown === true)) {
      throw badOperation(handler, i, op);
    }
  });
  return ops as Operation[];
}

function badOperation(handler: string, index: number, op: unknown): SpruceError {
  return new SpruceError(`search method: ${handler} operation ${index} is ${describe(op)}`, {
    hint: "an operation is { create: point }, { stop: evaluationId } or { shutdown: true }",
  });
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return JSON.stringify(v).slice(0, 80);
  return `${typeof v} ${String(v).slice(0, 40)}`;
}
