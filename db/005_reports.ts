// Migration 005: intermediate results, the progress points. evaluation_reports: the `report: step=N value=X`
// lines (or ctx.report calls) of running evaluations, in arrival order, for multi-fidelity searchers
// (ASHA stops or promotes trials on them) and for the report's learning curves.
// evaluations.fidelity: for multi-fidelity searchers, which trial a row belongs to and how far it
// trains (JSON: trial, length, from_length, max_length); a promoted trial continues in a new row.
// Across nodes the leader steers runs its agents execute through the rows: evaluations.control (its
// latest answer to the run's reports, JSON: seq, action, length) and evaluations.stop_request
// ("early": the searcher stopped it; "searcher": a custom method's stop), which agents poll; reports
// carry the run's own count (seq) and the launcher that read them.
// Append-only: never edit once released.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("evaluation_reports", (t) => {
    t.increments("id").primary();
    t.integer("evaluation_id").notNullable().references("id").inTable("evaluations").onDelete("CASCADE");
    t.integer("workflow_id").notNullable().references("id").inTable("workflows").onDelete("CASCADE");
    t.integer("seq").notNullable();
    t.integer("launcher_id").nullable();
    t.double("step").notNullable();
    t.double("value").notNullable();
    t.bigInteger("at").notNullable();
    t.index(["workflow_id", "id"], "evaluation_reports_workflow");
    t.index(["evaluation_id", "step"], "evaluation_reports_evaluation");
  });
  await knex.schema.alterTable("evaluations", (t) => {
    t.text("fidelity").nullable();
    t.text("control").nullable();
    t.string("stop_request", 16).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("evaluations", (t) => {
    t.dropColumn("stop_request");
    t.dropColumn("control");
    t.dropColumn("fidelity");
  });
  await knex.schema.dropTable("evaluation_reports");
}
