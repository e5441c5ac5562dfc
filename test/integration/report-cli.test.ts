// Looking at a search through the built CLI: report, status with rate and ETA, logs and
// export, on a real local-scheduler search whose run fails for kind "c"; and refreshReport (the
// launcher's hook) against the same database.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, spruce, tempWorkspace } from "../helpers/cli.js";
import { parseCsv, readCsvRecords } from "../../src/results/csv.js";
import { refreshReport } from "../../src/results/report.js";
import { getWorkflow, listEvaluations, openStore, recordProgress } from "../../src/store/index.js";

const ws = tempWorkspace("spruce-report-");
const W = ["--workspace", ws.dir];
const results = join(ws.dir, "data/flaky");
let allPassed = true;
afterAll(() => {
  if (allPassed) ws.cleanup();
});

function ok(r: { code: number; stdout: string; stderr: string }): void {
  if (r.code !== 0) allPassed = false;
  expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  expect(r.code, r.stderr).toBe(0);
}

/** The finished evaluations as results.csv lists them: what every view must agree with. */
let csv: Record<string, string>[] = [];
/** report.html as the launcher left it when `--wait` returned, before any `spruce report`. */
let launcherReport = "";

beforeAll(() => {
  ok(spruce([...W, "submit", "hps", "flaky", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run-flaky.ts"), "--scheduler", "local", "--searcher", "random", "--max-evals", "14", "--evals-per-node", "3", "--seed", "3", "--wait"]));
  csv = readCsvRecords(join(results, "results.csv"));
  launcherReport = readFileSync(join(results, "report.html"), "utf8");
}, 120_000);

describe("spruce report", () => {
  it("finds the launcher's report.html complete when --wait returns: every result drawn", () => {
    // --wait returns on FINISHED; the launcher draws the final report before it sets it.
    const chart = /<svg id="chart-evals"[\s\S]*?<\/svg>/.exec(launcherReport)?.[0] ?? "";
    const ids = [...chart.matchAll(/class="pt [^"]*" data-eval-id="(\d+)"/g)].map((m) => m[1]);
    expect(ids.sort()).toEqual(csv.map((c) => c.eval_id).sort());
  });

  it("writes report.html in the results directory with a mark per finished evaluation", () => {
    const r = spruce([...W, "report", "flaky"]);
    ok(r);
    const file = join(results, "report.html");
    expect(r.stdout.trim()).toBe(file);
    expect(r.stderr).toContain(`wrote the report of 14 evaluation(s) to ${file}`);
    const html = readFileSync(file, "utf8");
    const chart = /<svg id="chart-evals"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "";
    const ids = [...chart.matchAll(/class="pt [^"]*" data-eval-id="(\d+)"/g)].map((m) => m[1]);
    expect(ids.sort()).toEqual(csv.map((c) => c.eval_id).sort());
    const failed = csv.filter((c) => c.status === "FAILED").map((c) => c.eval_id);
    expect(failed.length).toBeGreaterThan(0);
    expect([...chart.matchAll(/class="pt fail[^"]*" data-eval-id="(\d+)"/g)].map((m) => m[1]).sort()).toEqual(failed.sort());
  });

  it("writes where -o says, and --open without a browser just names the file", () => {
    const out = join(ws.dir, "mine.html");
    const r = spruce([...W, "report", "flaky", "-o", out, "--open"], { env: { PATH: "/nonexistent" } });
    ok(r);
    expect(existsSync(out)).toBe(true);
    expect(r.stderr).toContain(`no xdg-open here: open ${out} in a browser`);
  });

  it("refuses an unknown workflow with exit code 2", () => {
    const r = spruce([...W, "report", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: workflow 'nope' not found");
  });
});

describe("spruce status", () => {
  it("shows progress, rate, ETA, counts by state and the best point", () => {
    const r = spruce([...W, "status", "flaky"]);
    ok(r);
    expect(r.stdout).toContain("progress   14/14 finished (100%)\n");
    expect(r.stdout).toMatch(/rate {7}[\d.]+ evaluations\/min \(last 14 finished\)/);
    expect(r.stdout).toContain("eta        done\n");
    const failed = csv.filter((c) => c.status === "FAILED").length;
    expect(r.stdout).toMatch(new RegExp(`READY +RUNNING +DONE +FAILED +TIMEOUT +KILLED\\n0 +0 +${14 - failed} +${failed} +0 +0\\n`));
    expect(r.stdout).toMatch(/HYPERPARAMETER +BEST VALUE\nx +[\d.]+\nn +\d+\nkind +[ab]\n/);
  });

  it("keeps the --json object as the status JSON contract defines it", () => {
    const r = spruce([...W, "status", "flaky", "--json"]);
    ok(r);
    // The contract's fields (docs/architecture.md, The status JSON contract) first and never renamed; new fields come after them.
    expect(Object.keys(JSON.parse(r.stdout)).slice(0, 6)).toEqual(["workflow", "state", "max_evals", "counts", "best", "batch_jobs"]);
  });
});

describe("spruce logs", () => {
  it("prints the newest launcher log and names the batch job's output files", () => {
    const r = spruce([...W, "logs", "flaky"]);
    ok(r);
    expect(r.stdout).toMatch(/launcher 1 on .*workflow flaky/);
    expect(r.stdout).toMatch(/launcher 1 ended \(completed\)/);
    expect(r.stderr).toContain(`batch job 1 (local `);
    expect(r.stderr).toContain(`${join(results, "job-1.out")} ${join(results, "job-1.err")}`);
    expect(r.stderr).toContain(`==> ${join(results, "launcher-1.log")}`);

    const tail = spruce([...W, "logs", "flaky", "--tail", "2"]);
    ok(tail);
    expect(tail.stdout.split("\n")).toHaveLength(3); // two lines and the final newline
    expect(tail.stdout).toBe(r.stdout.split("\n").slice(-3).join("\n"));
  });

  it("prints an evaluation's stdout or stderr with its state on stderr", () => {
    const bad = csv.find((c) => c.status === "FAILED")!.eval_id!;
    const err = spruce([...W, "logs", "flaky", bad, "--stderr"]);
    ok(err);
    expect(err.stdout).toContain("kind c is not supported by this model");
    expect(err.stderr).toMatch(new RegExp(`^evaluation ${bad}: FAILED, attempt 1, on \\S+, exit code 1\\nerror: `));
    const out = spruce([...W, "logs", "flaky", bad]);
    ok(out);
    expect(out.stderr).toContain(`see its stderr with 'spruce logs flaky ${bad} --stderr'`);

    const good = csv.find((c) => c.status === "DONE")!;
    const g = spruce([...W, "logs", "flaky", good.eval_id!]);
    ok(g);
    expect(g.stderr).toContain(`evaluation ${good.eval_id}: DONE, attempt 1, objective `);
  });

  it("refuses an evaluation of no such id", () => {
    const r = spruce([...W, "logs", "flaky", "999"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: workflow 'flaky' has no evaluation 999");
  });
});

describe("spruce export", () => {
  it("exports every evaluation as CSV with ISO times, hosts and workdirs", () => {
    const r = spruce([...W, "export", "flaky", "--format", "csv"]);
    ok(r);
    const [header, ...rows] = parseCsv(r.stdout);
    expect(header).toEqual(["eval_id", "state", "attempt", "objective", "exit_code", "error", "created_at", "started_at", "finished_at", "duration_s", "hosts", "workdir", "p:x", "p:n", "p:kind", "metrics"]);
    expect(rows).toHaveLength(14);
    const rec = (row: string[]): Record<string, string> => Object.fromEntries(header!.map((h, i) => [h, row[i] ?? ""]));
    for (const row of rows.map(rec)) {
      const fromCsv = csv.find((c) => c.eval_id === row.eval_id)!;
      expect(row.state).toBe(fromCsv.status);
      expect(row.objective).toBe(fromCsv.objective);
      expect(row.started_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(row.workdir).toBe(join(results, "evals", row.eval_id!));
      expect(row.hosts).toBe(fromCsv["m:host"]);
      if (row.state === "FAILED") expect(row["p:kind"]).toBe("c");
    }
  });

  it("exports JSON with the state history, and writes files with -o", () => {
    const out = join(ws.dir, "history.json");
    const r = spruce([...W, "export", "flaky", "--format", "json", "--events", "-o", out]);
    ok(r);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/wrote 14 evaluation\(s\) and \d+ event\(s\) to /);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    expect(doc).toMatchObject({ workflow: "flaky", state: "FINISHED", direction: "maximize", max_evals: 14 });
    expect(doc.evaluations).toHaveLength(14);
    const first = doc.evaluations[0];
    expect(first).toMatchObject({ eval_id: 1, attempt: 0, point: { x: 0.5, n: 5, kind: "a" } });
    // Every evaluation went READY -> RUNNING -> its final state, in that order.
    for (const e of doc.evaluations as { eval_id: number; state: string }[]) {
      const path = (doc.events as { eval_id: number; from_state: string | null; to_state: string }[]).filter((x) => x.eval_id === e.eval_id).map((x) => `${x.from_state}>${x.to_state}`);
      expect(path).toEqual(["null>READY", "READY>RUNNING", `RUNNING>${e.state}`]);
    }

    const ev = spruce([...W, "export", "flaky", "--format", "csv", "--events"]);
    ok(ev);
    const [h, ...rows] = parseCsv(ev.stdout);
    expect(h).toEqual(["event_id", "eval_id", "from_state", "to_state", "at", "note"]);
    expect(rows).toHaveLength(doc.events.length);
  });

  it("requires --format", () => {
    const r = spruce([...W, "export", "flaky"]);
    expect(r.code).toBe(2);
  });
});

describe("refreshReport (the launcher's hook)", () => {
  it("rewrites the report, and logs instead of throwing when it cannot", async () => {
    const store = await openStore({ workspace: ws.dir });
    try {
      const wf = (await getWorkflow(store, "flaky"))!;
      const file = join(ws.dir, "refreshed.html");
      const lines: string[] = [];
      await refreshReport(store, wf, { file, log: (l) => lines.push(l) });
      expect(readFileSync(file, "utf8")).toContain('<svg id="chart-evals"');
      expect(lines).toEqual([]);
      await refreshReport(store, wf, { file: join(file, "not-a-dir", "report.html"), log: (l) => lines.push(l) });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^report.html not refreshed: /);
    } finally {
      await store.close();
    }
  });
});

describe("learning curves in the report", () => {
  it("appear once evaluations have reported, from the database's reports", async () => {
    // The search above never reported: its page has no section.
    expect(readFileSync(join(results, "report.html"), "utf8")).not.toContain('id="curves"');
    const store = await openStore({ workspace: ws.dir });
    try {
      const wf = (await getWorkflow(store, "flaky"))!;
      const done = (await listEvaluations(store, wf.id)).filter((e) => e.state === "DONE").slice(0, 3);
      await recordProgress(store, wf.id, done.flatMap((e, i) => [1, 2].map((step) => ({ evaluationId: e.id, step, value: i * 10 + step, at: Date.now() }))));
      const file = join(ws.dir, "curves.html");
      await refreshReport(store, wf, { file });
      const html = readFileSync(file, "utf8");
      expect(html).toContain('<section id="curves"><h2>Learning curves</h2>');
      expect(html).toContain("3 evaluation(s)");
      // Maximizing: the last one, which reported the highest values, is the best.
      expect(html).toContain(`<path class="curve top" data-eval-id="${done[2]!.id}"`);
    } finally {
      await store.close();
    }
  });
});
