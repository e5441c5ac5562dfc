// `--site` end to end through the built CLI against the test bed's real OpenSSH server:
// site add/ls/rm, a remote submit with the local scheduler on the far side, status, topk, ls and
// fetch (of a fixture with sibling files and --upload data, and of examples/polynome2 as a user has
// it, importing spruce-hps from an upload directory); and the clear errors: unknown, changed and accepted host keys, a wrong user key, spruce
// missing on the far side, a refused connection and a handshake timeout.
// The far side runs this checkout's CLI as the test user; its workspace is HOME-relative.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createServer, Socket, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCsvRecords } from "../../src/results/csv.js";
import { CLI, fixture, ROOT, spruce, spruceAsync, tempWorkspace, type CliResult } from "../helpers/cli.js";

const HOST = process.env.TESTBED_SSH_HOST ?? "127.0.0.1";
const PORT = Number(process.env.TESTBED_SSH_PORT ?? 2222);
const USER = process.env.TESTBED_SSH_USER ?? "hpctest";
const KEY = process.env.TESTBED_SSH_KEY ?? "/tmp/spruce-testbed/ssh/id_ed25519";

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

const tmp = tempWorkspace("spruce-remote-");
// The far side's workspace, relative to the test user's home (the site resolves it there).
const remoteWs = `spruce-e2e-${process.pid}-${Date.now()}`;
const knownHosts = join(tmp.dir, "known_hosts");
// No agent: the tests decide exactly which key is offered.
const env = { XDG_CONFIG_HOME: join(tmp.dir, "config"), SSH_AUTH_SOCK: "" };
let allPassed = true;
afterAll(() => {
  if (!allPassed) return;
  if (sshdUp) ssh(`rm -rf ${remoteWs}`);
  tmp.cleanup();
});

function run(args: string[]): CliResult {
  return spruce(args, { env, cwd: tmp.dir, timeoutMs: 180_000 });
}
function ok(r: CliResult): CliResult {
  if (r.code !== 0) allPassed = false;
  expect(r.code, r.stderr).toBe(0);
  return r;
}
function fails(r: CliResult, pattern: RegExp): CliResult {
  if (r.code !== 1 || !pattern.test(r.stderr)) allPassed = false;
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).toMatch(/^hint: /m);
  expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  return r;
}
function addSite(name: string, change: { key?: string; spruce?: string; knownHosts?: string } = {}): void {
  const { key = KEY, spruce: command = `node ${CLI}`, knownHosts: kh = knownHosts } = change;
  ok(run(["site", "add", name, "--host", HOST, "--port", String(PORT), "--user", USER, "--key", key, "--remote-workspace", remoteWs, "--spruce", command, "--known-hosts", kh]));
}
/** The test's own view of the far side, through OpenSSH's client. */
function ssh(command: string): string {
  return execFileSync("ssh", ["-i", KEY, "-p", String(PORT), "-o", "BatchMode=yes", "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "StrictHostKeyChecking=yes", `${USER}@${HOST}`, command], { encoding: "utf8" });
}

describe("spruce site add/ls/rm", () => {
  it("keeps the sites in $XDG_CONFIG_HOME/spruce/sites.json, mode 0600", () => {
    ok(run(["site", "add", "cfgtest", "--host", "login.example.org", "--user", "me", "--remote-workspace", "~/spruce", "--key", KEY]));
    const file = join(env.XDG_CONFIG_HOME, "spruce", "sites.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const listed = JSON.parse(ok(run(["site", "ls", "--json"])).stdout);
    expect(listed).toEqual([{ name: "cfgtest", host: "login.example.org", port: 22, user: "me", key: KEY, workspace: "~/spruce", spruce: "spruce" }]);
    expect(ok(run(["site", "ls"])).stdout).toMatch(/^cfgtest\s+me@login\.example\.org:22\s+~\/spruce/m);
    const again = run(["site", "add", "cfgtest", "--host", "h", "--user", "u", "--remote-workspace", "w"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists[\s\S]*--force/);
    ok(run(["site", "rm", "cfgtest"]));
    expect(JSON.parse(ok(run(["site", "ls", "--json"])).stdout)).toEqual([]);
    expect(run(["--site", "cfgtest", "ls"]).stderr).toMatch(/no site named 'cfgtest'/);
  });

  it("refuses --site with a local-only command and fetch without --site", () => {
    expect(run(["--site", "x", "rm", "demo"])).toMatchObject({ code: 2, stderr: expect.stringMatching(/'rm' runs only on this machine/) });
    expect(run(["fetch", "demo"])).toMatchObject({ code: 2, stderr: expect.stringMatching(/give --site NAME/) });
  });
});

describe("connection errors without sshd", () => {
  it("says the connection was refused", async () => {
    const free = await new Promise<number>((done) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => done(port));
      });
    });
    ok(run(["site", "add", "refused", "--host", "127.0.0.1", "--port", String(free), "--user", USER, "--key", KEY, "--remote-workspace", "w", "--known-hosts", knownHosts]));
    fails(run(["--site", "refused", "status"]), new RegExp(`connection refused by 127\\.0\\.0\\.1:${free}`));
  });

  it("gives up after --connect-timeout on a server that never answers", async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((done) => silent.listen(0, "127.0.0.1", done));
    const port = (silent.address() as { port: number }).port;
    try {
      ok(run(["site", "add", "silent", "--host", "127.0.0.1", "--port", String(port), "--user", USER, "--key", KEY, "--remote-workspace", "w", "--known-hosts", knownHosts]));
      const t = Date.now();
      const r = await spruceAsync(["--site", "silent", "--connect-timeout", "1", "ls"], { env, cwd: tmp.dir });
      fails(r, /timed out after 1 s connecting to 127\.0\.0\.1/);
      expect(r.stderr).toMatch(/--connect-timeout/);
      expect(Date.now() - t).toBeLessThan(15_000);
    } finally {
      silent.close();
    }
  });
});

