// Studio-style hyperparameter ranges on the command line (`--hp name=spec`), usable with
// any searcher instead of a problem file. Endpoints are inclusive (MATLAB style).
//
//   lr=0.01:0.01:0.1   start:step:end  -> ordinal [0.01, 0.02, ..., 0.1]
//   lr=1e-5:l5:0.1     5 log-spaced    -> ordinal [1e-5, 1e-4, 1e-3, 1e-2, 0.1]
//   lr=1e-5:u10:0.1    10 uniform      -> ordinal of 10 evenly spaced values
//   layers=0:3         low:high        -> int range [0, 3] (a float range if a bound is written
//                                         as a real: 0.0:1.0, 1e-3:1)
//   act=relu,tanh      a list          -> categorical (ordinal when every item is a number)
//   lr=0.1             a single value  -> const
//
// Mapping: a form that enumerates values (step, lN, uN, a numeric list) becomes an ordinal of
// exactly those values, so the grid searcher walks what the user wrote and AMBS still sees their
// order; `low:high` is a genuine range, so random and AMBS sample every value in it and the grid
// spaces `grid_count` points over it. Items that read as numbers are numbers, the rest strings.
import { SpruceError, ValidationError } from "../errors.js";
import { Space } from "./space.js";
import type { Hyperparameter, JsonValue, ProblemSpec } from "./types.js";
import { checkName, checkRange, checkValues } from "./validate.js";

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const COUNTED = /^([lu])(\d+)$/;
const INTEGER = /^[+-]?\d+$/;

/** Significant digits kept for computed values: 1e-5 * 10 ** 1 prints as 1e-4, not 0.00010000000000000002. */
const DIGITS = 12;

const HINT =
  "write --hp name=start:step:end, name=start:lN:end (N log-spaced values), name=start:uN:end (N uniform), " +
  "name=low:high, name=a,b,c or name=value";

function parseNumber(text: string): number | undefined {
  return NUMBER.test(text) ? Number(text) : undefined;
}

function parseItem(text: string): JsonValue {
  return parseNumber(text) ?? text;
}

/** Decimal places a literal is written with: "0.01" -> 2, "1e-5" -> 5, "2.5e-3" -> 4, "10" -> 0. */
function decimals(text: string): number {
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return 0;
  return Math.max(0, (m[2]?.length ?? 0) - Number(m[3] ?? 0));
}

const tidy = (v: number): number => Number(v.toPrecision(DIGITS));

/** Parses one `--hp` flag. Every malformed flag is a ValidationError naming `--hp` and the flag. */
export function parseHpFlag(flag: string): Hyperparameter {
  const fail = (reason: string): never => {
    throw new ValidationError(`--hp ${flag}: ${reason}`, HINT);
  };
  const eq = flag.indexOf("=");
  if (eq < 0) fail("expected name=range");
  const name = flag.slice(0, eq).trim();
  const spec = flag.slice(eq + 1).trim();
  if (name === "") fail("missing the hyperparameter name before '='");
  if (spec === "") fail(`missing a value or range after '${name}='`);
  try {
    checkName(name, `--hp ${flag}`);
    return parseSpec(name, spec, fail);
  } catch (e) {
    // Messages from the shared checks name the hyperparameter; prefix the flag so the user sees which one.
    if (e instanceof ValidationError && !e.message.startsWith("--hp ")) fail(e.message);
    throw e;
  }
}

