// How a workflow's saved request maps onto the allocation this process runs in: shared by
// `spruce launch` (the leader) and `spruce agent` (one per extra node in serial mode).
import { currentNodeName, detectAllocation } from "../mpi/allocation.js";
import type { WorkflowRow } from "../store/types.js";
import type { SlotPlan } from "../../launcher/slots.js";
import type { GlobalArgs } from "./context.js";

export interface AllocationPlan {
  mode: "serial" | "mpi";
  /** Every node of the allocation, and the one this process runs on. */
  nodes: string[];
  here: string;
  mpi: string | undefined;
  slotPlan: Omit<SlotPlan, "hosts">;
}

export function allocationPlan(wf: WorkflowRow, evalsPerNode: number | undefined): AllocationPlan {
  const r = wf.request;
  return {
    mode: r.mode,
    nodes: detectAllocation(process.env).nodes.map((n) => n.name),
    here: currentNodeName(process.env),
    mpi: r.mpi ?? undefined,
    slotPlan: {
      mode: r.mode,
      evalsPerNode: evalsPerNode ?? r.evalsPerNode,
      nodesPerEval: r.nodesPerEval,
      threadsPerRank: r.threadsPerRank ?? null,
      gpusPerNode: r.gpusPerNode ?? null,
      gpusPerEval: r.gpusPerEval ?? null,
    },
  };
}

/** The options that select the workflow database, to hand on to agents on other nodes. */
export function databaseArgs(argv: GlobalArgs & { dbDir?: string }): string[] {
  const out: string[] = [];
  if (argv.workspace) out.push("--workspace", argv.workspace);
  if (argv.databaseUrl) out.push("--database-url", argv.databaseUrl);
  if (argv.dbDir) out.push("--db-dir", argv.dbDir);
  return out;
}
