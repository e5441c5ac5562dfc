// Runs a user's search method behind the Searcher interface: events (initial points, results,
// failures, reports) go to its handlers in order, the operations they return are queued, and state() holds
// the method's own saved state with the runner's (queue, event count, pending, stops). The launcher
// saves that state in the same transaction as the rows it produced, so after a crash the method
// resumes at the next event: none handled twice, none lost.
import type { JsonValue, Point } from "../../space/types.js";
import type { EvaluationResult, Searcher, SearcherContext } from "../searcher.js";
import { checkOperations, type Operation, type SearchMethod } from "./method.js";

interface RunnerState {
  method: JsonValue;
  started: boolean;
  /** Events handled so far (the id of the last one). */
  events: number;
  queue: Point[];
  /** Asked and not yet told: while any exist, more events will come. */
  pending: number;
  shutdown: boolean;
  stops: number[];
}

export interface CustomSearcher extends Searcher {
  /** Evaluations the method asked to stop since the last call (ids). */
  takeStops(): number[];
  /** Whether the method has onReport: running evaluations' reports are then streamed to it. */
  readonly hearsProgress: boolean;
  /** A running evaluation's intermediate result, for the method's onReport. */
  report(evalId: number, point: Point, step: number, value: number): void;
  progress(): number;
  /** Events handled so far. */
  readonly events: number;
}

export function createCustomSearcher(ctx: SearcherContext, method: SearchMethod): CustomSearcher {
  const { space } = ctx;
  const names = ctx.objectives && ctx.objectives.length > 1 ? ctx.objectives.map((o) => o.name) : null;
  let s: RunnerState = { method: null, started: false, events: 0, queue: [], pending: 0, shutdown: false, stops: [] };

  function apply(handler: string, ops: unknown): void {
    for (const op of checkOperations(ops, handler, space) as Operation[]) {
      // Shutdown closes the search to new points; those created before it still run.
      if ("create" in op) {
        if (!s.shutdown) s.queue.push(space.decode(space.encode(op.create)));
      }
      else if ("stop" in op) s.stops.push(op.stop);
      else s.shutdown = true;
    }
  }

  function handle(handler: string, call: () => unknown): void {
    s.events++;
    apply(handler, call());
  }

  return {
    name: "custom",
    get events() {
      return s.events;
    },
    ask(n: number): Point[] {
      if (!s.started) {
        s.started = true;
        handle("initialPoints", () => method.initialPoints());
      }
      const out = s.queue.splice(0, n);
      s.pending += out.length;
      return out;
    },
    tell(results: EvaluationResult[]): void {
      for (const r of results) {
        s.pending = Math.max(0, s.pending - 1);
        const evaluation = { id: r.evalId, point: r.point };
        if (r.status === "DONE" && r.objective !== null) {
          const objective = r.objective;
          const values = r.objectives;
          const named = names && values ? Object.fromEntries(names.map((n, j) => [n, values[j]!])) : undefined;
          handle("onResult", () => method.onResult(named ? { ...evaluation, objective, objectives: named } : { ...evaluation, objective }));
        } else {
          const reason = r.error ?? (r.status === "TIMEOUT" ? "timed out" : "failed");
          handle("onFailure", () => method.onFailure(evaluation, reason));
        }
      }
    },
    hearsProgress: typeof method.onReport === "function",
    report(evalId: number, point: Point, step: number, value: number): void {
      const onReport = method.onReport;
      if (onReport) handle("onReport", () => onReport.call(method, { id: evalId, point }, step, value));
    },
    takeStops(): number[] {
      return s.stops.splice(0);
    },
    progress(): number {
      return method.progress();
    },
    state(): JsonValue {
      return { ...s, method: method.saveState() } as unknown as JsonValue;
    },
    restore(state: JsonValue): void {
      s = { ...(state as unknown as RunnerState) };
      method.loadState(s.method);
    },
    exhausted(): boolean {
      // Nothing queued, and either shut down or no result left to wait for (so no event can make
      // the method create more): the search ends instead of waiting forever.
      return s.started && s.queue.length === 0 && (s.shutdown || s.pending === 0);
    },
  };
}
