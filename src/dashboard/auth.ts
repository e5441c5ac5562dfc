// Who may read the dashboard (docs/architecture.md, Dashboard): a login node is shared, and every
// user on it can reach 127.0.0.1, so each request must carry the dashboard's random token (in the
// URL it printed, then a SameSite=Strict cookie, or a header) and name an expected Host (a page on
// another site that rebinds its DNS name to 127.0.0.1 would otherwise be same-origin with us).
// Pure functions of the request's URL and headers, so every rule is unit-tested.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { hostname, networkInterfaces } from "node:os";

/** 32 random bytes as hex: not guessable, and safe in a URL, a cookie and a header. */
export function newToken(): string {
  return randomBytes(32).toString("hex");
}

/**
 * Constant-time comparison. Both sides are hashed first so that the comparison takes the same time
 * whatever the presented string's length (timingSafeEqual needs equal lengths).
 */
export function tokensEqual(presented: string, token: string): boolean {
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(token).digest();
  return timingSafeEqual(a, b);
}

/** Cookies are shared by every port of a host: the name carries the port, so two dashboards coexist. */
export function cookieName(port: number): string {
  return `spruce_dashboard_${port}`;
}

/** The session cookie set once the token came in the URL: sent back only by same-site requests, unreadable by scripts. */
export function sessionCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

/**
 * The Host header values accepted for a server bound to `boundHost`:`port`: the loopback names
 * always, the bound name, and for a wildcard bind this machine's name and addresses. Lower case.
 */
export function allowedHosts(boundHost: string, port: number): Set<string> {
  const names = new Set(["127.0.0.1", "localhost", "[::1]"]);
  const add = (h: string) => names.add(h.includes(":") && !h.startsWith("[") ? `[${h}]` : h);
  add(boundHost);
  if (boundHost === "0.0.0.0" || boundHost === "::") {
    add(hostname());
    for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) add(i.address);
  }
  return new Set([...names].map((h) => `${h.toLowerCase()}:${port}`));
}

export function hostAllowed(host: string | undefined, allowed: ReadonlySet<string>): boolean {
  return host !== undefined && allowed.has(host.trim().toLowerCase());
}

export interface AuthRequest {
  /** The request target as received (path and query). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export type Verdict =
  /** setCookie: the token came in the URL, so the answer sets the session cookie. */
  | { ok: true; setCookie: boolean }
  /** 403: a Host we do not serve; 401: no token, or a wrong one. Either way the body says nothing more. */
  | { ok: false; status: 401 | 403 };

function header(req: AuthRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The token the request presents and where: the URL's `token`, else a header, else the cookie. */
export function presentedToken(req: AuthRequest, port: number): { token: string; from: "query" | "header" | "cookie" } | null {
  const query = new URL(req.url, "http://x").searchParams.get("token");
  if (query !== null) return { token: query, from: "query" };
  const auth = header(req, "authorization");
  if (auth !== undefined) return { token: /^Bearer\s+(.*)$/i.exec(auth)?.[1]?.trim() ?? "", from: "header" };
  const own = header(req, "x-spruce-token");
  if (own !== undefined) return { token: own.trim(), from: "header" };
  const name = cookieName(port);
  for (const part of (header(req, "cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return { token: part.slice(eq + 1).trim(), from: "cookie" };
  }
  return null;
}

/**
 * The verdict on one request. A token presented in several places is judged by the first one in
 * presentedToken's order: a wrong token in the URL is refused even beside a valid cookie.
 */
export function authorize(req: AuthRequest, o: { token: string; port: number; allowed: ReadonlySet<string> }): Verdict {
  if (!hostAllowed(header(req, "host"), o.allowed)) return { ok: false, status: 403 };
  const presented = presentedToken(req, o.port);
  if (presented === null || !tokensEqual(presented.token, o.token)) return { ok: false, status: 401 };
  return { ok: true, setCookie: presented.from === "query" };
}
