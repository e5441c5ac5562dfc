// Evaluation rows through their life: proposed (READY), claimed by a launcher (RUNNING), finished
// (DONE | FAILED | TIMEOUT) or KILLED. Each transition happens in one transaction together with its
// event rows and, where the searcher moved, the searcher state. Recovery lives in ./recovery.ts.
//
// Connection loss: each transaction is retried (sql.ts writeTransaction). The three writes that are
// not naturally idempotent carry a token chosen once per call: createEvaluations (batch_token) and
// claims and finishes (write_token). A retry first looks for rows bearing its token: if the lost
// COMMIT did reach the server, it returns those rows instead of inserting, claiming or finishing
// again, so no proposal is duplicated, no claim is orphaned and no result is missed by the caller.
import { randomUUID } from "node:crypto";
import { SpruceError } from "../errors.js";
import type { JsonValue, Point } from "../space/types.js";
import type { Store } from "./connection.js";
import { insertEvents, transition, type Transition } from "./events.js";
import { parseOrNull, toEvaluation, toEvaluationsById, toJson, toJsonOrNull } from "./rows.js";
import { upsertSearcherState } from "./searcher-state.js";
import type { SearcherJournal } from "../search/searcher.js";
import { chunks, nowMs, rawRows, retrying, writeTransaction, type Db, type RawRow } from "./sql.js";
import type { EvaluationRow, EvaluationState, Fidelity, FinishedEvaluation } from "./types.js";
import { EVALUATION_STATES, FINISHED_STATES } from "./states.js";


/**
 * Inserts READY evaluations for points (in order: ids ascend with the points), their READY events,
 * and the searcher state that proposed them, in ONE transaction: a crash leaves either all of it or
 * none, never proposals without the state that produced them (or the reverse).
 *
 * claim: the first claim.hosts.length rows are created already claimed by that launcher, one per
 * host set, exactly as claimEvaluations would leave them (RUNNING, with a READY then a RUNNING
 * event): a launcher with free slots runs what its searcher proposes without a second transaction.
 */
export async function createEvaluations(
  store: Store,
  workflowId: number,
  points: readonly Point[],
  opts: {
    searcherState?: JsonValue;
    /** Journal entries taken with searcherState (Searcher.takeJournal), appended with it. */
    searcherJournal?: SearcherJournal;
    fidelity?: readonly (Fidelity | null)[];
    claim?: { launcherId: number; hosts: readonly (readonly string[] | undefined)[] };
  } = {},
): Promise<EvaluationRow[]> {
  if (opts.fidelity !== undefined && opts.fidelity.length !== points.length) {
    throw new SpruceError(`createEvaluations: ${opts.fidelity.length} fidelities for ${points.length} points`, { hint: "this is a bug in spruce: report it with the output of --verbose" });
  }
  const claimed = opts.claim?.hosts.length ?? 0;
  if (claimed > points.length) throw new SpruceError(`createEvaluations: ${claimed} claims for ${points.length} points`, { hint: "this is a bug in spruce: report it with the output of --verbose" });
  if (points.length === 0 && opts.searcherState === undefined) return [];
  const token = randomUUID();
  return writeTransaction(store, async (trx, attempt) => {
    if (attempt > 0 && points.length > 0) {
      // Other launchers may already have claimed these rows: batch_token is never rewritten.
      const mine: RawRow[] = await trx("evaluations").where({ workflow_id: workflowId, batch_token: token });
      if (mine.length > 0) return toEvaluationsById(mine);
    }
    const at = nowMs();
    const created: EvaluationRow[] = [];
    // First statement: an INSERT (or the upsert below), as writeTransaction requires.
    const values = points.map((p, i) => {
      const row: Record<string, unknown> = { workflow_id: workflowId, state: "READY", point: toJson(p), attempt: 0, created_at: at, batch_token: token };
      const fidelity = opts.fidelity?.[i];
      if (fidelity) row.fidelity = toJson(fidelity);
      // Every row of one insert needs the same columns: unclaimed ones get NULLs.
      if (claimed > 0) {
        const claim = i < claimed ? opts.claim! : undefined;
        Object.assign(row, {
          state: claim ? "RUNNING" : "READY",
          claimed_by: claim?.launcherId ?? null,
          started_at: claim ? at : null,
          hosts: claim ? toJsonOrNull(claim.hosts[i]) : null,
          write_token: claim ? token : null,
        });
      }
      return row;
    });
    for (const chunk of chunks(values)) {
      const rows: RawRow[] = await trx("evaluations")
        .insert(chunk)
        .returning("*");
      created.push(...toEvaluationsById(rows));
    }
    const note = opts.claim ? `claimed by launcher ${opts.claim.launcherId}` : null;
    await insertEvents(trx, [
      ...created.map((r) => transition(r.id, null, "READY", at, null)),
      ...created.slice(0, claimed).map((r) => transition(r.id, "READY", "RUNNING", at, note)),
    ]);
    if (opts.searcherState !== undefined) await upsertSearcherState(trx, workflowId, opts.searcherState, opts.searcherJournal);
    return created;
  });
}

