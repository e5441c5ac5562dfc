// What yargs leaves unchecked or says in its own words: an option's value taken for another flag,
// a value missing or given twice, a number that is not one; and yargs' own errors made into one
// line that names the flag, with a hint naming the command's help (docs/architecture.md, Errors
// and exit codes).
import type { Argv } from "yargs";
import { ValidationError } from "../errors.js";

/**
 * Options whose value is itself an option (`--sched-flags --exclusive`): yargs would read the value
 * as a flag of ours, so `--sched-flags VALUE` is rewritten to `--sched-flags=VALUE` first.
 */
const OPTION_VALUED = new Set(["--sched-flags", "--schedFlags"]);

export function normalizeArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    if (OPTION_VALUED.has(a) && next !== undefined) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** `--name` for a long option, `-n` for a one-letter alias. */
export function flagName(key: string): string {
  return key.length === 1 ? `-${key}` : `--${key}`;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** A token that is an option name rather than a value (negative numbers are values). */
function isOptionToken(token: string): boolean {
  return /^-[^\d.]/.test(token) && token !== "-";
}

interface OptionInfo {
  /** Every spelling's key without dashes (kebab, camel, aliases) -> the option's main key. */
  keys: Map<string, string>;
  takesValue: Set<string>;
  numbers: Set<string>;
  arrays: Set<string>;
}

function optionInfo(y: Argv): OptionInfo {
  const o = (y as unknown as { getOptions(): { string: string[]; number: string[]; array: string[]; alias: Record<string, string[]>; key: Record<string, boolean> } }).getOptions();
  const keys = new Map<string, string>();
  const add = (spelling: string, main: string) => {
    keys.set(spelling, main);
    keys.set(kebab(spelling), main);
  };
  for (const k of Object.keys(o.key)) add(k, kebab(k));
  for (const [k, aliases] of Object.entries(o.alias)) for (const a of aliases) add(a, kebab(k));
  const main = (list: string[]) => new Set(list.map((k) => keys.get(k) ?? kebab(k)));
  const arrays = main(o.array);
  const numbers = main(o.number);
  const takesValue = new Set([...main(o.string), ...numbers].filter((k) => !arrays.has(k)));
  return { keys, takesValue, numbers, arrays };
}

/** Where an option appears in the raw arguments: its spelling and the text given as its value. */
function occurrences(raw: readonly string[], info: OptionInfo, key: string): { flag: string; value: string | undefined }[] {
  const found: { flag: string; value: string | undefined }[] = [];
  for (let i = 0; i < raw.length; i++) {
    const a = raw[i]!;
    if (a === "--") break;
    const m = /^--?([^=]+)(=(.*))?$/s.exec(a);
    if (!m || !isOptionToken(a) || info.keys.get(m[1]!) !== key) continue;
    if (m[2] !== undefined) found.push({ flag: a.slice(0, a.indexOf("=")), value: m[3] });
    else {
      const next = raw[i + 1];
      found.push({ flag: a, value: next === undefined || isOptionToken(next) ? undefined : next });
    }
  }
  return found;
}

/**
 * Checks the parsed options against the raw arguments: an option that takes a value but got none
 * (yargs keeps the default, or silently drops it), a single-valued option given twice (yargs makes
 * an array, which fails far from the flag), a number that is not one (yargs makes NaN, and the
 * user would read "got NaN" instead of what they typed).
 */
export function argumentChecks(raw: readonly string[], command: () => string): (argv: Record<string, unknown>, y: Argv) => void {
  // yargs calls a middleware with the parser of the command being run as a second argument (its
  // type declarations omit it), whose options are the ones to check.
  return (argv, y) => {
    const info = optionInfo(y);
    const help = `see '${command()} --help'`;
    for (const key of info.takesValue) {
      const seen = occurrences(raw, info, key);
      const missing = seen.find((s) => s.value === undefined);
      if (missing) throw new ValidationError(`${missing.flag} needs a value`, `write it as '${missing.flag} VALUE'; ${help}`);
      if (seen.length > 1) {
        throw new ValidationError(`${flagName(key)} was given ${seen.length} times (${seen.map((s) => `'${s.value}'`).join(", ")})`, `give it once; ${help}`);
      }
    }
    for (const key of info.numbers) {
      const values = [argv[key]].flat();
      if (!values.some((v) => typeof v === "number" && Number.isNaN(v))) continue;
      const typed = occurrences(raw, info, key).map((s) => s.value).find((v) => v !== undefined && Number.isNaN(Number(v)));
      const what = typed === undefined ? "" : ` (got '${typed}')`;
      throw new ValidationError(`${flagName(key)} must be a number${what}`, help);
    }
  };
}

/** The command a user ran, for hints: `spruce submit`, `spruce site add`, `balsam-submit`. */
export function commandOf(raw: readonly string[], program: string, commandNames: readonly string[], withSubcommands: readonly string[]): string {
  // The first word that names a command (a global option's value may come before it).
  const at = raw.findIndex((a) => commandNames.includes(a));
  if (at < 0) return program;
  const first = raw[at]!;
  const second = withSubcommands.includes(first) ? raw.slice(at + 1).find((a) => !a.startsWith("-")) : undefined;
  return [program, first, ...(second ? [second] : [])].join(" ");
}

/** yargs' usage errors in one line that names the flag (its own are multi-line or name keys bare). */
export function usageMessage(message: string, raw: readonly string[]): string {
  const asFlag = (name: string) => {
    const n = name.trim();
    const spelled = raw.find((a) => a === `--${n}` || a.startsWith(`--${n}=`) || a === `-${n}`);
    return spelled ? spelled.split("=")[0]! : flagName(n);
  };
  const list = (names: string) => [...new Set(names.split(",").map((s) => s.trim()).filter(Boolean).map(kebab))];
  let m: RegExpExecArray | null;
  if ((m = /^Unknown arguments?: (.*)$/s.exec(message))) {
    const names = list(m[1]!);
    // yargs reports an extra positional word the same way as an unknown option.
    const flags = names.filter((n) => raw.some((a) => a === `--${n}` || a.startsWith(`--${n}=`) || a === `-${n}`));
    const words = names.filter((n) => !flags.includes(n));
    const parts = [];
    if (flags.length > 0) parts.push(`unknown option${flags.length > 1 ? "s" : ""} ${flags.map(asFlag).join(", ")}`);
    if (words.length > 0) parts.push(`unexpected argument${words.length > 1 ? "s" : ""} ${words.map((w) => `'${w}'`).join(", ")}`);
    return parts.join("; ") || message;
  }
  if ((m = /^Invalid values:\s*Argument: ([^,]+), Given: (.*), Choices: (.*)$/s.exec(message))) {
    return `${asFlag(m[1]!)} ${m[2]!.trim()} is not one of ${m[3]!.trim().replace(/"/g, "")}`;
  }
  if ((m = /^Missing required arguments?: (.*)$/s.exec(message))) return `missing ${list(m[1]!).map(asFlag).join(", ")}`;
  if ((m = /^Arguments (\S+) and (\S+) are mutually exclusive$/.exec(message))) return `${asFlag(m[1]!)} and ${asFlag(m[2]!)} cannot be used together`;
  if ((m = /^Not enough arguments following: (.*)$/.exec(message))) return `${asFlag(m[1]!)} needs a value`;
  if ((m = /^Did you mean (.*)\?$/.exec(message))) {
    const typed = raw.find((a) => !a.startsWith("-"));
    return `unknown command${typed ? ` '${typed}'` : ""}: did you mean '${m[1]}'?`;
  }
  if ((m = /^Not enough non-option arguments: got (\d+), need at least (\d+)$/.exec(message))) return `missing arguments: got ${m[1]}, need ${m[2]}`;
  if ((m = /^Too many non-option arguments: got (\d+), maximum of (\d+)$/.exec(message))) return `too many arguments: got ${m[1]}, at most ${m[2]}`;
  return message.replace(/\s*\n\s*/g, " ");
}
