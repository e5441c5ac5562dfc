// The dashboard's HTTP server (node:http, no framework): every request passes the Host and token
// checks of ./auth.ts first (a refusal says nothing but its status), then only GET and HEAD are
// served: the page, and the JSON endpoints of ./data.ts. Answers are never cached and carry a
// Content-Security-Policy that lets the page load nothing from anywhere but this server.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { EVALUATION_SORTS, EVALUATION_STATES, type EvaluationSort, type EvaluationState } from "../store/index.js";
import { allowedHosts, authorize, newToken, sessionCookie } from "./auth.js";
import { evaluationJson, type DashboardData } from "./data.js";
import { dashboardPage } from "./page.js";

export interface DashboardOptions {
  data: DashboardData;
  /** The address to bind (default 127.0.0.1). */
  host?: string;
  /** 0: any free port. */
  port?: number;
  token?: string;
  /** Host header values accepted besides those of the bound address (a forwarding proxy's). */
  extraHosts?: string[];
  log?: (line: string) => void;
}

export interface RunningDashboard {
  url: string;
  host: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

/** Rows per page at most: a page of the table is one short query. */
const MAX_PAGE = 500;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** How a browser reaches host:port (IPv6 in brackets; a wildcard bind through the loopback). */
export function dashboardUrl(host: string, port: number, token: string): string {
  const name = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${name}:${port}/?token=${token}`;
}

export async function startDashboard(o: DashboardOptions): Promise<RunningDashboard> {
  const host = o.host ?? "127.0.0.1";
  const token = o.token ?? newToken();
  let allowed = new Set<string>();
  const encoded = new WeakMap<object, string>();
  const gzipped = new Map<string, Buffer>();
  let port = 0;
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      o.log?.(`error answering ${req.method} ${(req.url ?? "").replace(/token=[^&]*/g, "token=…")}: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) send(res, req, 500, "application/json", JSON.stringify({ error: "internal error (see the dashboard's log)" }));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const verdict = authorize({ url: req.url ?? "/", headers: req.headers }, { token, port, allowed });
    if (!verdict.ok) return refuse(res, verdict.status);
    if (verdict.setCookie) res.setHeader("Set-Cookie", sessionCookie(port, token));
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return send(res, req, 405, "application/json", JSON.stringify({ error: "read-only: only GET and HEAD" }));
    }
    const url = new URL(req.url ?? "/", "http://dashboard");
    if (url.pathname === "/") {
      const nonce = randomBytes(16).toString("base64");
      return send(res, req, 200, "text/html; charset=utf-8", dashboardPage(nonce), nonce);
    }
    try {
      const body = await api(url);
      if (body === null) throw new HttpError(404, "not found");
      // The charts object stays the same while the data layer caches it: encode it once.
      let json = encoded.get(body as object);
      if (json === undefined) {
        json = JSON.stringify(body);
        if (typeof body === "object") encoded.set(body as object, json);
      }
      send(res, req, 200, "application/json", json);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      send(res, req, e.status, "application/json", JSON.stringify({ error: e.message }));
    }
  }

  /** The JSON endpoints; null is a 404. */
  async function api(url: URL): Promise<unknown> {
    const parts = url.pathname.split("/").slice(1).map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        throw new HttpError(400, "malformed path");
      }
    });
    if (parts[0] !== "api" || parts[1] !== "workflows") return null;
    if (parts.length === 2) return { workflows: await o.data.overview() };
    const name = parts[2]!;
    if (parts.length === 3) return o.data.summary(name);
    if (parts[3] === "charts" && parts.length === 4) return o.data.chartsOf(name);
    if (parts[3] !== "evaluations") return null;
    if (parts.length === 4) return o.data.evaluationPage(name, pageQuery(url.searchParams));
    const id = wholeNumber(parts[4]!, "evaluation id");
    if (parts.length === 5) {
      const found = await o.data.evaluation(name, id);
      return found ? evaluationJson(found.row, found.wf.createdAt) : null;
    }
    if (parts[5] === "output" && parts.length === 6) {
      const stream = url.searchParams.get("stream") ?? "stdout";
      if (stream !== "stdout" && stream !== "stderr") throw new HttpError(400, "stream must be stdout or stderr");
      const bytes = url.searchParams.has("bytes") ? wholeNumber(url.searchParams.get("bytes")!, "bytes") : 64 * 1024;
      return o.data.output(name, id, stream, bytes);
    }
    return null;
  }

  function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string, nonce?: string): void {
    let payload: Buffer = Buffer.from(body);
    const headers: Record<string, string | number> = {
      "Content-Type": type,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      "X-Frame-Options": "DENY",
      // The token is in the page's URL until its script removes it: never send it on in a Referer.
      "Referrer-Policy": "no-referrer",
      "Content-Security-Policy": nonce
        ? `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`
        : "default-src 'none'; frame-ancestors 'none'",
      Vary: "Accept-Encoding",
    };
    // A large workflow's charts are a few hundred kilobytes of SVG that compress tenfold, which
    // matters through an SSH tunnel.
    if (payload.length > 8192 && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
      // The last large answers' compressed forms, by their text (polls of unchanged charts repeat it).
      let gz = gzipped.get(body);
      if (gz === undefined) {
        gz = gzipSync(payload, { level: 5 });
        if (gzipped.size >= 8) gzipped.delete(gzipped.keys().next().value as string);
        gzipped.set(body, gz);
      }
      payload = gz;
      headers["Content-Encoding"] = "gzip";
    }
    headers["Content-Length"] = payload.length;
    res.writeHead(status, headers);
    res.end(req.method === "HEAD" ? undefined : payload);
  }

  port = await listen(server, o.port ?? 0, host);
  allowed = allowedHosts(host, port);
  for (const h of o.extraHosts ?? []) allowed.add(h.toLowerCase());
  return {
    url: dashboardUrl(host, port, token),
    host,
    port,
    token,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A refused request's answer: nothing but the status, no hint of what was wrong or of what is served. */
export function refuse(res: ServerResponse, status: 401 | 403): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "Content-Length": status === 401 ? 13 : 10 });
  res.end(status === 401 ? "Unauthorized\n" : "Forbidden\n");
}

