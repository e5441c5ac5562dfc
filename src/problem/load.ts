// Loading the user's problem and run files (docs/architecture.md, Glossary): TS/JS modules exporting `problem` or `run`
// (or a default export), and Determined-style YAML problems. Every failure a user can cause is a
// one-line ValidationError naming the file and the fix; no stack traces from the user's module.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { SpruceError, ValidationError } from "../errors.js";
import { isPlainObject } from "../space/json.js";
import { Space, type ConstraintFunction } from "../space/space.js";
import type { ProblemSpec } from "../space/types.js";
import { checkObjectives } from "../objectives/declare.js";
import { normalizeNasSpec } from "../nas/sequence.js";
import { ensureTypeScriptLoader, needsTypeScriptLoader } from "./loader.js";
import { ensureSelfResolve, warnIfOtherCopy } from "./self-resolve.js";
import { parseProblemYaml } from "./yaml.js";

const MODULE_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];
const YAML_EXTENSIONS = [".yaml", ".yml"];

export interface LoadedProblem {
  spec: ProblemSpec;
  space: Space;
  /** Absolute path of the file the problem came from. */
  source: string;
  /** Forms read in a way the author may not have meant (Problem.warnings()), for the CLI to print. */
  warnings: string[];
}

export interface LoadedRun {
  /** The user's function, called as run(point, ctx); its signature is the user's business. */
  run: Function;
  /** Absolute path of the module. */
  source: string;
}

export async function loadProblem(path: string): Promise<LoadedProblem> {
  const source = existingFile(path, "problem", [...MODULE_EXTENSIONS, ...YAML_EXTENSIONS]);
  const { spec: given, constraints, warnings } = YAML_EXTENSIONS.includes(extname(source).toLowerCase())
    ? { spec: parseProblemYaml(readFileSync(source, "utf8"), source), constraints: [], warnings: [] }
    : await specFromModule(source);
  // A NAS problem's architecture choices become hyperparameters of the space (a NasProblem's spec has them already).
  const raw = withSource(source, () => normalizeNasSpec(given));
  // Constraint functions stay in the module: the spec records where, for loadSpace.
  if (constraints.length > 0) raw.constraints = { source, count: constraints.length };
  const space = withSource(source, () => new Space(raw, { constraints }));
  // The space's normalised copy: a plain exported object may carry defaults left out or keys out of order.
  const spec = space.toSpec({ gridCounts: raw.gridCounts });
  if (raw.objectives !== undefined) spec.objectives = withSource(source, () => checkObjectives(raw.objectives, "objectives"));
  return { spec, space, source, warnings };
}

/**
 * The space of a stored spec (a workflow row). A problem with constraint functions is imported
 * again from the module the spec names, since functions cannot be stored.
 */
export async function loadSpace(spec: ProblemSpec): Promise<Space> {
  if (!spec.constraints) return new Space(spec);
  const source = spec.constraints.source;
  let constraints: ConstraintFunction[];
  try {
    ({ constraints } = await specFromModule(existingFile(source, "problem", MODULE_EXTENSIONS)));
  } catch (e) {
    throw new SpruceError(`cannot load the constraint functions of the problem: ${e instanceof Error ? e.message : String(e)}`, {
      hint: `the problem module ${source} must stay where it was at submit, with the same constraints`,
      cause: e,
    });
  }
  return new Space(spec, { constraints });
}

export async function loadRunModule(path: string): Promise<LoadedRun> {
  const source = existingFile(path, "run", MODULE_EXTENSIONS);
  const { value: run, how } = findExport(await importUserModule(source), "run");
  if (how === "named" && typeof run !== "function") {
    throw new ValidationError(
      `${source}: 'run' is ${describeType(run)}, not a function`,
      "export a function: `export function run(point, ctx) { ... }`",
    );
  }
  if (typeof run !== "function") {
    throw new ValidationError(
      `${source}: the module exports no 'run'`,
      "add `export function run(point, ctx) { ... return objective; }` (or a default export function)",
    );
  }
  return { run, source };
}

/**
 * A custom search method module (--search-method): `export function createSearchMethod(ctx)`, or a
 * default export that is such a factory or a class constructed with ctx. Returns the factory.
 */
