// bench/suite: Spruce's searchers (ambs, random) on the BBOB + mixed suite under bench/simulate.ts's
// protocol (8 asynchronous workers, exponential(1) times, evaluation-time seed 1000 + seed, one run
// of 200 evaluations read at 50, 100 and 200), against the references of reference.py, and the
// table of who is at or below the best reference, per problem and per COCO group.
//
//   npx tsx bench/suite/run.ts --quick [--seeds 10] [--references FILE]
//       a dozen problems spread over the groups; the references run in the same run (reference.py is
//       spawned; with --references FILE, results already in FILE are reused and the rest appended)
//   npx tsx bench/suite/run.ts --full [--seeds 10] [--references bench/suite/references.jsonl]
//       every problem; the references are read from the committed file
//   common: [--problems a,b] [--searchers ambs,random] [--set kappa=1.96] [--methods tpe,cmaes,dh-ambs,random]
//           [--python /usr/bin/python3] [--json FILE (our runs as JSON lines, appended as
//           each ends; runs already in FILE are reused)]
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createAmbsSearcher } from "../../src/search/ambs/index.js";
import { createRandomSearcher } from "../../src/search/random.js";
import type { Searcher, SearcherContext } from "../../src/search/searcher.js";
import { Space } from "../../src/space/space.js";
import type { JsonValue } from "../../src/space/types.js";
import { simulate } from "../simulate.js";
import { mannWhitneyZ, Z_05 } from "./stats.js";
import { allProblemNames, getProblem, SUITE_GROUPS, type SuiteGroup } from "./suite.js";

const BUDGETS = [50, 100, 200] as const;
const REFERENCE_METHODS = ["tpe", "cmaes", "dh-ambs", "random"] as const;
const OURS: Record<string, (ctx: SearcherContext) => Searcher> = { ambs: createAmbsSearcher, random: createRandomSearcher };

/** Two problems per COCO group in 2, 5 and 10 dimensions, and two mixed ones. */
export const QUICK_PROBLEMS = [
  "bbob-f1-d10", "bbob-f3-d5", // separable
  "bbob-f6-d5", "bbob-f8-d10", // low or moderate conditioning
  "bbob-f10-d5", "bbob-f13-d10", // high conditioning
  "bbob-f15-d2", "bbob-f17-d10", // multimodal, adequate global structure
  "bbob-f20-d5", "bbob-f21-d10", // multimodal, weak global structure
  "ackley-int6", "cat-offset", // mixed
];

const here = path.dirname(new URL(import.meta.url).pathname);

interface Args {
  mode: "quick" | "full";
  seeds: number;
  problems: string[];
  searchers: string[];
  methods: string[];
  options: Record<string, JsonValue>;
  references: string | null;
  python: string;
  json: string | null;
}

