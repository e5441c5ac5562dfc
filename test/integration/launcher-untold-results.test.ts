// A leader killed while its agents still ran leaves results the agents recorded that no searcher
// was told of, and that results.csv lacks. The next leader appends them to results.csv once: not
// once as missing from the file and again when it tells them (found by the chaos test, bench/chaos).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCsvRecords } from "../../src/results/csv.js";
import { getWorkflow, listEvaluations, listUntold, openStore } from "../../src/store/index.js";
import { fixture, spruce, tempWorkspace } from "../helpers/cli.js";

describe("results.csv after a leader died with untold agents' results", () => {
  it("holds each finished evaluation once after the next leader", async () => {
    const ws = tempWorkspace("spruce-untold-");
    const W = ["--workspace", ws.dir];
    const sub = spruce([...W, "submit", "hps", "untold", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--scheduler", "local",
      "--searcher", "random", "--max-evals", "4", "--evals-per-node", "2", "--wait", "--wait-timeout", "100"]);
    expect(sub.code, sub.stderr).toBe(0);
    const store = await openStore({ workspace: ws.dir });
    try {
      const wf = (await getWorkflow(store, "untold"))!;
      const rows = await listEvaluations(store, wf.id);
      expect(rows.map((r) => r.state)).toEqual(["DONE", "DONE", "DONE", "DONE"]);
      // As an agent leaves them when its leader is SIGKILLed: finished, not told, not in results.csv.
      const agents = rows.slice(2).map((r) => r.id);
      await store.knex("evaluations").whereIn("id", agents).update({ told_at: null });
      const file = join(wf.resultsDir, "results.csv");
      const lines = readFileSync(file, "utf8").trimEnd().split("\n");
      const idColumn = lines[0]!.split(",").indexOf("eval_id");
      writeFileSync(file, `${lines.filter((l, i) => i === 0 || !agents.includes(Number(l.split(",")[idColumn]))).join("\n")}\n`);
      expect(readCsvRecords(file)).toHaveLength(2);

      const relaunch = spruce([...W, "launch", "untold"]);
      expect(relaunch.code, relaunch.stderr).toBe(0);
      const ids = readCsvRecords(file).map((c) => Number(c.eval_id)).sort((a, b) => a - b);
      expect(ids).toEqual(rows.map((r) => r.id));
      expect(await listUntold(store, wf.id)).toEqual([]);
    } finally {
      await store.close();
    }
    ws.cleanup();
  });
});