export async function loadSearchMethodModule(path: string): Promise<{ create: (ctx: unknown) => unknown; source: string }> {
  const source = existingFile(path, "search method", MODULE_EXTENSIONS);
  const { value } = findExport(await importUserModule(source), "createSearchMethod");
  if (typeof value !== "function") {
    throw new ValidationError(
      `${source}: the module exports no search method`,
      "add `export function createSearchMethod(ctx) { return { initialPoints() {...}, onResult() {...}, ... } }` or a default export class",
    );
  }
  const fn = value as (...args: unknown[]) => unknown;
  // A class must be called with `new`; its source text starts with "class".
  const isClass = /^class[\s{]/.test(Function.prototype.toString.call(fn));
  return { create: isClass ? (ctx) => new (fn as unknown as new (c: unknown) => unknown)(ctx) : (ctx) => fn(ctx), source };
}

async function specFromModule(source: string): Promise<{ spec: ProblemSpec; constraints: ConstraintFunction[]; warnings: string[] }> {
  const { value, how } = findExport(await importUserModule(source), "problem");
  // Duck-typed rather than instanceof: the user's module may import Problem from another copy of
  // the package (the installed "spruce-hps" while we run from a checkout, or the reverse).
  if (typeof (value as { toSpec?: unknown } | undefined)?.toSpec === "function") {
    const problem = value as { toSpec(): ProblemSpec; constraintFunctions?: () => ConstraintFunction[]; warnings?: () => string[] };
    const spec = withSource(source, () => problem.toSpec());
    return {
      spec,
      constraints: typeof problem.constraintFunctions === "function" ? problem.constraintFunctions() : [],
      warnings: typeof problem.warnings === "function" ? problem.warnings() : [],
    };
  }
  if (isPlainObject(value) && Array.isArray(value.hyperparameters)) {
    if (value.constraints !== undefined) {
      throw new ValidationError(
        `${source}: a plain problem object cannot carry constraint functions`,
        "build the problem with new Problem() and call problem.addConstraint(fn)",
      );
    }
    return { spec: value as unknown as ProblemSpec, constraints: [], warnings: [] };
  }
  if (how === "named") {
    throw new ValidationError(
      `${source}: 'problem' is ${describeType(value)}, not a Problem`,
      "export a Problem instance or an object {hyperparameters: [...], startingPoints: [...]}",
    );
  }
  throw new ValidationError(
    `${source}: the module exports no 'problem'`,
    "add `export const problem = new Problem()...` (or a default export)",
  );
}

/**
 * The export `name` ("named"), else the default export ("default"). A .ts or .js file in a package
 * without "type": "module" is compiled as CommonJS, and Node then shows its exports only as the
 * default export's properties: those count as named. Such a file's own default export is the
 * `default` property of that object, marked `__esModule` by the compiler (tsx, tsc, esbuild).
 */
function findExport(mod: Record<string, unknown>, name: string): { value: unknown; how: "named" | "default" } {
  if (name in mod) return { value: mod[name], how: "named" };
  const fallback = mod.default;
  if (isPlainObject(fallback) && name in fallback) return { value: fallback[name], how: "named" };
  if (isPlainObject(fallback) && fallback.__esModule === true && "default" in fallback) return { value: fallback.default, how: "default" };
  return { value: fallback, how: "default" };
}

/** The absolute path of an existing regular file with one of the given extensions. */
function existingFile(path: string, what: "problem" | "run" | "search method", extensions: string[]): string {
  const source = resolve(path);
  if (!existsSync(source)) {
    throw new ValidationError(
      `${what} file not found: ${source}`,
      `check the path (relative paths start from ${process.cwd()})`,
    );
  }
  if (!statSync(source).isFile()) {
    throw new ValidationError(`${what} path is not a file: ${source}`, `give the path of the ${what} module itself`);
  }
  const ext = extname(source).toLowerCase();
  if (!extensions.includes(ext)) {
    throw new ValidationError(
      `${source}: unsupported ${what} file type '${ext || "(none)"}'`,
      `use one of ${extensions.join(", ")}`,
    );
  }
  return source;
}

/**
 * Imports a user module by absolute path; errors become one-line ValidationErrors naming it. Its
 * `spruce-hps` imports get the running Spruce wherever the module is (see self-resolve.ts).
 */
async function importUserModule(source: string): Promise<Record<string, unknown>> {
  if (needsTypeScriptLoader(source)) await ensureTypeScriptLoader();
  ensureSelfResolve();
  warnIfOtherCopy(source);
  try {
    // A .cts goes through require(): imported, Node 20 runs it in a CommonJS wrapper whose require()
    // of an ES module with imports of its own (spruce-hps is one) fails ("not in cache").
    if (extname(source).toLowerCase() === ".cts") return createRequire(import.meta.url)(source) as Record<string, unknown>;
    return (await import(pathToFileURL(source).href)) as Record<string, unknown>;
  } catch (e) {
    // Our own errors (e.g. a Problem builder call at the module's top level) already say what is wrong.
    if (isSpruceLike(e)) throw prefixed(source, e);
    throw new ValidationError(`${source}: ${describeImportError(e, source)}`, "fix the error in that file, then run the command again");
  }
}

/** One line for an error thrown while importing: the syntax error's position when there is one. */
export function describeImportError(e: unknown, source?: string): string {
  if (!(e instanceof Error)) return `failed to load: ${String(e)}`;
  // Transformers colour their code frames; the message must be plain text.
  const text = e.message.replace(/\u001b\[[0-9;]*m/g, "");
  // esbuild (tsx) reports "Transform failed with 1 error:\n<file>:<line>:<col>: ERROR: <text>".
  const esbuild = /:(\d+):(\d+):\s*ERROR:\s*(.+)/.exec(text);
  if (esbuild) return `syntax error at line ${esbuild[1]}:${esbuild[2]}: ${esbuild[3]!.trim()}`;
  // oxc (vite, vitest) reports "[PARSE_ERROR] <text>" then a code frame headed "[ <file>:<line>:<col> ]".
  const oxc = /\[PARSE_ERROR\]\s*(.+)/.exec(text);
  if (oxc) {
    const at = /\[\s*\S+:(\d+):(\d+)\s*\]/.exec(text);
    return `syntax error${at ? ` at line ${at[1]}:${at[2]}` : ""}: ${oxc[1]!.trim()}`;
  }
  const first = text.split("\n", 1)[0]!.trim();
  if (e.name === "SyntaxError") {
    // V8 puts the location in the first line of the stack ("file:///x/problem.mjs:3"), not the message.
    const at = /^\S+:(\d+)\s*$/m.exec(e.stack ?? "")?.[1] ?? (source ? syntaxErrorLine(source) : null);
    return `syntax error${at ? ` at line ${at}` : ""}: ${first}`;
  }
  return `failed to load: ${first}`;
}

/**
 * The line of a syntax error in a plain JavaScript module. Node 20 reports an ES module's syntax
 * error with no position at all; `node --check FILE` prints "FILE:LINE" first.
 */
function syntaxErrorLine(source: string): string | null {
  if (needsTypeScriptLoader(source)) return null;
  const r = spawnSync(process.execPath, ["--check", source], { encoding: "utf8", timeout: 10_000 });
  const m = /^\S.*:(\d+)\s*$/m.exec(r.stderr ?? "");
  return m ? m[1]! : null;
}

/** Runs fn, prefixing the message of a SpruceError it throws with the file it concerns. */
export function withSource<T>(source: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isSpruceLike(e)) throw prefixed(source, e);
    throw e;
  }
}

/**
 * A SpruceError, possibly from another copy of this package: a user module importing "spruce-hps"
 * while the CLI runs from a checkout (or the reverse) throws errors of a different class.
 */
function isSpruceLike(e: unknown): e is SpruceError {
  return e instanceof SpruceError || (e instanceof Error && typeof (e as { exitCode?: unknown }).exitCode === "number" && "hint" in e);
}

function prefixed(source: string, e: SpruceError): SpruceError {
  if (e.message.startsWith(source)) return e;
  const message = `${source}: ${e.message}`;
  return e.name === "ValidationError"
    ? new ValidationError(message, e.hint)
    : new SpruceError(message, { hint: e.hint, exitCode: e.exitCode, cause: e });
}

function describeType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}
