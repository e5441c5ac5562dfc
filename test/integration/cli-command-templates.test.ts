// Command templates cannot be turned into commands, through the built CLI and a real /bin/sh: a
// corpus of hostile values (test/fixtures/hostile/values.json: $(...), backticks, ; | &&, newlines,
// quotes of both kinds, backslashes, globs, ~, $HOME, leading -, unicode, the empty string...)
// reaches the program exactly in every accepted form of placeholder, and nothing runs (no PWNED
// file anywhere); the forms that put a placeholder inside quotes or a substitution are refused at
// submit with nothing written. Commands run in the submit directory, each with its own folder in
// $SPRUCE_WORKDIR.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectOneError, fixture, spruce, tempWorkspace } from "../helpers/cli.js";
import { readCsvRecords } from "../../src/results/csv.js";

const hostile = fixture("hostile/problem.ts");
const argvPy = fixture("hostile/argv.py");
const VALUES = JSON.parse(readFileSync(fixture("hostile/values.json"), "utf8")) as string[];

/** Every file named PWNED under dir: what a value that ran as code would have left. */
function pwned(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (name === "PWNED" || name.startsWith("PWNED")) found.push(p);
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return found;
}

describe("hostile values in the accepted forms", () => {
  it("reach the program exactly as a word, in --name=..., inside a word and in {{#if}}, and none runs", { timeout: 180_000 }, () => {
    const tmp = tempWorkspace("spruce-hostile-");
    const cwd = join(tmp.dir, "here");
    mkdirSync(cwd);
    const template = `python3 ${argvPy} {{v}} --name={{v}} pre{{v}}post{{#if v}} if:{{v}}{{/if}}`;
    const r = spruce(["--workspace", join(tmp.dir, "ws"), "submit", "hps", "hostile", "-p", hostile, "--command", template,
      "--scheduler", "local", "--searcher", "grid", "--evals-per-node", "4", "--wait"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Search hostile finished: ${VALUES.length} evaluation(s).`);

    const rows = readCsvRecords(join(tmp.dir, "ws/data/hostile/results.csv"));
    expect(rows.map((row) => row.status)).toEqual(VALUES.map(() => "DONE"));
    const seen: string[] = [];
    for (const row of rows) {
      const workdir = join(tmp.dir, "ws/data/hostile/evals", row.eval_id!);
      const v = (JSON.parse(readFileSync(join(workdir, "point.json"), "utf8")) as { v: string }).v;
      const got = JSON.parse(readFileSync(join(workdir, "argv.json"), "utf8")) as { argv: string[]; cwd: string };
      expect(got.argv, JSON.stringify(v)).toEqual([v, `--name=${v}`, `pre${v}post`, ...(v ? [`if:${v}`] : [])]);
      expect(got.cwd).toBe(cwd);
      seen.push(v);
    }
    expect(seen.sort()).toEqual([...VALUES].sort());
    expect(pwned(tmp.dir)).toEqual([]);
    tmp.cleanup();
  });
});

describe("the forms that would run a value are refused at submit", () => {
  const forms: [string, RegExp, RegExp][] = [
    ["python3 ARGV '{{v}}'", /the placeholder \{\{v\}\} is inside single quotes/, /drop the quotes/],
    [`python3 ARGV "{{v}}"`, /is inside double quotes/, /drop the quotes/],
    [`python3 ARGV "--name={{v}}"`, /is inside double quotes/, /drop the quotes/],
    ["python3 ARGV $(printf %s {{v}})", /inside a \$\(\.\.\.\) command substitution/, /drop the quotes \(or the substitution\)/],
    ["python3 ARGV `printf %s {{v}}`", /inside a `\.\.\.` command substitution/, /drop the quotes \(or the substitution\)/],
    ["python3 ARGV ${NAME:-{{v}} }", /inside a \$\{\.\.\.\} parameter expansion/, /drop the quotes/],
    ["python3 ARGV x # {{v}}", /inside a # comment/, /take the placeholder out of it/],
    ["python3 ARGV \\\\{{v}}", /right after a backslash/, /drop the backslash/],
    ["python3 ARGV ${{v}}", /right after a \$/, /drop the \$/],
    ["cat <<EOF\n{{v}}\nEOF", /inside a here-document/, /as an argument/],
  ];
  it.each(forms)("%s", (form, error, hint) => {
    const tmp = tempWorkspace("spruce-hostile-");
    const ws = join(tmp.dir, "ws");
    const r = spruce(["--workspace", ws, "submit", "hps", "refused", "-p", hostile, "--command", form.replace("ARGV", argvPy), "--scheduler", "local", "--searcher", "grid"], { cwd: tmp.dir });
    expectOneError(r, error, { hint });
    expect(r.stderr).toContain("Validating run...FAILED");
    expect(existsSync(ws)).toBe(false);
    expect(pwned(tmp.dir)).toEqual([]);
    tmp.cleanup();
  });
});

describe("where a command runs", () => {
  it("in the submit directory, each evaluation with its own $SPRUCE_WORKDIR: two at once keep their own out.txt", { timeout: 120_000 }, () => {
    const tmp = tempWorkspace("spruce-workdir-");
    const cwd = join(tmp.dir, "project");
    mkdirSync(cwd);
    // Each writes its value, waits for the other slot's evaluation to write too, and reads its own back.
    const script = 'echo "$1" > "$SPRUCE_WORKDIR/out.txt"; pwd > "$SPRUCE_WORKDIR/cwd.txt"; sleep 1; test "$(cat "$SPRUCE_WORKDIR/out.txt")" = "$1" && echo objective: 1';
    const r = spruce(["--workspace", join(tmp.dir, "ws"), "submit", "hps", "outs", "--hp", "k=a,b,c,d", "--command", `sh -c '${script}' sh {{k}}`,
      "--scheduler", "local", "--searcher", "grid", "--evals-per-node", "2", "--wait"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const rows = readCsvRecords(join(tmp.dir, "ws/data/outs/results.csv"));
    expect(rows.map((row) => row.status)).toEqual(["DONE", "DONE", "DONE", "DONE"]);
    for (const row of rows) {
      const dir = join(tmp.dir, "ws/data/outs/evals", row.eval_id!);
      expect(readFileSync(join(dir, "out.txt"), "utf8")).toBe(`${row["p:k"]}\n`);
      expect(readFileSync(join(dir, "cwd.txt"), "utf8")).toBe(`${cwd}\n`);
    }
    // They did run two at a time: some pair overlapped.
    const spans = rows.map((row) => [Number(row["m:timestamp_start"]), Number(row["m:timestamp_end"])] as const);
    expect(spans.some(([s1, e1], i) => spans.some(([s2, e2], j) => i !== j && s1 < e2 && s2 < e1))).toBe(true);
    expect(existsSync(join(cwd, "out.txt"))).toBe(false);
    tmp.cleanup();
  });
});
