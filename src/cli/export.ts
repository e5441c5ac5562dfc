// `spruce export WORKFLOW --format csv|json [-o FILE] [--events]`: the whole history of a search for
// analysis elsewhere (pandas, jq, a spreadsheet).
import { writeFileSync } from "node:fs";
import type { Argv, CommandModule } from "yargs";
import { NotFoundError } from "../errors.js";
import { getWorkflow, listEvaluations, listEvents } from "../store/index.js";
import { evaluationsCsv, eventsCsv, exportEvaluation, exportEvent, type ExportedEvent } from "../results/export.js";
import { recordedRows } from "../results/csv.js";
import { recordNames } from "../nas/index.js";
import { withStore, type GlobalArgs } from "./context.js";
import { info } from "./output.js";

interface ExportArgs extends GlobalArgs {
  workflow: string;
  format: "csv" | "json";
  output?: string;
  events?: boolean;
}

export const exportCommand: CommandModule<GlobalArgs, ExportArgs> = {
  command: "export <workflow>",
  describe: "export every evaluation (state, attempt, point, objective, error, timings, hosts) as CSV or JSON",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional("workflow", { type: "string", demandOption: true })
      .option("format", { type: "string", choices: ["csv", "json"], demandOption: true, describe: "csv: one row per evaluation; json: one object" })
      .option("output", { alias: "o", type: "string", describe: "write to FILE instead of stdout" })
      .option("events", {
        type: "boolean",
        describe: "include every state change (json: an 'events' array; csv: the event table instead of the evaluations)",
      }) as unknown as Argv<ExportArgs>,
  handler: async (argv) => {
    const { text, count } = await withStore(argv, async (store) => {
      const wf = await getWorkflow(store, argv.workflow);
      if (!wf) throw new NotFoundError(`workflow '${argv.workflow}' not found`, "list workflows with 'spruce ls'");
      const rows = recordedRows(wf.problem, await listEvaluations(store, wf.id));
      const evaluations = rows.map((r) => exportEvaluation(r, wf.resultsDir));
      let events: ExportedEvent[] | undefined;
      if (argv.events) {
        events = [];
        for (const r of rows) events.push(...(await listEvents(store, r.id)).map(exportEvent));
        events.sort((a, b) => a.event_id - b.event_id);
      }
      if (argv.format === "csv") {
        return events
          ? { text: eventsCsv(events), count: `${events.length} event(s)` }
          : { text: evaluationsCsv(evaluations, recordNames(wf.problem), wf.objectives?.length ?? 1), count: `${evaluations.length} evaluation(s)` };
      }
      const doc = {
        workflow: wf.name,
        state: wf.state,
        direction: wf.direction,
        ...(wf.objectives ? { objectives: wf.objectives } : {}),
        max_evals: wf.maxEvals,
        created_at: new Date(wf.createdAt).toISOString(),
        exported_at: new Date().toISOString(),
        evaluations,
        ...(events ? { events } : {}),
      };
      return { text: JSON.stringify(doc, null, 2) + "\n", count: `${evaluations.length} evaluation(s)` + (events ? ` and ${events.length} event(s)` : "") };
    });
    if (argv.output) {
      writeFileSync(argv.output, text);
      info(`wrote ${count} to ${argv.output}`);
    } else process.stdout.write(text);
  },
};
