// The user's remote sites (`spruce site add/ls/rm`): $XDG_CONFIG_HOME/spruce/sites.json, default
// ~/.config/spruce. The file names hosts, users and key paths, so it is kept private (mode 0600,
// directory 0700) and replaced atomically: a crash mid-write never leaves half a file.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { NotFoundError, ValidationError } from "../errors.js";
import { configDir } from "../util/paths.js";
import { shellQuote } from "../util/shell.js";

/** Re-exported: the sites file lives there. */
export { configDir };

export interface Site {
  name: string;
  host: string;
  port: number;
  user: string;
  /** Private key file; without it, ssh-agent (SSH_AUTH_SOCK) or ~/.ssh/id_* are tried. */
  key?: string;
  /** Workspace on the far side; relative paths and `~/` are taken from the remote home. */
  workspace: string;
  /** Shell command that runs spruce on the far side, e.g. "node /opt/spruce/dist/src/cli/main.js". */
  spruce: string;
  /** known_hosts file checked (and appended to by --accept-new-host-key); default ~/.ssh/known_hosts. */
  knownHosts?: string;
}

interface SitesFile {
  version: 1;
  sites: Record<string, Omit<Site, "name">>;
}

export const DEFAULT_REMOTE_SPRUCE = "spruce";

export function sitesFile(): string {
  return join(configDir(), "sites.json");
}

export function defaultKnownHostsFile(): string {
  return join(homedir(), ".ssh", "known_hosts");
}

export function validateSiteName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) {
    throw new ValidationError(`site name '${name}' is not valid`, "use letters, digits, '_', '.' and '-' (starting with a letter or digit)");
  }
}

export function loadSites(): Site[] {
  const file = sitesFile();
  if (!existsSync(file)) return [];
  let parsed: SitesFile;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8")) as SitesFile;
  } catch (e) {
    throw new ValidationError(`${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, "fix the file by hand or remove it and add the sites again");
  }
  if (parsed?.version !== 1 || typeof parsed.sites !== "object" || parsed.sites === null) {
    throw new ValidationError(`${file} is not a spruce sites file (version 1)`, "remove it and add the sites again with 'spruce site add'");
  }
  return Object.entries(parsed.sites)
    .map(([name, s]) => ({ ...s, name }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function saveSites(sites: Site[]): void {
  const dir = configDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const body: SitesFile = { version: 1, sites: {} };
  for (const { name, ...rest } of sites) body.sites[name] = rest;
  const file = sitesFile();
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(body, null, 2) + "\n", { mode: 0o600 });
  // writeFileSync's mode is filtered by the umask and ignored for an existing file: set it outright.
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function getSite(name: string): Site {
  const site = loadSites().find((s) => s.name === name);
  if (!site) {
    throw new NotFoundError(
      `no site named '${name}' (in ${sitesFile()})`,
      `add it with 'spruce site add ${name} --host HOST --user USER --remote-workspace REMOTE_DIR', or list the sites with 'spruce site ls'`,
    );
  }
  return site;
}

/**
 * The `spruce site add` line that recreates a site with some settings changed, for hints: --force
 * replaces the whole entry, so a hint that left out --port or --key would lose them.
 */
export function siteAddLine(site: Site, change: Partial<Pick<Site, "host" | "user" | "key" | "spruce">> & { port?: number | string }): string {
  const s = { ...site, ...change };
  const parts = [s.name, "--host", s.host, "--port", String(s.port), "--user", s.user];
  if (s.key !== undefined) parts.push("--key", s.key);
  parts.push("--remote-workspace", s.workspace);
  if (s.spruce !== DEFAULT_REMOTE_SPRUCE || change.spruce !== undefined) parts.push("--spruce", s.spruce);
  if (s.knownHosts !== undefined) parts.push("--known-hosts", s.knownHosts);
  return `spruce site add ${parts.map((p) => shellQuote(p)).join(" ")} --force`;
}
