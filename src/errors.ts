// Typed errors: every failure a user can cause carries a one-line message, a hint naming the fix,
// and the exit code the CLI returns (docs/architecture.md, Errors and exit codes: 0 ok, 1 runtime failure, 2 usage/validation).

export class SpruceError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;
  constructor(message: string, opts: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? 1;
  }
}

/** Bad input from the user (a file, a flag, a field): exit code 2. */
export class ValidationError extends SpruceError {
  constructor(message: string, hint?: string) {
    super(message, { hint, exitCode: 2 });
  }
}

/** A named thing that does not exist (workflow, evaluation, site). */
export class NotFoundError extends SpruceError {
  constructor(message: string, hint?: string) {
    super(message, { hint, exitCode: 2 });
  }
}

/** A workflow name that is already taken. */
export class WorkflowExistsError extends SpruceError {
  constructor(name: string, kind: "hps" | "nas" = "hps") {
    super(`workflow '${name}' already exists`, {
      hint: `continue it with 'spruce submit ${kind} ${name} ... --resume', pick another name, or delete it with 'spruce rm ${name}'`,
      exitCode: 2,
    });
  }
}

/** The database schema is older or newer than this code. Launchers never migrate. */
export class SchemaVersionError extends SpruceError {
  constructor(message: string, hint = "run 'spruce db migrate' on the login node") {
    super(message, { hint, exitCode: 1 });
  }
}

/** A batch scheduler command failed or is missing. */
export class SchedulerError extends SpruceError {
  constructor(message: string, hint?: string) {
    super(message, { hint, exitCode: 1 });
  }
}

export function isSpruceError(e: unknown): e is SpruceError {
  return e instanceof SpruceError;
}
