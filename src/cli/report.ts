// `spruce report WORKFLOW [-o report.html] [--open]`: writes the self-contained HTML report (charts,
// top-k, hyperparameters, batch jobs) and optionally opens it in the desktop's browser.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { NotFoundError } from "../errors.js";
import { getWorkflow } from "../store/index.js";
import { reportPath, writeReport } from "../results/report.js";
import { withStore, type GlobalArgs } from "./context.js";
import { info } from "./output.js";

interface ReportArgs extends GlobalArgs {
  workflow: string;
  output?: string;
  open?: boolean;
}

export const reportCommand: CommandModule<GlobalArgs, ReportArgs> = {
  command: "report <workflow>",
  describe: "write an HTML report (best so far, objectives, slot utilisation, top-k, hyperparameters, batch jobs)",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional("workflow", { type: "string", demandOption: true })
      .option("output", { alias: "o", type: "string", describe: "where to write it (default: <results dir>/report.html)" })
      .option("open", { type: "boolean", describe: "open it with xdg-open when available" }) as unknown as Argv<ReportArgs>,
  handler: async (argv) => {
    const file = await withStore(argv, async (store) => {
      const wf = await getWorkflow(store, argv.workflow);
      if (!wf) throw new NotFoundError(`workflow '${argv.workflow}' not found`, "list workflows with 'spruce ls'");
      const out = argv.output ? resolve(argv.output) : reportPath(wf);
      const model = await writeReport(store, wf, out);
      info(`wrote the report of ${model.evaluations.length} evaluation(s) to ${out}`);
      return out;
    });
    process.stdout.write(file + "\n");
    if (argv.open) openInBrowser(file);
  },
};

/** Opens detached, so the command returns while the browser runs; headless nodes just get the path. */
function openInBrowser(file: string): void {
  const opener = findOnPath("xdg-open");
  if (!opener) {
    info(`no xdg-open here: open ${file} in a browser (copy it to your machine from a cluster)`);
    return;
  }
  const child = spawn(opener, [file], { detached: true, stdio: "ignore" });
  child.on("error", (e) => info(`xdg-open failed (${e.message}): open ${file} in a browser`));
  child.unref();
}

function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}
