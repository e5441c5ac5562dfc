// `spruce dashboard` as a process: the URL alone on stdout and in a 0600 file for --url, the token
// checks over real HTTP (200 and a SameSite=Strict cookie with it; 401 and nothing else without it,
// or with a wrong one; 403 for a foreign Host), read-only answers, a NAS workflow's architectures,
// --detach, --stdio, and its refusals.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createEvaluations, createWorkflow, finishEvaluations, openStore, registerLauncher } from "../../src/store/index.js";
import { sampleWorkflow } from "../helpers/db.js";
import { NasProblem } from "../../src/problem/nas-problem.js";
import { expectOneError, spruce } from "../helpers/cli.js";
import { rawRequest, startDashboardCli, URL_LINE } from "../helpers/dashboard.js";
import { spawn } from "node:child_process";
import { CLI } from "../helpers/cli.js";

const root = mkdtempSync(join(tmpdir(), "spruce-dashboard-"));
const ws = join(root, "ws");
const env = { XDG_CONFIG_HOME: join(root, "config") };
const W = ["--workspace", ws];
let failed = false;
afterAll(() => {
  if (!failed) rmSync(root, { recursive: true, force: true });
  else process.stderr.write(`kept ${root}\n`);
});

async function fillWorkspace(): Promise<void> {
  const store = await openStore({ workspace: ws }, { migrate: true });
  try {
    const wf = await createWorkflow(store, sampleWorkflow({ name: "dash", resultsDir: join(ws, "data", "dash") }));
    const launcherId = (await registerLauncher(store, { workflowId: wf.id, batchJobId: null, host: "n1", pid: process.pid })).id;
    const rows = await createEvaluations(store, wf.id, [{ x: 1, act: "relu" }, { x: 2, act: "tanh" }], { claim: { launcherId, hosts: [["n1"], ["n1"]] } });
    await finishEvaluations(store, [{ id: rows[0]!.id, attempt: 0, state: "DONE", objective: 0.5 }], { launcherId });
    // A NAS workflow: its view draws the best architectures.
    const problem = new NasProblem()
      .variable("n1", [{ op: "identity" }, { op: "dense", units: 8 }])
      .variable("n2", [{ op: "identity" }, { op: "dense", units: 16 }], { skips: ["input"] })
      .toSpec();
    const nas = await createWorkflow(store, sampleWorkflow({ name: "nas", problem, searcher: "regevo", resultsDir: join(ws, "data", "nas") }));
    const nasLauncher = (await registerLauncher(store, { workflowId: nas.id, batchJobId: null, host: "n1", pid: process.pid })).id;
    const seqs = [[1, 1, 1], [0, 1, 0], [1, 0, 0]];
    const nasRows = await createEvaluations(store, nas.id, seqs.map(([a, b, c]) => ({ vnode_00000: a!, vnode_00001: b!, vnode_00002: c! })), { claim: { launcherId: nasLauncher, hosts: [["n1"], ["n1"], ["n1"]] } });
    await finishEvaluations(store, nasRows.map((r, i) => ({ id: r.id, attempt: 0, state: "DONE" as const, objective: [0.9, 0.4, 0.6][i]! })), { launcherId: nasLauncher });
  } finally {
    await store.close();
  }
}

