// A site's dashboard on this machine (docs/architecture.md, Dashboard through a site): a local HTTP
// server with its own token and Host checks (./auth.ts, as the dashboard's) that passes every
// authorized request on to the dashboard running on the site's login node, over connections the
// caller opens (an SSH forwarded channel, or an exec channel running `spruce dashboard --stdio`).
// The far dashboard's own checks apply too: the proxy names its Host and presents its token in a
// header, never this side's.
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { allowedHosts, authorize, newToken, sessionCookie } from "./auth.js";
import { dashboardUrl, listen, refuse } from "./server.js";

export interface Upstream {
  /** The far dashboard's address and token, as its record says. */
  host: string;
  port: number;
  token: string;
  /** Opens one connection to it. */
  connect(): Promise<Duplex>;
}

export interface RunningProxy {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Request headers that belong to this hop, or carry this side's credentials: never passed on. */
const DROPPED_REQUEST = new Set(["host", "cookie", "authorization", "x-spruce-token", "connection", "keep-alive", "proxy-connection", "te", "upgrade"]);
const DROPPED_RESPONSE = new Set(["set-cookie", "connection", "keep-alive", "transfer-encoding"]);

/**
 * node:http's agent treats its connections as sockets (keep-alive, references, timeouts); an SSH
 * channel has none of that to set, so those calls do nothing on it.
 */
function asSocket(stream: Duplex): Socket {
  const s = stream as Duplex & Partial<Socket>;
  const self = () => s as unknown as Socket;
  s.setKeepAlive ??= self;
  s.setNoDelay ??= self;
  s.setTimeout ??= self;
  s.ref ??= self;
  s.unref ??= self;
  return s as unknown as Socket;
}

export async function startProxy(o: { upstream: Upstream; host?: string; port?: number; log?: (line: string) => void }): Promise<RunningProxy> {
  const host = o.host ?? "127.0.0.1";
  const token = newToken();
  let port = 0;
  let allowed = new Set<string>();
  // Connections are kept between requests (the page polls every 2 s): over an exec channel each new
  // one starts a process on the login node.
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  (agent as unknown as { createConnection: (opts: unknown, cb: (err: Error | null, s?: Socket) => void) => void }).createConnection = (_opts, cb) => {
    o.upstream.connect().then((stream) => cb(null, asSocket(stream)), (e: Error) => cb(e));
  };
  const upstreamHost = `${o.upstream.host === "0.0.0.0" || o.upstream.host === "::" ? "127.0.0.1" : o.upstream.host.includes(":") ? `[${o.upstream.host}]` : o.upstream.host}:${o.upstream.port}`;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const verdict = authorize({ url: req.url ?? "/", headers: req.headers }, { token, port, allowed });
    if (!verdict.ok) return refuse(res, verdict.status);
    const url = new URL(req.url ?? "/", "http://proxy");
    url.searchParams.delete("token");
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !DROPPED_REQUEST.has(k)) headers[k] = v;
    headers.host = upstreamHost;
    headers["x-spruce-token"] = o.upstream.token;
    const up = request({ agent, method: req.method, path: url.pathname + url.search, headers }, (upRes) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(upRes.headers)) if (v !== undefined && !DROPPED_RESPONSE.has(k)) out[k] = v;
      if (verdict.setCookie) out["set-cookie"] = sessionCookie(port, token);
      res.writeHead(upRes.statusCode ?? 502, out);
      upRes.pipe(res);
    });
    up.on("error", (e) => {
      o.log?.(`the site's dashboard did not answer ${req.method} ${url.pathname}: ${e.message}`);
      if (res.headersSent) return res.destroy();
      res.writeHead(502, { "Content-Type": "application/json", "Cache-Control": "no-store" });
      res.end(JSON.stringify({ error: "the site's dashboard cannot be reached" }));
    });
    req.pipe(up);
  });
  port = await listen(server, o.port ?? 0, host);
  allowed = allowedHosts(host, port);
  return {
    url: dashboardUrl(host, port, token),
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
