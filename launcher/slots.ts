// Slots (docs/architecture.md, Allocation and slots): what one evaluation occupies. Serial mode:
// one of `evalsPerNode` places on a node, each with its own GPU slice; mpi mode: `nodesPerEval`
// whole nodes, disjoint from the other slots. The launcher keeps every slot busy; a slot's hosts
// become the evaluation's m:host.
import { ValidationError } from "../src/errors.js";

export interface Slot {
  id: number;
  hosts: string[];
  /** Environment of evaluations in this slot (CUDA_VISIBLE_DEVICES, OMP_NUM_THREADS). */
  env: Record<string, string>;
}

export interface SlotPlan {
  mode: "serial" | "mpi";
  /** Node names this launcher places evaluations on (serial: its own node; mpi: the allocation). */
  hosts: string[];
  evalsPerNode: number;
  nodesPerEval: number;
  threadsPerRank: number | null;
  gpusPerNode: number | null;
  gpusPerEval: number | null;
}

/**
 * Refuses a request whose slots cannot be laid out: submit calls it with the nodes it asks for
 * (`-n`), planSlots with the allocation, so a job is never queued only for its launcher to stop.
 * `nodesWord` says whose nodes these are, for the message ("the allocation has", "-n asks for").
 */
export function checkSlotRequest(r: Omit<SlotPlan, "hosts" | "threadsPerRank"> & { nodes: number }, nodesWord: string): void {
  if (r.mode === "mpi") {
    if (r.nodesPerEval > r.nodes) {
      throw new ValidationError(
        `--nodes-per-eval ${r.nodesPerEval} needs at least that many nodes; ${nodesWord} ${r.nodes}`,
        `request more nodes (-n ${r.nodesPerEval}) or lower --nodes-per-eval`,
      );
    }
    if (r.gpusPerEval !== null) {
      throw new ValidationError("--gpus-per-eval applies to -j serial (each evaluation its own GPU slice)", "in mpi mode an evaluation has its nodes' GPUs: drop --gpus-per-eval");
    }
    return;
  }
  if (r.nodesPerEval !== 1) {
    throw new ValidationError(`--nodes-per-eval ${r.nodesPerEval} applies to -j mpi; a serial evaluation runs on one node`, "add -j mpi, or drop --nodes-per-eval (use --evals-per-node for evaluations side by side)");
  }
  if (r.gpusPerEval !== null && r.gpusPerEval * r.evalsPerNode > (r.gpusPerNode ?? 0)) {
    throw new ValidationError(
      `--evals-per-node ${r.evalsPerNode} x --gpus-per-eval ${r.gpusPerEval} needs ${r.evalsPerNode * r.gpusPerEval} GPUs per node; --gpus-per-node is ${r.gpusPerNode ?? "not set"}`,
      "lower --evals-per-node or --gpus-per-eval, or set --gpus-per-node to what the nodes have",
    );
  }
}

export function planSlots(plan: SlotPlan): Slot[] {
  const slots: Slot[] = [];
  const threads: Record<string, string> = plan.threadsPerRank ? { OMP_NUM_THREADS: String(plan.threadsPerRank) } : {};
  checkSlotRequest({ ...plan, nodes: plan.hosts.length }, "the allocation has");
  if (plan.mode === "mpi") {
    const groups = Math.floor(plan.hosts.length / plan.nodesPerEval);
    for (let g = 0; g < groups; g++) {
      slots.push({ id: g, hosts: plan.hosts.slice(g * plan.nodesPerEval, (g + 1) * plan.nodesPerEval), env: { ...threads } });
    }
    return slots;
  }
  const gpuSlices = gpuSlicesPerNode(plan);
  for (const host of plan.hosts) {
    for (let i = 0; i < plan.evalsPerNode; i++) {
      const env = { ...threads };
      const slice = gpuSlices[i];
      if (slice) env.CUDA_VISIBLE_DEVICES = slice.join(",");
      slots.push({ id: slots.length, hosts: [host], env });
    }
  }
  return slots;
}

/** Serial mode: evaluation i on a node gets GPUs [i*g, (i+1)*g) so no two share a device. */
function gpuSlicesPerNode(plan: SlotPlan): number[][] {
  if (!plan.gpusPerEval) return [];
  return Array.from({ length: plan.evalsPerNode }, (_, i) =>
    Array.from({ length: plan.gpusPerEval as number }, (_, k) => i * (plan.gpusPerEval as number) + k),
  );
}

/** Free slots, taken and given back as evaluations start and end. */
export class SlotPool {
  private readonly free: Slot[];

  constructor(readonly slots: readonly Slot[]) {
    this.free = [...slots].reverse();
  }

  get size(): number {
    return this.slots.length;
  }

  get freeCount(): number {
    return this.free.length;
  }

  /** Up to n free slots, grouped by their host list so each group can be claimed in one statement. */
  take(n: number): Slot[] {
    return this.free.splice(Math.max(0, this.free.length - n)).reverse();
  }

  give(slot: Slot): void {
    this.free.push(slot);
  }
}
