// The leader's watch over its agents (launcher/agent-supervisor.ts), on a real store with the
// agents' rows as dead, stopped or healthy agents leave them: a dead agent's evaluations go back to
// READY at once and its node gets a new agent; an agent that stopped on an error of its own gets a
// new one; a healthy agent, or every launcher stale alike after a database pause, is left alone; a
// node whose agent keeps dying is given up after MAX_AGENT_RESTARTS. Found by the chaos test
// (bench/chaos): a SIGKILLed agent left its node idle and its rows RUNNING for the rest of the job.
import { EventEmitter } from "node:events";
import type { ChildProcess } from "node:child_process";
import { describe, expect, it } from "vitest";
import { AgentSupervisor, MAX_AGENT_RESTARTS } from "../../launcher/agent-supervisor.js";
import { LauncherLife } from "../../launcher/lifecycle.js";
import { createBatchJob, createEvaluations, createWorkflow, endLauncher, listEvaluations, listLaunchers, registerLauncher, type Store } from "../../src/store/index.js";
import { DEFAULT_SETTINGS } from "../../src/store/settings.js";
import { makeTempStore, sampleWorkflow } from "../helpers/db.js";

const settings = { ...DEFAULT_SETTINGS, heartbeatSeconds: 1, staleAfterSeconds: 10 };

/** A stand-in for the agents' step: start() records the hosts and returns a live-looking process. */
function starter(): { calls: { hosts: readonly string[]; again: boolean }[]; start: (leaderId: number, hosts: readonly string[], again: boolean) => ChildProcess } {
  const calls: { hosts: readonly string[]; again: boolean }[] = [];
  return {
    calls,
    start: (_leader, hosts, again) => {
      calls.push({ hosts, again });
      return Object.assign(new EventEmitter(), { pid: 0, exitCode: null, signalCode: null }) as unknown as ChildProcess;
    },
  };
}

async function setup(store: Store) {
  const wf = await createWorkflow(store, sampleWorkflow());
  const job = await createBatchJob(store, { workflowId: wf.id, scheduler: "slurm", schedulerId: "7", state: "RUNNING", nodes: 3, queue: null, project: null, walltimeMinutes: 10, scriptPath: null });
  const leader = await registerLauncher(store, { workflowId: wf.id, batchJobId: job.id, host: "n1", pid: 1 });
  const n2 = await registerLauncher(store, { workflowId: wf.id, batchJobId: null, host: "n2", pid: 2 });
  const n3 = await registerLauncher(store, { workflowId: wf.id, batchJobId: null, host: "n3", pid: 3 });
  const rows = await createEvaluations(store, wf.id, [{ x: 1, act: "relu" }, { x: 2, act: "relu" }, { x: 3, act: "tanh" }], {
    claim: { launcherId: n2.id, hosts: [["n2"], ["n2"]] },
  });
  return { wf, leader, n2, n3, rows };
}

const heartbeat = (store: Store, id: number, at: number) => store.knex("launchers").where({ id }).update({ heartbeat_at: at });

