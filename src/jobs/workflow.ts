// A new workflow and its first launcher job, all or nothing: the workflow row is written, then the
// job submitted; if the submission fails the row and its results folder are removed again, so a
// failed submission leaves nothing behind and the same command can simply be run again.
import { rmSync } from "node:fs";
import { createWorkflow, deleteWorkflow, type Store } from "../store/index.js";
import type { BatchJobRow, NewWorkflow, WorkflowRow } from "../store/types.js";
import { submitBatchJob, type SubmitJobOptions } from "./submit.js";

export async function createAndSubmitWorkflow(
  store: Store,
  wf: NewWorkflow,
  o: SubmitJobOptions,
): Promise<{ workflow: WorkflowRow; job: BatchJobRow }> {
  const workflow = await o.logger.step(`Creating workflow ${wf.name}`, () => createWorkflow(store, wf));
  try {
    const job = await submitBatchJob(store, workflow, o);
    return { workflow, job };
  } catch (e) {
    await deleteWorkflow(store, workflow.id);
    rmSync(workflow.resultsDir, { recursive: true, force: true });
    throw e;
  }
}