// The claim is ONE statement: choosing the rows and taking them cannot interleave with another
// claimer. SQLite: the UPDATE takes the database's single write lock (waiting up to busy_timeout), so
// the subquery sees no concurrent claim. PostgreSQL: FOR UPDATE SKIP LOCKED makes concurrent
// claimers pass over each other's rows instead of queueing on them. There the ids go through
// ARRAY(...), an init plan run exactly once: with `id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)`
// the planner may rescan the subquery, which then skips the rows this statement already updated and
// returns new ones, so more than n rows get claimed (seen on PostgreSQL with 3 READY rows and n = 2).
// The outer `state = 'READY'` is a guard on both dialects: a claim only ever moves READY rows.
const CLAIM_SQLITE = `UPDATE evaluations SET state = 'RUNNING', claimed_by = ?, started_at = ?, hosts = ?, write_token = ?
  WHERE id IN (SELECT id FROM evaluations WHERE workflow_id = ? AND state = 'READY' ORDER BY id LIMIT ?)
  AND state = 'READY'
  RETURNING *`;
// On PostgreSQL the event rows are written by the same statement (a data-modifying CTE): one
// round trip and one implicit transaction instead of BEGIN, UPDATE, INSERT, COMMIT. That is what
// lets 8 claimers pass 5 000 claims/s (bench/db.ts).
const CLAIM_POSTGRES = `WITH claimed AS (
    UPDATE evaluations SET state = 'RUNNING', claimed_by = ?, started_at = ?, hosts = ?, write_token = ?
    WHERE id = ANY(ARRAY(SELECT id FROM evaluations WHERE workflow_id = ? AND state = 'READY' ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED))
    AND state = 'READY'
    RETURNING *
  ), events AS (
    INSERT INTO evaluation_events (evaluation_id, from_state, to_state, at, note)
    SELECT id, 'READY', 'RUNNING', started_at, ? FROM claimed
  )
  SELECT * FROM claimed`;

/**
 * Atomically moves up to n READY rows (lowest ids first) to RUNNING for a launcher, recording hosts
 * and started_at, with a RUNNING event each. Two claimers never get the same row.
 */
export async function claimEvaluations(
  store: Store,
  args: { workflowId: number; launcherId: number; n: number; hosts?: string[] },
): Promise<EvaluationRow[]> {
  if (args.n <= 0) return [];
  const token = randomUUID();
  const note = `claimed by launcher ${args.launcherId}`;
  // A claim that committed unseen (the connection dropped at its end) would leave rows RUNNING
  // under a live launcher that never runs them: a retry hands them over instead of claiming more.
  const committedUnseen = async (db: Db): Promise<EvaluationRow[]> =>
    toEvaluationsById(await db("evaluations").where({ workflow_id: args.workflowId, claimed_by: args.launcherId, state: "RUNNING", write_token: token }));
  if (store.dialect === "postgres") {
    return retrying(store, async (attempt) => {
      const mine = attempt > 0 ? await committedUnseen(store.knex) : [];
      if (mine.length > 0) return mine;
      const params = [args.launcherId, nowMs(), toJsonOrNull(args.hosts), token, args.workflowId, args.n, note];
      return toEvaluationsById(rawRows(store, await store.knex.raw(CLAIM_POSTGRES, params)));
    });
  }
  return writeTransaction(store, async (trx) => {
    const at = nowMs();
    // First statement: the claiming UPDATE, so the lock wait honours busy_timeout.
    const result = await trx.raw(CLAIM_SQLITE, [args.launcherId, at, toJsonOrNull(args.hosts), token, args.workflowId, args.n]);
    const claimed = toEvaluationsById(rawRows(store, result));
    await insertEvents(trx, claimed.map((r) => transition(r.id, "READY", "RUNNING", at, note)));
    return claimed;
  });
}

