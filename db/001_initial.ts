// Migration 001: the initial workflow schema (docs/architecture.md, Tables). Append-only: once released, never edit this
// file; change the schema with a new numbered migration listed in db/migrations.ts.
//
// Portable across SQLite and PostgreSQL: JSON is stored as text (parsed in src/store/rows.ts, the same
// way on both dialects), times are epoch milliseconds in bigint columns.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("workflows", (t) => {
    t.increments("id").primary();
    t.string("name", 255).notNullable().unique();
    t.text("problem").notNullable();
    t.text("problem_source").notNullable();
    t.text("run").notNullable();
    t.string("searcher", 64).notNullable();
    t.text("searcher_options").notNullable();
    t.string("direction", 16).notNullable();
    t.integer("max_evals").notNullable();
    t.bigInteger("seed").notNullable();
    t.text("settings").notNullable();
    t.text("request").notNullable();
    t.text("results_dir").notNullable();
    t.string("state", 16).notNullable();
    t.bigInteger("created_at").notNullable();
  });

  await knex.schema.createTable("batch_jobs", (t) => {
    t.increments("id").primary();
    t.integer("workflow_id").notNullable().references("id").inTable("workflows").onDelete("CASCADE");
    t.string("scheduler", 32).notNullable();
    t.string("scheduler_id", 255).nullable();
    t.string("state", 16).notNullable();
    t.integer("nodes").notNullable();
    t.string("queue", 255).nullable();
    t.string("project", 255).nullable();
    t.integer("walltime_minutes").notNullable();
    t.text("script_path").nullable();
    t.bigInteger("submitted_at").notNullable();
    t.bigInteger("started_at").nullable();
    t.bigInteger("ended_at").nullable();
    t.index(["workflow_id", "state"], "batch_jobs_workflow_state");
  });

  await knex.schema.createTable("launchers", (t) => {
    t.increments("id").primary();
    t.integer("workflow_id").notNullable().references("id").inTable("workflows").onDelete("CASCADE");
    t.integer("batch_job_id").nullable().references("id").inTable("batch_jobs").onDelete("SET NULL");
    t.string("host", 255).notNullable();
    t.integer("pid").notNullable();
    t.bigInteger("started_at").notNullable();
    t.bigInteger("heartbeat_at").notNullable();
    t.bigInteger("ended_at").nullable();
    t.index(["workflow_id", "ended_at"], "launchers_workflow_ended");
  });

  await knex.schema.createTable("evaluations", (t) => {
    t.increments("id").primary();
    t.integer("workflow_id").notNullable().references("id").inTable("workflows").onDelete("CASCADE");
    t.string("state", 16).notNullable();
    t.text("point").notNullable();
    t.double("objective").nullable();
    t.text("metrics").nullable();
    t.integer("attempt").notNullable().defaultTo(0);
    // The launcher that owns a RUNNING row; recovery keys on it when that launcher dies.
    t.integer("claimed_by").nullable().references("id").inTable("launchers").onDelete("SET NULL");
    t.bigInteger("created_at").notNullable();
    t.bigInteger("started_at").nullable();
    t.bigInteger("finished_at").nullable();
    t.integer("exit_code").nullable();
    t.text("error").nullable();
    t.text("hosts").nullable();
    t.text("workdir").nullable();
    // The claim statement filters on (workflow_id, state) and takes rows in id order.
    t.index(["workflow_id", "state", "id"], "evaluations_workflow_state");
  });

  await knex.schema.createTable("evaluation_events", (t) => {
    t.increments("id").primary();
    t.integer("evaluation_id").notNullable().references("id").inTable("evaluations").onDelete("CASCADE");
    t.string("from_state", 16).nullable();
    t.string("to_state", 16).notNullable();
    t.bigInteger("at").notNullable();
    t.text("note").nullable();
    t.index(["evaluation_id"], "evaluation_events_evaluation");
  });

  await knex.schema.createTable("searcher_state", (t) => {
    t.integer("workflow_id").primary().references("id").inTable("workflows").onDelete("CASCADE");
    t.text("state").notNullable();
    t.integer("version").notNullable();
    t.bigInteger("updated_at").notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ["searcher_state", "evaluation_events", "evaluations", "launchers", "batch_jobs", "workflows"]) {
    await knex.schema.dropTable(table);
  }
}
