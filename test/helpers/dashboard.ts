// Test helper: `spruce dashboard` started as a user starts it (the built CLI, a subprocess), its URL
// read from stdout, and raw HTTP requests to it with any Host header (fetch would not send one).
import { spawn, type ChildProcess } from "node:child_process";
import { request as httpRequest } from "node:http";
import { CLI } from "./cli.js";

export const URL_LINE = /^http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{64})$/;

export interface CliDashboard {
  url: string;
  port: number;
  token: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startDashboardCli(args: string[], env: Record<string, string> = {}): Promise<CliDashboard> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL in 30 s; stderr:\n${err}`)), 30_000);
    child.on("exit", (code) => reject(new Error(`the dashboard exited (${code}) before printing its URL; stderr:\n${err}`)));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => URL_LINE.test(l));
      if (!line) return;
      clearTimeout(timer);
      const m = URL_LINE.exec(line)!;
      resolve({
        url: line,
        port: Number(m[1]),
        token: m[2]!,
        child,
        stdout: () => out,
        stderr: () => err,
        stop: (signal = "SIGTERM") => {
          if (child.exitCode === null) child.kill(signal);
          return exited;
        },
      });
    });
  });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function rawRequest(port: number, path: string, headers: Record<string, string> = {}, method = "GET"): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}
