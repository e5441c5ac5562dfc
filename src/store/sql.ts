// Small SQL helpers shared by the store modules: the executor type, dialect-neutral raw results,
// chunked inserts, constraint-error detection, the write-transaction rule for SQLite, and the retry
// wrapper every public store function runs in (./retry.ts).
import type { Knex } from "knex";
import type { Store } from "./connection.js";
import { withRetry } from "./retry.js";

/** A knex instance or an open transaction: what the module-internal helpers run statements on. */
export type Db = Knex | Knex.Transaction;

/** A row as the driver returns it, before conversion to the types of ./types.ts. */
export type RawRow = Record<string, unknown>;

/**
 * Runs fn in one transaction. SQLite: knex opens a deferred `BEGIN`, which takes no lock; the write
 * lock is taken by the first writing statement. If a transaction READ first, upgrading to a writer
 * after another process committed fails at once with SQLITE_BUSY (busy_timeout cannot help, since
 * waiting could deadlock). So every fn passed here must make a write its first statement; then the
 * lock wait goes through busy_timeout and the rest of the transaction runs as the single writer.
 *
 * PostgreSQL: a transient connection error re-runs the whole transaction (see retrying). attempt
 * is 0 the first time; a later attempt cannot know whether the previous COMMIT reached the server,
 * so a non-idempotent fn looks for its own write token first (only PostgreSQL ever retries, so
 * that read-first does not break the SQLite rule above).
 */
export function writeTransaction<T>(store: Store, fn: (trx: Knex.Transaction, attempt: number) => Promise<T>): Promise<T> {
  return withRetry(store.retry, (attempt) => store.knex.transaction((trx) => fn(trx, attempt)));
}

/**
 * Runs fn, retrying it on transient connection errors with backoff for up to the store's budget:
 * for reads and single statements (a transaction goes through writeTransaction). attempt is as
 * for writeTransaction.
 */
export function retrying<T>(store: Store, fn: (attempt: number) => Promise<T>): Promise<T> {
  return withRetry(store.retry, fn);
}

/** Rows of a raw statement: better-sqlite3 gives an array, pg a result object. */
export function rawRows(store: Store, result: unknown): RawRow[] {
  if (store.dialect === "postgres") return (result as { rows: RawRow[] }).rows;
  return result as RawRow[];
}

/** Keeps multi-row statements under SQLite's bound-variable limit and pg's parameter limit. */
const INSERT_CHUNK = 500;

export function chunks<T>(items: readonly T[], size: number = INSERT_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A unique-constraint violation, on either dialect. */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "23505";
}

/** Epoch milliseconds: the unit of every time column. */
export function nowMs(): number {
  return Date.now();
}
