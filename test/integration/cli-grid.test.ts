// Grid search and Studio-style --hp ranges through the built CLI: the whole grid is walked once,
// in a stable order, and max-evals defaults to its size.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spruce, tempWorkspace } from "../helpers/cli.js";
import { readCsvRecords } from "../../src/results/csv.js";

const ws = tempWorkspace("spruce-grid-");
let passed = false;
afterAll(() => {
  if (passed) ws.cleanup();
});

describe("grid search over --hp ranges", () => {
  it("evaluates every grid point exactly once", () => {
    const r = spruce(["--workspace", ws.dir, "submit", "hps", "g", "--hp", "x=0:0.25:1", "act=relu,tanh", "n=7",
      "--command", "echo objective: {{x}}", "--searcher", "grid", "--scheduler", "local", "--evals-per-node", "3", "--wait"]);
    expect(r.code, r.stderr).toBe(0);
    const csv = readCsvRecords(join(ws.dir, "data/g/results.csv"));
    expect(csv).toHaveLength(10); // 5 values of x x 2 activations
    const points = csv.map((c) => `${c["p:x"]}/${c["p:act"]}/${c["p:n"]}`).sort();
    expect(new Set(points).size).toBe(10);
    expect(points).toContain("0.75/tanh/7");
    for (const c of csv) expect(Number(c.objective)).toBe(Number(c["p:x"]));
    const status = JSON.parse(spruce(["--workspace", ws.dir, "status", "g", "--json"]).stdout);
    expect(status).toMatchObject({ state: "FINISHED", max_evals: 10 });
    passed = true;
  });

  it("rejects a malformed range with exit 2 naming the flag", () => {
    const r = spruce(["--workspace", ws.dir, "submit", "hps", "bad", "--hp", "lr=1:0", "--command", "true", "--scheduler", "local"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--hp lr=1:0/);
  });
});
