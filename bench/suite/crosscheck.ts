// Cross-check of the suite's two implementations: every problem evaluated at the same points in
// TypeScript and in Python (suite.py) must agree to 1e-9 relative; the BBOB functions must also
// match the values COCO's own C code printed (coco-reference.jsonl: x_opt, f(x_opt) and four
// points per problem) and give f(x_opt) = f_opt; the mixed problems give their optimum at argmin;
// and reference.py's port of bench/simulate.ts must complete evaluations in the same order.
//
//   npx tsx bench/suite/crosscheck.ts [--python /usr/bin/python3]
// Exits 1 on any disagreement.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Space } from "../../src/space/space.js";
import type { Point } from "../../src/space/types.js";
import { Rng } from "../../src/util/rng.js";
import type { Searcher } from "../../src/search/searcher.js";
import { simulate } from "../simulate.js";
import { bbobProblem } from "./bbob.js";
import { mixedProblems } from "./mixed.js";
import { allProblemNames, getProblem } from "./suite.js";

const TOLERANCE = 1e-9;
const POINTS_PER_PROBLEM = 5;

const here = new URL(".", import.meta.url).pathname;
const pyIndex = process.argv.indexOf("--python");
const python = pyIndex >= 0 ? process.argv[pyIndex + 1]! : "/usr/bin/python3";

const rel = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300));
const failures: string[] = [];
let worstPy = 0;
let worstCoco = 0;

// 1. BBOB against COCO's printed values, and f(x_opt) = f_opt.
interface CocoRow {
  f: number;
  dim: number;
  fxopt: number;
  xopt: number[];
  points: { x: number[]; y: number }[];
}
const cocoRows = readFileSync(`${here}coco-reference.jsonl`, "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as CocoRow);
for (const row of cocoRows) {
  const p = bbobProblem(row.f, row.dim);
  const xoptOff = Math.max(...p.xopt.map((v, i) => Math.abs(v - row.xopt[i]!)));
  if (xoptOff > 1e-12) failures.push(`${p.name}: x_opt differs from COCO's by ${xoptOff}`);
  for (const pt of [...row.points, { x: row.xopt, y: row.fxopt }]) {
    const r = rel(p.evaluate(pt.x), pt.y);
    worstCoco = Math.max(worstCoco, r);
    if (r > TOLERANCE) failures.push(`${p.name}: f(${pt.x.join(",")}) = ${p.evaluate(pt.x)}, COCO says ${pt.y}`);
  }
  if (rel(p.evaluate(p.xopt), p.fopt) > TOLERANCE) failures.push(`${p.name}: f(x_opt) = ${p.evaluate(p.xopt)} != f_opt ${p.fopt}`);
}
for (const m of mixedProblems()) {
  const argmin = (JSON.parse(readFileSync(`${here}mixed.json`, "utf8")) as { problems: { name: string; argmin: Point }[] }).problems.find(
    (d) => d.name === m.name,
  )!.argmin;
  if (Math.abs(m.evaluate(argmin) - m.fopt) > TOLERANCE) failures.push(`${m.name}: f(argmin) = ${m.evaluate(argmin)} != ${m.fopt}`);
}

// 2. TypeScript against Python, at random points of each problem's space (x_opt among them).
const queries: { problem: string; point: Point }[] = [];
const rng = new Rng(2024);
for (const name of allProblemNames()) {
  const problem = getProblem(name);
  const points = new Space(problem.spec).sampleMany(rng, POINTS_PER_PROBLEM);
  const m = /^bbob-f(\d+)-d(\d+)$/.exec(name);
  if (m) {
    const xopt = bbobProblem(Number(m[1]), Number(m[2])).xopt;
    points.push(Object.fromEntries(xopt.map((v, i) => [`x${i}`, v])));
  }
  for (const point of points) queries.push({ problem: name, point });
}
const out = execFileSync(python, [`${here}suite.py`], { input: queries.map((q) => JSON.stringify(q)).join("\n") + "\n", encoding: "utf8" });
const ys = out
  .trim()
  .split("\n")
  .map((l) => (JSON.parse(l) as { y: number }).y);
if (ys.length !== queries.length) failures.push(`python answered ${ys.length} of ${queries.length} points`);
const cache = new Map<string, ReturnType<typeof getProblem>>();
queries.forEach((q, i) => {
  if (!cache.has(q.problem)) cache.set(q.problem, getProblem(q.problem));
  const ts = cache.get(q.problem)!.objective(q.point);
  const r = rel(ts, ys[i]!);
  worstPy = Math.max(worstPy, r);
  if (!(r <= TOLERANCE)) failures.push(`${q.problem} at ${JSON.stringify(q.point)}: TypeScript ${ts}, Python ${ys[i]}`);
});

// 3. The Python port of bench/simulate.ts completes evaluations in the same order, seed for seed.
for (const seed of [0, 1, 7]) {
  let next = 0;
  const dummy: Searcher = {
    name: "dummy",
    ask: (n) => Array.from({ length: n }, () => ({ id: next++ })),
    tell: () => {},
    state: () => null,
    restore: () => {},
    exhausted: () => false,
  };
  const ts = simulate(dummy, (p) => p.id as number, { workers: 8, budget: 200, meanTime: 1, seed: 1000 + seed });
  const py = JSON.parse(execFileSync(python, [`${here}reference.py`, "--trace", String(seed)], { encoding: "utf8" })) as number[];
  if (JSON.stringify(ts) !== JSON.stringify(py)) failures.push(`simulation order differs between TypeScript and Python for seed ${seed}`);
}

console.log(`${cocoRows.length} BBOB problems against COCO's C code: worst relative difference ${worstCoco.toExponential(2)}`);
console.log(`${queries.length} points of ${cache.size} problems, TypeScript against Python: worst relative difference ${worstPy.toExponential(2)}`);
if (failures.length > 0) {
  for (const f of failures.slice(0, 30)) console.log(`FAIL ${f}`);
  console.log(`${failures.length} disagreements`);
  process.exit(1);
}
console.log("simulation: the same completion order in TypeScript and Python for seeds 0, 1, 7 (200 evaluations, 8 workers)");
console.log("cross-check passed (tolerance 1e-9 relative; f(x_opt) = f_opt on every BBOB problem)");
