// Recognises `spruce --site NAME <command> ...` before yargs sees it. Forwarded commands are not
// parsed here: their arguments travel to the far side untouched (minus the options that only mean
// something on this side), so a command the far side knows and we do not still works.
import { ValidationError } from "../errors.js";

/** Commands that run on the site's login node, their output streamed back. */
export const FORWARDED_COMMANDS = ["submit", "status", "ls", "topk", "logs", "service"] as const;
/** Commands that use --site on this side (they connect to the site themselves). */
const LOCAL_SITE_COMMANDS = ["fetch", "dashboard"];

export interface RemoteInvocation {
  site: string;
  acceptNewHostKey: boolean;
  connectTimeoutSeconds?: number;
  command: string;
  /** The user's arguments without --site, --accept-new-host-key and --connect-timeout. */
  args: string[];
}

/** Global options that take a value: their value is not the command name. */
const VALUE_OPTIONS = new Set(["--site", "--workspace", "--database-url", "--connect-timeout"]);

/**
 * Null when the command runs here (no --site, or a command like fetch that handles --site itself);
 * otherwise what to forward. Throws for --site with a command that only makes sense locally.
 */
export function remoteInvocation(args: string[]): RemoteInvocation | null {
  let site: string | undefined;
  let acceptNewHostKey = false;
  let connectTimeout: string | undefined;
  let command: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      rest.push(...args.slice(i));
      break;
    }
    const [name, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => inline ?? args[++i];
    if (name === "--site") site = value();
    else if (name === "--connect-timeout") connectTimeout = value();
    else if (name === "--accept-new-host-key") acceptNewHostKey = true;
    else {
      rest.push(a);
      if (command === undefined && VALUE_OPTIONS.has(name) && inline === undefined && i + 1 < args.length) rest.push(args[++i]!);
      else if (command === undefined && !a.startsWith("-")) command = a;
    }
  }
  if (site === undefined || command === undefined || LOCAL_SITE_COMMANDS.includes(command)) return null;
  if (!(FORWARDED_COMMANDS as readonly string[]).includes(command)) {
    throw new ValidationError(
      `'${command}' runs only on this machine and does not take --site`,
      `--site works with ${FORWARDED_COMMANDS.join(", ")}, fetch and dashboard`,
    );
  }
  if (site === "") throw new ValidationError("--site needs a site name", "list the sites with 'spruce site ls'");
  if (rest.some((a) => a === "--workspace" || a.startsWith("--workspace="))) {
    throw new ValidationError("--workspace cannot be combined with --site: the site's workspace is used", `change it with 'spruce site add ${site} ... --remote-workspace REMOTE_DIR --force'`);
  }
  let connectTimeoutSeconds: number | undefined;
  if (connectTimeout !== undefined) {
    connectTimeoutSeconds = Number(connectTimeout);
    if (!(connectTimeoutSeconds > 0)) throw new ValidationError(`--connect-timeout must be a positive number of seconds (got '${connectTimeout}')`, "e.g. --connect-timeout 20");
  }
  return { site, acceptNewHostKey, connectTimeoutSeconds, command, args: rest };
}
