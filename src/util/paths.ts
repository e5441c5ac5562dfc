// Where things live: the installed package (templates, compiled entry points) and the user's
// workspace (database file, results directories).
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

let cachedRoot: string | undefined;

/** The package root (the folder holding package.json), found from this file's location. */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("spruce: package.json not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
  cachedRoot = dir;
  return dir;
}

/** The compiled file for a source path relative to the package root, e.g. "launcher/eval-entry". */
export function distFile(relativeWithoutExt: string): string {
  return join(packageRoot(), "dist", relativeWithoutExt + ".js");
}

/** Workspace: --workspace, else SPRUCE_WORKSPACE, else ./.spruce in the current directory. */
export function resolveWorkspace(flag?: string): string {
  return resolve(flag ?? process.env.SPRUCE_WORKSPACE ?? join(process.cwd(), ".spruce"));
}

/** The results directory of a workflow: <workspace>/data/<workflow>/ (docs/architecture.md, Results folder). */
export function resultsDir(workspace: string, workflow: string): string {
  return join(workspace, "data", workflow);
}

/**
 * The user's own Spruce files (the sites, the running dashboards): $XDG_CONFIG_HOME/spruce, default
 * ~/.config/spruce.
 */
export function configDir(): string {
  const xdg = process.env.XDG_CONFIG_HOME;
  // The XDG spec says a relative value is invalid and must be ignored.
  return join(xdg && xdg.startsWith("/") ? xdg : join(homedir(), ".config"), "spruce");
}
