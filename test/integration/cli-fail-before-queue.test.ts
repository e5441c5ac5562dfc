// What a batch job would die of after its queue wait is refused at submit, through the built CLI on
// a fresh workspace each time: exit 2, one `error:` line naming the field, a `hint:` naming a flag
// that exists, and nothing written (not even the workspace). Also the new user's trips: flags
// that the help shows and that must work as shown.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectOneError, fixture, ROOT, spruce, tempWorkspace } from "../helpers/cli.js";
import { readCsvRecords } from "../../src/results/csv.js";

const problem = fixture("cli/problem.ts");
const run = fixture("cli/run.ts");

/** Runs submit on a workspace that does not exist yet, and checks that it still does not. */
function refusedSubmit(extra: string[], error: RegExp, hint?: RegExp): string {
  const tmp = tempWorkspace("spruce-refused-");
  const ws = join(tmp.dir, "ws");
  const r = spruce(["--workspace", ws, "submit", "hps", "wf", "--scheduler", "local", ...extra]);
  const text = expectOneError(r, error, { hint });
  expect(existsSync(ws), `${ws} was created`).toBe(false);
  tmp.cleanup();
  return text;
}

/** Every option `spruce submit --help` lists, and the hidden launcher settings (tests use them). */
const SUBMIT_HELP = spruce(["submit", "--help"]).stdout;
const KNOWN_FLAGS = new Set([
  ...[...SUBMIT_HELP.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((m) => m[1]!),
  ...[...SUBMIT_HELP.matchAll(/(?:^|\s)(-[a-zA-Z])[,\s]/g)].map((m) => m[1]!),
  "--heartbeat-seconds",
  "--stale-after-seconds",
  "--max-attempts",
  "--kill-grace-seconds",
]);

function expectKnownFlags(hint: string): void {
  // Flags of ours; a quoted one is a value (a scheduler's option given to --sched-flags).
  for (const m of hint.matchAll(/(?:^|[\s(,])(--?[a-zA-Z][a-z-]*)/g)) expect(KNOWN_FLAGS, `hint names ${m[1]}`).toContain(m[1]);
}

const base = ["-p", problem, "-r", run];

describe("searcher settings are refused at submit with the launcher's own checks", () => {
  const cases: [string, string[], RegExp, RegExp][] = [
    ["--grid-count 0", ["--searcher", "grid", "--grid-count", "0"], /--grid-count must be a whole number of at least 1 \(got 0\)/, /--grid-count 5/],
    ["--grid-count 2.5", ["--searcher", "grid", "--grid-count", "2.5"], /--grid-count must be a whole number of at least 1 \(got 2\.5\)/, /--grid-count/],
    ["--kappa -1", ["--kappa", "-1"], /--kappa must be a number, 0 or more \(got -1\)/, /--kappa 1\.96/],
    ["--xi -0.5", ["--acq", "ei", "--xi", "-0.5"], /--xi must be a number, 0 or more \(got -0\.5\)/, /--xi 0\.01/],
    ["--n-initial-points -1", ["--n-initial-points", "-1"], /--n-initial-points must be a whole number of at least 0 \(got -1\)/, /--n-initial-points 10/],
    ["--n-initial-points 1.5", ["--n-initial-points", "1.5"], /--n-initial-points must be a whole number/, /--n-initial-points/],
    ["--kappa with random", ["--searcher", "random", "--kappa", "1"], /--kappa only applies to --searcher ambs/, /--searcher ambs, or drop --kappa/],
    ["--grid-count with ambs", ["--grid-count", "3"], /--grid-count only applies to --searcher grid/, /--searcher grid/],
    ["asha without --max-length", ["--searcher", "asha"], /asha needs --max-length/, /--max-length 64/],
    ["asha --max-length 0", ["--searcher", "asha", "--max-length", "0"], /--max-length must be a positive integer \(got 0\)/, /--max-length 27/],
    ["asha --divisor 1", ["--searcher", "asha", "--max-length", "9", "--divisor", "1"], /--divisor must be a number greater than 1 \(got 1\)/, /--divisor 4/],
    ["asha --max-rungs 0", ["--searcher", "asha", "--max-length", "9", "--max-rungs", "0"], /--max-rungs must be a positive integer \(got 0\)/, /--max-rungs 5/],
    ["--divisor without asha", ["--divisor", "3"], /--divisor only applies to --searcher asha/, /--searcher asha/],
    ["asha from ambs with --kappa -1", ["--searcher", "asha", "--max-length", "9", "--asha-searcher", "ambs", "--kappa", "-1"], /--kappa must be a number, 0 or more/, /--kappa/],
    ["--kappa with asha from random", ["--searcher", "asha", "--max-length", "9", "--kappa", "1"], /--kappa only applies to --searcher ambs or agebo or asha with --asha-searcher ambs/, /--kappa/],
    ["--search-method without custom", ["--search-method", fixture("methods/report-stopper.mjs")], /--search-method only applies to --searcher custom/, /--searcher custom/],
    ["custom without --search-method", ["--searcher", "custom"], /--searcher custom needs --search-method FILE/, /--search-method my-method\.ts/],
  ];
  it.each(cases)("%s", (_name, extra, error, hint) => {
    expectKnownFlags(refusedSubmit([...base, ...extra], error, hint));
  });
});

describe("launch settings the launcher would refuse are refused at submit", () => {
  const cases: [string, string[], RegExp, RegExp][] = [
    ["-j mpi --nodes-per-eval 2 -n 1", ["-j", "mpi", "--nodes-per-eval", "2", "-n", "1"], /--nodes-per-eval 2 needs at least that many nodes; -n asks for 1/, /-n 2\) or lower --nodes-per-eval/],
    ["--nodes-per-eval 2 in serial mode", ["--nodes-per-eval", "2"], /--nodes-per-eval 2 applies to -j mpi/, /-j mpi/],
    ["--ranks-per-node in serial mode", ["--ranks-per-node", "4"], /--ranks-per-node 4 applies to -j mpi/, /-j mpi/],
    ["--evals-per-node in mpi mode", ["-j", "mpi", "--evals-per-node", "2"], /--evals-per-node 2 applies to -j serial/, /--nodes-per-eval/],
    ["--gpus-per-eval in mpi mode", ["-j", "mpi", "--gpus-per-eval", "1", "--gpus-per-node", "4"], /--gpus-per-eval applies to -j serial/, /--gpus-per-eval/],
    ["more GPUs than the node has", ["--evals-per-node", "2", "--gpus-per-eval", "2", "--gpus-per-node", "2"], /needs 4 GPUs per node; --gpus-per-node is 2/, /--gpus-per-node/],
    ["--heartbeat-seconds 0", ["--heartbeat-seconds", "0"], /--heartbeat-seconds must be a positive number of seconds \(got 0\)/, /--heartbeat-seconds 30/],
    ["staleness shorter than the heartbeat", ["--heartbeat-seconds", "30", "--stale-after-seconds", "10"], /--stale-after-seconds 10 must be longer than --heartbeat-seconds 30/, /--stale-after-seconds/],
    ["--max-attempts 0", ["--max-attempts", "0"], /--max-attempts must be a whole number of at least 1 \(got 0\)/, /--max-attempts 3/],
    ["--kill-grace-seconds -1", ["--kill-grace-seconds", "-1"], /--kill-grace-seconds must be a number of seconds, 0 or more \(got -1\)/, /--kill-grace-seconds 5/],
    ["--eval-timeout 0", ["--eval-timeout", "0"], /--eval-timeout must be a positive number of seconds \(got 0\)/, /--eval-timeout 3600/],
    ["--walltime-margin past the walltime", ["-t", "10", "--walltime-margin", "600"], /--walltime-margin 600 s must be at least 0 and shorter than the walltime \(600 s\)/, /-t/],
    ["SQLite for two nodes", ["-n", "2"], /spans 2 nodes, but the workflow database is SQLite/, /--db-dir DIR/],
    ["--wait-timeout 0", ["--wait-timeout", "0"], /--wait-timeout must be a positive number of seconds \(got 0\)/, /--wait-timeout 3600/],
    ["a scheduler directive that is not an option", ["--sched-flags", "exclusive"], /--sched-flags entry 'exclusive' is not an option/, /--sched-flags '--gres=gpu:1'/],
    ["--upload without --site", ["--upload", ROOT], /--upload only applies with --site/, /--site NAME/],
  ];
  it.each(cases)("%s", (_name, extra, error, hint) => {
    expectKnownFlags(refusedSubmit([...base, ...extra], error, hint));
  });
});

describe("--seed is a whole number from 0 to 2^32-1", () => {
  it.each(["-1", "1.5", "4294967296"])("--seed %s", (seed) => {
    refusedSubmit([...base, "--seed", seed], new RegExp(`--seed must be a whole number from 0 to 4294967295 \\(got ${seed.replace(".", "\\.")}\\)`), /--seed 42/);
  });

  it("--seed abc is echoed as typed, with no database created (it was a raw SQL error)", () => {
    refusedSubmit([...base, "--seed", "abc"], /--seed must be a number \(got 'abc'\)/, /spruce submit --help/);
  });
});

describe("arguments: each error one line naming the flag as typed", () => {
  const cases: [string, string[], RegExp][] = [
    ["a number that is not one", ["--max-evals", "abc"], /--max-evals must be a number \(got 'abc'\)/],
    ["a value missing at the end", ["--nodes"], /--nodes needs a value/],
    ["a value missing before another flag", ["--queue", "--dry-run"], /--queue needs a value/],
    ["an option given twice", ["-p", problem], /--problem was given 2 times/],
    ["a choice not offered", ["-j", "foo"], /--job-mode "foo" is not one of serial, mpi$/],
    ["an unknown option", ["--max-eval", "3"], /unknown option --max-eval$/],
    ["two options that exclude each other", ["--maximize", "--minimize"], /--maximize and --minimize cannot be used together/],
  ];
  it.each(cases)("%s", (_name, extra, error) => {
    refusedSubmit([...base, ...extra], error, /spruce submit --help/);
  });

  it("a non-number for topk -k and for logs EVAL_ID is echoed as typed", () => {
    expectOneError(spruce(["topk", "wf", "-k", "three"]), /-k must be a number \(got 'three'\)/, { hint: /spruce topk --help/ });
    const tmp = tempWorkspace();
    expectOneError(spruce(["--workspace", tmp.dir, "logs", "wf", "x1"]), /EVAL_ID must be a positive whole number \(got 'x1'\)/);
    tmp.cleanup();
  });
});

describe("what the help shows works as shown", () => {
  it("--sched-flags '--exclusive' (as its help shows) and --sched-flags=--gres=gpu:1 both reach the script", () => {
    const tmp = tempWorkspace();
    const ws = join(tmp.dir, "ws");
    const r = spruce(["--workspace", ws, "submit", "hps", "flags", ...base, "--scheduler", "slurm", "--sched-flags", "--exclusive", "--sched-flags=--gres=gpu:1", "--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("#SBATCH --exclusive\n");
    expect(r.stdout).toContain("#SBATCH --gres=gpu:1\n");
    expect(SUBMIT_HELP).toContain("--sched-flags '--exclusive'");
    expect(existsSync(ws)).toBe(false);
    tmp.cleanup();
  });

  it("balsam-submit --help shows the form balsam-submit accepts, and that form works", () => {
    const balsam = join(ROOT, "dist/src/cli/balsam-submit.js");
    const help = runNode(balsam, ["--help"]).stdout;
    expect(help).toContain("balsam-submit hps poly");
    expect(help).not.toContain("balsam-submit submit");
    const tmp = tempWorkspace();
    const r = runNode(balsam, ["hps", "bs", ...base, "--scheduler", "local", "--dry-run", "--workspace", join(tmp.dir, "ws")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^#!\/bin\/bash/);
    tmp.cleanup();
  });

  it("site add --help prints no $0 and does not redefine the global --workspace", () => {
    const help = spruce(["site", "add", "--help"]).stdout;
    expect(help).not.toContain("$0");
    expect(help).toContain("--remote-workspace");
    expect(help.match(/--workspace\b/g)).toHaveLength(1);
    const home = tempWorkspace();
    const old = spruce(["site", "add", "x", "--host", "h", "--user", "u", "--workspace", "w"], { env: { XDG_CONFIG_HOME: home.dir } });
    expectOneError(old, /--workspace names this machine's workspace, not the site's/, { hint: /--remote-workspace DIR/ });
    expect(existsSync(join(home.dir, "spruce"))).toBe(false);
    home.cleanup();
  });

  it("submit --help lists --upload and says where a command runs", () => {
    expect(SUBMIT_HELP).toContain("--upload");
    expect(SUBMIT_HELP.replace(/\s+/g, " ")).toContain("it runs in the directory submit was called from, with its own folder in $SPRUCE_WORKDIR");
  });

  it("the README lists every option submit --help shows", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const options = [...SUBMIT_HELP.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!);
    expect(options.length).toBeGreaterThan(40);
    const missing = options.filter((o) => !readme.includes(o) && !["--help", "--verbose", "--accept-new-host-key", "--connect-timeout"].includes(o));
    expect(missing).toEqual([]);
  });

  it("-n is the node count in submit and not a short flag of logs (--tail stays)", () => {
    const tmp = tempWorkspace();
    expectOneError(spruce(["--workspace", tmp.dir, "logs", "wf", "-n", "2"]), /unknown option -n/, { hint: /spruce logs --help/ });
    expect(spruce(["logs", "--help"]).stdout).toMatch(/--tail\s/);
    tmp.cleanup();
  });
});

describe("problem modules", () => {
  it("a syntax error in a .mjs module names its line", () => {
    expectOneError(spruce(["problem", "show", fixture("problems/bad-syntax.mjs")]), /bad-syntax\.mjs: syntax error at line 4: /);
  });

  it("a shorthand [0.0, 1.0] is shown with a warning naming the explicit forms, at problem show and at submit", () => {
    const show = spruce(["problem", "show", fixture("problems/ambiguous-range.ts")]);
    expect(show.code, show.stderr).toBe(0);
    const warnings = show.stderr.split("\n").filter((l) => l.startsWith("warning: "));
    expect(warnings).toEqual([
      `warning: hyperparameter 'p': [0, 1] is the integer range 0..1 (two whole numbers make an int range, and JavaScript cannot tell 1.0 from 1): write .float("p", 0, 1) for real values, or .int("p", 0, 1) to keep integers without this warning`,
    ]);
    const tmp = tempWorkspace();
    const dry = spruce(["--workspace", join(tmp.dir, "ws"), "submit", "hps", "amb", "-p", fixture("problems/ambiguous-range.ts"), "--command", "echo objective: {{p}}", "--scheduler", "local", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`warning: hyperparameter 'p': [0, 1] is the integer range 0..1`);
    tmp.cleanup();
  });

  it("--hp x=0.0:1.0 is a real range: a search of 3 evaluations runs 3 (it stopped with the space exhausted after 2)", () => {
    const tmp = tempWorkspace();
    const r = spruce(["--workspace", tmp.dir, "submit", "hps", "reals", "--hp", "x=0.0:1.0", "--command", "echo objective: {{x}}", "--scheduler", "local", "--searcher", "random", "--max-evals", "3", "--seed", "5", "--wait"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("Search reals finished: 3 evaluation(s).");
    const xs = readCsvRecords(join(tmp.dir, "data/reals/results.csv")).map((row) => Number(row["p:x"]));
    expect(xs).toHaveLength(3);
    expect(xs.some((x) => !Number.isInteger(x))).toBe(true);
    tmp.cleanup();
  });
});

function runNode(file: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [file, ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
