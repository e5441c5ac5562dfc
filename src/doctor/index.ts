// `spruce doctor`: what will and will not work on this machine, as a list of checks, each ok, warn
// or fail with the fix. The CLI (src/cli/doctor.ts) prints them; tests call the checks one by one.
import type { StoreLocation } from "../store/index.js";
import type { CheckResult } from "./check.js";
import { checkAllocation, checkMpi, checkScheduler } from "./cluster.js";
import { checkDatabase, checkSqliteDriver, checkWorkspaceFileSystem } from "./database.js";
import { checkPython } from "./python.js";
import { checkNode, checkSpawner } from "./runtime.js";
import { checkSites } from "./sites.js";

export type { CheckLevel, CheckResult } from "./check.js";

export interface DoctorOptions {
  /** The workflow database the command line and environment name. */
  location: StoreLocation;
  env?: NodeJS.ProcessEnv;
}

export async function runDoctor(o: DoctorOptions): Promise<CheckResult[]> {
  const env = o.env ?? process.env;
  const results: CheckResult[] = [checkNode(), checkSpawner(env), await checkScheduler(env.PATH ?? ""), checkAllocation(env), await checkMpi(env)];
  if ("workspace" in o.location) {
    results.push(await checkSqliteDriver(), checkWorkspaceFileSystem(o.location.workspace, env));
  }
  results.push(await checkDatabase(o.location), await checkPython(env), ...checkSites());
  return results;
}
