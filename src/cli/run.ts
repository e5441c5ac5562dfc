// The yargs root: global options, the command list, and the one place that turns errors into exit
// codes (docs/architecture.md, Errors and exit codes: one line "error: ..." plus a hint; a stack
// only with --verbose).
import yargs, { type Argv, type CommandModule, type MiddlewareFunction } from "yargs";
import { isSpruceError } from "../errors.js";
import { commands } from "./commands.js";
import { COMPLETION_FLAG, withCompletion } from "./completion.js";
import { remoteInvocation } from "../remote/invocation.js";
import { packageVersion } from "../util/version.js";
import { argumentChecks, commandOf, normalizeArgs, usageMessage } from "./args.js";
import { makeSubmitCommand } from "./submit.js";

/** Commands whose first word names a subcommand, for the hint of a usage error. */
const WITH_SUBCOMMANDS = ["site", "db", "problem", "service"];

/**
 * Runs the `spruce` CLI, or with program "balsam-submit" DeepHyper's entry point: the submit
 * command alone, as `balsam-submit hps WORKFLOW ...`.
 */
export async function runCli(rawArgs: string[], program: "spruce" | "balsam-submit" = "spruce"): Promise<number> {
  const args = normalizeArgs(rawArgs);
  const balsam = program === "balsam-submit";
  const names = commands.map((c) => String(c.command).split(" ")[0]!);
  const command = () => (balsam ? program : commandOf(args, program, names, WITH_SUBCOMMANDS));
  // `--site NAME <command>` runs the command on the site's login node (src/cli/remote-forward.ts); the
  // arguments go there unparsed, so yargs here never sees them.
  const completing = args[0] === COMPLETION_FLAG;
  try {
    // A TAB after `--site NAME` completes here: only a real command line is forwarded.
    const remote = completing ? null : remoteInvocation(balsam ? ["submit", ...args] : args);
    if (remote) return await (await import("./remote-forward.js")).forwardToSite(remote);
  } catch (e) {
    return reportError(e, args, command());
  }
  let parser: Argv = yargs(args)
    .scriptName(program)
    .usage(
      balsam
        ? "$0 hps WORKFLOW -p problem.ts -r run.ts ... — DeepHyper's name for 'spruce submit hps'"
        : "$0 — asynchronous hyperparameter search on HPC batch schedulers\n\n" +
            "Submit a search with '$0 submit hps WORKFLOW -p problem.ts -r run.ts', follow it with\n" +
            "'$0 status WORKFLOW', read the best points with '$0 topk WORKFLOW'.",
    )
    .option("workspace", {
      type: "string",
      describe: "workspace folder holding the SQLite database and data/<workflow>/ results (env SPRUCE_WORKSPACE; default ./.spruce)",
      global: true,
    })
    .option("database-url", {
      type: "string",
      describe: "PostgreSQL URL of the workflow database (env SPRUCE_DATABASE_URL); default: the workspace's SQLite file",
      global: true,
    })
    .option("verbose", { type: "boolean", describe: "print stack traces of errors", global: true })
    .option("site", { type: "string", describe: "run submit, status, ls, topk, logs, service, fetch or dashboard on this remote site (see 'site add')", global: true })
    .option("accept-new-host-key", { type: "boolean", describe: "with --site: record the host key of a host not yet in known_hosts", global: true })
    .option("connect-timeout", { type: "number", describe: "with --site: seconds to wait for the SSH connection (default 20)", global: true })
    .middleware(argumentChecks(args, command) as unknown as MiddlewareFunction, true)
    .strict()
    .recommendCommands()
    .help()
    .alias("h", "help")
    .version(packageVersion())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  if (balsam) {
    parser = parser.command(makeSubmitCommand("$0") as CommandModule);
  } else {
    parser = parser.demandCommand(1, "name a command (see --help)");
    for (const c of commands) parser = parser.command(c as CommandModule);
  }
  parser = withCompletion(parser, completing ? args.slice(1) : []);

  try {
    await parser.parseAsync();
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    // The completions are printed; what yargs finds wrong with the half-typed line afterwards
    // must not land in the middle of the user's command line.
    if (completing) return 0;
    return reportError(e, args, command());
  }
}

class UsageError extends Error {}

function reportError(e: unknown, args: readonly string[], command: string): number {
  const verbose = args.includes("--verbose");
  if (e instanceof UsageError) {
    process.stderr.write(`error: ${usageMessage(e.message, args)}\nhint: see '${command} --help'\n`);
    return 2;
  }
  if (isSpruceError(e)) {
    process.stderr.write(`error: ${oneLine(e.message)}\n`);
    process.stderr.write(`hint: ${e.hint ?? `see '${command} --help'`}\n`);
    if (verbose && e.stack) process.stderr.write(e.stack + "\n");
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`error: ${oneLine(err.message)}\n`);
  if (verbose) process.stderr.write((err.stack ?? "") + "\n");
  else process.stderr.write("hint: this is a bug or an unexpected failure: run again with --verbose for the stack trace\n");
  return 1;
}

/**
 * An error is one line: a message that carries more (a searcher's stack, a tool's output) keeps its
 * first line here; --verbose prints the rest with the stack.
 */
function oneLine(message: string): string {
  return message.split("\n")[0] ?? "";
}
