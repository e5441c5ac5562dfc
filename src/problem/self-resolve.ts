// Makes `spruce-hps` (and the subpaths the package exports) resolve to the Spruce that is running,
// from user modules anywhere on disk: a user's folder, an upload directory on a remote site, a
// compute node. Without it a module outside this package (and outside a project that installed it)
// fails with "Cannot find package 'spruce-hps'". Everything else still resolves the user's way.
// Two hooks, because Node has two resolvers: an ESM resolve hook (module.register; this same file
// is the hooks module, loaded in Node's loader thread) and a wrapper of CommonJS resolution for
// require() in .cjs files and CommonJS .js/.ts. Imports stay few and small (built-ins, util/):
// the loader thread loads this file too, compiled, before any hook applies.
import Module, { register } from "node:module";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../util/paths.js";
import { warn } from "../util/warnings.js";

const NAME = "spruce-hps";

/** `spruce-hps` or `spruce-hps/<subpath>`. */
function isSelfSpecifier(specifier: string): boolean {
  return specifier === NAME || specifier.startsWith(NAME + "/");
}

// ---- The loader thread's side (module.register calls initialize, then resolve for each import).

/** The running package's package.json URL: resolving from there is Node's own self-reference,
 * so the package's "exports" (subpaths, conditions, refusals) apply exactly as for an install. */
let anchorUrl: string | undefined;

export function initialize(data: { anchor: string }): void {
  anchorUrl = data.anchor;
}

type NextResolve = (specifier: string, context: { parentURL?: string; conditions?: string[] }) => Promise<unknown>;

export async function resolve(specifier: string, context: { parentURL?: string; conditions?: string[] }, next: NextResolve): Promise<unknown> {
  if (anchorUrl !== undefined && isSelfSpecifier(specifier)) return next(specifier, { ...context, parentURL: anchorUrl });
  return next(specifier, context);
}

// ---- The main thread's side.

interface PackageInfo {
  /** The folder holding package.json. */
  root: string;
  version: string;
}

let running: PackageInfo | undefined;

/** The running Spruce: the package this file belongs to, and its version. */
export function runningPackage(): PackageInfo {
  if (running) return running;
  const root = packageRoot();
  running = { root, version: readPackage(root)?.version ?? "unknown" };
  return running;
}

function readPackage(dir: string): { name?: string; version?: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
  } catch {
    return undefined;
  }
}

/**
 * The copy of spruce-hps that Node alone would give a module in `dir`, or null: the enclosing
 * package itself when it is spruce-hps (self-reference: the nearest package.json names it), else
 * the first node_modules/spruce-hps on the way up.
 */
export function naturalCopy(dir: string): PackageInfo | null {
  let nearest = true;
  for (let d = dir; ; d = dirname(d)) {
    if (nearest && existsSync(join(d, "package.json"))) {
      nearest = false;
      const pkg = readPackage(d);
      if (pkg?.name === NAME) return { root: d, version: pkg.version ?? "unknown" };
    }
    const installed = join(d, "node_modules", NAME);
    if (existsSync(join(installed, "package.json"))) return { root: installed, version: readPackage(installed)?.version ?? "unknown" };
    if (dirname(d) === d) return null;
  }
}

function samePath(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return a === b;
  }
}

const needCache = new Map<string, boolean>();

/**
 * Whether a process importing `modulePath` needs the hooks: not when Node alone already finds the
 * running Spruce from its folder (a module in this checkout, or in a project that installed the
 * copy that runs). Lets evaluation children of plain JavaScript modules skip the loader thread
 * that module.register starts (tens of milliseconds per evaluation). Cached per path.
 */
export function needsSelfResolve(modulePath: string): boolean {
  let need = needCache.get(modulePath);
  if (need === undefined) {
    const copy = naturalCopy(dirname(modulePath));
    need = copy === null || !samePath(copy.root, runningPackage().root);
    needCache.set(modulePath, need);
  }
  return need;
}

const warned = new Set<string>();

/**
 * One warning line when the module's project installed another version of spruce-hps than the one
 * running: the running one is used all the same, since the rows it writes and the launcher's
 * protocol must be those of the Spruce that runs the search.
 */
export function warnIfOtherCopy(modulePath: string): void {
  const copy = naturalCopy(dirname(modulePath));
  const self = runningPackage();
  if (!copy || copy.version === self.version || warned.has(copy.root) || samePath(copy.root, self.root)) return;
  warned.add(copy.root);
  warn(`${NAME} ${copy.version} is installed at ${copy.root}, but Spruce ${self.version} is running (${self.root}); user modules get the running one, as the search's rows and protocol are its own`);
}

let installed = false;

/** Installs both hooks in this process, once. Call before importing a user module. */
export function ensureSelfResolve(): void {
  if (installed) return;
  installed = true;
  const { root } = runningPackage();
  const anchor = join(root, "package.json");
  // This file as the hooks module; its compiled copy when it runs from src/ (tests), as the loader
  // thread has no TypeScript.
  const hooks = import.meta.url.endsWith(".js") ? import.meta.url : pathToFileURL(join(root, "dist", "src", "problem", "self-resolve.js")).href;
  register(hooks, { data: { anchor: pathToFileURL(anchor).href } });
  hookCommonJs(anchor, root);
}

/** Node's internal CommonJS resolver: the one place require() (and tsx's require hook) resolves through. */
interface CjsInternals {
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _nodeModulePaths(dir: string): string[];
}

function hookCommonJs(anchor: string, root: string): void {
  const internals = Module as unknown as CjsInternals;
  const original = internals._resolveFilename;
  // A module at the package root: resolving spruce-hps from it is Node's self-reference.
  const self = new Module(anchor);
  self.filename = anchor;
  self.paths = internals._nodeModulePaths(root);
  internals._resolveFilename = function (this: unknown, request, parent, isMain, options) {
    if (typeof request === "string" && isSelfSpecifier(request)) return original.call(this, request, self, isMain);
    return original.call(this, request, parent, isMain, options);
  };
}

/** The URL to give child processes as `node --import <url>`: it calls ensureSelfResolve() there. */
export function selfResolveImportUrl(): string {
  return pathToFileURL(join(runningPackage().root, "dist", "src", "problem", "self-resolve-register.js")).href;
}
