// TypeScript support for user modules (problem.ts, run.ts). Node 20 cannot import .ts files, so the
// CLI registers tsx in its own process before importing one, and passes `--import <tsxImportUrl()>`
// to child processes (evaluations, launchers) that must load them too (docs/architecture.md, Evaluations).
import { createRequire } from "node:module";
import { extname } from "node:path";
import { pathToFileURL } from "node:url";
import { SpruceError } from "../errors.js";

const TS_EXTENSIONS = new Set([".ts", ".mts", ".cts"]);

let registration: Promise<void> | undefined;

/** True for files that need the TypeScript loader. */
export function needsTypeScriptLoader(file: string): boolean {
  return TS_EXTENSIONS.has(extname(file).toLowerCase());
}

/**
 * Registers tsx in this process, once; later calls share the first registration. Both hook sets are
 * needed: a .ts file in a package without "type": "module" compiles to CommonJS, which Node then
 * loads through require() even when we import() it.
 */
export function ensureTypeScriptLoader(): Promise<void> {
  registration ??= Promise.all([import("tsx/esm/api"), import("tsx/cjs/api")]).then(
    ([esm, cjs]) => {
      esm.register();
      cjs.register();
    },
    (e: unknown) => {
      // Let a later call try again (e.g. after the user fixes the installation).
      registration = undefined;
      throw new SpruceError(`cannot load the TypeScript loader (tsx): ${e instanceof Error ? e.message : String(e)}`, {
        hint: "reinstall spruce-hps so that its tsx dependency is present, or give a .js module",
        cause: e,
      });
    },
  );
  return registration;
}

/**
 * The absolute file URL of tsx's entry, for `node --import <url> child.js`. An absolute URL works
 * whatever the child's working directory (a bare "tsx" would be resolved from there). The package
 * root entry registers both the ESM and the CommonJS hooks, so .cts user modules load too.
 */
export function tsxImportUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
}
