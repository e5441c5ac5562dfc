// Store integration, PostgreSQL only: the schema-version gate, credentials files (server-info.json,
// PGPASSFILE, private mode), riding out terminated connections, and writes whose COMMIT reply was
// lost (the server committed, the client could not know) applied exactly once on retry.
import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { migrationConfig, MIGRATIONS_TABLE, schemaVersion } from "../../db/migrations.js";
import { SchemaVersionError, ValidationError } from "../../src/errors.js";
import {
  claimEvaluations,
  countEvaluations,
  createEvaluations,
  createWorkflow,
  finishEvaluations,
  listEvaluations,
  listEvents,
  loadSearcherState,
  openStore,
  readSchemaVersion,
  registerLauncher,
  type Store,
} from "../../src/store/index.js";
import { makeTempStore, sampleWorkflow, tempWorkspace } from "../helpers/db.js";
import { adminQuery, PG, startCommitDroppingProxy } from "../helpers/pg.js";

describe.skipIf(!PG)("PostgreSQL store", () => {
  describe("schema version gate", () => {
    it("refuses an older schema without migrate, naming 'spruce db migrate', and migrates it with migrate", async () => {
      const { store, location } = await makeTempStore("postgres");
      expect(store.dialect).toBe("postgres");
      expect(await readSchemaVersion(store)).toBe(schemaVersion());
      await store.knex.migrate.down(migrationConfig());
      expect(await readSchemaVersion(store)).toBe(schemaVersion() - 1);

      const err = await openStore(location).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaVersionError);
      expect((err as Error).message).toContain(`schema version ${schemaVersion() - 1}, this spruce needs ${schemaVersion()}`);
      expect((err as SchemaVersionError).hint).toContain("spruce db migrate");

      const migrated = await openStore(location, { migrate: true });
      expect(await readSchemaVersion(migrated)).toBe(schemaVersion());
      await migrated.close();
    });

    it("refuses a newer schema, with or without migrate", async () => {
      const { store, location } = await makeTempStore("postgres");
      await store.knex(MIGRATIONS_TABLE).insert({ name: "999_from_the_future", batch: 9, migration_time: new Date() });
      for (const mode of [{}, { migrate: true }]) {
        const err = await openStore(location, mode).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SchemaVersionError);
        expect((err as Error).message).toContain("999_from_the_future");
      }
    });
  });

  describe("credentials files", () => {
    it("opens a server-info.json or a PGPASSFILE line, names the file for batch scripts, and refuses a readable one", async () => {
      const { store, location } = await makeTempStore("postgres");
      const url = new URL((location as { databaseUrl: string }).databaseUrl);
      await store.close();
      const dir = tempWorkspace();
      const info = join(dir, "server-info.json");
      // The trust-auth test server ignores the password; the file format is what is tested here.
      const creds = { host: url.hostname, port: Number(url.port), user: url.username, password: "x:y\\z", database: url.pathname.slice(1) };
      writeFileSync(info, JSON.stringify(creds), { mode: 0o600 });
      const pgpass = join(dir, "pgpass");
      writeFileSync(pgpass, `# comment\n${creds.host}:${creds.port}:${creds.database}:${creds.user}:x\\:y\\\\z\n`, { mode: 0o600 });

      // The files name the database, not the test's schema: its public schema is still empty.
      await expect(openStore({ credentialsFile: info })).rejects.toBeInstanceOf(SchemaVersionError);
      for (const file of [info, pgpass]) {
        const opened = await openStore({ credentialsFile: file }, { migrate: true });
        expect(opened.scriptEnv).toEqual({ SPRUCE_DATABASE_FILE: file });
        expect(opened.describe).toBe(`postgres://${creds.user}@${creds.host}:${creds.port}/${creds.database} (credentials in ${file})`);
        expect(await readSchemaVersion(opened)).toBe(schemaVersion());
        await opened.close();
      }
      chmodSync(info, 0o644);
      await expect(openStore({ credentialsFile: info })).rejects.toBeInstanceOf(ValidationError);
      const unreachable = await openStore({ databaseUrl: "postgres://u:secret@127.0.0.1:1/x" }).catch((e: unknown) => e);
      expect((unreachable as Error).message).toContain("cannot reach the workflow database at postgres://u:***@127.0.0.1:1/x");
      expect((unreachable as Error).message).not.toContain("secret");
      rmSync(dir, { recursive: true, force: true });
    });
  });

  describe("connection loss", () => {
    it("rides out sessions terminated mid-statement (57P01, as in pg_ctl restart -m fast) and between calls", async () => {
      const { store, location } = await makeTempStore("postgres");
      const url = (location as { databaseUrl: string }).databaseUrl;
      const wf = await createWorkflow(store, sampleWorkflow());
      const me = await registerLauncher(store, { workflowId: wf.id, batchJobId: null, host: "n1", pid: 1 });
      await createEvaluations(store, wf.id, [{ x: 1 }, { x: 2 }, { x: 3 }]);
      const retries: string[] = [];
      store.retry.onRetry = (r) => retries.push((r.error as { code?: string }).code ?? String(r.error));

      // Hold the claim on a table lock, then end its session while it waits.
      const locker = new pg.Client({ connectionString: url });
      await locker.connect();
      await locker.query("BEGIN; LOCK TABLE evaluations IN ACCESS EXCLUSIVE MODE");
      const claiming = claimEvaluations(store, { workflowId: wf.id, launcherId: me.id, n: 2 });
      const database = new URL(url).pathname.slice(1);
      for (let i = 0; i < 100; i++) {
        const waiting = await adminQuery("SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'spruce' AND wait_event_type = 'Lock'", [database]);
        if (waiting.rowCount) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await terminateSessions(database, "spruce");
      await locker.query("COMMIT");
      await locker.end();
      const claimed = await claiming;
      expect(claimed).toHaveLength(2);
      // knex reports the 57P01 of the terminated statement, or the failed ROLLBACK after it.
      expect(retries.join(" ")).toMatch(/57P01|Connection terminated/);

      await terminateSessions(database, "spruce");
      const done = await finishEvaluations(store, claimed.map((e) => ({ id: e.id, attempt: 0, state: "DONE" as const, objective: e.id })), { launcherId: me.id });
      expect(done).toHaveLength(2);
      await terminateSessions(database, "spruce");
      expect(await countEvaluations(store, wf.id)).toMatchObject({ READY: 1, DONE: 2 });
    });

    it("applies a create, a claim and a finish exactly once when the COMMIT reply is lost", async () => {
      const { store: direct, location } = await makeTempStore("postgres");
      const proxy = await startCommitDroppingProxy((location as { databaseUrl: string }).databaseUrl);
      let store: Store | undefined;
      try {
        store = await openStore({ databaseUrl: proxy.url });
        const wf = await createWorkflow(store, sampleWorkflow());
        const me = await registerLauncher(store, { workflowId: wf.id, batchJobId: null, host: "n1", pid: 1 });

        proxy.dropNextCommitReply();
        const created = await createEvaluations(store, wf.id, [{ x: 1 }, { x: 2 }, { x: 3 }], { searcherState: { asked: 3 } });
        expect(created.map((e) => e.point)).toEqual([{ x: 1 }, { x: 2 }, { x: 3 }]);
        expect(await listEvaluations(direct, wf.id)).toHaveLength(3);

        proxy.dropNextCommitReply();
        const claimed = await claimEvaluations(store, { workflowId: wf.id, launcherId: me.id, n: 2 });
        expect(claimed.map((e) => e.id)).toEqual([created[0]!.id, created[1]!.id]);
        expect(await countEvaluations(direct, wf.id)).toMatchObject({ READY: 1, RUNNING: 2 });

        proxy.dropNextCommitReply();
        const finished = await finishEvaluations(store, claimed.map((e) => ({ id: e.id, attempt: 0, state: "DONE" as const, objective: 1 })), {
          launcherId: me.id,
          searcherState: { told: 2 },
        });
        expect(finished.map((e) => [e.id, e.state])).toEqual(claimed.map((e) => [e.id, "DONE"]));
        expect(await loadSearcherState(direct, wf.id)).toEqual({ told: 2 });
        for (const e of created) {
          const states = (await listEvents(direct, e.id)).map((ev) => ev.toState);
          expect(states).toEqual(e.id === created[2]!.id ? ["READY"] : ["READY", "RUNNING", "DONE"]);
        }
      } finally {
        await store?.close();
        await proxy.close();
      }
    });
  });
});

/** Ends the store's sessions on the database, as `pg_ctl restart -m fast` does (57P01). */
async function terminateSessions(database: string, application: string): Promise<void> {
  await adminQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2", [database, application]);
}
