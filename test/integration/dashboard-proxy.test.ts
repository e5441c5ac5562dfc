// The local proxy of `spruce --site NAME dashboard` (src/dashboard/proxy.ts) in front of a plain
// HTTP server standing in for the site's dashboard, over ordinary TCP connections: its own token and
// Host checks, and what it passes on (the far Host and token; never this side's token, cookie or
// `token` parameter; never the far side's cookie).
import { createServer, type IncomingHttpHeaders } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startProxy, type RunningProxy } from "../../src/dashboard/proxy.js";
import { rawRequest } from "../helpers/dashboard.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function echoServer(): Promise<{ port: number; seen: { url: string; headers: IncomingHttpHeaders }[]; connections: () => number }> {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    res.writeHead(200, { "content-type": "application/json", "set-cookie": "far=1", "x-far": "yes" });
    res.end(JSON.stringify({ ok: true }));
  });
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))));
  return { port: (server.address() as AddressInfo).port, seen, connections: () => connections };
}

async function proxyTo(port: number, opts: { refuse?: boolean } = {}): Promise<RunningProxy> {
  const p = await startProxy({
    upstream: {
      host: "127.0.0.1",
      port,
      token: "f".repeat(64),
      connect: () => (opts.refuse ? Promise.reject(new Error("administratively prohibited")) : Promise.resolve(connect(port, "127.0.0.1"))),
    },
  });
  closers.push(() => p.close());
  return p;
}

describe("the site dashboard's local proxy", () => {
  it("lets only its own token in and passes on the far Host and token, nothing of this side's", async () => {
    const far = await echoServer();
    const p = await proxyTo(far.port);
    expect(p.url).toBe(`http://127.0.0.1:${p.port}/?token=${p.token}`);
    expect((await rawRequest(p.port, "/api/workflows")).status).toBe(401);
    expect((await rawRequest(p.port, "/api/workflows", { "x-spruce-token": "f".repeat(64) })).status).toBe(401);
    expect((await rawRequest(p.port, `/?token=${p.token}`, { host: `evil.example:${p.port}` })).status).toBe(403);
    expect(far.seen).toEqual([]);

    const first = await rawRequest(p.port, `/?token=${p.token}&x=1`, { cookie: "other=2" });
    expect(first.status).toBe(200);
    expect(first.headers["x-far"]).toBe("yes");
    expect(first.headers["set-cookie"]).toEqual([`spruce_dashboard_${p.port}=${p.token}; Path=/; HttpOnly; SameSite=Strict`]);
    await rawRequest(p.port, "/api/workflows/a%20b/evaluations?sort=id", { cookie: `spruce_dashboard_${p.port}=${p.token}`, authorization: `Bearer ${p.token}` });
    expect(far.seen.map((s) => s.url)).toEqual(["/?x=1", "/api/workflows/a%20b/evaluations?sort=id"]);
    for (const s of far.seen) {
      expect(s.headers.host).toBe(`127.0.0.1:${far.port}`);
      expect(s.headers["x-spruce-token"]).toBe("f".repeat(64));
      expect(s.headers.cookie).toBeUndefined();
      expect(s.headers.authorization).toBeUndefined();
    }
    // Connections to the far side are kept between requests.
    for (let i = 0; i < 5; i++) await rawRequest(p.port, "/api/workflows", { "x-spruce-token": p.token });
    expect(far.connections()).toBeLessThanOrEqual(2);
  });

  it("answers 502 when the far side cannot be reached", async () => {
    const p = await proxyTo(1, { refuse: true });
    const r = await rawRequest(p.port, "/api/workflows", { "x-spruce-token": p.token });
    expect([r.status, JSON.parse(r.body)]).toEqual([502, { error: "the site's dashboard cannot be reached" }]);
  });
});
