// `spruce service start|stop|status|run-once` (docs/architecture.md, Ticks): the login-node service that carries
// searches across walltimes (src/service). Foreground by default with its log on stderr;
// --detach starts the same command as a background process with a pid file and a log file in
// the workspace, and returns once that process holds the service lock (or has failed).
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { SpruceError, ValidationError } from "../errors.js";
import { LOCK_STALE_MS, runOnce, runService } from "../service/service.js";
import { isPidAlive } from "../util/process.js";
import { everyToCron } from "../service/schedule.js";
import { isLockAbandoned, listServiceEvents, listServiceHolds, listWorkflows, readServiceLock, type Store } from "../store/index.js";
import { DB_DIR_OPTION, withStore, workspaceOf, type GlobalArgs } from "./context.js";
import { info, printJson } from "./output.js";

interface LimitArgs extends GlobalArgs {
  maxQueued: number;
  maxQueuedTotal: number;
}

interface StartArgs extends LimitArgs {
  every: number;
  detach?: boolean;
  pidFile?: string;
}

interface StopArgs extends GlobalArgs {
  timeout: number;
}

interface StatusArgs extends GlobalArgs {
  json?: boolean;
}

/** How long `start --detach` waits for the background service to hold the lock. */
const DETACH_WAIT_MS = 30_000;

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

function limits<T>(y: Argv<GlobalArgs>): Argv<T> {
  return y
    .option("max-queued", { type: "number", default: 1, describe: "launcher jobs one workflow may have queued or running (beyond 1, each waits for the previous: afterany)" })
    .option("max-queued-total", { type: "number", default: 10, describe: "launcher jobs queued or running over all workflows" })
    .option("db-dir", DB_DIR_OPTION) as unknown as Argv<T>;
}