function parseSpec(name: string, spec: string, fail: (reason: string) => never): Hyperparameter {
  if (spec.includes(",")) {
    const items = spec.split(",").map((s) => s.trim());
    if (items.some((s) => s === "")) fail("empty item in the list of values");
    const values = items.map(parseItem);
    const type = values.every((v) => typeof v === "number") ? "ordinal" : "categorical";
    return { type, name, values: checkValues(`hyperparameter '${name}'`, type, values) };
  }
  const parts = spec.split(":").map((s) => s.trim());
  if (parts.length === 1) return { type: "const", name, value: parseItem(spec) };
  if (parts.length > 3) fail("a range has at most three parts, start:step:end");
  const bounds = [parts[0]!, parts[parts.length - 1]!].map((s) => {
    const v = parseNumber(s);
    return v === undefined ? fail(`${s === "" ? "an empty bound" : JSON.stringify(s)} is not a number`) : v;
  });
  const [low, high] = bounds as [number, number];
  if (!(low < high)) fail(`the start (${low}) must be less than the end (${high})`);
  if (parts.length === 2) {
    // As in Python (DeepHyper): written as integers, an int range; 0.0:1.0 or 1e3:1e4, real values.
    const type = INTEGER.test(parts[0]!) && INTEGER.test(parts[1]!) ? "int" : "float";
    return { type, name, ...checkRange(`hyperparameter '${name}'`, type, low, high, false) };
  }
  const middle = parts[1]!;
  const counted = COUNTED.exec(middle);
  const values = counted
    ? spaced(low, high, counted[1] === "l", Number(counted[2]), fail)
    : stepped(parts[0]!, middle, parts[2]!, fail);
  return { type: "ordinal", name, values: checkValues(`hyperparameter '${name}'`, "ordinal", values) };
}

/** N values from low to high, both included, evenly spaced (in log space when log). */
function spaced(low: number, high: number, log: boolean, n: number, fail: (r: string) => never): number[] {
  if (n < 2) fail(`${log ? "l" : "u"}${n}: at least 2 values are needed to include both ends`);
  if (log && low <= 0) fail(`log spacing needs a positive start (got ${low})`);
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = i / (n - 1);
    values.push(
      i === 0 ? low : i === n - 1 ? high : tidy(log ? Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))) : low + u * (high - low)),
    );
  }
  return values;
}

/**
 * start, start+step, ... up to end when it falls on the step (MATLAB's start:step:end). Each value
 * is computed from its index, never by accumulation, and rounded to the decimals of start and step:
 * 0.01 + 2 * 0.01 is 0.03, not 0.030000000000000002.
 */
function stepped(startText: string, stepText: string, endText: string, fail: (r: string) => never): number[] {
  const start = Number(startText);
  const end = Number(endText);
  const step = parseNumber(stepText) ?? fail(`the step ${JSON.stringify(stepText)} is not a number (or lN / uN)`);
  if (!(step > 0)) fail(`the step must be positive (got ${step})`);
  const places = Math.min(Math.max(decimals(startText), decimals(stepText)), 15);
  const round = (v: number): number => Number(v.toFixed(places));
  // The tolerance keeps an end that is a whole number of steps away despite binary fractions.
  const n = Math.floor((end - start) / step + 1e-9) + 1;
  if (n < 2) fail(`the step ${step} is larger than the range ${start}:${end}`);
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(round(start + i * step));
  return values;
}

/** The problem described by a list of `--hp` flags (no starting points). */
export function problemFromHpFlags(flags: readonly string[]): ProblemSpec {
  if (flags.length === 0) {
    throw new ValidationError("--hp: no hyperparameters given", HINT);
  }
  const seen = new Map<string, string>();
  const hyperparameters = flags.map((flag) => {
    const hp = parseHpFlag(flag);
    const earlier = seen.get(hp.name);
    if (earlier !== undefined) {
      throw new ValidationError(`--hp ${flag}: '${hp.name}' is already defined by --hp ${earlier}`, "give each hyperparameter once");
    }
    seen.set(hp.name, flag);
    return hp;
  });
  try {
    const space = new Space({ hyperparameters, startingPoints: [] });
    return { hyperparameters: [...space.params], startingPoints: [] };
  } catch (e) {
    if (e instanceof SpruceError) throw new ValidationError(`--hp: ${e.message}`, e.hint);
    throw e;
  }
}
