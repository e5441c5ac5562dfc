// Test helper: a throwaway SQLite store in its own temporary workspace, plus a valid NewWorkflow to
// fill it with. The workspace is deleted when the test passes and kept (path printed) when it fails,
// so a failure can be inspected (DESIGN §10).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { openStore, type NewWorkflow, type Store } from "../../src/store/index.js";

export interface TempStore {
  store: Store;
  workspace: string;
  /** Closes the store and deletes the workspace; safe to call more than once. */
  cleanup(): Promise<void>;
}

/** A new empty directory under the system temp dir. */
export function tempWorkspace(): string {
  return mkdtempSync(join(tmpdir(), "spruce-store-"));
}

/**
 * A migrated SQLite store in a fresh workspace. Call it inside a test: it registers the end-of-test
 * cleanup (delete on pass, keep on failure; the store is closed either way).
 */
export async function makeTempStore(): Promise<TempStore> {
  const workspace = tempWorkspace();
  const store = await openStore({ workspace }, { migrate: true });
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
  return { store, workspace, cleanup };
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
    settings: { evalTimeoutSeconds: 60, heartbeatMs: 30_000 },
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
