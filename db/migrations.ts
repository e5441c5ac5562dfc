// The explicit, append-only list of schema migrations. knex runs them through a custom migration
// source (no directory scanning, so compiled and source trees behave alike). The schema version is
// the number of migrations: a database is current when all of them, and nothing else, are applied.
import type { Knex } from "knex";
import * as m001 from "./001_initial.js";
import * as m002 from "./002_write_tokens.js";
import * as m003 from "./003_told.js";
import * as m004 from "./004_service.js";
import * as m005 from "./005_reports.js";
import * as m006 from "./006_workflow_error.js";
import * as m007 from "./007_objectives.js";
import * as m008 from "./008_searcher_journal.js";

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: readonly Migration[] = [
  { name: "001_initial", up: m001.up, down: m001.down },
  { name: "002_write_tokens", up: m002.up, down: m002.down },
  { name: "003_told", up: m003.up, down: m003.down },
  { name: "004_service", up: m004.up, down: m004.down },
  { name: "005_reports", up: m005.up, down: m005.down },
  { name: "006_workflow_error", up: m006.up, down: m006.down },
  { name: "007_objectives", up: m007.up, down: m007.down },
  { name: "008_searcher_journal", up: m008.up, down: m008.down },
];

/** The table where knex records applied migrations. */
export const MIGRATIONS_TABLE = "spruce_migrations";

/** The schema version this code expects. */
export function schemaVersion(): number {
  return migrations.length;
}

/** knex migration config: our list as the source, our table name. */
export function migrationConfig(): Knex.MigratorConfig {
  const source: Knex.MigrationSource<Migration> = {
    getMigrations: async () => [...migrations],
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: m.up, down: m.down }),
  };
  return { migrationSource: source, tableName: MIGRATIONS_TABLE };
}
