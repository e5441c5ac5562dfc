// The saved state of a workflow's searcher (one row per workflow, versioned), so a search resumes
// where it stopped. Proposals and results save it in their own transactions (evaluations.ts).
import type { SearcherJournal } from "../search/searcher.js";
import type { JsonValue } from "../space/types.js";
import type { Store } from "./connection.js";
import { toJson } from "./rows.js";
import { nowMs, retrying, type Db, type RawRow } from "./sql.js";

/**
 * Saves the state (version + 1, starting at 1) and returns the new version. A save retried after a
 * lost COMMIT stores the same state twice (the version counts one extra; nothing is lost).
 */
export async function saveSearcherState(store: Store, workflowId: number, state: JsonValue): Promise<number> {
  return retrying(store, () => upsertSearcherState(store.knex, workflowId, state));
}

export async function loadSearcherState(store: Store, workflowId: number): Promise<JsonValue | undefined> {
  const row: RawRow | undefined = await retrying(store, () => store.knex("searcher_state").select("state").where({ workflow_id: workflowId }).first());
  return row ? (JSON.parse(String(row.state)) as JsonValue) : undefined;
}

/**
 * One upsert statement (a write, so it may open a write transaction; see writeTransaction). The
 * version is incremented by the database, not read-modify-written here, so concurrent savers cannot
 * lose an increment.
 */
export async function upsertSearcherState(db: Db, workflowId: number, state: JsonValue, journal?: SearcherJournal): Promise<number> {
  // The journal entries taken with this state (Searcher.takeJournal): appended once, even when a
  // transaction retried after a lost COMMIT runs this again (seq is unique per workflow).
  if (journal && journal.entries.length > 0) {
    await db("searcher_journal").insert({ workflow_id: workflowId, seq: journal.from, entries: toJson(journal.entries) }).onConflict(["workflow_id", "seq"]).ignore();
  }
  const rows: RawRow[] = await db("searcher_state")
    .insert({ workflow_id: workflowId, state: toJson(state), version: 1, updated_at: nowMs() })
    .onConflict("workflow_id")
    .merge({
      state: toJson(state),
      version: db.raw("?? + 1", ["searcher_state.version"]),
      updated_at: nowMs(),
    })
    .returning("version");
  return Number(rows[0]!.version);
}

/**
 * Every journal entry of a workflow's searcher, in order (entry `seq + i` of each batch at that
 * index; a batch saved twice counts once).
 */
export async function loadSearcherJournal(store: Store, workflowId: number): Promise<JsonValue[]> {
  const rows: RawRow[] = await retrying(store, () => store.knex("searcher_journal").select("seq", "entries").where({ workflow_id: workflowId }).orderBy("seq"));
  const entries: JsonValue[] = [];
  for (const r of rows) {
    const seq = Number(r.seq);
    (JSON.parse(String(r.entries)) as JsonValue[]).forEach((e, i) => {
      entries[seq + i] = e;
    });
  }
  return entries;
}
