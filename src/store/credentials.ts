// Reading a PostgreSQL credentials file: DIR/server-info.json of a managed cluster (`spruce db
// init`) or a libpq PGPASSFILE line. Batch scripts name such a file (SPRUCE_DB_DIR,
// SPRUCE_DATABASE_FILE) instead of carrying a password, so the file must be private: one that
// group or others can read is refused, as ssh refuses a readable private key.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { NotFoundError, ValidationError } from "../errors.js";

/** The connection part of server-info.json (src/pgcluster/cluster.ts writes the rest). */
export interface PgCredentials {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** The credentials file of a managed cluster directory. */
export const SERVER_INFO_FILE = "server-info.json";

export function serverInfoPath(dbDir: string): string {
  return join(dbDir, SERVER_INFO_FILE);
}

/**
 * Reads credentials from a server-info.json (a JSON object) or a PGPASSFILE (the first line that is
 * not a comment: host:port:database:user:password, with '\:' and '\\' escapes and no wildcards).
 */
export function readCredentials(file: string): PgCredentials {
  let text: string;
  let mode: number;
  try {
    mode = statSync(file).mode;
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new NotFoundError(
      `cannot read the database credentials file ${file}: ${(e as Error).message}`,
      "create a managed database with 'spruce db init DIR', or point SPRUCE_DATABASE_FILE at a server-info.json or PGPASSFILE",
    );
  }
  if ((mode & 0o077) !== 0) {
    throw new ValidationError(
      `the database credentials file ${file} is readable by other users (mode ${(mode & 0o777).toString(8)})`,
      `make it private: chmod 600 ${file}`,
    );
  }
  const creds = text.trimStart().startsWith("{") ? fromJson(file, text) : fromPgpass(file, text);
  if (!Number.isInteger(creds.port) || creds.port < 1 || creds.port > 65535) {
    throw new ValidationError(`${file}: port '${creds.port}' is not a TCP port`, "fix the credentials file, or make a new cluster with 'spruce db init DIR'");
  }
  return creds;
}

function fromJson(file: string, text: string): PgCredentials {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new ValidationError(`${file} is not valid JSON: ${(e as Error).message}`, "fix the credentials file, or make a new cluster with 'spruce db init DIR'");
  }
  for (const key of ["host", "user", "password", "database"] as const) {
    if (typeof o[key] !== "string" || o[key] === "") throw new ValidationError(`${file}: '${key}' is missing or not a string`, "fix the credentials file, or make a new cluster with 'spruce db init DIR'");
  }
  return { host: o.host as string, port: Number(o.port), user: o.user as string, password: o.password as string, database: o.database as string };
}

function fromPgpass(file: string, text: string): PgCredentials {
  const line = text.split("\n").find((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
  if (line === undefined) throw new ValidationError(`${file} has no host:port:database:user:password line`, "write one line host:port:database:user:password naming the workflow database");
  const fields: string[] = [""];
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "\\" && i + 1 < line.length) fields[fields.length - 1] += line[++i];
    else if (c === ":") fields.push("");
    else fields[fields.length - 1] += c;
  }
  if (fields.length !== 5) throw new ValidationError(`${file}: expected host:port:database:user:password, got ${fields.length} field(s)`, "write one line host:port:database:user:password naming the workflow database");
  const [host, port, database, user, password] = fields as [string, string, string, string, string];
  if ([host, port, database, user].some((f) => f === "*" || f === "")) {
    throw new ValidationError(`${file}: host, port, database and user must be spelled out (no '*') to name one database`, "replace the '*' fields with the workflow database's host, port, database and user");
  }
  return { host, port: Number(port), user, password: password.replace(/\r$/, ""), database };
}
