// `spruce arch WORKFLOW [EVAL_ID] [--seq JSON] [--json]`: the decoded architecture of a NAS
// workflow's evaluation (default: the best one), or of any arch_seq of its space, node by node.
import type { Argv, CommandModule } from "yargs";
import { NotFoundError, ValidationError } from "../errors.js";
import { archSeqOf, decodeArchitecture, isNas, pointOfArchSeq, recordPoint, type DecodedNode } from "../nas/index.js";
import { describeDecoded } from "../nas/describe.js";
import { bestEvaluation } from "../results/summary.js";
import { getEvaluation, getWorkflow, listEvaluations } from "../store/index.js";
import type { JsonValue } from "../space/types.js";
import { withStore, type GlobalArgs } from "./context.js";
import { formatNumber, printJson } from "./output.js";

interface ArchArgs extends GlobalArgs {
  workflow: string;
  /** As typed, so an error can echo it. */
  evalId?: string;
  seq?: string;
  json?: boolean;
}

export const archCommand: CommandModule<GlobalArgs, ArchArgs> = {
  command: "arch <workflow> [eval-id]",
  describe: "print the decoded architecture of a NAS evaluation (default: the best) or of --seq",
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional("workflow", { type: "string", demandOption: true, describe: "a NAS workflow (submitted with 'submit nas')" })
      .positional("eval-id", { type: "string", describe: "an evaluation id (see 'spruce topk'); default: the best evaluation" })
      .option("seq", { type: "string", describe: "decode this arch_seq instead, a JSON list of integers, e.g. '[1, 0, 2]'" })
      .option("json", { type: "boolean", describe: "print {workflow, eval_id, objective, arch_seq, architecture, hyperparameters} as JSON" })
      .conflicts("seq", "eval-id")
      .example("$0 arch poly-nas", "the best architecture found so far")
      .example("$0 arch poly-nas 17 --json", "evaluation 17's architecture, as its run got it")
      .example("$0 arch poly-nas --seq '[3, 1, 0, 2, 1]'", "any architecture of the space") as unknown as Argv<ArchArgs>,
  handler: async (argv) => {
    const evalId = argv.evalId === undefined ? undefined : Number(argv.evalId);
    if (evalId !== undefined && !(/^\d+$/.test(String(argv.evalId)) && evalId > 0)) {
      throw new ValidationError(`EVAL_ID must be a positive whole number (got '${argv.evalId}')`, `see the ids with 'spruce topk ${argv.workflow}'`);
    }
    const shown = await withStore(argv, async (store): Promise<Shown> => {
      const wf = await getWorkflow(store, argv.workflow);
      if (!wf) throw new NotFoundError(`workflow '${argv.workflow}' not found`, "list workflows with 'spruce ls'");
      if (!isNas(wf.problem)) throw new ValidationError(`workflow '${wf.name}' is not a NAS search: its problem has no architecture`, "spruce arch decodes the architectures of workflows submitted with 'submit nas'");
      const arch = wf.problem.architecture;
      const decoded = (seq: number[]) => ({ workflow: wf.name, arch_seq: seq, architecture: decodeArchitecture(arch, seq) });
      if (argv.seq !== undefined) {
        let seq: unknown;
        try {
          seq = JSON.parse(argv.seq);
        } catch {
          throw new ValidationError(`--seq is not JSON: ${argv.seq}`, "give a JSON list of integers, e.g. --seq '[1, 0, 2]'");
        }
        return { ...decoded(archSeqOf(arch, pointOfArchSeq(arch, seq, "--seq"))), eval_id: null, objective: null, hyperparameters: {} };
      }
      const row = evalId !== undefined ? await getEvaluation(store, evalId) : bestEvaluation(await listEvaluations(store, wf.id, { states: ["DONE"] }), wf.direction);
      if (evalId !== undefined && (!row || row.workflowId !== wf.id)) throw new NotFoundError(`workflow '${wf.name}' has no evaluation ${evalId}`, `see the ids with 'spruce topk ${wf.name}'`);
      if (!row) throw new NotFoundError(`workflow '${wf.name}' has no finished evaluation yet`, "give an evaluation id, or wait for one to finish ('spruce status')");
      const { arch_seq: _, ...hyperparameters } = recordPoint(wf.problem, row.point);
      return { ...decoded(archSeqOf(arch, row.point)), eval_id: row.id, objective: row.objective, hyperparameters };
    });
    if (argv.json) return printJson(shown);
    const head =
      shown.eval_id === null
        ? `workflow ${shown.workflow}, arch_seq ${JSON.stringify(shown.arch_seq)}`
        : `workflow ${shown.workflow}, evaluation ${shown.eval_id} (objective ${formatNumber(shown.objective)}), arch_seq ${JSON.stringify(shown.arch_seq)}`;
    const hps = Object.entries(shown.hyperparameters);
    process.stdout.write(head + "\n" + describeDecoded(shown.architecture) + (hps.length > 0 ? `hyperparameters: ${hps.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")}\n` : ""));
  },
};

interface Shown {
  workflow: string;
  eval_id: number | null;
  objective: number | null;
  arch_seq: number[];
  architecture: DecodedNode[];
  hyperparameters: Record<string, JsonValue>;
}
