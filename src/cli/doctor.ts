// `spruce doctor [--json]`: prints what will and will not work here (src/doctor), one line per
// check (ok, warn or fail) with the fix below it; exits 1 when a check fails.
import type { Argv, CommandModule } from "yargs";
import { runDoctor, type CheckResult } from "../doctor/index.js";
import { packageVersion } from "../util/version.js";
import { databaseLocation, DB_DIR_OPTION, type GlobalArgs } from "./context.js";
import { printJson } from "./output.js";

interface DoctorArgs extends GlobalArgs {
  json?: boolean;
}

function formatResults(results: CheckResult[]): string {
  return results.map((r) => `${r.level.padEnd(5)} ${r.check}: ${r.message}\n${r.fix ? `      fix: ${r.fix}\n` : ""}`).join("");
}

export const doctorCommand: CommandModule<GlobalArgs, DoctorArgs> = {
  command: "doctor",
  describe: "check what will work here: Node, the spawner, the scheduler, the allocation and MPI, the database, Python, remote sites",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option("db-dir", DB_DIR_OPTION)
      .option("json", { type: "boolean", describe: "the checks as JSON, for scripts" }) as unknown as Argv<DoctorArgs>,
  handler: async (argv) => {
    const results = await runDoctor({ location: databaseLocation(argv) });
    const failed = results.some((r) => r.level === "fail");
    if (argv.json) printJson({ version: packageVersion(), ok: !failed, checks: results });
    else process.stdout.write(`spruce-hps ${packageVersion()}\n${formatResults(results)}`);
    if (failed) process.exitCode = 1;
  },
};
