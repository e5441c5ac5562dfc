// `spruce --site NAME dashboard` against the test bed's real OpenSSH server: a search submitted on
// the site, its dashboard started there in the background, and shown here behind a local token,
// through SSH port forwarding; then, with a key the server marks `no-port-forwarding`, through exec
// channels running `spruce dashboard --stdio`, which it says it uses. The page in headless Chromium
// shows the remote workflow (screenshot in test-artifacts/).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { Socket } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, ROOT, spruce, tempWorkspace, type CliResult } from "../helpers/cli.js";
import { rawRequest, startDashboardCli, type CliDashboard } from "../helpers/dashboard.js";
import { launchChromium, watchedPage, CHROMIUM } from "../helpers/browser.js";

const HOST = process.env.TESTBED_SSH_HOST ?? "127.0.0.1";
const PORT = Number(process.env.TESTBED_SSH_PORT ?? 2222);
const USER = process.env.TESTBED_SSH_USER ?? "hpctest";
const KEY = process.env.TESTBED_SSH_KEY ?? "/tmp/spruce-testbed/ssh/id_ed25519";
const CI = process.env.CI === "true";

function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = new Socket();
    s.setTimeout(1000);
    s.once("connect", () => (s.destroy(), done(true)));
    s.once("error", () => done(false));
    s.once("timeout", () => (s.destroy(), done(false)));
    s.connect(port, HOST);
  });
}
const sshdUp = existsSync(KEY) && (await portOpen(PORT));
const missing = !sshdUp || !existsSync(CHROMIUM);
const title = missing && !CI ? "dashboard through a site (skipped: no test bed sshd or chromium; scripts/testbed.sh up)" : "dashboard through a site";

const tmp = tempWorkspace("spruce-dash-site-");
const remoteWs = `spruce-dash-e2e-${process.pid}-${Date.now()}`;
const knownHosts = join(tmp.dir, "known_hosts");
const env = { XDG_CONFIG_HOME: join(tmp.dir, "config"), SSH_AUTH_SOCK: "" };
const noForwardKey = join(tmp.dir, "id_noforward");
let passed = false;
let remotePid: number | null = null;

