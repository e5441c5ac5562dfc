// Batch job rows: one per submission to a scheduler, updated as the service syncs its state.
import { NotFoundError } from "../errors.js";
import type { Store } from "./connection.js";
import { toBatchJob } from "./rows.js";
import { nowMs, retrying, type RawRow } from "./sql.js";
import type { BatchJobRow, BatchJobState, NewBatchJob } from "./types.js";

export type BatchJobPatch = Partial<{
  state: BatchJobState;
  schedulerId: string | null;
  startedAt: number | null;
  endedAt: number | null;
  scriptPath: string | null;
}>;

/**
 * Inserts a batch job; submittedAt defaults to now. Retried on connection loss like every store
 * write; an insert whose COMMIT was lost in flight may leave one extra SUBMITTED row with no
 * scheduler id (harmless: nothing runs for it).
 */
export async function createBatchJob(store: Store, job: NewBatchJob & { submittedAt?: number }): Promise<BatchJobRow> {
  const rows: RawRow[] = await retrying(store, () => store
    .knex("batch_jobs")
    .insert({
      workflow_id: job.workflowId,
      scheduler: job.scheduler,
      scheduler_id: job.schedulerId,
      state: job.state,
      nodes: job.nodes,
      queue: job.queue,
      project: job.project,
      walltime_minutes: job.walltimeMinutes,
      script_path: job.scriptPath,
      submitted_at: job.submittedAt ?? nowMs(),
    })
    .returning("*"));
  return toBatchJob(rows[0]!);
}

/** Applies the fields present in patch and returns the updated row. */
export async function updateBatchJob(store: Store, id: number, patch: BatchJobPatch): Promise<BatchJobRow> {
  const columns: Record<string, unknown> = {};
  if (patch.state !== undefined) columns.state = patch.state;
  if (patch.schedulerId !== undefined) columns.scheduler_id = patch.schedulerId;
  if (patch.startedAt !== undefined) columns.started_at = patch.startedAt;
  if (patch.endedAt !== undefined) columns.ended_at = patch.endedAt;
  if (patch.scriptPath !== undefined) columns.script_path = patch.scriptPath;
  const rows: RawRow[] = await retrying(store, async () =>
    Object.keys(columns).length === 0
      ? await store.knex("batch_jobs").where({ id })
      : await store.knex("batch_jobs").where({ id }).update(columns).returning("*"),
  );
  if (rows.length === 0) throw new NotFoundError(`no batch job with id ${id}`, "was its workflow deleted ('spruce rm') meanwhile? list the workflows with 'spruce ls'");
  return toBatchJob(rows[0]!);
}

export async function getBatchJob(store: Store, id: number): Promise<BatchJobRow | undefined> {
  const row: RawRow | undefined = await retrying(store, () => store.knex("batch_jobs").where({ id }).first());
  return row ? toBatchJob(row) : undefined;
}

/** A workflow's batch jobs, oldest first. */
export async function listBatchJobs(store: Store, workflowId: number): Promise<BatchJobRow[]> {
  const rows: RawRow[] = await retrying(store, () => store.knex("batch_jobs").where({ workflow_id: workflowId }).orderBy("id"));
  return rows.map(toBatchJob);
}
