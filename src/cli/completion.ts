// `spruce completion`: prints yargs's bash or zsh completion script (by $SHELL), which calls
// `spruce --get-yargs-completions WORDS...` on each TAB. That completes commands and options, and
// the workflow names of the workspace's SQLite database for the commands that take one.
import type { Argv } from "yargs";
import { peekWorkflowNames } from "../store/index.js";
import { resolveWorkspace } from "../util/paths.js";

/** Commands whose first argument is a workflow name. */
export const WORKFLOW_COMMANDS: readonly string[] = ["status", "topk", "arch", "logs", "report", "cancel", "rm"];

/** The word yargs's completion scripts pass before the command line's words. */
export const COMPLETION_FLAG = "--get-yargs-completions";

/**
 * Workflow names for the word being completed, when it is the workflow argument of one of
 * WORKFLOW_COMMANDS; null otherwise. Never creates a database: the store is read-only, and a
 * workspace without one has no names. A PostgreSQL database is not asked (a TAB must not wait on
 * a server).
 */
export function workflowNameCompletions(words: string[], env: NodeJS.ProcessEnv = process.env): string[] | null {
  // words: the program, then the line's words; the last is the one being completed.
  const current = words[words.length - 1] ?? "";
  if (current.startsWith("-")) return null;
  let workspace: string | undefined;
  const positionals: string[] = [];
  for (let i = 1; i < words.length - 1; i++) {
    const w = words[i]!;
    if (w === "--workspace") workspace = words[++i];
    else if (w.startsWith("--workspace=")) workspace = w.slice("--workspace=".length);
    else if (w === "--database-url" || w === "--db-dir" || w === "--site") return null;
    else if (w.startsWith("--database-url=") || w.startsWith("--db-dir=") || w.startsWith("--site=")) return null;
    else if (!w.startsWith("-")) positionals.push(w);
  }
  // Only the first argument after the command: `spruce status <TAB>`, not `spruce status a <TAB>`.
  if (positionals.length !== 1 || !WORKFLOW_COMMANDS.includes(positionals[0]!)) return null;
  if (env.SPRUCE_DATABASE_URL || env.SPRUCE_DB_DIR || env.SPRUCE_DATABASE_FILE) return null;
  try {
    const names = peekWorkflowNames(resolveWorkspace(workspace));
    return names.filter((n) => n.startsWith(current));
  } catch {
    return []; // a locked or damaged database: no names, and no error in the middle of a command line
  }
}

/** Adds the `completion` command and the completion of workflow names to the root parser. */
export function withCompletion(parser: Argv, words: string[]): Argv {
  return parser.completion("completion", "print the bash or zsh completion script (by $SHELL): spruce completion >> ~/.bashrc", fallback);

  function fallback(_current: string, _argv: unknown, defaults: (onCompleted?: (err: Error | null, completions: string[] | undefined) => void) => void, done: (completions: string[]) => void): void {
    const names = workflowNameCompletions(words);
    if (names !== null) done(names);
    else defaults((_err, completions) => done(completions ?? []));
  }
}