class UsageError extends Error {
  constructor(readonly field: string, message: string, readonly hint: string) {
    super(message);
  }
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    mode: "quick", seeds: 10, problems: [], searchers: ["ambs", "random"], methods: [...REFERENCE_METHODS],
    options: {}, references: null, python: "/usr/bin/python3", json: null,
  };
  let mode: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(flag, `${flag} needs a value`, `write ${flag} VALUE`);
      return v;
    };
    if (flag === "--quick" || flag === "--full") {
      if (mode !== null && mode !== flag) throw new UsageError("--quick/--full", "--quick and --full exclude each other", "give one of them");
      mode = flag;
    } else if (flag === "--seeds") {
      const v = value();
      args.seeds = Number(v);
      if (!Number.isInteger(args.seeds) || args.seeds < 1) throw new UsageError("--seeds", `--seeds ${v} is not a positive integer`, "e.g. --seeds 10");
    } else if (flag === "--problems") args.problems = value().split(",");
    else if (flag === "--searchers") args.searchers = value().split(",");
    else if (flag === "--methods") args.methods = value().split(",");
    else if (flag === "--references") args.references = value();
    else if (flag === "--python") args.python = value();
    else if (flag === "--json") args.json = value();
    else if (flag === "--set") {
      const v = value();
      const eq = v.indexOf("=");
      if (eq <= 0) throw new UsageError("--set", `--set ${v} is not NAME=VALUE`, "e.g. --set kappa=1.96");
      const raw = v.slice(eq + 1);
      args.options[v.slice(0, eq)] = raw !== "" && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
    } else throw new UsageError(flag, `unknown flag ${flag}`, "see the usage at the top of bench/suite/run.ts");
  }
  args.mode = mode === "--full" ? "full" : "quick";
  if (args.problems.length === 0) args.problems = args.mode === "quick" ? QUICK_PROBLEMS : allProblemNames();
  const known = new Set(allProblemNames());
  for (const p of args.problems) {
    if (!known.has(p)) throw new UsageError("--problems", `unknown problem ${p}`, "names are bbob-f<1..24>-d<2|5|10> or those of bench/suite/mixed.json");
  }
  for (const s of args.searchers) {
    if (!(s in OURS)) throw new UsageError("--searchers", `unknown searcher ${s}`, `choose among ${Object.keys(OURS).join(",")}`);
  }
  for (const m of args.methods) {
    if (!(REFERENCE_METHODS as readonly string[]).includes(m)) {
      throw new UsageError("--methods", `unknown reference method ${m}`, `choose among ${REFERENCE_METHODS.join(",")}`);
    }
  }
  if (args.mode === "full" && args.references === null) args.references = path.join(here, "references.jsonl");
  if (args.mode === "full" && !existsSync(args.references!)) {
    throw new UsageError("--references", `${args.references} does not exist`, "run bench/suite/reference.py first (see bench/suite/RESULTS.md for the command)");
  }
  return args;
}

interface Row {
  problem: string;
  method: string;
  seed: number;
  budget: number;
  regret: number;
}

/**
 * Our runs. With --json FILE each run's rows are appended as it ends, and runs the file holds
 * already (same problem, searcher and seed) are read back instead of run again: a long
 * measurement survives being stopped, as reference.py's does. The file belongs to one setting
 * of --set: give each its own.
 */
function runOurs(args: Args): Row[] {
  const kept = args.json ? readReferences(args.json) : [];
  const have = new Set(kept.map((r) => `${r.problem}|${r.method}|${r.seed}`));
  const rows: Row[] = kept.filter((r) => args.problems.includes(r.problem) && args.searchers.includes(r.method) && r.seed < args.seeds);
  for (const name of args.problems) {
    const problem = getProblem(name);
    for (const s of args.searchers) {
      for (let seed = 0; seed < args.seeds; seed++) {
        if (have.has(`${name}|${s}|${seed}`)) continue;
        const ctx: SearcherContext = { space: new Space(problem.spec), seed, direction: "minimize", options: s === "ambs" ? args.options : {} };
        const values = simulate(OURS[s]!(ctx), problem.objective, { workers: 8, budget: 200, meanTime: 1, seed: 1000 + seed });
        const run = BUDGETS.map((b) => ({ problem: name, method: s, seed, budget: b, regret: Math.min(...values.slice(0, b)) - problem.fopt }));
        rows.push(...run);
        if (args.json) appendFileSync(args.json, run.map((r) => JSON.stringify(r)).join("\n") + "\n");
      }
    }
  }
  return rows;
}

function readReferences(file: string): Row[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Row);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const fmt = (v: number | undefined): string =>
  v === undefined ? "-" : v === 0 ? "0" : Math.abs(v) >= 0.01 && Math.abs(v) < 1e5 ? v.toFixed(3) : v.toExponential(2);
const cells = (cs: string[], widths: number[]): string => cs.map((c, i) => (i === 0 ? c.padEnd(widths[0]!) : c.padStart(widths[i]!))).join("  ");
/** At or below, up to rounding: medians equal to 1e-9 relative count as a tie. */
const atOrBelow = (a: number, b: number): boolean => a <= b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));


