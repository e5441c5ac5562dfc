// Migration 006: workflows.error — why a workflow is FAILED (its searcher threw, or a launcher
// stopped on a setting it cannot run with), so `status` and `--wait` can say so instead of showing
// a workflow that looks alive. NULL in every other state.
// Append-only: never edit once released.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("workflows", (t) => {
    t.text("error").nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("workflows", (t) => {
    t.dropColumn("error");
  });
}
