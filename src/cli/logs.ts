// `spruce logs WORKFLOW [EVAL_ID] [--stderr] [--tail N]`: the newest launcher log (and the batch jobs'
// output file names), or one evaluation's stdout/stderr with its state on stderr.
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { NotFoundError, ValidationError } from "../errors.js";
import { getEvaluation, getWorkflow, listBatchJobs } from "../store/index.js";
import type { BatchJobRow, EvaluationRow } from "../store/types.js";
import { evaluationFiles, jobOutputFiles, launcherLogId, resultsLayout } from "../results/layout.js";
import { withStore, type GlobalArgs } from "./context.js";
import { formatNumber, info } from "./output.js";

interface LogsArgs extends GlobalArgs {
  workflow: string;
  /** As typed: a positional number would reach us as NaN, and the error could not echo it. */
  evalId?: string;
  stderr?: boolean;
  tail?: number;
}

export const logsCommand: CommandModule<GlobalArgs, LogsArgs> = {
  command: "logs <workflow> [eval-id]",
  describe: "print the newest launcher log, or an evaluation's stdout (--stderr: its stderr)",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional("workflow", { type: "string", demandOption: true })
      .positional("eval-id", { type: "string", describe: "an evaluation id (see 'spruce topk' or results.csv)" })
      .option("stderr", { type: "boolean", describe: "the evaluation's stderr.txt; without an id, the newest batch job's .err file" })
      // No -n: in submit -n is the node count.
      .option("tail", { type: "number", describe: "only the last N lines" }) as unknown as Argv<LogsArgs>,
  handler: async (argv) => {
    if (argv.tail !== undefined && !(Number.isInteger(argv.tail) && argv.tail >= 0)) {
      throw new ValidationError(`--tail must be a whole number (got ${argv.tail})`, "e.g. --tail 50");
    }
    const evalId = argv.evalId === undefined ? undefined : Number(argv.evalId);
    if (evalId !== undefined && !(/^\d+$/.test(String(argv.evalId)) && evalId > 0)) {
      throw new ValidationError(`EVAL_ID must be a positive whole number (got '${argv.evalId}')`, `see the ids with 'spruce export ${argv.workflow} --format csv'`);
    }
    const file = await withStore(argv, async (store) => {
      const wf = await getWorkflow(store, argv.workflow);
      if (!wf) throw new NotFoundError(`workflow '${argv.workflow}' not found`, "list workflows with 'spruce ls'");
      if (evalId !== undefined) {
        const e = await getEvaluation(store, evalId);
        if (!e || e.workflowId !== wf.id) throw new NotFoundError(`workflow '${wf.name}' has no evaluation ${evalId}`, `see the ids with 'spruce export ${wf.name} --format csv'`);
        const files = evaluationFiles(resultsLayout(wf.resultsDir).evaluation(e.id));
        const path = argv.stderr ? files.stderr : files.stdout;
        const name = basename(path);
        info(evaluationLine(e));
        if (!existsSync(path)) throw new NotFoundError(`evaluation ${e.id} has no ${name} (${e.state})`, e.state === "READY" ? "it has not started yet" : `expected at ${path}`);
        if (!argv.stderr && statSync(path).size === 0 && e.state !== "DONE") info(`(stdout is empty: see its stderr with 'spruce logs ${wf.name} ${e.id} --stderr')`);
        return path;
      }
      const jobs = await listBatchJobs(store, wf.id);
      for (const j of jobs) info(jobLine(j));
      if (argv.stderr) {
        const err = [...jobs].reverse().map((j) => outputFiles(j)?.err).find((p) => p !== undefined && existsSync(p));
        if (!err) throw new NotFoundError(`no batch job error file for '${wf.name}' yet`, "the job may still be queued: see 'spruce status'");
        return err;
      }
      const log = newestLauncherLog(wf.resultsDir);
      if (!log) throw new NotFoundError(`no launcher log in ${wf.resultsDir} yet`, "the batch job may still be queued (see 'spruce status'); its .out/.err files are listed above");
      info(`==> ${log}`);
      return log;
    });
    printFile(file, argv.tail);
  },
};

function evaluationLine(e: EvaluationRow): string {
  let line = `evaluation ${e.id}: ${e.state}, attempt ${e.attempt + 1}`;
  if (e.objective !== null) line += `, objective ${formatNumber(e.objective)}`;
  if (e.hosts && e.hosts.length > 0) line += `, on ${e.hosts.join(" ")}`;
  if (e.exitCode !== null) line += `, exit code ${e.exitCode}`;
  if (e.error) line += `\nerror: ${e.error.split("\n")[0] ?? ""}`;
  return line;
}

function outputFiles(j: BatchJobRow): { out: string; err: string } | undefined {
  return j.scriptPath ? jobOutputFiles(j.scriptPath) : undefined;
}

function jobLine(j: BatchJobRow): string {
  const files = outputFiles(j);
  return `batch job ${j.id} (${j.scheduler} ${j.schedulerId ?? "-"}, ${j.state})` + (files ? `: ${files.out} ${files.err}` : "");
}

/** launcher-<id>.log with the highest id: ids grow, so that is the latest launcher. */
function newestLauncherLog(dir: string): string | null {
  if (!existsSync(dir)) return null;
  let best: { id: number; name: string } | null = null;
  for (const name of readdirSync(dir)) {
    const id = launcherLogId(name);
    if (id !== null && (!best || id > best.id)) best = { id, name };
  }
  return best ? join(dir, best.name) : null;
}

/** Copies the file (or its last `tail` lines, read from the end: logs can be large) to stdout. */
function printFile(path: string, tail?: number): void {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    let start = 0;
    if (tail !== undefined) start = tailOffset(fd, size, tail);
    const buf = Buffer.alloc(64 * 1024);
    for (let pos = start; pos < size; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
      if (n <= 0) break;
      // A copy: the buffer is reused for the next chunk.
      process.stdout.write(Buffer.from(buf.subarray(0, n)));
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** The byte offset where the last `lines` lines start (a final newline does not start a line). */
function tailOffset(fd: number, size: number, lines: number): number {
  if (lines === 0) return size;
  const chunk = Buffer.alloc(64 * 1024);
  let newlines = 0;
  let end = size;
  // Skip the file's trailing newline so "last 1 line" is the last text line, not an empty one.
  const last = Buffer.alloc(1);
  if (size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a) end = size - 1;
  for (let pos = end; pos > 0; ) {
    const len = Math.min(chunk.length, pos);
    pos -= len;
    readSync(fd, chunk, 0, len, pos);
    for (let i = len - 1; i >= 0; i--) {
      if (chunk[i] === 0x0a && ++newlines === lines) return pos + i + 1;
    }
  }
  return 0;
}
