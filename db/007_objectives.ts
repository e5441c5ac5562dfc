// Migration 007: several objectives. workflows.objectives: the declared objectives in order (JSON
// list of {name, direction, reference?}), NULL for a workflow with one unnamed objective (its
// `direction`). evaluations.objectives: a DONE row's values in that order (JSON list of numbers),
// NULL with one objective; `objective` keeps the first, so code that reads one value still works.
// Append-only: never edit once released.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("workflows", (t) => {
    t.text("objectives").nullable();
  });
  await knex.schema.alterTable("evaluations", (t) => {
    t.text("objectives").nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("evaluations", (t) => {
    t.dropColumn("objectives");
  });
  await knex.schema.alterTable("workflows", (t) => {
    t.dropColumn("objectives");
  });
}
