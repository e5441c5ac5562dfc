// Issue 12: a custom search method killed with SIGKILL mid-search resumes from its saved state,
// and the sequence of events it handled equals that of an uninterrupted run with the same seed
// (one slot, so the order of events is fixed). Each run has its own workspace so ids match.
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, spruce, spruceAsync, tempWorkspace } from "../helpers/cli.js";
import { countEvaluations, getWorkflow, listLaunchers, loadSearcherState, openStore } from "../../src/store/index.js";

const ex = (f: string): string => join(ROOT, "examples/custom-searcher", f);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const workspaces: ReturnType<typeof tempWorkspace>[] = [];
let passed = false;
afterAll(() => {
  if (passed) for (const w of workspaces) w.cleanup();
});

function submitArgs(ws: string): string[] {
  return ["--workspace", ws, "submit", "hps", "evo", "-p", ex("problem.ts"), "-r", ex("run.ts"), "--searcher", "custom", "--search-method", ex("method.ts"),
    "--method-args", '{"budget": 10, "population": 3}', "--scheduler", "local", "--evals-per-node", "1", "--seed", "4"];
}

async function handledEvents(ws: string): Promise<string[]> {
  const store = await openStore({ workspace: ws });
  try {
    const wf = (await getWorkflow(store, "evo"))!;
    const state = (await loadSearcherState(store, wf.id)) as { method: { handled: string[] } };
    return state.method.handled;
  } finally {
    await store.close();
  }
}

describe("custom search method across a launcher crash", () => {
  it("handles the same events, in the same order, as an uninterrupted run", { timeout: 180_000 }, async () => {
    const whole = tempWorkspace("spruce-custom-a-");
    const crashed = tempWorkspace("spruce-custom-b-");
    workspaces.push(whole, crashed);

    const a = spruce([...submitArgs(whole.dir), "--wait"], { env: { SPRUCE_TEST_SLEEP_MS: "200" } });
    expect(a.code, a.stderr).toBe(0);
    const expected = await handledEvents(whole.dir);
    expect(expected[0]).toBe("initial");
    expect(expected.filter((e) => e.startsWith("result"))).toHaveLength(10);

    const env = { SPRUCE_TEST_SLEEP_MS: "1200" };
    const b = spruce(submitArgs(crashed.dir), { env });
    expect(b.code, b.stderr).toBe(0);
    const store = await openStore({ workspace: crashed.dir });
    try {
      const wf = (await getWorkflow(store, "evo"))!;
      let pid = 0;
      for (let i = 0; i < 300 && !pid; i++) {
        const c = await countEvaluations(store, wf.id);
        const launchers = await listLaunchers(store, wf.id);
        if (c.DONE >= 3 && c.RUNNING === 1) pid = launchers[0]!.pid;
        else await sleep(100);
      }
      expect(pid).toBeGreaterThan(0);
      process.kill(pid, "SIGKILL");
      await sleep(500);
      const relaunch = await spruceAsync(["--workspace", crashed.dir, "launch", "evo"], { env });
      expect(relaunch.code, relaunch.stderr).toBe(0);
      expect(relaunch.stderr).toMatch(/recovered from dead launcher/);
    } finally {
      await store.close();
    }
    expect(await handledEvents(crashed.dir)).toEqual(expected);
    const csv = readFileSync(join(crashed.dir, "data/evo/results.csv"), "utf8").trim().split("\n");
    expect(csv).toHaveLength(11); // header + 10 results, none twice
    passed = true;
  });
});