const needsSshd = `against the test bed sshd on ${HOST}:${PORT}`;
if (!sshdUp && process.env.CI === "true") {
  describe(needsSshd, () => {
    it("has sshd up (CI requires it)", () => {
      expect.fail(`no sshd on ${HOST}:${PORT} or no key ${KEY}: run 'bash scripts/testbed.sh up'`);
    });
  });
}

describe.skipIf(!sshdUp)(sshdUp ? needsSshd : `${needsSshd}: skipped, sshd is down (start it with 'bash scripts/testbed.sh up')`, () => {
  it("refuses an unknown host key with the way to accept it, then records it with --accept-new-host-key", () => {
    addSite("bed");
    const r = fails(run(["--site", "bed", "ls"]), /the host key of \[127\.0\.0\.1\]:\d+ is not known \(ssh-ed25519 SHA256:/);
    expect(r.stderr).toMatch(/--accept-new-host-key/);
    expect(existsSync(knownHosts)).toBe(false);

    const accepted = ok(run(["--site", "bed", "--accept-new-host-key", "ls", "--json"]));
    expect(accepted.stderr).toMatch(/Recorded the host key of \[127\.0\.0\.1\]:\d+/);
    expect(JSON.parse(accepted.stdout)).toEqual([]);
    // OpenSSH agrees with what was recorded: its own client now connects with strict checking.
    expect(ssh("echo ok").trim()).toBe("ok");
    const line = readFileSync(knownHosts, "utf8");
    expect(line).toMatch(new RegExp(`^\\[${HOST.replace(/\./g, "\\.")}\\]:${PORT} ssh-ed25519 `));
    ok(run(["--site", "bed", "ls"]));
    expect(readFileSync(knownHosts, "utf8")).toBe(line);
  });

  it("submits on the site with the local scheduler, then status, topk, ls and fetch", () => {
    const dir = fixture("remote/search");
    const r = ok(
      run(["--site", "bed", "submit", "hps", "far", "-p", join(dir, "problem.ts"), "-r", join(dir, "run.ts"), "--upload", fixture("remote/data"), "--scheduler", "local", "--searcher", "random", "--max-evals", "6", "--evals-per-node", "2", "--seed", "3", "--wait"]),
    );
    expect(r.stderr).toMatch(/Uploading 5 file\(s\), .* to bed:\/home\/[^/]+\/spruce-e2e-[^/]+\/uploads\/far\//);
    expect(r.stderr).toMatch(/Submit OK: local job/);
    expect(r.stderr).toMatch(/Search far finished: 6 evaluation/);
    // The far side got the modules with their relative import and the --upload contents.
    const uploads = ssh(`ls ${remoteWs}/uploads/far/*/`).split("\n").filter(Boolean).sort();
    expect(uploads).toEqual(["notes.txt", "package.json", "problem.ts", "run.ts", "space.ts"]);

    const status = JSON.parse(ok(run(["--site", "bed", "status", "far", "--json"])).stdout);
    expect(status).toMatchObject({ workflow: "far", state: "FINISHED", max_evals: 6 });
    expect(status.counts.DONE).toBe(6);
    const top = JSON.parse(ok(run(["--site", "bed", "topk", "far", "-k", "3", "--json"])).stdout);
    expect(Object.keys(top)).toEqual(["0", "1", "2"]);
    expect(top["0"].objective).toBe(status.best.objective);
    expect(JSON.parse(ok(run(["--site", "bed", "ls", "--json"])).stdout)).toEqual([expect.objectContaining({ workflow: "far", finished: 6 })]);

    const out = join(tmp.dir, "fetched");
    const got = JSON.parse(ok(run(["--site", "bed", "fetch", "far", "-o", out, "--json"])).stdout);
    expect(got).toMatchObject({ workflow: "far", site: "bed", local: out });
    const csv = readCsvRecords(join(out, "results.csv"));
    expect(csv).toHaveLength(6);
    expect(Math.max(...csv.map((c) => Number(c.objective)))).toBe(status.best.objective);
    expect(readdirSync(join(out, "evals")).sort()).toEqual(csv.map((c) => String(c.eval_id)).sort());
    expect(existsSync(join(out, "evals", String(csv[0]!.eval_id), "stdout.txt"))).toBe(true);
    expect(got.files).toBeGreaterThan(6 * 3);

    // A failed submission (name taken: exit 2) removes its fresh upload directory again.
    const dup = run(["--site", "bed", "submit", "hps", "far", "-p", join(dir, "problem.ts"), "-r", join(dir, "run.ts"), "--scheduler", "local"]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/workflow 'far' already exists/);
    expect(ssh(`ls ${remoteWs}/uploads/far`).split("\n").filter(Boolean)).toHaveLength(1);
    expect(run(["--site", "bed", "fetch", "nothing-here"])).toMatchObject({ code: 2, stderr: expect.stringMatching(/no results directory for workflow 'nothing-here'/) });
  });

  it("submits examples/polynome2 as it is (its problem imports spruce-hps) and fetches its 8 results", () => {
    const dir = join(ROOT, "examples/polynome2");
    const r = ok(
      run(["--site", "bed", "submit", "hps", "poly", "-p", join(dir, "problem.ts"), "-r", join(dir, "run.ts"), "--scheduler", "local", "--searcher", "random", "--max-evals", "8", "--evals-per-node", "2", "--seed", "5", "--wait"]),
    );
    expect(r.stderr).toMatch(/Uploading 3 file\(s\), .* to bed:\/home\/[^/]+\/spruce-e2e-[^/]+\/uploads\/poly\//);
    expect(r.stderr).toMatch(/Validating Problem\.\.\.OK/);
    expect(r.stderr).toMatch(/Search poly finished: 8 evaluation/);
    // The upload directory has no node_modules above it: spruce-hps came from the Spruce that ran there.
    expect(ssh(`ls ${remoteWs}/uploads/poly/*/`).split("\n").filter(Boolean).sort()).toEqual(["mlp.ts", "problem.ts", "run.ts"]);

    const out = join(tmp.dir, "fetched-poly");
    const got = JSON.parse(ok(run(["--site", "bed", "fetch", "poly", "-o", out, "--json"])).stdout);
    expect(got).toMatchObject({ workflow: "poly", site: "bed", local: out });
    const csv = readCsvRecords(join(out, "results.csv"));
    expect(csv).toHaveLength(8);
    // The starting point comes first and trains without diverging (others may diverge: FAILED rows, by design).
    const first = csv.reduce((a, b) => (Number(a.eval_id) < Number(b.eval_id) ? a : b));
    expect(first).toMatchObject({ "p:units": "10", "p:lr": "0.01", status: "DONE" });
    expect(readdirSync(join(out, "evals")).sort()).toEqual(csv.map((c) => String(c.eval_id)).sort());
  });

  it("Python: a dotted path's top-level package is uploaded whole and resolves on the site", () => {
    // A package in the folder the command runs from (its parent resolves dotted paths here).
    const pkg = join(tmp.dir, "site_pkg");
    mkdirSync(join(pkg, "__pycache__"), { recursive: true });
    writeFileSync(join(pkg, "__init__.py"), "");
    writeFileSync(join(pkg, "__pycache__", "stale.cpython-311.pyc"), "");
    writeFileSync(join(pkg, "space.py"), "HIGH = 5\n");
    writeFileSync(join(pkg, "problem.py"), "from spruce_hps import HpProblem\nfrom .space import HIGH\nProblem = HpProblem()\nProblem.add_dim('x', (1, HIGH))\n");
    writeFileSync(join(pkg, "model_run.py"), "def run(point):\n    return point['x'] * 2\n");
    const r = ok(run(["--site", "bed", "submit", "hps", "farpy", "-p", "site_pkg.problem.Problem", "-r", "site_pkg.model_run.run", "--python", "/usr/bin/python3",
      "--scheduler", "local", "--searcher", "random", "--max-evals", "3", "--wait"]));
    expect(r.stderr).toMatch(/Uploading 4 file\(s\), .* to bed:\/home\/[^/]+\/spruce-e2e-[^/]+\/uploads\/farpy\//);
    expect(r.stderr).toMatch(/Search farpy finished: 3 evaluation/);
    // (The site's Python writes its own __pycache__ there as it imports them; ours was left out, as counted above.)
    expect(ssh(`ls ${remoteWs}/uploads/farpy/*/site_pkg/`).split("\n").filter((f) => f && f !== "__pycache__").sort()).toEqual(["__init__.py", "model_run.py", "problem.py", "space.py"]);
    const status = JSON.parse(ok(run(["--site", "bed", "status", "farpy", "--json"])).stdout);
    expect(status.counts.DONE).toBe(3);
    expect(status.best.objective).toBe(status.best.point.x * 2);
  });

  it("refuses a changed host key loudly, even with --accept-new-host-key", () => {
    const other = join(tmp.dir, "other_host_key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]);
    const wrong = join(tmp.dir, "known_hosts_wrong");
    const content = `[${HOST}]:${PORT} ${readFileSync(other + ".pub", "utf8").split(" ").slice(0, 2).join(" ")}\n`;
    writeFileSync(wrong, content);
    addSite("mitm", { knownHosts: wrong });
    const r = fails(run(["--site", "mitm", "--accept-new-host-key", "ls"]), /REMOTE HOST IDENTIFICATION HAS CHANGED[\s\S]*man-in-the-middle[\s\S]*No connection was made/);
    expect(r.stderr).toMatch(/ssh-keygen -R/);
    expect(r.stdout).toBe("");
    expect(readFileSync(wrong, "utf8")).toBe(content);
  });

  it("names the user and key when the key is not accepted", () => {
    const stranger = join(tmp.dir, "stranger_key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger]);
    addSite("stranger", { key: stranger });
    fails(run(["--site", "stranger", "ls"]), new RegExp(`authentication failed for user '${USER}' on ${HOST.replace(/\./g, "\\.")}:${PORT} \\(tried key ${stranger}\\)`));
  });

  it("says spruce is missing on the far side and how to set the command", () => {
    addSite("nospruce", { spruce: "spruce-not-installed-here" });
    const r = fails(run(["--site", "nospruce", "status"]), /spruce not found on 127\.0\.0\.1/);
    expect(r.stderr).toMatch(/hint: set the command that runs spruce there: spruce site add nospruce .*--spruce '<command>' .*--force/);
  });
});