function wholeNumber(s: string, what: string): number {
  if (!/^\d{1,15}$/.test(s)) throw new HttpError(400, `${what} must be a whole number`);
  return Number(s);
}

function pageQuery(p: URLSearchParams): { sort: EvaluationSort; descending: boolean; offset: number; limit: number; states: EvaluationState[]; text: string } {
  const sort = p.get("sort") ?? "id";
  if (!(EVALUATION_SORTS as readonly string[]).includes(sort)) throw new HttpError(400, `sort must be one of ${EVALUATION_SORTS.join(", ")}`);
  const dir = p.get("dir") ?? "desc";
  if (dir !== "asc" && dir !== "desc") throw new HttpError(400, "dir must be asc or desc");
  const states = (p.get("state") ?? "").split(",").filter((s) => s !== "");
  for (const s of states) if (!(EVALUATION_STATES as readonly string[]).includes(s)) throw new HttpError(400, `unknown state ${s}`);
  const limit = p.has("limit") ? wholeNumber(p.get("limit")!, "limit") : 50;
  if (limit < 1 || limit > MAX_PAGE) throw new HttpError(400, `limit must be 1 to ${MAX_PAGE}`);
  const text = p.get("q") ?? "";
  if (text.length > 200) throw new HttpError(400, "the filter is longer than 200 characters");
  return { sort: sort as EvaluationSort, descending: dir === "desc", offset: p.has("offset") ? wholeNumber(p.get("offset")!, "offset") : 0, limit, states: states as EvaluationState[], text };
}

/** Listens on host:port (0: any free port) and answers the port taken; a failure to bind rejects. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.removeListener("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
