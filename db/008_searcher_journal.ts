// Migration 008: searcher_journal, what a searcher that saves stateWithoutRows() did that the rows
// do not record (asha: the order in which it heard reports and results; docs/architecture.md,
// Searcher state from the rows). Each save of the state appends the entries taken since the last:
// `seq` is the number of the batch's first entry in the search, unique per workflow, so a
// transaction retried after a lost COMMIT cannot append a batch twice. `entries`: a JSON list.
// Append-only: never edit once released.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("searcher_journal", (t) => {
    t.increments("id").primary();
    t.integer("workflow_id").notNullable().references("id").inTable("workflows").onDelete("CASCADE");
    t.integer("seq").notNullable();
    t.text("entries").notNullable();
    t.unique(["workflow_id", "seq"], { indexName: "searcher_journal_workflow_seq" });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("searcher_journal");
}
