// The service process (docs/architecture.md, Ticks): holds the database's service lock (one service per database),
// heartbeats it, and runs ticks on a node-cron schedule that never overlaps the previous tick.
// `run-once` is the same lock and one tick. A service that loses its lock (declared dead and taken
// over while it was stalled) stops at once: two services would submit twice.
import { hostname } from "node:os";
import cron from "node-cron";
import { SpruceError } from "../errors.js";
import { acquireServiceLock, heartbeatServiceLock, recordServiceTick, releaseServiceLock, type ServiceLock, type Store } from "../store/index.js";
import { isPidAlive } from "../util/process.js";
import { everyToCron } from "./schedule.js";
import { runTick, type TickOptions, type TickReport } from "./tick.js";

/** How often the lock's heartbeat is written, independent of the tick period. */
export const LOCK_HEARTBEAT_MS = 10_000;
/** A lock whose heartbeat is older than this is abandoned and may be taken over. */
export const LOCK_STALE_MS = 60_000;

export interface ServiceOptions extends TickOptions {
  everySeconds: number;
  /** Called once the lock is held (the detached service writes its pid file then). */
  onStarted?: () => void;
  /** Resolves when the service should stop (a signal). */
  stopSignal: Promise<string>;
}

export class ServiceLockedError extends SpruceError {
  constructor(holder: ServiceLock, describe: string) {
    const age = holder.heartbeatAt === null ? "never" : `${Math.round((Date.now() - holder.heartbeatAt) / 1000)} s ago`;
    super(`a spruce service already runs for ${describe}: host ${holder.holderHost}, pid ${holder.holderPid} (last heartbeat ${age})`, {
      hint: `stop it with 'spruce service stop' on ${holder.holderHost}; a service that died is taken over once its heartbeat is ${LOCK_STALE_MS / 1000} s old`,
      exitCode: 1,
    });
  }
}


async function takeLock(store: Store, log: (line: string) => void): Promise<string> {
  const lock = await acquireServiceLock(store, { host: hostname(), pid: process.pid, isPidAlive, staleAfterMs: LOCK_STALE_MS });
  if (!lock.acquired) throw new ServiceLockedError(lock.holder, store.describe);
  const p = lock.previous;
  if (p.token !== null) log(`took over the service lock from host ${p.holderHost}, pid ${p.holderPid} (dead or stale)`);
  return lock.token;
}

/** One tick under the lock, then the lock is released (`spruce service run-once`). */
export async function runOnce(store: Store, o: TickOptions): Promise<TickReport> {
  const token = await takeLock(store, o.log);
  try {
    const r = await runTick(store, o);
    await recordServiceTick(store, token, r.summary);
    o.log(`tick: ${r.summary}`);
    return r;
  } finally {
    await releaseServiceLock(store, token);
  }
}

/** Runs until stopSignal resolves or the lock is lost; always releases the lock it holds. */
export async function runService(store: Store, o: ServiceOptions): Promise<void> {
  const expression = everyToCron(o.everySeconds);
  const token = await takeLock(store, o.log);
  let stopReason: ((why: string) => void) | null = null;
  const lost = new Promise<string>((resolve) => (stopReason = resolve));
  const stop = (why: string): void => stopReason?.(why);

  let current: Promise<void> | null = null;
  const tick = async (): Promise<void> => {
    try {
      const r = await runTick(store, o);
      o.log(`tick: ${r.summary}`);
      if (!(await recordServiceTick(store, token, r.summary))) stop("the service lock was taken over");
    } catch (e) {
      // A failed tick (database unreachable past the retry budget, a bug) is logged and the next
      // one tries again; the service only stops on a signal or a lost lock.
      const why = e instanceof Error ? e.message : String(e);
      o.log(`tick failed: ${why}`);
      await recordServiceTick(store, token, `failed: ${why}`).catch(() => undefined);
    }
  };
  const runGuarded = (): Promise<void> => {
    current = tick().finally(() => (current = null));
    return current;
  };

  const heartbeat = setInterval(() => {
    heartbeatServiceLock(store, token)
      .then((ours) => ours || stop("the service lock was taken over"))
      .catch((e: unknown) => o.log(`lock heartbeat failed: ${String(e)}`));
  }, LOCK_HEARTBEAT_MS);
  // noOverlap: a tick still running when the next is due makes node-cron skip that one.
  const task = cron.createTask(expression, () => runGuarded(), {
    name: "spruce-service",
    noOverlap: true,
    logger: {
      info: () => undefined,
      debug: () => undefined,
      warn: (m) => o.log(`scheduler: ${m}`),
      error: (m) => o.log(`scheduler: ${m instanceof Error ? m.message : m}`),
    },
  });
  try {
    o.onStarted?.();
    o.log(`service started on ${hostname()} (pid ${process.pid}): every ${o.everySeconds} s (cron '${expression}'), ` +
      `--max-queued ${o.maxQueued}, --max-queued-total ${o.maxQueuedTotal}, database ${store.describe}`);
    await runGuarded(); // the first tick at once, not a period later
    await task.start();
    const why = await Promise.race([o.stopSignal, lost]);
    o.log(`stopping: ${why}`);
  } finally {
    await task.stop();
    await task.destroy();
    clearInterval(heartbeat);
    if (current) await current;
    await releaseServiceLock(store, token);
    o.log("service stopped");
  }
}
