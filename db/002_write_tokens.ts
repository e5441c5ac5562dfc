// Migration 002: write tokens on evaluations, so that a store write retried after the connection
// dropped at COMMIT (the client cannot tell whether it committed) is applied once (docs/architecture.md, Transactions,
// connection loss). batch_token: the token of the createEvaluations call that inserted the row,
// never changed afterwards (other launchers may claim the row at once, so only an immutable column
// can say "these rows are already mine"). write_token: the token of the last claim or finish.
// Append-only: never edit once released.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("evaluations", (t) => {
    t.string("batch_token", 36).nullable();
    t.string("write_token", 36).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("evaluations", (t) => {
    t.dropColumn("write_token");
    t.dropColumn("batch_token");
  });
}
