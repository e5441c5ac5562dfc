// Mixed integer/categorical/ordinal problems of bench/suite: mixed.json's expressions evaluated in
// TypeScript exactly as mixed.py evaluates them (same operations in the same order).
import { readFileSync } from "node:fs";
import type { Hyperparameter, JsonValue, Point } from "../../src/space/types.js";

type Expr = number | string | { [op: string]: Expr | Expr[] | [string, Record<string, number>] };

export interface MixedProblem {
  name: string;
  group: "mixed";
  hyperparameters: Hyperparameter[];
  fopt: number;
  evaluate: (p: Point) => number;
}

interface MixedDescription {
  name: string;
  hyperparameters: Hyperparameter[];
  optimum: number;
  objective: Expr;
}

const ackley = (xs: number[]): number => {
  const n = xs.length;
  let sq = 0;
  let cs = 0;
  for (const x of xs) {
    sq += x * x;
    cs += Math.cos(2 * Math.PI * x);
  }
  return -20 * Math.exp(-0.2 * Math.sqrt(sq / n)) - Math.exp(cs / n) + 20 + Math.E;
};

const rastrigin = (xs: number[]): number => {
  let r = 10 * xs.length;
  for (const x of xs) r += x * x - 10 * Math.cos(2 * Math.PI * x);
  return r;
};

export function evaluate(expr: Expr, point: Point): number {
  if (typeof expr === "number") return expr;
  if (typeof expr === "string") return point[expr] as number;
  const [op, args] = Object.entries(expr)[0]!;
  const ev = (e: unknown): number => evaluate(e as Expr, point);
  const list = args as Expr[];
  switch (op) {
    case "add": {
      let s = 0;
      for (const a of list) s += ev(a);
      return s;
    }
    case "mul": {
      let p = 1;
      for (const a of list) p *= ev(a);
      return p;
    }
    case "sub":
      return ev(list[0]) - ev(list[1]);
    case "div":
      return ev(list[0]) / ev(list[1]);
    case "pow":
      return Math.pow(ev(list[0]), ev(list[1]));
    case "sq": {
      const v = ev(args);
      return v * v;
    }
    case "sqrt":
      return Math.sqrt(ev(args));
    case "abs":
      return Math.abs(ev(args));
    case "exp":
      return Math.exp(ev(args));
    case "log10":
      return Math.log10(ev(args));
    case "log2":
      return Math.log2(ev(args));
    case "cos":
      return Math.cos(ev(args));
    case "table": {
      const [name, table] = args as [string, Record<string, number>];
      const value = table[String(point[name] as JsonValue)];
      if (value === undefined) throw new Error(`table of ${name} has no entry ${String(point[name])}`);
      return value;
    }
    case "ackley":
      return ackley(list.map(ev));
    case "rastrigin":
      return rastrigin(list.map(ev));
    default:
      throw new Error(`unknown operation ${op}`);
  }
}

export function mixedProblems(): MixedProblem[] {
  const file = new URL("./mixed.json", import.meta.url);
  const { problems } = JSON.parse(readFileSync(file, "utf8")) as { problems: MixedDescription[] };
  return problems.map((d) => ({
    name: d.name,
    group: "mixed",
    hyperparameters: d.hyperparameters,
    fopt: d.optimum,
    evaluate: (p: Point) => evaluate(d.objective, p),
  }));
}
