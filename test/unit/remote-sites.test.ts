// The sites file (src/remote/sites.ts): XDG location, private file mode, atomic replacement,
// lookups, and the `site add` lines that hints print.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { NotFoundError, ValidationError } from "../../src/errors.js";
import { configDir, getSite, loadSites, saveSites, siteAddLine, sitesFile, validateSiteName, type Site } from "../../src/remote/sites.js";

const root = mkdtempSync(join(tmpdir(), "spruce-sites-"));
const saved = process.env.XDG_CONFIG_HOME;
let n = 0;
beforeEach(() => {
  process.env.XDG_CONFIG_HOME = join(root, `cfg${n++}`);
});
afterAll(() => {
  if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = saved;
  rmSync(root, { recursive: true, force: true });
});

const site: Site = { name: "polaris", host: "polaris.example.org", port: 22, user: "me", workspace: "~/spruce", spruce: "spruce" };

describe("sites file", () => {
  it("lives in $XDG_CONFIG_HOME/spruce, and a relative XDG_CONFIG_HOME is ignored", () => {
    expect(sitesFile()).toBe(join(process.env.XDG_CONFIG_HOME!, "spruce", "sites.json"));
    process.env.XDG_CONFIG_HOME = "relative/dir";
    expect(configDir()).toMatch(/\/\.config\/spruce$/);
  });

  it("is written 0600 in a 0700 directory, also when it existed with a looser mode", () => {
    saveSites([site]);
    expect(statSync(sitesFile()).mode & 0o777).toBe(0o600);
    expect(statSync(configDir()).mode & 0o777).toBe(0o700);
    chmodSync(sitesFile(), 0o644);
    saveSites([site, { ...site, name: "aurora", port: 2222 }]);
    expect(statSync(sitesFile()).mode & 0o777).toBe(0o600);
    expect(loadSites().map((s) => s.name)).toEqual(["aurora", "polaris"]);
    expect(JSON.parse(readFileSync(sitesFile(), "utf8"))).toMatchObject({ version: 1, sites: { polaris: { host: "polaris.example.org" } } });
  });

  it("starts empty, and getSite names the fix for a missing site", () => {
    expect(loadSites()).toEqual([]);
    expect(() => getSite("nope")).toThrow(NotFoundError);
    expect(() => getSite("nope")).toThrow(/no site named 'nope'/);
  });

  it("refuses a damaged file with a hint instead of overwriting it", () => {
    mkdirSync(configDir(), { recursive: true });
    writeFileSync(sitesFile(), "{ not json");
    expect(() => loadSites()).toThrow(ValidationError);
    writeFileSync(sitesFile(), JSON.stringify({ sites: [] }));
    expect(() => loadSites()).toThrow(/not a spruce sites file/);
  });

  it("validates site names", () => {
    validateSiteName("polaris-2.debug_q");
    for (const bad of ["", "-x", "a b", "a/b", "x".repeat(65)]) expect(() => validateSiteName(bad)).toThrow(ValidationError);
  });

  it("prints a site add line that keeps every setting and quotes for the shell", () => {
    const s: Site = { ...site, port: 2222, key: "/home/me/.ssh/id ed", knownHosts: "/tmp/kh" };
    expect(siteAddLine(s, { spruce: "<command>" })).toBe(
      "spruce site add polaris --host polaris.example.org --port 2222 --user me --key '/home/me/.ssh/id ed' --remote-workspace '~/spruce' --spruce '<command>' --known-hosts /tmp/kh --force",
    );
    expect(siteAddLine(site, {})).not.toContain("--spruce");
  });
});
