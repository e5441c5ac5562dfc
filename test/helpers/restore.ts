// A searcher restored from its whole state and from its state without rows (with the rows told
// and pending) must propose what the original proposes next (docs/architecture.md, searcher state).
import { expect } from "vitest";
import type { EvaluationResult, Searcher } from "../../src/search/searcher.js";
import type { JsonValue, Point } from "../../src/space/types.js";

/** Restores two fresh searchers from `original` (whole state; state without rows + history) and compares their next ask of 4. */
export function expectRestored(original: Searcher, fresh: () => Searcher, told: EvaluationResult[], pending: Point[]): void {
  const fromWhole = fresh();
  fromWhole.restore(JSON.parse(JSON.stringify(original.state())) as JsonValue);
  const fromRows = fresh();
  fromRows.restore(JSON.parse(JSON.stringify(original.stateWithoutRows!())) as JsonValue, { told, pending });
  const next = original.ask(4);
  expect(fromWhole.ask(4)).toEqual(next);
  expect(fromRows.ask(4)).toEqual(next);
}
