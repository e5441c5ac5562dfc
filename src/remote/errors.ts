// Failures of the SSH side of --site, each with the hint that fixes it (docs/architecture.md, Errors and exit codes: exit 1).
import { SpruceError } from "../errors.js";

/** The TCP connection or the SSH handshake did not come up (refused, timed out, unresolvable). */
export class SshConnectError extends SpruceError {
  constructor(message: string, hint: string, cause?: unknown) {
    super(message, { hint, exitCode: 1, cause });
  }
}

/** The server's host key is unknown, changed or revoked: no connection was made. */
export class HostKeyError extends SpruceError {
  constructor(message: string, hint: string) {
    super(message, { hint, exitCode: 1 });
  }
}

/** The server refused every key we offered. */
export class SshAuthError extends SpruceError {
  constructor(message: string, hint: string) {
    super(message, { hint, exitCode: 1 });
  }
}

/** The far side's shell could not find the spruce command (exit 127). */
export class RemoteSpruceMissingError extends SpruceError {
  constructor(message: string, hint: string) {
    super(message, { hint, exitCode: 1 });
  }
}

/** An SFTP transfer or remote file operation failed. */
export class RemoteTransferError extends SpruceError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { hint, exitCode: 1, cause });
  }
}