function report(args: Args, ours: Row[], refs: Row[]): void {
  const medianOf = (rows: Row[], problem: string, method: string, budget: number): { m: number; n: number } | undefined => {
    const xs = rows.filter((r) => r.problem === problem && r.method === method && r.budget === budget && r.seed < args.seeds).map((r) => r.regret);
    return xs.length === 0 ? undefined : { m: median(xs), n: xs.length };
  };
  const refCols = args.methods.map((m) => `${m === "random" ? "rnd(py)" : m}`);
  const valuesOf = (rows: Row[], problem: string, method: string, budget: number): number[] =>
    rows.filter((r) => r.problem === problem && r.method === method && r.budget === budget && r.seed < args.seeds).map((r) => r.regret);
  const header = ["problem", ...args.searchers.map((s) => (s === "random" ? "rnd(ts)" : s)), ...refCols, "best ref", "ambs≤best", "ambs≤rnd", "vs best"];
  const widths = header.map((h, i) => (i === 0 ? 14 : Math.max(9, h.length)));
  type Verdict = { group: SuiteGroup; complete: boolean; best: boolean; rnd: boolean; behind: boolean; behindRnd: boolean };
  const verdicts = new Map<number, Map<string, Verdict>>();
  for (const b of BUDGETS) {
    verdicts.set(b, new Map());
    console.log(`\nMedian regret at ${b} evaluations over ${args.seeds} seeds (8 async workers, exp(1) times); ~ marks a problem whose references lack seeds`);
    console.log(cells(header, widths));
    for (const name of args.problems) {
      const group = getProblem(name).group;
      const ourMed = args.searchers.map((s) => medianOf(ours, name, s, b)?.m);
      const refMed = args.methods.map((m) => medianOf(refs, name, m, b));
      const complete = refMed.every((r) => r !== undefined && r.n === args.seeds);
      const known = refMed.filter((r): r is { m: number; n: number } => r !== undefined).map((r) => r.m);
      const best = known.length > 0 ? Math.min(...known) : undefined;
      const bestName = best === undefined ? "-" : args.methods[refMed.findIndex((r) => r?.m === best)]!;
      const ambs = ourMed[args.searchers.indexOf("ambs")];
      const rndRef = refMed[args.methods.indexOf("random")]?.m ?? ourMed[args.searchers.indexOf("random")];
      const winBest = ambs !== undefined && best !== undefined && atOrBelow(ambs, best);
      const winRnd = ambs !== undefined && rndRef !== undefined && atOrBelow(ambs, rndRef);
      // "+" ahead of the best reference, "-" behind it, "=" neither, at p < 0.05 (mannWhitneyZ).
      const [mine, theirs] = [valuesOf(ours, name, "ambs", b), valuesOf(refs, name, bestName, b)];
      const behind = ambs !== undefined && best !== undefined && mannWhitneyZ(mine, theirs) > Z_05;
      const ahead = ambs !== undefined && best !== undefined && mannWhitneyZ(theirs, mine) > Z_05;
      const sig = ambs === undefined || best === undefined ? "-" : behind ? "-" : ahead ? "+" : "=";
      // Where ambs and random are alike, which median is lower is a coin's toss: the test says whether it is behind.
      const rndValues = args.methods.includes("random") ? valuesOf(refs, name, "random", b) : valuesOf(ours, name, "random", b);
      const behindRnd = ambs !== undefined && rndValues.length > 0 && mannWhitneyZ(mine, rndValues) > Z_05;
      verdicts.get(b)!.set(name, { group, complete, best: winBest, rnd: winRnd, behind, behindRnd });
      console.log(
        cells(
          [
            `${name}${complete ? "" : " ~"}`,
            ...ourMed.map(fmt),
            ...refMed.map((r) => fmt(r?.m)),
            `${fmt(best)} ${bestName}`,
            ambs === undefined || best === undefined ? "-" : winBest ? "yes" : "no",
            ambs === undefined || rndRef === undefined ? "-" : winRnd ? "yes" : "no",
            sig,
          ],
          widths,
        ),
      );
    }
  }
  if (!args.searchers.includes("ambs")) return;
  console.log(`\nambs at or below the best reference (median regret) / never worse than random, per group; complete problems only`);
  const w = [18, 10, 14, 14, 14];
  console.log(cells(["group", "problems", ...BUDGETS.map((b) => `@${b} best|rnd`)], w));
  const totals = BUDGETS.map(() => ({ n: 0, best: 0, rnd: 0 }));
  for (const g of SUITE_GROUPS) {
    const row: string[] = [g];
    let n = 0;
    BUDGETS.forEach((b, i) => {
      const vs = [...verdicts.get(b)!.values()].filter((v) => v.group === g && v.complete);
      n = vs.length;
      const best = vs.filter((v) => v.best).length;
      const rnd = vs.filter((v) => v.rnd).length;
      totals[i]!.n += vs.length;
      totals[i]!.best += best;
      totals[i]!.rnd += rnd;
      row.push(vs.length === 0 ? "-" : `${best}|${rnd}`);
    });
    if (n === 0 && row.slice(1).every((c) => c === "-")) continue;
    console.log(cells([row[0]!, String(n), ...row.slice(1)], w));
  }
  console.log(cells(["all", String(totals[0]!.n), ...totals.map((t) => `${t.best}|${t.rnd}`)], w));
  console.log(
    cells(["share", "", ...totals.map((t) => (t.n === 0 ? "-" : `${Math.round((100 * t.best) / t.n)}%|${Math.round((100 * t.rnd) / t.n)}%`))], w),
  );
  console.log("goal: at or below the best reference on ≥ 80% of the problems at 100 and at 200 evaluations, never worse than random");
  const behind = BUDGETS.map((b) => [...verdicts.get(b)!.values()].filter((v) => v.complete && v.behind).length);
  console.log(
    `behind the best reference at p < 0.05 (one-sided Mann-Whitney over the seeds, "vs best" -): ${BUDGETS.map((b, i) => `${behind[i]} of ${totals[i]!.n} at ${b}`).join(", ")}`,
  );
  const behindRnd = BUDGETS.map((b) => [...verdicts.get(b)!.values()].filter((v) => v.complete && v.behindRnd).length);
  console.log(`behind random at p < 0.05 (the same test): ${BUDGETS.map((b, i) => `${behindRnd[i]} of ${totals[i]!.n} at ${b}`).join(", ")}`);
}