/**
 * Records results, in one transaction with their events and the searcher state. A result applies
 * only to a row still RUNNING at the same attempt (and, with launcherId, claimed by that launcher):
 * a result re-sent, or sent by a launcher whose rows were recovered meanwhile, changes nothing and
 * is left out of the returned rows. The searcher state's workflow is opts.workflowId, else that of
 * the results' rows. Objectives must be finite or null (NaN is a failure, not a value).
 */
export async function finishEvaluations(
  store: Store,
  results: readonly FinishedEvaluation[],
  opts: {
    searcherState?: JsonValue;
    /** Journal entries taken with searcherState (Searcher.takeJournal), appended with it. */
    searcherJournal?: SearcherJournal;
    launcherId?: number;
    workflowId?: number;
    /** The results the caller's searcher learnt (ids; all of them without ids), stamped told at `at`. */
    told?: { at: number; ids?: readonly number[] };
  } = {},
): Promise<EvaluationRow[]> {
  if (opts.searcherState !== undefined && opts.workflowId === undefined && results.length === 0) {
    throw new SpruceError("finishEvaluations: saving a searcher state without results needs opts.workflowId", { hint: "this is a bug in spruce: report it with the output of --verbose" });
  }
  for (const r of results) {
    if ((r.objective !== null && !Number.isFinite(r.objective)) || (r.objectives ?? []).some((v) => !Number.isFinite(v))) {
      throw new SpruceError(`evaluation ${r.id}: objective ${r.objectives ? `[${r.objectives.join(", ")}]` : r.objective} is not a finite number`, {
        hint: "record the evaluation as FAILED with a null objective",
      });
    }
  }
  if (results.length === 0 && opts.searcherState === undefined) return [];
  const token = randomUUID();
  const toldIds = opts.told?.ids ? new Set(opts.told.ids) : null;
  return writeTransaction(store, async (trx, attempt) => {
    if (attempt > 0 && results.length > 0) {
      // The whole previous try committed (results, events, searcher state) or none of it did.
      const ids = results.map((r) => r.id);
      const mine: RawRow[] = await trx("evaluations").whereIn("id", ids).andWhere({ write_token: token });
      if (mine.length > 0) return toEvaluationsById(mine);
    }
    const finished: EvaluationRow[] = [];
    const events: Transition[] = [];
    if (store.dialect === "postgres" && results.length > 1) {
      // One statement for the whole batch: a round trip per result made the leader's time per
      // finished evaluation grow with the network (docs/architecture.md, Thousands of workers).
      // No nested loop: once autoanalyze has seen few RUNNING rows, the planner scanned the VALUES
      // list once per matching row (500 x 500 comparisons a chunk, 4 s for 2 000 results of a
      // 12 000-row workflow); a hash join is linear.
      await trx.raw("SET LOCAL enable_nestloop = off");
      for (const chunk of chunks(results, FINISH_CHUNK)) {
        const rows = rawRows(store, await trx.raw(finishManySql(chunk.length, opts.launcherId !== undefined), finishManyBindings(chunk, token, opts, toldIds)));
        const byId = new Map(rows.map((raw) => [Number(raw.id), toEvaluation(raw)]));
        // In the results' order, as the statement per row gives them.
        for (const r of chunk) {
          const row = byId.get(r.id);
          if (!row) continue;
          finished.push(row);
          events.push(transition(r.id, "RUNNING", r.state, row.finishedAt!, r.error ?? null));
        }
      }
    }
    // First statement: an UPDATE (even one matching nothing takes the write lock), or the upsert.
    else for (const r of results) {
      const at = r.finishedAt ?? nowMs();
      const patch: Record<string, unknown> = {
        state: r.state,
        objective: r.objective,
        objectives: toJsonOrNull(r.objectives),
        exit_code: r.exitCode ?? null,
        error: r.error ?? null,
        finished_at: at,
        write_token: token,
      };
      // told: the caller's searcher learnt these results, and its state is saved below with them.
      if (opts.told && (toldIds === null || toldIds.has(r.id))) patch.told_at = opts.told.at;
      // Metrics may have been reported while running; absent here means keep them.
      if (r.metrics !== undefined) patch.metrics = toJsonOrNull(r.metrics);
      const where: Record<string, unknown> = { id: r.id, state: "RUNNING", attempt: r.attempt };
      if (opts.launcherId !== undefined) where.claimed_by = opts.launcherId;
      const rows: RawRow[] = await trx("evaluations").where(where).update(patch).returning("*");
      if (rows.length === 0) continue;
      finished.push(toEvaluation(rows[0]!));
      events.push(transition(r.id, "RUNNING", r.state, at, r.error ?? null));
    }
    await insertEvents(trx, events);
    if (opts.searcherState !== undefined) {
      // The state is saved even when every result was a duplicate: it is the searcher's latest.
      const workflowId = opts.workflowId ?? finished[0]?.workflowId ?? (await workflowOfEvaluation(trx, results[0]!.id));
      await upsertSearcherState(trx, workflowId, opts.searcherState, opts.searcherJournal);
    }
    return finished;
  });
}

