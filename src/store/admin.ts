// Server-level PostgreSQL statements (outside any workflow database): creating the database of a
// managed cluster. Kept in src/store because only src/store speaks SQL (docs/architecture.md, Import rules).
import pg from "pg";
import type { PgCredentials } from "./credentials.js";

/**
 * Creates `creds.database` unless it exists, connecting to the server's `postgres` database.
 * CREATE DATABASE cannot run in a transaction nor take a bind parameter, so the name is checked
 * against a plain identifier pattern and quoted.
 */
export async function ensureDatabase(creds: PgCredentials): Promise<boolean> {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(creds.database)) throw new Error(`'${creds.database}' is not a plain database name`);
  const client = new pg.Client({ ...creds, database: "postgres", application_name: "spruce" });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [creds.database]);
    if (found.rowCount !== 0) return false;
    await client.query(`CREATE DATABASE "${creds.database}"`);
    return true;
  } finally {
    await client.end();
  }
}
