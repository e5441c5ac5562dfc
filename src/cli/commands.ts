// The command list of the `spruce` CLI, in the order `--help` shows them.
import type { CommandModule } from "yargs";
import type { GlobalArgs } from "./context.js";
import { submitCommand } from "./submit.js";
import { statusCommand, lsCommand } from "./status.js";
import { cancelCommand } from "./cancel.js";
import { topkCommand } from "./topk.js";
import { archCommand } from "./arch.js";
import { rmCommand } from "./rm.js";
import { launchCommand } from "./launch.js";
import { agentCommand } from "./agent.js";
import { problemCommand } from "./problem.js";
import { dbCommand } from "./db.js";
import { siteCommand } from "./site.js";
import { fetchCommand } from "./fetch.js";
import { reportCommand } from "./report.js";
import { dashboardCommand } from "./dashboard.js";
import { logsCommand } from "./logs.js";
import { exportCommand } from "./export.js";
import { serviceCommand } from "./service.js";
import { doctorCommand } from "./doctor.js";
import { hpsCommand } from "./hps.js";
import { newProblemCommand, startProjectCommand } from "./scaffold.js";

// Each command has its own argument type; yargs checks the arguments at parse time. `completion`
// is not here: yargs adds it with its completion machinery on the root parser (run.ts, completion.ts).
export const commands: CommandModule<GlobalArgs, any>[] = [submitCommand, statusCommand, lsCommand, cancelCommand, topkCommand, archCommand, reportCommand, dashboardCommand, logsCommand, exportCommand, rmCommand, problemCommand, startProjectCommand, newProblemCommand, hpsCommand, launchCommand, agentCommand, serviceCommand, dbCommand, siteCommand, fetchCommand, doctorCommand];
