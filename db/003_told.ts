// Migration 003: evaluations.told_at — when the searcher was told this result. Results finished by
// per-node agents reach the leader's searcher through the database: the leader tells the untold
// ones and marks them in the same transaction as its saved state, so a restarted leader neither
// loses nor repeats one. Rows finished before this migration were told by their launcher.
// Append-only: never edit once released.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("evaluations", (t) => {
    t.bigInteger("told_at").nullable();
  });
  await knex("evaluations").whereIn("state", ["DONE", "FAILED", "TIMEOUT"]).update({ told_at: knex.ref("finished_at") });
  await knex.schema.alterTable("evaluations", (t) => {
    t.index(["workflow_id", "told_at"], "evaluations_workflow_told");
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("evaluations", (t) => {
    t.dropIndex(["workflow_id", "told_at"], "evaluations_workflow_told");
    t.dropColumn("told_at");
  });
}
