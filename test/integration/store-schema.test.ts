// Store integration: opening SQLite stores, pragmas, migrations and the schema-version gate
// (older and newer databases refused without migrating; newer ones refused even with it).
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { migrationConfig, MIGRATIONS_TABLE, schemaVersion } from "../../db/migrations.js";
import { SchemaVersionError, ValidationError } from "../../src/errors.js";
import { openStore, readSchemaVersion, SQLITE_FILE } from "../../src/store/index.js";
import { makeTempStore, tempWorkspace } from "../helpers/db.js";

describe("openStore (SQLite)", () => {
  it("refuses a workspace without a database unless migrating, and creates nothing", async () => {
    const root = tempWorkspace();
    const workspace = join(root, "nested", "ws");
    await expect(openStore({ workspace })).rejects.toBeInstanceOf(SchemaVersionError);
    expect(existsSync(join(workspace, SQLITE_FILE))).toBe(false);

    const store = await openStore({ workspace }, { migrate: true });
    expect(store.dialect).toBe("sqlite");
    expect(store.describe).toBe(join(workspace, SQLITE_FILE));
    expect(await readSchemaVersion(store)).toBe(schemaVersion());
    await store.close();

    const again = await openStore({ workspace });
    expect(await readSchemaVersion(again)).toBe(schemaVersion());
    await again.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("sets WAL, busy_timeout, foreign keys and synchronous=NORMAL on its connections", async () => {
    const { store } = await makeTempStore();
    const pragma = async (name: string) => ((await store.knex.raw(`PRAGMA ${name}`)) as Record<string, unknown>[])[0];
    expect(await pragma("journal_mode")).toEqual({ journal_mode: "wal" });
    expect(await pragma("busy_timeout")).toEqual({ timeout: 30000 });
    expect(await pragma("foreign_keys")).toEqual({ foreign_keys: 1 });
    expect(await pragma("synchronous")).toEqual({ synchronous: 1 });
  });

  it("creates every table of the schema", async () => {
    const { store } = await makeTempStore();
    for (const table of ["workflows", "evaluations", "evaluation_events", "batch_jobs", "launchers", "searcher_state"]) {
      expect(await store.knex.schema.hasTable(table)).toBe(true);
    }
  });

  it("refuses an older schema without migrate, and migrates it with migrate", async () => {
    const { store, workspace, cleanup } = await makeTempStore();
    await store.knex.migrate.rollback(migrationConfig(), true);
    expect(await readSchemaVersion(store)).toBe(0);
    expect(await store.knex.schema.hasTable("evaluations")).toBe(false);
    await store.close();

    const err = await openStore({ workspace }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaVersionError);
    expect((err as Error).message).toContain(`schema version 0, this spruce needs ${schemaVersion()}`);

    const migrated = await openStore({ workspace }, { migrate: true });
    expect(await migrated.knex.schema.hasTable("evaluations")).toBe(true);
    await migrated.close();
    await cleanup();
  });

  it("refuses a newer schema, with or without migrate, and leaves it untouched", async () => {
    const { store, workspace } = await makeTempStore();
    await store.knex(MIGRATIONS_TABLE).insert({ name: "999_from_the_future", batch: 2, migration_time: new Date().toISOString() });
    await store.close();

    for (const mode of [{}, { migrate: true }]) {
      const err = await openStore({ workspace }, mode).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaVersionError);
      expect((err as Error).message).toContain("newer schema");
      expect((err as Error).message).toContain("999_from_the_future");
    }
  });

  it("rejects database URLs it does not know", async () => {
    await expect(openStore({ databaseUrl: "mysql://db/x" })).rejects.toBeInstanceOf(ValidationError);
  });
});
