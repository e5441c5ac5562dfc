// The evaluation state history: one evaluation_events row per transition (docs/architecture.md, Transactions). Written only
// inside the transaction that makes the transition, so history and state never disagree.
import type { Store } from "./connection.js";
import { toEvent } from "./rows.js";
import { chunks, retrying, type Db, type RawRow } from "./sql.js";
import type { EvaluationEventRow, EvaluationState } from "./types.js";

export interface Transition {
  evaluationId: number;
  fromState: EvaluationState | null;
  toState: EvaluationState;
  at: number;
  note: string | null;
}

export function transition(
  evaluationId: number,
  fromState: EvaluationState | null,
  toState: EvaluationState,
  at: number,
  note: string | null,
): Transition {
  return { evaluationId, fromState, toState, at, note };
}

/** Inserts event rows for transitions already applied on db (the same transaction). */
export async function insertEvents(db: Db, transitions: readonly Transition[]): Promise<void> {
  for (const chunk of chunks(transitions)) {
    await db("evaluation_events").insert(
      chunk.map((t) => ({ evaluation_id: t.evaluationId, from_state: t.fromState, to_state: t.toState, at: t.at, note: t.note })),
    );
  }
}

/** The history of one evaluation, oldest first. */
export async function listEvents(store: Store, evaluationId: number): Promise<EvaluationEventRow[]> {
  const rows: RawRow[] = await retrying(store, () => store.knex("evaluation_events").where({ evaluation_id: evaluationId }).orderBy("id"));
  return rows.map(toEvent);
}
