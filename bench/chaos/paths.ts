// Where the chaos driver finds the built CLI it runs and the evaluation script of its search, from
// source (vitest) and compiled (npm run chaos) alike.
import { join } from "node:path";
import { distFile, packageRoot } from "../../src/util/paths.js";

export const CLI_PATH = distFile("src/cli/main");
/** Shell, not a run module: a Node evaluation costs ~60 ms of CPU, and the machine has 2 cores. */
export const EVAL_SCRIPT = join(packageRoot(), "bench/chaos/eval.sh");
