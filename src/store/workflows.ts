// Workflow rows: create (names are unique), look up, list, change state or budget, delete with
// everything that belongs to the workflow.
import { NotFoundError, WorkflowExistsError } from "../errors.js";
import type { Store } from "./connection.js";
import { toJson, toJsonOrNull, toWorkflow } from "./rows.js";
import { isUniqueViolation, nowMs, retrying, writeTransaction, type RawRow } from "./sql.js";
import type { NewWorkflow, WorkflowRow, WorkflowState } from "./types.js";

/**
 * Inserts a workflow in state CREATED. The unique index on name decides a race between two submits
 * of the same name (no read-then-insert): the loser gets WorkflowExistsError. Residual risk of the
 * connection retry: an insert whose COMMIT was lost in flight is retried and then reports
 * WorkflowExistsError for the workflow it created itself (the user sees it with 'spruce ls').
 */
export async function createWorkflow(store: Store, wf: NewWorkflow): Promise<WorkflowRow> {
  try {
    const rows: RawRow[] = await retrying(store, () => store
      .knex("workflows")
      .insert({
        name: wf.name,
        problem: toJson(wf.problem),
        problem_source: wf.problemSource,
        run: toJson(wf.run),
        searcher: wf.searcher,
        searcher_options: toJson(wf.searcherOptions),
        direction: wf.direction,
        objectives: toJsonOrNull(wf.objectives),
        max_evals: wf.maxEvals,
        seed: wf.seed,
        settings: toJson(wf.settings),
        request: toJson(wf.request),
        results_dir: wf.resultsDir,
        state: "CREATED" satisfies WorkflowState,
        created_at: nowMs(),
      })
      .returning("*"));
    return toWorkflow(rows[0]!);
  } catch (e) {
    if (isUniqueViolation(e)) throw new WorkflowExistsError(wf.name, wf.problem.architecture ? "nas" : "hps");
    throw e;
  }
}

export async function getWorkflow(store: Store, name: string): Promise<WorkflowRow | undefined> {
  const row: RawRow | undefined = await retrying(store, () => store.knex("workflows").where({ name }).first());
  return row ? toWorkflow(row) : undefined;
}

export async function getWorkflowById(store: Store, id: number): Promise<WorkflowRow | undefined> {
  const row: RawRow | undefined = await retrying(store, () => store.knex("workflows").where({ id }).first());
  return row ? toWorkflow(row) : undefined;
}

/** Just a workflow's state: what a launcher polls (a cancel) without reading and parsing the whole row. */
export async function getWorkflowState(store: Store, id: number): Promise<WorkflowState | undefined> {
  const row: { state: WorkflowState } | undefined = await retrying(store, () => store.knex("workflows").where({ id }).first("state"));
  return row?.state;
}

/** All workflows, oldest first. */
export async function listWorkflows(store: Store): Promise<WorkflowRow[]> {
  const rows: RawRow[] = await retrying(store, () => store.knex("workflows").select("*").orderBy("id"));
  return rows.map(toWorkflow);
}

/**
 * Moves a workflow to `state`. `error` says why a FAILED workflow failed; any other state clears
 * it, so a workflow resumed after a failure no longer shows the old error.
 */
export async function setWorkflowState(store: Store, id: number, state: WorkflowState, error: string | null = null): Promise<void> {
  const changed = await retrying(store, () => store.knex("workflows").where({ id }).update({ state, error: state === "FAILED" ? error : null }));
  if (changed === 0) throw new NotFoundError(`no workflow with id ${id}`, "list workflows with 'spruce ls'");
}

/** Changes the evaluation budget (a resumed search may ask for more). */
export async function updateWorkflowMaxEvals(store: Store, id: number, maxEvals: number): Promise<void> {
  const changed = await retrying(store, () => store.knex("workflows").where({ id }).update({ max_evals: maxEvals }));
  if (changed === 0) throw new NotFoundError(`no workflow with id ${id}`, "list workflows with 'spruce ls'");
}

/**
 * Deletes a workflow and all its rows in one transaction; false if it did not exist. Children are
 * deleted explicitly, in dependency order, rather than relying on ON DELETE CASCADE alone, so the
 * result does not depend on a connection's foreign_keys pragma. The first statement is a write
 * (see writeTransaction).
 */
export async function deleteWorkflow(store: Store, id: number): Promise<boolean> {
  return writeTransaction(store, async (trx) => {
    const evaluationIds = trx("evaluations").select("id").where({ workflow_id: id });
    await trx("evaluation_events").whereIn("evaluation_id", evaluationIds).delete();
    await trx("evaluations").where({ workflow_id: id }).delete();
    await trx("launchers").where({ workflow_id: id }).delete();
    await trx("batch_jobs").where({ workflow_id: id }).delete();
    await trx("searcher_state").where({ workflow_id: id }).delete();
    await trx("searcher_journal").where({ workflow_id: id }).delete();
    return (await trx("workflows").where({ id }).delete()) > 0;
  });
}