describe("spruce dashboard", () => {
  it("prints its URL alone on a line, keeps it in a 0600 file, and lets only the token in", async () => {
    failed = true;
    await fillWorkspace();
    const d = await startDashboardCli([...W, "dashboard"], env);
    try {
      expect(d.stdout()).toBe(d.url + "\n");
      expect(d.url).toMatch(URL_LINE);
      expect(d.stderr()).not.toContain(d.token);
      // The printed URL: the page, and the session cookie for the page's own requests.
      const page = await rawRequest(d.port, `/?token=${d.token}`);
      expect(page.status).toBe(200);
      expect(page.headers["content-type"]).toMatch(/^text\/html/);
      expect(page.body).toContain("<title>Spruce dashboard</title>");
      expect(page.headers["set-cookie"]).toEqual([`spruce_dashboard_${d.port}=${d.token}; Path=/; HttpOnly; SameSite=Strict`]);
      expect(page.headers["content-security-policy"]).toMatch(/default-src 'none'; script-src 'nonce-/);
      expect(page.headers["referrer-policy"]).toBe("no-referrer");
      const cookie = `spruce_dashboard_${d.port}=${d.token}`;
      const list = await rawRequest(d.port, "/api/workflows", { cookie });
      expect(list.status).toBe(200);
      const listed = JSON.parse(list.body).workflows as { name: string }[];
      expect(listed.map((w) => w.name).sort()).toEqual(["dash", "nas"]);
      expect(listed.find((w) => w.name === "dash")).toMatchObject({ counts: { DONE: 1, RUNNING: 1 }, best: 0.5 });
      // The page styles architecture diagrams; a NAS workflow's charts carry its best ones, best first.
      expect(page.body).toContain("svg.arch .skip{");
      const charts = await rawRequest(d.port, "/api/workflows/nas/charts", { cookie });
      expect(charts.status).toBe(200);
      const html = JSON.parse(charts.body).html as string;
      const section = /<section id="architectures">[\s\S]*?<\/section>/.exec(html)![0];
      expect([...section.matchAll(/objective (0\.\d), arch_seq (\[[\d,]+\])/g)].map((m) => `${m[1]} ${m[2]}`)).toEqual(["0.9 [1,1,1]", "0.6 [1,0,0]", "0.4 [0,1,0]"]);
      expect(section).toContain("<title>skip connection input → n2</title>");
      expect(html).toContain("<figcaption>arch_seq[2] n2: skip from input</figcaption>");
      const dashCharts = await rawRequest(d.port, "/api/workflows/dash/charts", { cookie });
      expect(JSON.parse(dashCharts.body).html).not.toContain('id="architectures"');

      // Without the token, or with a wrong one: 401 and nothing else, whatever the path.
      for (const [path, headers] of [
        ["/", {}],
        ["/api/workflows", {}],
        ["/api/workflows/dash/evaluations", {}],
        ["/no/such/path", {}],
        [`/?token=${"0".repeat(64)}`, {}],
        ["/?token=", {}],
        ["/api/workflows", { cookie: `spruce_dashboard_${d.port}=${"0".repeat(64)}` }],
        ["/api/workflows", { authorization: `Bearer ${d.token.slice(0, 63)}` }],
        [`/?token=${"0".repeat(64)}`, { cookie }],
      ] as [string, Record<string, string>][]) {
        const r = await rawRequest(d.port, path, headers);
        expect([path, r.status, r.body]).toEqual([path, 401, "Unauthorized\n"]);
        expect(r.headers["set-cookie"]).toBeUndefined();
        expect(Object.keys(r.headers).sort()).toEqual(["cache-control", "connection", "content-length", "content-type", "date", "keep-alive"]);
      }
      // A Host that is not this server's (a DNS-rebinding page): refused even with the token.
      const rebound = await rawRequest(d.port, `/?token=${d.token}`, { host: `attacker.example:${d.port}` });
      expect([rebound.status, rebound.body]).toEqual([403, "Forbidden\n"]);
      expect((await rawRequest(d.port, "/api/workflows", { cookie, host: `localhost:${d.port}` })).status).toBe(200);
      // Read-only: no other method.
      expect((await rawRequest(d.port, "/api/workflows", { cookie }, "POST")).status).toBe(405);
      expect((await rawRequest(d.port, "/api/workflows/nope", { cookie })).status).toBe(404);
      expect((await rawRequest(d.port, "/api/workflows/dash/evaluations?sort=1;drop", { cookie })).status).toBe(400);

      // The URL file: private, and what --url prints.
      const url = spruce([...W, "dashboard", "--url"], { env });
      expect(url.code, url.stderr).toBe(0);
      expect(url.stdout).toBe(d.url + "\n");
      const json = JSON.parse(spruce([...W, "dashboard", "--url", "--json"], { env }).stdout);
      expect(json).toMatchObject({ url: d.url, port: d.port, host: "127.0.0.1", pid: d.child.pid });
      expect(statSync(json.file).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(json.file)).mode & 0o777).toBe(0o700);
      // One dashboard per database and machine.
      expectOneError(spruce([...W, "dashboard"], { env }), /a dashboard of this database already runs on this machine/, { hint: /--url/ });

      expect(await d.stop("SIGTERM")).toBe(0);
      expect(() => statSync(json.file)).toThrow();
      expectOneError(spruce([...W, "dashboard", "--url"], { env }), /no dashboard is running for this database/, { hint: /spruce dashboard/ });
      failed = false;
    } finally {
      await d.stop("SIGKILL");
    }
  }, 60_000);

  it("starts in the background with --detach, reuses it, and carries a connection over --stdio", async () => {
    failed = true;
    const first = spruce([...W, "dashboard", "--detach"], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(URL_LINE.source.slice(0, -1) + "\\n$"));
    const url = first.stdout.trim();
    const [, port, token] = URL_LINE.exec(url)!;
    const pid = JSON.parse(spruce([...W, "dashboard", "--url", "--json"], { env }).stdout).pid as number;
    try {
      expect(first.stderr).toMatch(new RegExp(`started in the background \\(pid ${pid}\\)`));
      const again = spruce([...W, "dashboard", "--detach"], { env });
      expect([again.code, again.stdout.trim()]).toEqual([0, url]);
      expect(again.stderr).toMatch(/already runs here/);
      expect((await rawRequest(Number(port), "/api/workflows", { "x-spruce-token": token! })).status).toBe(200);

      // --stdio: one HTTP exchange through stdin and stdout; the dashboard's checks still apply.
      const exchange = (headers: string) =>
        new Promise<string>((resolve) => {
          const child = spawn(process.execPath, [CLI, ...W, "dashboard", "--stdio"], { env: { ...process.env, ...env } });
          let out = "";
          child.stdout.on("data", (d: Buffer) => (out += d.toString()));
          child.on("close", () => resolve(out));
          child.stdin.end(`GET /api/workflows HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}Connection: close\r\n\r\n`);
        });
      const ok = await exchange(`X-Spruce-Token: ${token}\r\n`);
      expect(ok).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(ok).toContain('"name":"dash"');
      expect(await exchange("")).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n[\s\S]*\r\n\r\nUnauthorized\n$/);
      failed = false;
    } finally {
      process.kill(pid, "SIGTERM");
    }
  }, 60_000);

  it("refuses a bad port or host with one line, and never creates a database", () => {
    expectOneError(spruce([...W, "dashboard", "--port", "70000"], { env }), /--port must be a whole number from 0 to 65535/);
    expectOneError(spruce([...W, "dashboard", "--host", "not an address"], { env }), /--host must be an address/);
    expectOneError(spruce([...W, "dashboard", "--host", "203.0.113.9"], { env }), /--host 203\.0\.113\.9: not an address of this machine/);
    const empty = join(root, "empty");
    expectOneError(spruce(["--workspace", empty, "dashboard"], { env }), /no workflow database/);
    expect(() => statSync(join(empty, "spruce.db"))).toThrow();
  });
});
