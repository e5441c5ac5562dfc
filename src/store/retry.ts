// Riding out PostgreSQL connection loss (a server restart, a failover, a dropped network path):
// which errors are transient, and the backoff loop every store function runs its statements in.
// Retrying is safe because each retried unit is either a read, an idempotent write, or a
// transaction that checks its write token first (see evaluations.ts). SQLite raises none of these
// errors (its lock waits go through busy_timeout), so there the loop runs exactly once.

/** SQLSTATEs after which the transaction is known to have rolled back and the server may be back soon. */
const TRANSIENT_SQLSTATES = new Set([
  "57P01", // admin_shutdown: pg_ctl stop/restart -m fast, pg_terminate_backend
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: the server is starting up or shutting down
  "08000", // connection_exception
  "08001", // sqlclient_unable_to_establish_sqlconnection
  "08003", // connection_does_not_exist
  "08004", // sqlserver_rejected_establishment_of_sqlconnection
  "08006", // connection_failure
  "40001", // serialization_failure
  "40P01", // deadlock_detected
]);

/** Socket errors while connecting or talking to the server. */
const TRANSIENT_ERRNOS = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/** node-postgres reports a dropped socket with these messages and no code. */
const TRANSIENT_MESSAGE =
  /Connection terminated|Connection ended unexpectedly|Client has encountered a connection error|timeout exceeded when trying to connect/i;

/** True for errors a retry after a pause may cure: the connection, not the statement, failed. */
export function isTransientError(e: unknown): boolean {
  const seen = new Set<unknown>();
  const check = (err: unknown): boolean => {
    if (err === null || typeof err !== "object" || seen.has(err)) return false;
    seen.add(err);
    const { code, message, errors, cause } = err as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === "string" && (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_ERRNOS.has(code))) return true;
    if (typeof message === "string" && TRANSIENT_MESSAGE.test(message)) return true;
    // Node reports a connect to a name with several addresses as an AggregateError.
    if (Array.isArray(errors) && errors.some(check)) return true;
    return check(cause);
  };
  return check(e);
}

export interface RetryPolicy {
  /** Give up (rethrow the last error) once this much time has passed since the first failure. */
  budgetMs: number;
  /** Told about every retry, e.g. to write a log line. */
  onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void;
}

const FIRST_DELAY_MS = 200;
const MAX_DELAY_MS = 5_000;

/**
 * Runs fn(attempt) until it succeeds, retrying transient errors with exponential backoff (200 ms
 * doubling to 5 s, with jitter so a hundred launchers do not reconnect in lockstep) for up to
 * budgetMs. attempt is 0 on the first call: a retried write uses it to look for its own earlier
 * commit before writing again.
 */
export async function withRetry<T>(policy: RetryPolicy, fn: (attempt: number) => Promise<T>): Promise<T> {
  let firstFailure: number | null = null;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!isTransientError(e)) throw e;
      const now = Date.now();
      firstFailure ??= now;
      const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt);
      const delayMs = Math.min(Math.round(base * (0.5 + Math.random() / 2)), firstFailure + policy.budgetMs - now);
      if (delayMs <= 0) throw e;
      policy.onRetry?.({ error: e, attempt: attempt + 1, delayMs });
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}
