// `spruce topk WORKFLOW|results.csv -k 3 [-o best.json|.yaml|.csv]`: deephyper-analytics parity.
import { existsSync, writeFileSync } from "node:fs";
import { extname } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { stringify as toYaml } from "yaml";
import { NotFoundError, ValidationError } from "../errors.js";
import { getWorkflow, listEvaluations } from "../store/index.js";
import { csvField, readCsvRecords } from "../results/csv.js";
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
      .positional("source", { type: "string", demandOption: true, describe: "a workflow name or a results.csv path" })
      .option("k", { type: "number", describe: "how many (default 3; with several objectives, default the whole Pareto front, else the first k by Pareto rank)" })
      .option("output", { alias: "o", type: "string", describe: "write to a .json, .yaml/.yml or .csv file instead of stdout" })
      .option("json", { type: "boolean", describe: "JSON on stdout instead of YAML" })
      .option("minimize", { type: "boolean", describe: "for a results.csv: smaller is better, for every objective (a workflow knows its directions)" }) as unknown as Argv<TopkArgs>,
  handler: async (argv) => {
    if (argv.k !== undefined && (!Number.isInteger(argv.k) || argv.k < 1)) throw new ValidationError(`-k must be a whole number of at least 1 (got ${argv.k})`);
    let table: TopkTable;
    if (argv.source.endsWith(".csv")) {
      if (!existsSync(argv.source)) throw new NotFoundError(`results file not found: ${argv.source}`);
      const records = readCsvRecords(argv.source);
      const direction = argv.minimize ? "minimize" : "maximize";
      table = records.length > 0 && "objective_1" in records[0]! ? paretoTopkFromCsv(records, direction, argv.k) : topkFromCsv(records, direction, argv.k ?? 3);
    } else {
      table = await withStore(argv, async (store) => {
        const wf = await getWorkflow(store, argv.source);
        if (!wf) throw new NotFoundError(`workflow '${argv.source}' not found`, "give a workflow name from 'spruce ls' or a path to results.csv");
        const done = await listEvaluations(store, wf.id, { states: ["DONE"] });
        return isMultiObjective(wf) ? paretoTopkFromEvaluations(done, objectivesOf(wf), argv.k) : topkFromEvaluations(done, wf.direction, argv.k ?? 3);
      });
    }
    if (argv.output) return writeTopk(argv.output, table);
    if (argv.json) return printJson(table);
    process.stdout.write(Object.keys(table).length === 0 ? "no finished evaluation yet\n" : toYaml(table));
  },
};

function writeTopk(file: string, table: TopkTable): void {
  const ext = extname(file).toLowerCase();
  let text: string;
  if (ext === ".json") text = JSON.stringify(table, null, 2) + "\n";
  else if (ext === ".yaml" || ext === ".yml") text = toYaml(table);
  else if (ext === ".csv") {
    const rows = Object.values(table);
    const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const cell = (v: unknown): string => csvField(v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
    text = ["rank", ...cols].map(csvField).join(",") + "\n" + rows.map((r, i) => [String(i), ...cols.map((c) => cell(r[c]))].join(",")).join("\n") + (rows.length ? "\n" : "");
  } else throw new ValidationError(`-o ${file}: unknown format '${ext || "(none)"}'`, "use a .json, .yaml or .csv file name");
  writeFileSync(file, text);
  process.stderr.write(`wrote ${Object.keys(table).length} point(s) to ${file}\n`);
}