function main(): void {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.field}: ${e.message}`);
      console.error(`hint: ${e.hint}`);
      process.exit(2);
    }
    throw e;
  }
  const started = performance.now();
  console.log(`bench/suite ${args.mode}: ${args.problems.length} problems, ours ${args.searchers.join(",")}, references ${args.methods.join(",")}`);
  const ours = runOurs(args);
  const oursSeconds = (performance.now() - started) / 1000;
  let refFile = args.references;
  if (args.mode === "quick") {
    // The references run now, after ours (one heavy process at a time on a shared machine).
    refFile ??= path.join(mkdtempSync(path.join(os.tmpdir(), "spruce-suite-")), "references.jsonl");
    if (!existsSync(refFile)) appendFileSync(refFile, "");
    const py = spawnSync(
      "nice",
      ["-n", "19", args.python, path.join(here, "reference.py"), "--problems", args.problems.join(","), "--methods", args.methods.join(","),
        "--seeds", String(args.seeds), "--out", refFile],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
    if (py.status !== 0) {
      console.error(`error: reference.py: exited with ${py.status ?? py.signal}`);
      console.error(`hint: check that ${args.python} imports optuna, cmaes and sklearn (Debian's python3-optuna, python3-cmaes, python3-sklearn)`);
      process.exit(1);
    }
  }
  report(args, ours, readReferences(refFile!));
  const load = os.loadavg()[0]!.toFixed(1);
  console.log(`\n(ours ${oursSeconds.toFixed(0)} s, all ${((performance.now() - started) / 1000).toFixed(0)} s; references from ${refFile}; node ${process.version}; ${os.cpus().length} cpus, load average ${load})`);
}

main();