describe("the leader's agent supervisor", () => {
  it("recovers a dead agent's evaluations at once and starts a new agent on its node", async () => {
    const { store } = await makeTempStore("sqlite");
    const { wf, leader, n2, n3, rows } = await setup(store);
    const s = starter();
    const sup = new AgentSupervisor({ store, workflowId: wf.id, leaderId: leader.id, settings, hosts: ["n2", "n3"], start: s.start, deadline: null, log: () => undefined });
    sup.start();
    expect(s.calls).toEqual([{ hosts: ["n2", "n3"], again: false }]);
    const now = Date.now();
    await heartbeat(store, leader.id, now);
    await heartbeat(store, n3.id, now - 3_000);
    await heartbeat(store, n2.id, now - 11_000); // SIGKILLed: silent for longer than the stale bound
    await sup.check(now);
    const after = await listEvaluations(store, wf.id);
    expect(after.filter((r) => r.id !== rows[2]!.id).map((r) => [r.state, r.attempt, r.claimedBy])).toEqual([["READY", 1, null], ["READY", 1, null]]);
    expect((await listLaunchers(store, wf.id)).find((l) => l.id === n2.id)!.endedAt).not.toBeNull();
    expect(s.calls.at(-1)).toEqual({ hosts: ["n2"], again: true });
    await sup.halt();
  });

  it("starts a new agent where one stopped on an error of its own, and leaves healthy ones alone", async () => {
    const { store } = await makeTempStore("sqlite");
    const { wf, leader, n2, n3 } = await setup(store);
    const s = starter();
    const sup = new AgentSupervisor({ store, workflowId: wf.id, leaderId: leader.id, settings, hosts: ["n2", "n3"], start: s.start, deadline: null, log: () => undefined });
    sup.start();
    const now = Date.now();
    for (const id of [leader.id, n2.id, n3.id]) await heartbeat(store, id, now);
    await sup.check(now);
    expect(s.calls).toHaveLength(1); // all healthy
    await endLauncher(store, n3.id); // its spawner died: it handed its rows back and ended its row
    await sup.check(now);
    expect(s.calls.at(-1)).toEqual({ hosts: ["n3"], again: true });
    await sup.halt();
  });

  it("takes nobody for dead when every heartbeat stopped alike (a paused database)", async () => {
    const { store } = await makeTempStore("sqlite");
    const { wf, leader, n2, n3 } = await setup(store);
    const s = starter();
    const sup = new AgentSupervisor({ store, workflowId: wf.id, leaderId: leader.id, settings, hosts: ["n2", "n3"], start: s.start, deadline: null, log: () => undefined });
    sup.start();
    const paused = Date.now() - 30_000;
    for (const id of [leader.id, n2.id, n3.id]) await heartbeat(store, id, paused);
    await sup.check();
    expect(s.calls).toHaveLength(1);
    expect((await listEvaluations(store, wf.id, { states: ["RUNNING"] })).length).toBe(2);
    await sup.halt();
  });

  it("gives up on a node after MAX_AGENT_RESTARTS new agents, and starts none past the deadline", async () => {
    const { store } = await makeTempStore("sqlite");
    const { wf, leader, n3 } = await setup(store);
    const s = starter();
    const sup = new AgentSupervisor({ store, workflowId: wf.id, leaderId: leader.id, settings, hosts: ["n2", "n3"], start: s.start, deadline: null, log: () => undefined });
    sup.start();
    await endLauncher(store, n3.id);
    for (let i = 0; i < MAX_AGENT_RESTARTS + 2; i++) {
      // Each new agent on n3 registers and dies at once.
      if (i > 0) await endLauncher(store, (await registerLauncher(store, { workflowId: wf.id, batchJobId: null, host: "n3", pid: 100 + i })).id);
      await heartbeat(store, leader.id, Date.now());
      await sup.check();
    }
    expect(s.calls.filter((c) => c.hosts.includes("n3") && c.again)).toHaveLength(MAX_AGENT_RESTARTS);
    await sup.halt();

    const late = starter();
    const past = new AgentSupervisor({ store, workflowId: wf.id, leaderId: leader.id, settings, hosts: ["n2", "n3"], start: late.start, deadline: Date.now() - 1, log: () => undefined });
    past.start();
    await past.check();
    expect(late.calls).toHaveLength(1); // the first start only
    await past.halt();
  });
});

describe("a launcher declared dead", () => {
  it("learns so at its next heartbeat and is told to stop, once", async () => {
    const { store } = await makeTempStore("sqlite");
    const wf = await createWorkflow(store, sampleWorkflow({ settings: { heartbeatSeconds: 0.2 } }));
    const life = await LauncherLife.register(store, { role: "agent", workflow: wf, batchJobId: null, host: "n2", log: () => undefined });
    let lost = 0;
    life.watch(() => undefined, () => (lost += 1));
    await new Promise((r) => setTimeout(r, 500));
    expect(lost).toBe(0);
    await endLauncher(store, life.id); // what recovery does to a launcher it takes for dead
    await new Promise((r) => setTimeout(r, 1_000));
    life.quiet();
    expect(lost).toBe(1);
  });
});
