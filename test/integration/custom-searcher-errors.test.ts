// Issue 12: a search method's handler that throws stops the search cleanly (its stack in the
// launcher log, nothing left RUNNING, the workflow FAILED, exit code 1), and a { stop: id }
// operation ends a running evaluation as KILLED.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixture, spruce, tempWorkspace } from "../helpers/cli.js";

const ws = tempWorkspace("spruce-custom-errors-");
let failures = 0;
afterAll(() => {
  if (failures === 0) ws.cleanup();
});
const W = ["--workspace", ws.dir];
const submit = (name: string, method: string) =>
  spruce([...W, "submit", "hps", name, "-p", fixture("custom/problem.ts"), "-r", fixture("custom/run.ts"), "--searcher", "custom",
    "--search-method", fixture("custom", method), "--scheduler", "local", "--evals-per-node", "2", "--max-evals", "20", "--wait", "--wait-timeout", "90"]);

describe("custom search methods that fail or stop evaluations", () => {
  it("a handler error stops the search cleanly and shows the method's stack", () => {
    const r = submit("buggy", "throws.ts");
    if (r.code !== 1) failures++;
    expect(r.code, r.stderr).toBe(1);
    const status = JSON.parse(spruce([...W, "status", "buggy", "--json"]).stdout);
    expect(status.state).toBe("FAILED");
    expect(status.counts.RUNNING).toBe(0);
    const dir = join(ws.dir, "data/buggy");
    const log = readdirSync(dir).filter((f) => f.startsWith("launcher-")).map((f) => readFileSync(join(dir, f), "utf8")).join("");
    expect(log).toContain("bug in my method: results went negative");
    expect(log).toMatch(/throws\.ts:\d+/); // the user's stack
    const err = readdirSync(dir).filter((f) => f.endsWith(".err")).map((f) => readFileSync(join(dir, f), "utf8")).join("");
    expect(err).toMatch(/error: the search stopped: its searcher failed/);
  });

  it("a stop operation ends a running evaluation as KILLED", () => {
    const r = submit("stopper", "stopper.ts");
    if (r.code !== 0) failures++;
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(spruce([...W, "status", "stopper", "--json"]).stdout);
    expect(status.counts).toMatchObject({ DONE: 1, KILLED: 1, RUNNING: 0 });
    expect(status.state).toBe("FINISHED");
  });
});
