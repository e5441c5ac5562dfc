// Validators for every value that reaches a batch script. Directive lines (#SBATCH, #PBS ...) are
// parsed by the scheduler, not by bash, so shell quoting does not protect them: their values are
// checked against the characters a scheduler accepts. Body lines are shell-quoted by render.ts.
import { isAbsolute } from "node:path";
import { ValidationError } from "../errors.js";

interface NameRule {
  what: string;
  flag: string;
  pattern: RegExp;
  allowed: string;
  maxLength: number;
}

// The first character is never "-": a value like "-o/etc/x" would be read as another option.
const QUEUE: NameRule = {
  what: "queue",
  flag: "-q/--queue",
  pattern: /^[A-Za-z0-9_][A-Za-z0-9_.@,-]*$/,
  allowed: "letters, digits and _ . - @ , (not starting with - . @ ,)",
  maxLength: 128,
};
const PROJECT: NameRule = {
  what: "project",
  flag: "-A/--project",
  pattern: /^[A-Za-z0-9_][A-Za-z0-9_.@+-]*$/,
  allowed: "letters, digits and _ . - @ + (not starting with - . @ +)",
  maxLength: 128,
};
// PBS Pro caps job names at 236 characters and older PBS at 15; 64 is readable in every qstat.
const JOB_NAME: NameRule = {
  what: "job name",
  flag: "the job name",
  pattern: /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/,
  allowed: "letters, digits and _ . - + (not starting with - . +)",
  maxLength: 64,
};

function checkName(rule: NameRule, value: string): string {
  if (value.length === 0) throw new ValidationError(`${rule.what} is empty`, `give ${rule.flag} a value or leave the option out`);
  if (value.length > rule.maxLength) {
    throw new ValidationError(`${rule.what} '${value}' is longer than ${rule.maxLength} characters`, `shorten ${rule.flag}`);
  }
  if (!rule.pattern.test(value)) {
    throw new ValidationError(
      `${rule.what} '${value}' has characters a scheduler ${rule.what} cannot have (allowed: ${rule.allowed})`,
      `check ${rule.flag}`,
    );
  }
  return value;
}

/** A queue or partition name (-q). */
export function validateQueue(value: string): string {
  return checkName(QUEUE, value);
}

/** A project, account or allocation name (-A). */
export function validateProject(value: string): string {
  return checkName(PROJECT, value);
}

/** A batch job name (-J, -N, --jobname). */
export function validateJobName(value: string): string {
  return checkName(JOB_NAME, value);
}

/**
 * A valid job name derived from a workflow name: characters outside the job-name set become "_",
 * and the result is cut to the length every scheduler shows.
 */
export function jobNameFor(workflow: string): string {
  let name = workflow.replace(/[^A-Za-z0-9_.+-]/g, "_").slice(0, JOB_NAME.maxLength);
  if (!/^[A-Za-z0-9_]/.test(name)) name = ("_" + name).slice(0, JOB_NAME.maxLength);
  return validateJobName(name);
}

// Control characters (newline above all) would end a script line early and start a new one.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** An absolute path that will be shell-quoted on a body line: anything but control characters. */
export function validateAbsolutePath(value: string, what: string): string {
  if (!isAbsolute(value)) {
    throw new ValidationError(`${what} '${value}' is not an absolute path`, "compute nodes start in another directory: give the full path");
  }
  if (CONTROL.test(value)) {
    throw new ValidationError(`${what} ${JSON.stringify(value)} contains a newline or another control character`, "rename the file or folder");
  }
  return value;
}

/**
 * An absolute path for a directive line (-o/-e files). Schedulers split directive lines on
 * whitespace and honour double quotes, but their handling of backslashes and single quotes
 * differs, so those are refused; a path with spaces is written in double quotes.
 */
export function directivePath(value: string, what: string): string {
  validateAbsolutePath(value, what);
  if (/["'\\`]/.test(value)) {
    throw new ValidationError(
      `${what} '${value}' cannot be written on a scheduler directive line (no quotes, backslashes or backticks; spaces are fine)`,
      "use a workspace or results directory whose path has none of these characters",
    );
  }
  return /\s/.test(value) ? `"${value}"` : value;
}

/**
 * One --sched-flags entry, written verbatim on its own directive line: it must be an option and a
 * single line, since the scheduler, not bash, reads it.
 */
export function validateSchedFlag(value: string): string {
  if (!value.startsWith("-")) {
    throw new ValidationError(`--sched-flags entry '${value}' is not an option`, "each entry starts with - or --, e.g. --sched-flags '--gres=gpu:1'");
  }
  if (CONTROL.test(value)) {
    throw new ValidationError(`--sched-flags entry ${JSON.stringify(value)} contains a newline or another control character`, "give one option per entry");
  }
  return value;
}

/**
 * An environment variable exported by the script. Names must be shell identifiers; values are
 * shell-quoted. Secrets never go in a script (it is world-readable in the results directory and in
 * the scheduler's spool): a password-like name is refused in favour of a file reference.
 */
export function validateEnvName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new ValidationError(`environment variable name '${name}' is not a shell identifier`, "use letters, digits and _, not starting with a digit");
  }
  if (/PASSWORD|SECRET|TOKEN/i.test(name)) {
    throw new ValidationError(
      `environment variable '${name}' looks like a secret and would be written into the batch script`,
      "point at a credentials file instead (e.g. PGPASSFILE or SPRUCE_DATABASE_FILE)",
    );
  }
  return name;
}

/** Text that lands on a comment line (the workflow name): one line, no control characters. */
export function validateCommentText(value: string, what: string): string {
  if (CONTROL.test(value)) {
    throw new ValidationError(`${what} ${JSON.stringify(value)} contains a newline or another control character`, `choose another ${what}`);
  }
  return value;
}

/** A positive whole number for a directive (nodes, ranks per node). */
export function validateCount(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(`${what} must be a positive whole number, got ${String(value)}`, `give ${what} as a whole number of at least 1`);
  }
  return value;
}
