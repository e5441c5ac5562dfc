// Running a dashboard as a process: serve a database until a signal, keeping its record (./record.ts)
// while it runs; start one in the background (--detach), or reuse the one already running; and carry
// one connection between stdin/stdout and the running dashboard (--stdio), which is how a site whose
// sshd forbids port forwarding is reached over an SSH exec channel.
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { SpruceError, ValidationError } from "../errors.js";
import type { Store, StoreLocation } from "../store/index.js";
import { DashboardData } from "./data.js";
import { logFile, readRecord, removeRecord, writeRecord, type DashboardRecord } from "./record.js";
import { startDashboard, type RunningDashboard } from "./server.js";

export interface ServedDashboard {
  dashboard: RunningDashboard;
  record: DashboardRecord;
  recordFile: string;
  stop(): Promise<void>;
}

/** Starts serving `store` and records where; stop() closes the server and removes the record. */
export async function serveDashboard(o: { location: StoreLocation; store: Store; host: string; port: number; log: (line: string) => void }): Promise<ServedDashboard> {
  let dashboard: RunningDashboard;
  try {
    dashboard = await startDashboard({ data: new DashboardData(o.store), host: o.host, port: o.port, log: o.log });
  } catch (e) {
    throw listenError(e, o.host, o.port);
  }
  const record: DashboardRecord = {
    url: dashboard.url,
    host: dashboard.host,
    port: dashboard.port,
    token: dashboard.token,
    pid: process.pid,
    node: hostname(),
    database: o.store.describe,
    startedAt: new Date().toISOString(),
  };
  const file = writeRecord(o.location, record);
  return {
    dashboard,
    record,
    recordFile: file,
    stop: async () => {
      removeRecord(o.location);
      await dashboard.close();
    },
  };
}

function listenError(e: unknown, host: string, port: number): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") return new ValidationError(`--port ${port}: the port is in use on ${host}`, "choose another port, or --port 0 to take any free one");
  if (code === "EACCES") return new ValidationError(`--port ${port}: not allowed to listen on it (ports below 1024 need privileges)`, "choose a port above 1023, or --port 0 to take any free one");
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new ValidationError(`--host ${host}: not an address of this machine`, "leave --host out (127.0.0.1), or give one of this machine's addresses");
  }
  return e;
}

/**
 * Starts `args` (the same dashboard command with --json, without --detach) as a background process
 * in its own session, its stderr going to a log file beside the record, and returns the record it
 * printed once it listens.
 */
export async function detachDashboard(location: StoreLocation, args: string[]): Promise<DashboardRecord> {
  const log = logFile(location);
  mkdirSync(dirname(log), { recursive: true, mode: 0o700 });
  const fd = openSync(log, "a", 0o600);
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args], { detached: true, stdio: ["ignore", "pipe", fd] });
  closeSync(fd);
  return new Promise<DashboardRecord>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => fail(`it printed nothing in 60 s`), 60_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.stdout!.destroy();
      const lines = readLog(log).slice(-5).join("\n");
      reject(new SpruceError(`the dashboard did not start: ${why}${lines ? `\n${lines}` : ""}`, { hint: `see its log ${log}` }));
    };
    child.on("error", (e) => fail(e.message));
    child.on("exit", (code) => {
      if (!out.includes("\n")) fail(`it exited with code ${code}`);
    });
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      // The child writes nothing more to stdout; it lives on after we exit.
      child.stdout!.destroy();
      child.unref();
      try {
        resolve(JSON.parse(out.slice(0, nl)) as DashboardRecord);
      } catch {
        reject(new SpruceError(`the dashboard printed something unexpected: ${out.slice(0, nl)}`, { hint: `see its log ${log}` }));
      }
    });
  });
}

function readLog(file: string): string[] {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n");
  } catch {
    return [];
  }
}

/**
 * Joins stdin and stdout to one TCP connection to the running dashboard of this database, until
 * either side ends. The HTTP passes through untouched, so the dashboard's own Host and token checks
 * still apply to every request.
 */
export async function bridgeStdio(location: StoreLocation): Promise<void> {
  const record = readRecord(location);
  if (!record) throw new SpruceError("no dashboard is running for this database on this machine", { hint: "start one with 'spruce dashboard --detach'", exitCode: 2 });
  await new Promise<void>((resolve, reject) => {
    const socket = connect(record.port, record.host === "0.0.0.0" || record.host === "::" ? "127.0.0.1" : record.host);
    socket.once("error", reject);
    socket.once("connect", () => {
      process.stdin.pipe(socket);
      socket.pipe(process.stdout);
    });
    socket.once("close", () => {
      // stdin would keep the process alive (and its SSH channel open) after the dashboard hung up.
      process.stdin.unpipe(socket);
      process.stdin.destroy();
      resolve();
    });
    process.stdin.once("end", () => socket.end());
  });
}
