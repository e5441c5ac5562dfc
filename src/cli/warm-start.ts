// `submit --warm-start SOURCE` (docs/architecture.md, Warm start): reads an earlier search's results,
// from a results.csv or from a workflow of the same database, and matches them to the new space
// (src/search/warm-start.ts) before anything is written. Reads only.
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { ValidationError } from "../errors.js";
import type { Space } from "../space/space.js";
import type { JsonValue, ObjectiveSpec, ProblemSpec } from "../space/types.js";
import { isNas, pointOfArchSeq, recordNames } from "../nas/index.js";
import { parseCsv } from "../results/csv.js";
import { getWorkflow, listEvaluations, type Store } from "../store/index.js";
import type { WorkflowRow } from "../store/types.js";
import { describeWarmStart, priorsFor, tableFromCsv, type SourceTable, type WarmStart } from "../search/warm-start.js";
import { hasDatabase, openStoreFor, type GlobalArgs } from "./context.js";

/** The searchers that learn from a warm start; the others refuse it (docs/architecture.md, Warm start). */
export const WARM_START_SEARCHERS = ["ambs"];

/**
 * The warm start of a new search, and the line submit prints about it. A source is a file when
 * one exists at that path, else a workflow name; a path-like name (a `/`, a `.csv` ending) that
 * is not a file is refused as a missing file.
 */
export async function loadWarmStart(
  argv: GlobalArgs,
  source: string,
  space: Space,
  objectives: ObjectiveSpec[] | null,
  spec?: ProblemSpec,
): Promise<{ warm: WarmStart; line: string }> {
  const count = objectives?.length ?? 1;
  const isFile = existsSync(source) && statSync(source).isFile();
  if (isFile || source.includes("/") || source.toLowerCase().endsWith(".csv")) {
    if (!isFile) throw new ValidationError(`--warm-start: file not found: ${source}`, `give an earlier search's results.csv (relative paths start from ${process.cwd()}), or a workflow name`);
    const file = resolve(source);
    const table = tableFromCsv(parseCsv(readFileSync(file, "utf8")), space, count, source);
    const { warm, summary } = priorsFor(space, spec ? unfoldArchSeq(table, spec) : table, file);
    return { warm, line: describeWarmStart(summary, source) };
  }
  const notFound = (): ValidationError =>
    new ValidationError(`--warm-start: no workflow '${source}' in the database, and no file of that name`, "give a workflow of this database ('spruce ls'), or the path of a results.csv");
  if (!hasDatabase(argv)) throw notFound();
  const store = await openStoreFor(argv);
  try {
    const wf = await getWorkflow(store, source);
    if (!wf) throw notFound();
    const { warm, summary } = priorsFor(space, await tableFromWorkflow(store, wf, objectives), source);
    return { warm, line: describeWarmStart(summary, `workflow ${source}`) };
  } finally {
    await store.close();
  }
}

/**
 * A NAS results.csv shows the architecture as one `arch_seq` cell (a JSON list): unfolded into the
 * choices' hyperparameters (docs/architecture.md, Neural architecture search). A cell that is not
 * an arch_seq of this architecture makes its row one outside the space.
 */
function unfoldArchSeq(table: SourceTable, spec: ProblemSpec): SourceTable {
  if (!isNas(spec) || !table.names.includes("arch_seq")) return table;
  const shown = new Set(recordNames(spec));
  const choices = spec.hyperparameters.map((h) => h.name).filter((n) => !shown.has(n));
  const rows = table.rows.map((r) => {
    const { arch_seq: cell, ...values } = r.values;
    let seq: Record<string, JsonValue>;
    try {
      seq = pointOfArchSeq(spec.architecture, typeof cell === "string" ? (JSON.parse(cell) as unknown) : cell);
    } catch {
      // No value of an int choice: the row counts as outside.
      seq = Object.fromEntries(choices.map((n) => [n, "not an arch_seq"]));
    }
    return { values: { ...seq, ...values }, objectives: r.objectives };
  });
  return { names: [...choices, ...table.names.filter((n) => n !== "arch_seq")], rows };
}

/**
 * A workflow's finished rows as a source table: DONE rows with their objectives, FAILED and
 * TIMEOUT rows without. Its objectives map to the new search's by name when both name the same
 * set, else by position; a different number of objectives is refused.
 */
async function tableFromWorkflow(store: Store, wf: WorkflowRow, objectives: ObjectiveSpec[] | null): Promise<SourceTable> {
  const count = objectives?.length ?? 1;
  const theirs = wf.objectives ?? null;
  if ((theirs?.length ?? 1) !== count) {
    throw new ValidationError(
      `--warm-start: workflow '${wf.name}' has ${theirs?.length ?? 1} objective(s), this search ${count}`,
      "warm-start from a search with the same objectives",
    );
  }
  let order = Array.from({ length: count }, (_, j) => j);
  if (objectives && theirs && objectives.every((o) => theirs.some((t) => t.name === o.name))) order = objectives.map((o) => theirs.findIndex((t) => t.name === o.name));
  const rows = await listEvaluations(store, wf.id, { states: ["DONE", "FAILED", "TIMEOUT"] });
  return {
    names: wf.problem.hyperparameters.map((h) => h.name),
    rows: rows.map((r) => ({
      values: r.point,
      objectives:
        r.state !== "DONE" ? order.map(() => null) : count > 1 ? order.map((j) => r.objectives?.[j] ?? null) : [r.objective],
    })),
  };
}
