#!/usr/bin/env node
// The `balsam-submit` executable: DeepHyper's entry point name, same as `spruce submit`.
import { runCli } from "./run.js";

const code = await runCli(["submit", ...process.argv.slice(2)], "balsam-submit");
process.exit(code);
