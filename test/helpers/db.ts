// Test helper: a throwaway store (SQLite, or PostgreSQL in its own schema of the file's test
// database: ./pg.ts) in its own temporary workspace, plus a valid NewWorkflow to fill it with. The
// workspace is deleted when the test passes and kept (path printed) when it fails, so a failure can
// be inspected (docs/architecture.md, Tests).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { openStore, type Dialect, type NewWorkflow, type Store, type StoreLocation } from "../../src/store/index.js";
import { adminQuery, testDatabaseUrl } from "./pg.js";

export interface TempStore {
  store: Store;
  workspace: string;
  /** Where the store is, for other processes (workers, the CLI) to open it too. */
  location: StoreLocation;
  /** Closes the store and deletes the workspace; safe to call more than once. */
  cleanup(): Promise<void>;
}

/** A new empty directory under the system temp dir. */
export function tempWorkspace(): string {
  return mkdtempSync(join(tmpdir(), "spruce-store-"));
}

/**
 * A migrated store in a fresh workspace: SQLite in the workspace, or PostgreSQL in a fresh schema
 * (every test gets empty tables; the file's database is dropped when the file passes). Call it
 * inside a test: it registers the end-of-test cleanup (delete on pass, keep on failure; the store
 * is closed either way).
 */
export async function makeTempStore(dialect: Dialect = "sqlite"): Promise<TempStore> {
  const workspace = tempWorkspace();
  const location = dialect === "sqlite" ? { workspace } : { databaseUrl: await freshSchema() };
  const store = await openStore(location, { migrate: true });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await store.close();
  };
  const cleanup = async () => {
    await close();
    rmSync(workspace, { recursive: true, force: true });
  };
  onTestFinished(async ({ task }) => {
    if (task.result?.state === "fail") {
      await close();
      process.stderr.write(`kept the workspace of failed test '${task.name}': ${workspace}\n`);
    } else {
      await cleanup();
    }
  });
  return { store, workspace, location, cleanup };
}

let schemas = 0;

/** A URL to a new, empty schema of this file's test database (search_path set at connect). */
async function freshSchema(): Promise<string> {
  const base = await testDatabaseUrl();
  const schema = `t${process.pid}_${++schemas}`;
  const u = new URL(base);
  await adminQuery(`CREATE SCHEMA ${schema}`, [], u.pathname.slice(1));
  u.search = `options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return u.toString();
}

/** A valid workflow definition; override any field. */
export function sampleWorkflow(overrides: Partial<NewWorkflow> = {}): NewWorkflow {
  return {
    name: "wf",
    problem: {
      hyperparameters: [
        { type: "float", name: "x", low: -10, high: 10, log: false },
        { type: "categorical", name: "act", values: ["relu", "tanh", null] },
      ],
      startingPoints: [{ x: 1.5, act: "relu" }],
    },
    problemSource: "/tmp/problem.ts",
    run: { kind: "command", template: "python3 train.py --x {{x}}", cwd: "/tmp" },
    searcher: "ambs",
    searcherOptions: { kappa: 1.96, nInitialPoints: 10 },
    direction: "maximize",
    maxEvals: 100,
    seed: 2 ** 32 - 1,
    settings: { evalTimeoutSeconds: 60, heartbeatSeconds: 30 },
    request: {
      scheduler: "local",
      nodes: 1,
      walltimeMinutes: 60,
      queue: null,
      project: null,
      mode: "serial",
      evalsPerNode: 2,
      nodesPerEval: 1,
      ranksPerNode: 1,
    },
    resultsDir: "/tmp/results/wf",
    ...overrides,
  };
}
