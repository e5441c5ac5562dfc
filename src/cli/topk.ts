// `spruce topk WORKFLOW|results.csv -k 3 [-o best.json|.yaml|.csv]`: deephyper-analytics parity.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { extname } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { stringify as toYaml } from "yaml";
import { NotFoundError, ValidationError } from "../errors.js";
import { getWorkflow, listEvaluations } from "../store/index.js";
import { csvField, parseCsv, readCsvRecords, recordedRows } from "../results/csv.js";
import { paretoTopkFromCsv, paretoTopkFromEvaluations, topkFromCsv, topkFromEvaluations, type TopkTable } from "../results/topk.js";
import { isMultiObjective, objectivesOf } from "../objectives/declare.js";
import { withStore, type GlobalArgs } from "./context.js";
import { printJson } from "./output.js";

interface TopkArgs extends GlobalArgs {
  source: string;
  k?: number;
  output?: string;
  json?: boolean;
  minimize?: boolean;
}

export const topkCommand: CommandModule<GlobalArgs, TopkArgs> = {
  command: "topk <source>",
  describe: "print the k best evaluations of a workflow or a results.csv (keys '0', '1', ... by rank); with several objectives, the Pareto front",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional("source", { type: "string", demandOption: true, describe: "a workflow name, or the path of a results.csv (a path: an existing file, a name ending in .csv or holding a /)" })
      .option("k", { type: "number", describe: "how many (default 3; with several objectives, default the whole Pareto front, else the first k by Pareto rank)" })
      .option("output", { alias: "o", type: "string", describe: "write to a .json, .yaml/.yml or .csv file instead of stdout" })
      .option("json", { type: "boolean", describe: "JSON on stdout instead of YAML" })
      .option("minimize", { type: "boolean", describe: "for a results.csv: smaller is better, for every objective (a workflow knows its directions)" }) as unknown as Argv<TopkArgs>,
  handler: async (argv) => {
    if (argv.k !== undefined && (!Number.isInteger(argv.k) || argv.k < 1)) throw new ValidationError(`-k must be a whole number of at least 1 (got ${argv.k})`, "e.g. -k 3");
    if (argv.output !== undefined) outputFormat(argv.output);
    let table: TopkTable;
    if (isFileSource(argv.source)) {
      checkResultsFile(argv.source);
      const records = readCsvRecords(argv.source);
      const direction = argv.minimize ? "minimize" : "maximize";
      table = records.length > 0 && "objective_1" in records[0]! ? paretoTopkFromCsv(records, direction, argv.k) : topkFromCsv(records, direction, argv.k ?? 3);
    } else {
      table = await withStore(argv, async (store) => {
        const wf = await getWorkflow(store, argv.source);
        if (!wf) throw new NotFoundError(`workflow '${argv.source}' not found`, "give a workflow name from 'spruce ls' or a path to results.csv");
        const done = recordedRows(wf.problem, await listEvaluations(store, wf.id, { states: ["DONE"] }));
        return isMultiObjective(wf) ? paretoTopkFromEvaluations(done, objectivesOf(wf), argv.k) : topkFromEvaluations(done, wf.direction, argv.k ?? 3);
      });
    }
    if (argv.output) return writeTopk(argv.output, table);
    if (argv.json) return printJson(table);
    process.stdout.write(Object.keys(table).length === 0 ? "no finished evaluation yet\n" : toYaml(table));
  },
};

/** A workflow name has no `/` and no .csv ending; a path is taken for a file, as is an existing file. */
function isFileSource(source: string): boolean {
  return source.toLowerCase().endsWith(".csv") || source.includes("/") || (existsSync(source) && statSync(source).isFile());
}

/** A results.csv has DeepHyper's columns: `objective` and a `p:<name>` per hyperparameter. */
function checkResultsFile(file: string): void {
  const hint = "give the results.csv of a search (<workspace>/data/<workflow>/results.csv), or a workflow name from 'spruce ls'";
  if (!existsSync(file)) throw new NotFoundError(`results file not found: ${file}`, hint);
  if (!statSync(file).isFile()) throw new ValidationError(`${file} is not a file`, hint);
  const firstLine = readFileSync(file, "utf8").split(/\r?\n/, 1)[0] ?? "";
  const header = parseCsv(firstLine)[0] ?? [];
  if (!(header.includes("objective") || header.includes("objective_0")) || !header.some((h) => h.startsWith("p:"))) {
    throw new ValidationError(`${file} is not a results.csv: its first line has no 'objective' and 'p:<name>' columns`, hint);
  }
}

function outputFormat(file: string): "json" | "yaml" | "csv" {
  const ext = extname(file).toLowerCase();
  if (ext === ".json") return "json";
  if (ext === ".yaml" || ext === ".yml") return "yaml";
  if (ext === ".csv") return "csv";
  throw new ValidationError(`-o ${file}: unknown format '${ext || "(none)"}'`, "use a .json, .yaml or .csv file name");
}

function writeTopk(file: string, table: TopkTable): void {
  const format = outputFormat(file);
  let text: string;
  if (format === "json") text = JSON.stringify(table, null, 2) + "\n";
  else if (format === "yaml") text = toYaml(table);
  else {
    const rows = Object.values(table);
    const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const cell = (v: unknown): string => csvField(v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
    text = ["rank", ...cols].map(csvField).join(",") + "\n" + rows.map((r, i) => [String(i), ...cols.map((c) => cell(r[c]))].join(",")).join("\n") + (rows.length ? "\n" : "");
  }
  writeFileSync(file, text);
  process.stderr.write(`wrote ${Object.keys(table).length} point(s) to ${file}\n`);
}