/** Results per finishing statement on PostgreSQL: 11 parameters each, under pg's 65 535. */
const FINISH_CHUNK = 500;

/**
 * PostgreSQL: finishes many rows in one UPDATE ... FROM (VALUES ...), with the same guards as the
 * per-row statement (still RUNNING at the same attempt, and claimed by the launcher when given).
 * metrics is kept when a result has none to give; told_at is set for the results told.
 */
function finishManySql(n: number, byLauncher: boolean): string {
  const row = "(?::bigint, ?::int, ?::text, ?::double precision, ?::text, ?::int, ?::text, ?::bigint, ?::text, ?::boolean, ?::bigint)";
  return `UPDATE evaluations AS e SET state = v.state, objective = v.objective, objectives = v.objectives,
      exit_code = v.exit_code, error = v.error, finished_at = v.finished_at, write_token = ?,
      metrics = CASE WHEN v.keep_metrics THEN e.metrics ELSE v.metrics END,
      told_at = COALESCE(v.told_at, e.told_at)
    FROM (VALUES ${Array.from({ length: n }, () => row).join(", ")})
      AS v(id, attempt, state, objective, objectives, exit_code, error, finished_at, metrics, keep_metrics, told_at)
    WHERE e.id = v.id AND e.state = 'RUNNING' AND e.attempt = v.attempt${byLauncher ? " AND e.claimed_by = ?" : ""}
    RETURNING e.*`;
}

function finishManyBindings(
  results: readonly FinishedEvaluation[],
  token: string,
  opts: { launcherId?: number; told?: { at: number } },
  toldIds: ReadonlySet<number> | null,
): (string | number | boolean | null)[] {
  const values = results.flatMap((r): (string | number | boolean | null)[] => [
    r.id,
    r.attempt,
    r.state,
    r.objective,
    toJsonOrNull(r.objectives),
    r.exitCode ?? null,
    r.error ?? null,
    r.finishedAt ?? nowMs(),
    r.metrics === undefined ? null : toJsonOrNull(r.metrics),
    r.metrics === undefined,
    opts.told && (toldIds === null || toldIds.has(r.id)) ? opts.told.at : null,
  ]);
  return [token, ...values, ...(opts.launcherId !== undefined ? [opts.launcherId] : [])];
}

