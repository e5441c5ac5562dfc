// Slots (docs/architecture.md, Allocation and slots): what one evaluation occupies. Serial mode: one of `evalsPerNode` places on a
// node, each with its own GPU slice; mpi mode: `nodesPerEval` whole nodes, disjoint from the other
// slots. The launcher keeps every slot busy; a slot's hosts become the evaluation's m:host.
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

export function planSlots(plan: SlotPlan): Slot[] {
  const slots: Slot[] = [];
  const threads: Record<string, string> = plan.threadsPerRank ? { OMP_NUM_THREADS: String(plan.threadsPerRank) } : {};
  if (plan.mode === "mpi") {
    const groups = Math.floor(plan.hosts.length / plan.nodesPerEval);
    if (groups < 1) {
      throw new ValidationError(
        `--nodes-per-eval ${plan.nodesPerEval} needs at least that many nodes; the allocation has ${plan.hosts.length}`,
        "request more nodes (-n) or lower --nodes-per-eval",
      );
    }
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
  const perNode = plan.gpusPerNode ?? 0;
  if (plan.gpusPerEval * plan.evalsPerNode > perNode) {
    throw new ValidationError(
      `--evals-per-node ${plan.evalsPerNode} x --gpus-per-eval ${plan.gpusPerEval} needs ${plan.evalsPerNode * plan.gpusPerEval} GPUs per node; --gpus-per-node is ${perNode}`,
      "lower --evals-per-node or --gpus-per-eval, or set --gpus-per-node to what the nodes have",
    );
  }
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
