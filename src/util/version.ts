// The version of the installed package (`spruce --version`, `spruce doctor`), from its package.json.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./paths.js";

let cached: string | undefined;

export function packageVersion(): string {
  cached ??= (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
  return cached;
}
