// regevo across a launcher crash: a search whose launcher is SIGKILLed once its population is full
// (children are being bred) and relaunched, its population and proposed points rebuilt from the
// rows, ends with the same evaluations and the same saved state (the generator's) as an
// uninterrupted run with the same seed (one slot, so the order of events is fixed), and no point
// evaluated twice. Each run has its own workspace so ids match.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixture, spruce, spruceAsync, tempWorkspace } from "../helpers/cli.js";
import { readCsvRecords } from "../../src/results/csv.js";
import { countEvaluations, getWorkflow, listLaunchers, loadSearcherState, openStore } from "../../src/store/index.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const workspaces: ReturnType<typeof tempWorkspace>[] = [];
let passed = false;
afterAll(() => {
  if (passed) for (const w of workspaces) w.cleanup();
});

const MAX_EVALS = 12;
const POPULATION = 4;

function submitArgs(ws: string): string[] {
  return ["--workspace", ws, "submit", "hps", "evo", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--searcher", "regevo",
    "--population-size", String(POPULATION), "--sample-size", "2", "--max-evals", String(MAX_EVALS), "--scheduler", "local", "--evals-per-node", "1", "--seed", "4"];
}

/** What the launcher saves (stateWithoutRows): the rows hold the population and the points proposed. */
interface RegevoState {
  version: number;
  rng: number[];
  nextStart: number;
}

async function searcherState(ws: string): Promise<RegevoState> {
  const store = await openStore({ workspace: ws });
  try {
    const wf = (await getWorkflow(store, "evo"))!;
    return (await loadSearcherState(store, wf.id)) as unknown as RegevoState;
  } finally {
    await store.close();
  }
}

/** results.csv's rows as `eval_id status point`, in id order. */
function evaluated(ws: string): string[] {
  const rows = readCsvRecords(join(ws, "data/evo/results.csv"));
  return rows
    .map((r) => ({ id: Number(r.eval_id), line: `${r.eval_id} ${r.status} ${r["p:x"]} ${r["p:n"]} ${r["p:kind"]}` }))
    .sort((a, b) => a.id - b.id)
    .map((r) => r.line);
}

describe("regevo across a launcher crash", () => {
  it("evaluates the same points, none twice, and restores the population", { timeout: 180_000 }, async () => {
    const whole = tempWorkspace("spruce-regevo-a-");
    const crashed = tempWorkspace("spruce-regevo-b-");
    workspaces.push(whole, crashed);

    const a = spruce([...submitArgs(whole.dir), "--wait"], { env: { SPRUCE_TEST_SLEEP_MS: "100" } });
    expect(a.code, a.stderr).toBe(0);
    const expectedRows = evaluated(whole.dir);
    const expectedState = await searcherState(whole.dir);
    expect(expectedRows).toHaveLength(MAX_EVALS);
    expect(new Set(expectedRows.map((r) => r.split(" ").slice(2).join(" "))).size).toBe(MAX_EVALS);
    expect(expectedState.version).toBe(2);

    const env = { SPRUCE_TEST_SLEEP_MS: "1200" };
    const b = spruce(submitArgs(crashed.dir), { env });
    expect(b.code, b.stderr).toBe(0);
    const store = await openStore({ workspace: crashed.dir });
    try {
      const wf = (await getWorkflow(store, "evo"))!;
      let pid = 0;
      // Killed while a child runs: the population is full and told results are in the saved state.
      for (let i = 0; i < 400 && !pid; i++) {
        const c = await countEvaluations(store, wf.id);
        const launchers = await listLaunchers(store, wf.id);
        if (c.DONE >= POPULATION + 2 && c.RUNNING === 1) pid = launchers[0]!.pid;
        else await sleep(100);
      }
      expect(pid).toBeGreaterThan(0);
      const before = await searcherState(crashed.dir);
      expect(before.version).toBe(2);
      process.kill(pid, "SIGKILL");
      await sleep(500);
      const relaunch = await spruceAsync(["--workspace", crashed.dir, "launch", "evo"], { env: { SPRUCE_TEST_SLEEP_MS: "100" } });
      expect(relaunch.code, relaunch.stderr).toBe(0);
      expect(relaunch.stderr).toMatch(/recovered from dead launcher/);
    } finally {
      await store.close();
    }
    const rows = evaluated(crashed.dir);
    expect(rows).toEqual(expectedRows);
    const state = await searcherState(crashed.dir);
    expect(state).toEqual(expectedState);
    passed = true;
  });
});
