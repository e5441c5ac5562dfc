// `spruce site add|ls|rm`: the remote login nodes that `--site NAME` runs commands on
// (docs/architecture.md, Remote sites).
// Only the configuration file is touched; nothing here connects to a host.
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { ValidationError } from "../errors.js";
import { DEFAULT_REMOTE_SPRUCE, getSite, loadSites, saveSites, sitesFile, validateSiteName, type Site } from "../remote/sites.js";
import type { GlobalArgs } from "./context.js";
import { formatTable, info, printJson } from "./output.js";

// The site's workspace is --remote-workspace: the global --workspace names this machine's.
interface SiteAddArgs extends GlobalArgs, Omit<Site, "workspace"> {
  remoteWorkspace?: string;
  force?: boolean;
}

const addCommand: CommandModule<GlobalArgs, SiteAddArgs> = {
  command: "add <name>",
  describe: "add (or with --force replace) a site",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional("name", { type: "string", demandOption: true, describe: "the name given to --site" })
      .option("host", { type: "string", demandOption: true, describe: "login node host name or address" })
      .option("port", { type: "number", default: 22, describe: "SSH port" })
      .option("user", { type: "string", demandOption: true, describe: "user name on the site" })
      .option("key", { type: "string", describe: "private key file (default: ssh-agent, else ~/.ssh/id_ed25519, id_ecdsa, id_rsa)" })
      // A string, not resolved here: the path is the site's.
      .option("remote-workspace", { type: "string", describe: "workspace directory on the site (relative or ~/...: from the remote home); required" })
      .option("spruce", { type: "string", default: DEFAULT_REMOTE_SPRUCE, describe: "shell command that runs spruce on the site, e.g. 'node ~/spruce/dist/src/cli/main.js'" })
      .option("known-hosts", { type: "string", describe: "known_hosts file to check the host key against (default ~/.ssh/known_hosts)" })
      .option("force", { type: "boolean", describe: "replace a site of the same name" })
      // yargs does not replace $0 in a nested command's examples.
      .example("spruce site add polaris --host polaris.alcf.anl.gov --user me --remote-workspace ~/spruce", "then: spruce --site polaris submit hps ...") as unknown as Argv<SiteAddArgs>,
  handler: (argv) => {
    validateSiteName(argv.name);
    if (argv.remoteWorkspace === undefined) {
      throw new ValidationError(
        argv.workspace === undefined ? "missing --remote-workspace" : "--workspace names this machine's workspace, not the site's",
        `give the workspace directory on the site: 'spruce site add ${argv.name} ... --remote-workspace DIR'`,
      );
    }
    const workspace = argv.remoteWorkspace;
    if (!Number.isInteger(argv.port) || argv.port < 1 || argv.port > 65535) throw new ValidationError(`--port must be a port number 1-65535 (got ${argv.port})`, "the SSH port of the login node, 22 unless the site says otherwise");
    for (const [flag, v] of [["host", argv.host], ["user", argv.user], ["remote-workspace", workspace], ["spruce", argv.spruce]] as const) {
      if (v.trim() === "") throw new ValidationError(`--${flag} must not be empty`, `give a value to --${flag}`);
    }
    if (/\s/.test(argv.host + argv.user)) throw new ValidationError("--host and --user cannot contain spaces", "give the login node's host name and your user name on it");
    for (const [flag, file] of [["key", argv.key], ["known-hosts", argv.knownHosts]] as const) {
      if (file !== undefined && (file === "" || statSync(file, { throwIfNoEntry: false })?.isDirectory())) throw new ValidationError(`--${flag} must name a file (got '${file}')`, `give the path of the ${flag === "key" ? "private key" : "known_hosts"} file`);
    }
    if (argv.key !== undefined && !existsSync(argv.key)) throw new ValidationError(`--key: file not found: ${argv.key}`, "give the private key file (not the .pub) that the site accepts");
    const sites = loadSites();
    if (sites.some((s) => s.name === argv.name) && !argv.force) {
      throw new ValidationError(`site '${argv.name}' already exists`, `replace it with --force, or remove it with 'spruce site rm ${argv.name}'`);
    }
    const site: Site = {
      name: argv.name,
      host: argv.host,
      port: argv.port,
      user: argv.user,
      workspace,
      spruce: argv.spruce,
      // Stored absolute: the site is used from any directory.
      ...(argv.key !== undefined ? { key: resolve(argv.key) } : {}),
      ...(argv.knownHosts !== undefined ? { knownHosts: resolve(argv.knownHosts) } : {}),
    };
    saveSites([...sites.filter((s) => s.name !== argv.name), site]);
    info(`Site ${site.name}: ${site.user}@${site.host}:${site.port}, workspace ${site.workspace} (saved in ${sitesFile()})`);
  },
};

const lsCommand: CommandModule<GlobalArgs, GlobalArgs & { json?: boolean }> = {
  command: "ls",
  describe: "list the sites",
  builder: (y: Argv<GlobalArgs>) => y.option("json", { type: "boolean", describe: "print a JSON array" }) as unknown as Argv<GlobalArgs & { json?: boolean }>,
  handler: (argv) => {
    const sites = loadSites();
    if (argv.json) return printJson(sites);
    if (sites.length === 0) return info(`no sites (add one with 'spruce site add NAME --host HOST --user USER --workspace DIR')`);
    process.stdout.write(
      formatTable(
        ["NAME", "LOGIN", "WORKSPACE", "SPRUCE", "KEY"],
        sites.map((s) => [s.name, `${s.user}@${s.host}:${s.port}`, s.workspace, s.spruce, s.key ?? "(agent/default)"]),
      ),
    );
  },
};

const rmCommand: CommandModule<GlobalArgs, GlobalArgs & { name: string }> = {
  command: "rm <name>",
  describe: "remove a site (nothing on the site is touched)",
  builder: (y: Argv<GlobalArgs>) => y.positional("name", { type: "string", demandOption: true }) as unknown as Argv<GlobalArgs & { name: string }>,
  handler: (argv) => {
    getSite(argv.name);
    saveSites(loadSites().filter((s) => s.name !== argv.name));
    info(`Removed site ${argv.name}`);
  },
};

export const siteCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: "site",
  describe: "manage remote sites (login nodes reached over SSH) for --site NAME",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .command(addCommand as CommandModule<GlobalArgs, any>)
      .command(lsCommand as CommandModule<GlobalArgs, any>)
      .command(rmCommand as CommandModule<GlobalArgs, any>)
      .demandCommand(1, "name a site command: add, ls or rm"),
  handler: () => undefined,
};
