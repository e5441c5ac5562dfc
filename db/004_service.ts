// Migration 004: the service (docs/architecture.md, Tables). service_lock: one row per database naming the service
// that may run (host, pid, a token that changes at each take-over, a heartbeat), kept after it stops
// so the last tick stays readable. service_events: what the service did (submissions, recoveries,
// holds), newest last; status shows the latest. service_holds: workflows the service will not
// resubmit (their last launcher jobs failed at start-up), with the reason and the log tail.
// Append-only: never edit once released.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("service_lock", (t) => {
    t.string("name", 64).primary();
    t.string("holder_host", 255).nullable();
    t.integer("holder_pid").nullable();
    // NULL while nobody holds the lock; a fresh random value at each acquisition (compare-and-set).
    t.string("token", 36).nullable();
    t.bigInteger("acquired_at").nullable();
    t.bigInteger("heartbeat_at").nullable();
    t.bigInteger("released_at").nullable();
    t.bigInteger("last_tick_at").nullable();
    t.text("last_tick_summary").nullable();
  });

  await knex.schema.createTable("service_events", (t) => {
    t.increments("id").primary();
    t.bigInteger("at").notNullable();
    t.integer("workflow_id").nullable().references("id").inTable("workflows").onDelete("CASCADE");
    t.text("action").notNullable();
    t.index(["workflow_id", "id"], "service_events_workflow");
  });

  await knex.schema.createTable("service_holds", (t) => {
    t.integer("workflow_id").primary().references("id").inTable("workflows").onDelete("CASCADE");
    t.bigInteger("at").notNullable();
    t.text("reason").notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ["service_holds", "service_events", "service_lock"]) await knex.schema.dropTable(table);
}
