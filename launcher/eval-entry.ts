// The child process of a run-module evaluation: `node [--import tsx] [--import self-resolve-register]
// eval-entry.js <module>` (launcher/executor/process.ts decides which loaders it needs).
// Imports the user's module, calls run(point, ctx) and reports the objective the way a command run
// would (result file + `objective:` line), so the executor parses both kinds of run alike. Under MPI
// every rank runs this file; only rank 0 reports.
import { readFileSync, writeFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { JsonValue, Point } from "../src/space/types.js";
import type { RunContext } from "../src/problem/run-context.js";

export type { RunContext };

type RunFunction = (point: Point, ctx: RunContext) => unknown;

/** Rank and size from whichever MPI or Slurm launched us (Open MPI, MPICH/Hydra, srun). */
function mpiRankAndSize(env: NodeJS.ProcessEnv): { rank: number; size: number } {
  const pairs: Array<[string, string]> = [
    ["OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"],
    ["PMI_RANK", "PMI_SIZE"],
    ["SLURM_PROCID", "SLURM_NTASKS"],
  ];
  for (const [r, s] of pairs) {
    if (env[r] !== undefined) return { rank: Number(env[r]) || 0, size: Number(env[s]) || 1 };
  }
  return { rank: 0, size: 1 };
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set: eval-entry is started by the Spruce executor`);
  return value;
}

function findRun(mod: Record<string, unknown>, path: string): RunFunction {
  // A CommonJS module's exports arrive as `default` when Node cannot detect the named export; a
  // default export function is accepted too, as submit's validation (loadRunModule) accepts it,
  // and compiled CommonJS keeps it as that object's own `default`.
  const exported = mod.default as Record<string, unknown> | Function | undefined;
  const candidate = mod.run ?? (typeof exported === "function" ? exported : (exported?.run ?? exported?.default));
  if (typeof candidate !== "function") throw new Error(`${path} does not export a function 'run(point, ctx)'`);
  return candidate as RunFunction;
}

/**
 * What run() returned, as the result file's object: a number, a list of numbers (several
 * objectives in declared order), { objectives: {name: value} | [...] }, or { objective, metadata }.
 * The executor checks the values against the workflow's objectives; a shape none of these is a
 * bug in the run module.
 */
function toResult(value: unknown): Record<string, JsonValue> {
  if (typeof value === "number" || isNumberList(value)) return { objective: jsonNumbers(value) };
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const { objective, objectives, metadata } = value as { objective?: unknown; objectives?: unknown; metadata?: unknown };
    if (metadata !== undefined && metadata !== null && (typeof metadata !== "object" || Array.isArray(metadata))) throw new Error("run() returned metadata that is not an object");
    const meta = (metadata ?? {}) as Record<string, JsonValue>;
    if (typeof objective === "number" || isNumberList(objective)) return { ...meta, objective: jsonNumbers(objective) };
    if (isNumberList(objectives)) return { ...meta, objectives: jsonNumbers(objectives) };
    if (objectives !== null && typeof objectives === "object" && Object.values(objectives).every((v) => typeof v === "number")) {
      return { ...meta, objectives: Object.fromEntries(Object.entries(objectives).map(([k, v]) => [k, jsonNumbers(v as number)])) };
    }
  }
  throw new Error(
    `run() returned ${JSON.stringify(value) ?? String(value)}; expected a number, a list of numbers, { objectives: { name: value } } or { objective, metadata }`,
  );
}

function isNumberList(v: unknown): v is number[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number");
}

/** JSON has no NaN/Infinity: they are written as strings so the executor reports "objective is NaN". */
function jsonNumbers(v: number | number[]): JsonValue {
  const one = (x: number): JsonValue => (Number.isFinite(x) ? x : String(x));
  return Array.isArray(v) ? v.map(one) : one(v);
}

/** How long a report waits for the launcher's decision before it carries on (a stalled launcher
 * must not hang the training; the launcher stops the run itself if it decides later). */
const DECISION_WAIT_MS = 60_000;

/** The launcher's answer to the run's report number `seq` (launcher/slot-runner.ts writes it). */
interface ControlAnswer {
  seq: number;
  action: "continue" | "stop";
  length: number;
}

function optionalNumber(name: string): number | null {
  const v = process.env[name];
  return v === undefined || v === "" ? null : Number(v);
}

/**
 * ctx.report: prints `report: step=N value=X` (the launcher reads the run's stdout, as for command
 * runs). Under a multi-fidelity searcher (SPRUCE_REPORT_ACK=1) a report at or past the length of
 * the next decision waits for the launcher's answer in SPRUCE_CONTROL_FILE ({seq, action, length});
 * reports before it never wait, as no decision can fall there.
 */
function reporter(rank: number): (step: number, value: number) => Promise<"continue" | "stop"> {
  const controlFile = process.env.SPRUCE_CONTROL_FILE;
  const ack = process.env.SPRUCE_REPORT_ACK === "1" && controlFile !== undefined;
  let target = optionalNumber("SPRUCE_LENGTH") ?? Infinity;
  let seq = 0;
  return async (step, value) => {
    if (typeof step !== "number" || typeof value !== "number") throw new Error(`ctx.report(step, value) needs two numbers, got ${typeof step}, ${typeof value}`);
    // A diverged value (NaN) is no report the searcher can rank: not sent, so not counted either.
    if (!Number.isFinite(step) || !Number.isFinite(value)) return "continue";
    seq++;
    if (rank === 0) writeSync(1, `report: step=${step} value=${value}\n`);
    if (!ack || step < target) return "continue";
    const deadline = Date.now() + DECISION_WAIT_MS;
    while (Date.now() < deadline) {
      let answer: ControlAnswer | null = null;
      try {
        answer = JSON.parse(readFileSync(controlFile, "utf8")) as ControlAnswer;
      } catch {
        // Not written yet (or being replaced): poll again.
      }
      if (answer && answer.seq >= seq) {
        target = answer.length;
        return answer.action;
      }
      await sleep(5);
    }
    process.stderr.write(`spruce: no decision on the report at step ${step} after ${DECISION_WAIT_MS / 1000}s; training on\n`);
    return "continue";
  };
}

async function main(): Promise<void> {
  const modulePath = process.argv[2];
  if (!modulePath) throw new Error("usage: eval-entry <run module>");
  const point = JSON.parse(readFileSync(requireEnv("SPRUCE_POINT_FILE"), "utf8")) as Point;
  const { rank, size } = mpiRankAndSize(process.env);
  const resumeStep = optionalNumber("SPRUCE_RESUME_STEP") ?? 0;
  const ctx: RunContext = {
    evalId: Number(requireEnv("SPRUCE_EVAL_ID")),
    workdir: requireEnv("SPRUCE_WORKDIR"),
    seed: Number(requireEnv("SPRUCE_SEED")),
    rank,
    size,
    report: reporter(rank),
    maxLength: optionalNumber("SPRUCE_MAX_LENGTH"),
    length: optionalNumber("SPRUCE_LENGTH"),
    resume: resumeStep > 0 ? { step: resumeStep, dir: requireEnv("SPRUCE_CHECKPOINT_DIR") } : null,
    checkpointDir: process.env.SPRUCE_CHECKPOINT_DIR ?? null,
  };
  const file = resolve(modulePath);
  // A .cts goes through require(): imported, Node 20 runs it in a CommonJS wrapper whose require()
  // of an ES module with imports of its own (spruce-hps is one) fails ("not in cache").
  const mod = (file.endsWith(".cts") ? createRequire(import.meta.url)(file) : await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const result = toResult(await findRun(mod, modulePath)(point, ctx));
  if (rank === 0) {
    writeFileSync(requireEnv("SPRUCE_RESULT_FILE"), JSON.stringify(result) + "\n");
    // The line a command run would print (the file wins); synchronous: the explicit exit below must not drop it.
    const values = result.objective ?? result.objectives;
    if (typeof values !== "object" || values === null || Array.isArray(values)) writeSync(1, `objective: ${[values].flat().join(", ")}\n`);
  }
}

main().then(
  // Exit even if the run left timers or sockets open: the evaluation is over once run() returned.
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write((e instanceof Error ? (e.stack ?? e.message) : String(e)) + "\n");
    process.exit(1);
  },
);