function ssh(command: string): string {
  return execFileSync("ssh", ["-i", KEY, "-p", String(PORT), "-o", "BatchMode=yes", "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "StrictHostKeyChecking=yes", `${USER}@${HOST}`, command], { encoding: "utf8" });
}
function run(args: string[]): CliResult {
  return spruce(args, { env, cwd: tmp.dir, timeoutMs: 180_000 });
}
function ok(r: CliResult): CliResult {
  expect(r.code, r.stderr).toBe(0);
  return r;
}

afterAll(() => {
  if (!sshdUp) return;
  try {
    if (remotePid !== null) ssh(`kill ${remotePid} 2>/dev/null; true`);
    // The key this test allowed, without forwarding, is taken out again.
    if (existsSync(`${noForwardKey}.pub`)) ssh(`sed -i '/spruce-dash-noforward-${process.pid}/d' ~/.ssh/authorized_keys`);
    // The far dashboard's log, named after its workspace (src/dashboard/record.ts).
    const home = ssh("echo $HOME").trim();
    const key = createHash("sha256").update(`sqlite:${home}/${remoteWs}`).digest("hex").slice(0, 16);
    if (passed) ssh(`rm -rf ${remoteWs} ~/.config/spruce/dashboards/${key}-*.log`);
  } finally {
    if (passed) tmp.cleanup();
  }
});

describe.skipIf(missing && !CI)(title, () => {
  it("shows the site's workflow here, through port forwarding, then through exec channels where forwarding is refused", async () => {
    expect(sshdUp, `the test bed's sshd is not up on ${HOST}:${PORT}: scripts/testbed.sh up`).toBe(true);
    ok(run(["site", "add", "bed", "--host", HOST, "--port", String(PORT), "--user", USER, "--key", KEY, "--remote-workspace", remoteWs, "--spruce", `node ${CLI}`, "--known-hosts", knownHosts]));
    const sub = ok(run(["--site", "bed", "--accept-new-host-key", "submit", "hps", "faraway", "--hp", "x=0.0:1.0", "--command", "echo objective: {{x}}",
      "--scheduler", "local", "--searcher", "random", "--max-evals", "6", "--evals-per-node", "2", "--seed", "3", "--wait"]));
    expect(sub.stderr).toMatch(/Search faraway finished: 6 evaluation/);

    // Port forwarding: the test bed's sshd allows it.
    let d: CliDashboard = await startDashboardCli(["--site", "bed", "dashboard"], env);
    let workflows: { name: string; counts: Record<string, number> }[];
    try {
      expect(d.stderr()).toMatch(/through SSH port forwarding/);
      expect(d.stderr()).toMatch(/Finding or starting the dashboard on bed\.\.\.OK/);
      remotePid = Number(/\(pid (\d+) on /.exec(d.stderr())![1]);
      // The site's dashboard runs there as the test user, for the site's workspace.
      expect(ssh(`cat /proc/${remotePid}/cmdline | tr '\\0' ' '`)).toMatch(new RegExp(`--workspace \\S*${remoteWs} dashboard --json`));
      workflows = JSON.parse((await rawRequest(d.port, "/api/workflows", { "x-spruce-token": d.token })).body).workflows;
      expect(workflows).toMatchObject([{ name: "faraway", state: "FINISHED", counts: { DONE: 6 } }]);
      // This side's token, not the site's: without it, or with the site's, 401.
      expect((await rawRequest(d.port, "/api/workflows")).status).toBe(401);
      const remoteToken = ssh(`cat ~/.config/spruce/dashboards/*.json`).match(/"token": "([0-9a-f]{64})"/)![1]!;
      expect(remoteToken).not.toBe(d.token);
      expect((await rawRequest(d.port, "/api/workflows", { "x-spruce-token": remoteToken })).status).toBe(401);
      expect((await rawRequest(d.port, `/?token=${d.token}`, { host: `evil.example:${d.port}` })).status).toBe(403);

      // The page, in a browser on this machine.
      const browser = await launchChromium();
      try {
        const { page, problems } = await watchedPage(browser, `http://127.0.0.1:${d.port}/`, { width: 1400, height: 700 });
        await page.goto(d.url);
        await page.locator('#wf-table tr[data-workflow="faraway"]').waitFor();
        expect(await page.locator('#wf-table tr[data-workflow="faraway"] .c-finished').getAttribute("data-value")).toBe("6");
        await page.locator('#wf-table tr[data-workflow="faraway"] a').click();
        await page.locator("#chart-evals").waitFor();
        expect(await page.locator("#chart-evals .pt").count()).toBe(6);
        await page.locator("#eval-table tbody tr").first().click();
        await expect.poll(() => page.locator("#tail").textContent()).toMatch(/^objective: [0-9.]+\n$/);
        mkdirSync(join(ROOT, "test-artifacts"), { recursive: true });
        await page.screenshot({ path: join(ROOT, "test-artifacts/dashboard-site.png"), fullPage: true });
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
      }
    } finally {
      expect(await d.stop("SIGINT")).toBe(0);
    }

    // A key the server marks no-port-forwarding: exec channels instead, and the same dashboard there.
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `spruce-dash-noforward-${process.pid}`, "-f", noForwardKey]);
    ssh(`echo 'no-port-forwarding ${readFileSync(`${noForwardKey}.pub`, "utf8").trim()}' >> ~/.ssh/authorized_keys`);
    ok(run(["site", "add", "bed-noforward", "--host", HOST, "--port", String(PORT), "--user", USER, "--key", noForwardKey, "--remote-workspace", remoteWs, "--spruce", `node ${CLI}`, "--known-hosts", knownHosts]));
    d = await startDashboardCli(["--site", "bed-noforward", "dashboard"], env);
    try {
      expect(d.stderr()).toMatch(/through SSH exec channels running 'spruce dashboard --stdio' on bed-noforward: its sshd refuses port forwarding \(.+\)/);
      expect(Number(/\(pid (\d+) on /.exec(d.stderr())![1])).toBe(remotePid);
      // Several requests: the channels are kept between them, and each carries the exchange whole.
      for (let i = 0; i < 3; i++) {
        const r = await rawRequest(d.port, "/api/workflows/faraway/evaluations?sort=objective&dir=desc", { "x-spruce-token": d.token });
        expect(r.status).toBe(200);
        const page = JSON.parse(r.body) as { total: number; rows: { objective: number }[] };
        expect(page.total).toBe(6);
        expect(page.rows.map((e) => e.objective)).toEqual([...page.rows.map((e) => e.objective)].sort((a, b) => b - a));
      }
      const html = await rawRequest(d.port, `/?token=${d.token}`, { "accept-encoding": "identity" });
      expect(html.status).toBe(200);
      expect(html.body).toContain("<title>Spruce dashboard</title>");
      expect(html.headers["set-cookie"]).toEqual([`spruce_dashboard_${d.port}=${d.token}; Path=/; HttpOnly; SameSite=Strict`]);
      expect((await rawRequest(d.port, "/api/workflows")).status).toBe(401);
    } finally {
      expect(await d.stop("SIGTERM")).toBe(0);
    }
    // The site's dashboard keeps running after this side stops.
    expect(ssh(`kill -0 ${remotePid} && echo alive`).trim()).toBe("alive");
    passed = true;
  }, 240_000);
});