/** Kills a workflow's READY and RUNNING evaluations (user stop); returns the rows now KILLED. */
export async function killEvaluations(store: Store, workflowId: number, note: string): Promise<EvaluationRow[]> {
  // A retry after a lost COMMIT finds nothing left to kill and returns [] (the kill is done).
  return writeTransaction(store, async (trx) => {
    const at = nowMs();
    const killed: EvaluationRow[] = [];
    const events: Transition[] = [];
    // One UPDATE per source state: RETURNING gives new values only, and each event needs its from_state.
    for (const from of ["RUNNING", "READY"] as const) {
      const rows: RawRow[] = await trx("evaluations")
        .where({ workflow_id: workflowId, state: from })
        .update({ state: "KILLED", finished_at: at })
        .returning("*");
      for (const row of toEvaluationsById(rows)) {
        killed.push(row);
        events.push(transition(row.id, from, "KILLED", at, note));
      }
    }
    await insertEvents(trx, events);
    return killed.sort((a, b) => a.id - b.id);
  });
}

export async function getEvaluation(store: Store, id: number): Promise<EvaluationRow | undefined> {
  const row: RawRow | undefined = await retrying(store, () => store.knex("evaluations").where({ id }).first());
  return row ? toEvaluation(row) : undefined;
}

/**
 * A workflow's evaluations, optionally only some states or one launcher's, by id or by finish time
 * (unfinished rows last on both dialects, ties by id).
 */
export async function listEvaluations(
  store: Store,
  workflowId: number,
  opts: { states?: readonly EvaluationState[]; claimedBy?: number; orderBy?: "id" | "finished_at" } = {},
): Promise<EvaluationRow[]> {
  const rows: RawRow[] = await retrying(store, () => {
    const q = store.knex("evaluations").where({ workflow_id: workflowId });
    if (opts.states) q.whereIn("state", [...opts.states]);
    if (opts.claimedBy !== undefined) q.andWhere({ claimed_by: opts.claimedBy });
    // Spelled out: knex's "nulls last" option on SQLite drops the column itself from the ORDER BY.
    if (opts.orderBy === "finished_at") q.orderByRaw("CASE WHEN finished_at IS NULL THEN 1 ELSE 0 END").orderBy("finished_at");
    return q.orderBy("id");
  });
  return rows.map(toEvaluation);
}

/** How many evaluations a workflow has in each state; every state is present. */
export async function countEvaluations(store: Store, workflowId: number): Promise<Record<EvaluationState, number>> {
  const counts = Object.fromEntries(EVALUATION_STATES.map((s) => [s, 0])) as Record<EvaluationState, number>;
  const rows: RawRow[] = await retrying(store, () =>
    store.knex("evaluations").select("state").count({ n: "*" }).where({ workflow_id: workflowId }).groupBy("state"),
  );
  for (const row of rows) counts[row.state as EvaluationState] = Number(row.n);
  return counts;
}

/**
 * What a progress display needs of a workflow's ended rows, computed by the database rather than
 * by reading every row: the best DONE objective, and (for multi-fidelity searches, where a trial
 * spans rows) how many distinct trials have ended rows.
 */
export async function endedSummary(
  store: Store,
  workflowId: number,
  opts: { direction: "maximize" | "minimize"; trials?: boolean },
): Promise<{ best: number | null; trials: number | null }> {
  const row: RawRow | undefined = await retrying(store, () => {
    const q = store.knex("evaluations").where({ workflow_id: workflowId, state: "DONE" });
    return (opts.direction === "maximize" ? q.max({ best: "objective" }) : q.min({ best: "objective" })).first();
  });
  const best = row?.best === null || row?.best === undefined ? null : Number(row.best);
  if (!opts.trials) return { best, trials: null };
  // The trial lives in the fidelity JSON (text on both dialects): only that column is read.
  const rows: RawRow[] = await retrying(store, () =>
    store.knex("evaluations").select("fidelity").where({ workflow_id: workflowId }).whereIn("state", FINISHED_STATES),
  );
  const trials = new Set(rows.map((r) => parseOrNull<Fidelity>(r.fidelity)?.trial));
  return { best, trials: trials.size };
}

async function workflowOfEvaluation(db: Db, id: number): Promise<number> {
  const row: RawRow | undefined = await db("evaluations").select("workflow_id").where({ id }).first();
  if (!row) throw new SpruceError(`no evaluation with id ${id}`, { hint: "was its workflow deleted ('spruce rm') meanwhile? list the workflows with 'spruce ls'" });
  return Number(row.workflow_id);
}
