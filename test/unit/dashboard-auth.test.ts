// The dashboard's request checks (src/dashboard/auth.ts): the token wherever it is presented, the
// session cookie, and the Host header that keeps a DNS-rebinding page out.
import { describe, expect, it } from "vitest";
import { allowedHosts, authorize, cookieName, hostAllowed, newToken, presentedToken, sessionCookie, tokensEqual } from "../../src/dashboard/auth.js";

const token = "a".repeat(64);
const port = 8765;
const allowed = allowedHosts("127.0.0.1", port);
const req = (url: string, headers: Record<string, string> = {}) => ({ url, headers: { host: `127.0.0.1:${port}`, ...headers } });

describe("tokens", () => {
  it("are 32 random bytes in hex, different each time", () => {
    const a = newToken();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(newToken()).not.toBe(a);
  });

  it("compare equal only when identical, whatever the lengths", () => {
    expect(tokensEqual(token, token)).toBe(true);
    expect(tokensEqual("a".repeat(63), token)).toBe(false);
    expect(tokensEqual(token + "a", token)).toBe(false);
    expect(tokensEqual("", token)).toBe(false);
    expect(tokensEqual("b" + token.slice(1), token)).toBe(false);
  });
});

describe("the presented token", () => {
  it("comes from the URL first, then the Authorization or X-Spruce-Token header, then the port's cookie", () => {
    expect(presentedToken(req(`/?token=${token}`), port)).toEqual({ token, from: "query" });
    expect(presentedToken(req("/api/workflows", { authorization: `Bearer ${token}` }), port)).toEqual({ token, from: "header" });
    expect(presentedToken(req("/api/workflows", { "x-spruce-token": token }), port)).toEqual({ token, from: "header" });
    expect(presentedToken(req("/", { cookie: `other=1; ${cookieName(port)}=${token}` }), port)).toEqual({ token, from: "cookie" });
    // Another dashboard's cookie (another port) is not ours.
    expect(presentedToken(req("/", { cookie: `${cookieName(port + 1)}=${token}` }), port)).toBeNull();
    expect(presentedToken(req("/"), port)).toBeNull();
  });
});

describe("authorize", () => {
  const check = (r: ReturnType<typeof req>) => authorize(r, { token, port, allowed });

  it("lets the printed URL in and asks for the session cookie", () => {
    expect(check(req(`/?token=${token}`))).toEqual({ ok: true, setCookie: true });
    expect(check(req("/api/workflows", { cookie: `${cookieName(port)}=${token}` }))).toEqual({ ok: true, setCookie: false });
    expect(check(req("/api/workflows", { authorization: `Bearer ${token}` }))).toEqual({ ok: true, setCookie: false });
  });

  it("refuses a request without a token, or with a wrong one, with 401", () => {
    expect(check(req("/"))).toEqual({ ok: false, status: 401 });
    expect(check(req("/?token="))).toEqual({ ok: false, status: 401 });
    expect(check(req(`/?token=${"b".repeat(64)}`))).toEqual({ ok: false, status: 401 });
    expect(check(req("/", { authorization: "Basic Zm9vOmJhcg==" }))).toEqual({ ok: false, status: 401 });
    // A wrong token in the URL is refused even beside a valid cookie.
    expect(check(req(`/?token=${"b".repeat(64)}`, { cookie: `${cookieName(port)}=${token}` }))).toEqual({ ok: false, status: 401 });
  });

  it("refuses a Host it does not serve with 403, even with the right token (DNS rebinding)", () => {
    expect(check(req(`/?token=${token}`, { host: `evil.example:${port}` }))).toEqual({ ok: false, status: 403 });
    expect(check(req(`/?token=${token}`, { host: `127.0.0.1:${port + 1}` }))).toEqual({ ok: false, status: 403 });
    expect(check(req(`/?token=${token}`, { host: "127.0.0.1" }))).toEqual({ ok: false, status: 403 });
    expect(check({ url: `/?token=${token}`, headers: {} })).toEqual({ ok: false, status: 403 });
  });
});

describe("allowed hosts", () => {
  it("are the loopback names and the bound address at the port, case-insensitively", () => {
    expect([...allowed].sort()).toEqual([`127.0.0.1:${port}`, `[::1]:${port}`, `localhost:${port}`].sort());
    expect(hostAllowed(`LOCALHOST:${port}`, allowed)).toBe(true);
    expect(hostAllowed(undefined, allowed)).toBe(false);
    expect(allowedHosts("10.1.2.3", 80).has("10.1.2.3:80")).toBe(true);
    expect(allowedHosts("::1", 80).has("[::1]:80")).toBe(true);
    // A wildcard bind answers to this machine's addresses too.
    expect(allowedHosts("0.0.0.0", 80).size).toBeGreaterThan(3);
  });
});

describe("the session cookie", () => {
  it("is HttpOnly, SameSite=Strict and named after the port", () => {
    const c = sessionCookie(port, token);
    expect(c).toBe(`spruce_dashboard_${port}=${token}; Path=/; HttpOnly; SameSite=Strict`);
  });
});