function checkLimits(argv: LimitArgs): void {
  for (const [name, v] of [["max-queued", argv.maxQueued], ["max-queued-total", argv.maxQueuedTotal]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ValidationError(`--${name} must be a whole number of at least 1 (got ${v})`, `e.g. --${name} 2`);
  }
}

function servicePaths(argv: GlobalArgs): { pidFile: string; logFile: string } {
  const ws = workspaceOf(argv);
  return { pidFile: join(ws, "service.pid"), logFile: join(ws, "service.log") };
}

const startCommand: CommandModule<GlobalArgs, StartArgs> = {
  command: "start",
  describe: "run the service: sync batch jobs and submit launcher jobs while searches have work left",
  builder: (y) =>
    limits<StartArgs>(y)
      .option("every", { type: "number", default: 60, describe: "seconds between ticks (must divide a minute, an hour or a day)" })
      .option("detach", { type: "boolean", describe: "run in the background: pid file and log in the workspace (service.pid, service.log)" })
      .option("pid-file", { type: "string", hidden: true }),
  handler: async (argv) => {
    checkLimits(argv);
    everyToCron(argv.every); // refuse a bad period before detaching
    if (argv.detach) return detach(argv);
    const stopSignal = new Promise<string>((resolve) => {
      process.once("SIGTERM", () => resolve("SIGTERM"));
      process.once("SIGINT", () => resolve("SIGINT"));
    });
    await withStore(argv, (store) =>
      runService(store, {
        workspace: workspaceOf(argv),
        maxQueued: argv.maxQueued,
        maxQueuedTotal: argv.maxQueuedTotal,
        everySeconds: argv.every,
        log,
        stopSignal,
        onStarted: () => {
          if (argv.pidFile) writeFileSync(argv.pidFile, `${process.pid}\n`);
        },
      }).finally(() => {
        if (argv.pidFile && readPid(argv.pidFile) === process.pid) rmSync(argv.pidFile, { force: true });
      }),
    );
  },
};

/**
 * Starts `service start` again without --detach, in its own session, its output appended to the
 * log file; waits until it wrote its pid file (it holds the lock) or exited (e.g. another service
 * holds the lock), and reports which.
 */
async function detach(argv: StartArgs): Promise<void> {
  const { pidFile, logFile } = servicePaths(argv);
  // The pid file is not removed first: if a service runs, it is that service's, and this one will
  // be refused. Success is the file naming the new process.
  mkdirSync(workspaceOf(argv), { recursive: true });
  const args = process.argv.slice(1).filter((a) => a !== "--detach" && a !== "--detach=true");
  const out = openSync(logFile, "a");
  const child = spawn(process.execPath, [...args, "--pid-file", pidFile], { detached: true, stdio: ["ignore", out, out] });
  closeSync(out);
  let exited: number | null = null;
  child.once("exit", (code) => (exited = code ?? 1));
  const deadline = Date.now() + DETACH_WAIT_MS;
  while (Date.now() < deadline) {
    if (readPid(pidFile) === child.pid) {
      child.unref();
      info(`service started in the background: pid ${child.pid}, log ${logFile}`);
      return;
    }
    if (exited !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (exited === null) child.kill("SIGTERM");
  const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-5).join("\n") : "";
  throw new SpruceError(`the background service did not start${exited !== null ? ` (exit code ${exited})` : ""}`, { hint: `its log ${logFile} ends with:\n${tail}` });
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

const stopCommand: CommandModule<GlobalArgs, StopArgs> = {
  command: "stop",
  describe: "stop the service of this database (it finishes its current tick first)",
  builder: (y) =>
    y
      .option("timeout", { type: "number", default: 120, describe: "seconds to wait for it to stop" })
      .option("db-dir", DB_DIR_OPTION) as unknown as Argv<StopArgs>,
  handler: async (argv) => {
    await withStore(argv, async (store) => {
      const lock = await readServiceLock(store);
      if (!lock || lock.token === null || lock.holderPid === null) {
        info("no service is running for this database");
        return;
      }
      if (lock.holderHost !== hostname()) {
        throw new SpruceError(`the service runs on host ${lock.holderHost} (pid ${lock.holderPid}), not here (${hostname()})`, {
          hint: `run 'spruce service stop' on ${lock.holderHost}`,
        });
      }
      const token = lock.token;
      try {
        process.kill(lock.holderPid, "SIGTERM");
      } catch {
        info(`the service (pid ${lock.holderPid}) is gone; its lock is taken over by the next service`);
        return;
      }
      // Stopped means the lock was released (or taken over): the current tick is then complete.
      const deadline = Date.now() + argv.timeout * 1000;
      while (Date.now() < deadline) {
        const now = await readServiceLock(store);
        if (!now || now.token !== token) {
          info(`service stopped (pid ${lock.holderPid})`);
          return;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new SpruceError(`the service (pid ${lock.holderPid}) did not stop within ${argv.timeout} s`, { hint: "it may be in a long scheduler call; try again, or kill it" });
    });
  },
};

/** What `service status` reports; also used by `spruce status WORKFLOW`. */
export async function serviceState(store: Store): Promise<{ running: boolean; host: string | null; pid: number | null; heartbeat_at: string | null; last_tick_at: string | null; last_tick: string | null }> {
  const lock = await readServiceLock(store);
  const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
  return {
    running: lock !== undefined && !isLockAbandoned(lock, { host: hostname(), isPidAlive, staleAfterMs: LOCK_STALE_MS }),
    host: lock?.holderHost ?? null,
    pid: lock?.holderPid ?? null,
    heartbeat_at: iso(lock?.heartbeatAt),
    last_tick_at: iso(lock?.lastTickAt),
    last_tick: lock?.lastTickSummary ?? null,
  };
}

const statusCommand: CommandModule<GlobalArgs, StatusArgs> = {
  command: "status",
  describe: "whether the service runs, its last tick, held workflows and recent actions",
  builder: (y) =>
    y
      .option("json", { type: "boolean", describe: "one JSON object" })
      .option("db-dir", DB_DIR_OPTION) as unknown as Argv<StatusArgs>,
  handler: async (argv) => {
    await withStore(argv, async (store) => {
      const state = await serviceState(store);
      const names = new Map((await listWorkflows(store)).map((w) => [w.id, w.name]));
      const holds = (await listServiceHolds(store)).map((h) => ({ workflow: names.get(h.workflowId) ?? null, since: new Date(h.at).toISOString(), reason: h.reason }));
      const actions = (await listServiceEvents(store, { limit: 10 })).map((e) => ({
        at: new Date(e.at).toISOString(),
        workflow: e.workflowId === null ? null : names.get(e.workflowId) ?? null,
        action: e.action,
      }));
      if (argv.json) return printJson({ ...state, held: holds, recent_actions: actions });
      let out = state.running
        ? `service    running on ${state.host} (pid ${state.pid}), heartbeat ${state.heartbeat_at}\n`
        : `service    not running${state.host ? ` (last: ${state.host}, pid ${state.pid})` : ""}; start it with 'spruce service start --detach'\n`;
      out += `last tick  ${state.last_tick_at ? `${state.last_tick_at}: ${state.last_tick}` : "-"}\n`;
      for (const h of holds) out += `\nHELD ${h.workflow} since ${h.since}:\n${h.reason}\n`;
      if (actions.length > 0) out += "\nrecent actions (newest first):\n" + actions.map((a) => `  ${a.at}  ${a.workflow ?? "-"}  ${a.action.split("\n")[0]}`).join("\n") + "\n";
      process.stdout.write(out);
    });
  },
};

const runOnceCommand: CommandModule<GlobalArgs, LimitArgs & { json?: boolean }> = {
  command: "run-once",
  describe: "one tick now (refused while a service runs for this database)",
  builder: (y) => limits<LimitArgs & { json?: boolean }>(y).option("json", { type: "boolean", describe: "print the tick's counts as JSON" }),
  handler: async (argv) => {
    checkLimits(argv);
    await withStore(argv, async (store) => {
      const r = await runOnce(store, { workspace: workspaceOf(argv), maxQueued: argv.maxQueued, maxQueuedTotal: argv.maxQueuedTotal, log });
      if (argv.json) printJson(r);
    });
  },
};

export const serviceCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: "service",
  describe: "the login-node service that resubmits launcher jobs while searches have work left (start, stop, status, run-once)",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .command(startCommand)
      .command(stopCommand)
      .command(statusCommand)
      .command(runOnceCommand)
      .demandCommand(1, "name a service action: start, stop, status, run-once"),
  handler: () => undefined,
};
