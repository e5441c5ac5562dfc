#!/usr/bin/env node
// The `balsam-submit` executable: DeepHyper's entry point name, `balsam-submit hps WORKFLOW ...`,
// the same command as `spruce submit hps WORKFLOW ...`.
import { runCli } from "./run.js";

const code = await runCli(process.argv.slice(2), "balsam-submit");
process.exit(code);
