// Where a workflow's files lie in its results directory (<workspace>/data/<workflow>/): the one
// place that names them, for the launcher and the jobs that write them and the CLI that reads them.
import { basename, dirname, extname, join } from "node:path";

export interface ResultsLayout {
  root: string;
  /** The parent of the evaluations' working directories. */
  evals: string;
  /** An evaluation's working directory (its files: evaluationFiles). */
  evaluation(evalId: number): string;
  /** One line per finished evaluation, appended by the leader only. */
  resultsCsv: string;
  report: string;
  /** The log of a launcher (leader or not), named after its row. */
  launcherLog(launcherId: number): string;
  /** The output of the agents a leader started on the other nodes. */
  agentsLog(leaderId: number): string;
  /** A multi-fidelity trial's checkpoints: each of its rows resumes from the one before. */
  checkpoints(trial: number): string;
  /** A batch job's script and output files: named after its row (jobName), or a dry run's stamp. */
  job(name: string, scriptExtension?: string): BatchJobFiles;
}

export interface BatchJobFiles {
  script: string;
  out: string;
  err: string;
}

export function resultsLayout(resultsDir: string): ResultsLayout {
  const evals = join(resultsDir, "evals");
  return {
    root: resultsDir,
    evals,
    evaluation: (evalId) => join(evals, String(evalId)),
    resultsCsv: join(resultsDir, "results.csv"),
    report: join(resultsDir, "report.html"),
    launcherLog: (launcherId) => join(resultsDir, `launcher-${launcherId}.log`),
    agentsLog: (leaderId) => join(resultsDir, `agents-${leaderId}.log`),
    checkpoints: (trial) => join(resultsDir, "checkpoints", `trial-${trial}`),
    job: (name, scriptExtension = "sh") => {
      const base = join(resultsDir, name);
      return { script: `${base}.${scriptExtension}`, out: `${base}.out`, err: `${base}.err` };
    },
  };
}

/** The base name of a batch job's files. */
export function jobName(batchJobId: number): string {
  return `job-${batchJobId}`;
}

/** A batch job's output files from its script's path: they lie beside it, named after it. */
export function jobOutputFiles(scriptPath: string): { out: string; err: string } {
  const base = join(dirname(scriptPath), basename(scriptPath, extname(scriptPath)));
  return { out: `${base}.out`, err: `${base}.err` };
}

/** The launcher id a file name of launcherLog is for; null for any other file. */
export function launcherLogId(fileName: string): number | null {
  const m = /^launcher-(\d+)\.log$/.exec(fileName);
  return m ? Number(m[1]) : null;
}

/** The files of an evaluation's working directory. */
export interface EvaluationFiles {
  /** The point, as JSON (SPRUCE_POINT_FILE). */
  point: string;
  /** What a run may write: its objective and metadata (SPRUCE_RESULT_FILE). */
  result: string;
  stdout: string;
  stderr: string;
  /** The leader's answers to a waiting run module's reports (SPRUCE_CONTROL_FILE). */
  control: string;
}

export function evaluationFiles(workdir: string): EvaluationFiles {
  return {
    point: join(workdir, "point.json"),
    result: join(workdir, "result.json"),
    stdout: join(workdir, "stdout.txt"),
    stderr: join(workdir, "stderr.txt"),
    control: join(workdir, "control.json"),
  };
}
