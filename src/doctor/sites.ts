// Doctor check of the remote sites (`spruce site add`): is each host's key recorded in its
// known_hosts file, and does its private key file exist. Nothing connects: a doctor run is quick
// and offline, and a changed key is refused at every `--site` use anyway.
import { existsSync } from "node:fs";
import { isSpruceError } from "../errors.js";
import { hostKeyName, hostMatches, readKnownHosts } from "../remote/known-hosts.js";
import { defaultKnownHostsFile, loadSites, sitesFile, type Site } from "../remote/sites.js";
import { fail, ok, warn, type CheckResult } from "./check.js";

export function checkSite(site: Site): CheckResult {
  const check = `site ${site.name}`;
  const target = `${site.user}@${site.host}:${site.port}`;
  if (site.key !== undefined && !existsSync(site.key)) {
    return fail(check, `${target}: the private key ${site.key} does not exist`, `give an existing key: 'spruce site add ${site.name} ... --key FILE --force'`);
  }
  const file = site.knownHosts ?? defaultKnownHostsFile();
  const name = hostKeyName(site.host, site.port);
  let types: string[];
  try {
    types = [...new Set(readKnownHosts(file).entries.filter((e) => e.marker === null && hostMatches(e.hosts, name)).map((e) => e.keyType))];
  } catch (e) {
    return warn(check, `${target}: cannot read ${file}: ${(e as Error).message}`, "check the file's permissions");
  }
  if (types.length === 0) {
    return warn(
      check,
      `${target}: no host key for ${name} in ${file}, so the first connection is refused`,
      `check the server's fingerprint with the site's admins, then run 'spruce --site ${site.name} ls --accept-new-host-key' once`,
    );
  }
  return ok(check, `${target}: host key known in ${file} (${types.join(", ")})`);
}

export function checkSites(): CheckResult[] {
  let sites: Site[];
  try {
    sites = loadSites();
  } catch (e) {
    return [fail("sites", (e as Error).message, isSpruceError(e) && e.hint ? e.hint : `fix or remove ${sitesFile()}`)];
  }
  if (sites.length === 0) return [ok("sites", `no remote sites in ${sitesFile()} (add one with 'spruce site add')`)];
  return sites.map(checkSite);
}
