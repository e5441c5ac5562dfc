// Types shared by the leader (launcher.ts), its search loop and the CLI that starts it: what a
// launcher is given, how it can end, and what it progress when it has.
import type { ChildProcess } from "node:child_process";
import type { Store } from "../src/store/index.js";
import type { WorkflowRow } from "../src/store/types.js";
import type { Slot } from "./slots.js";

/** mpi mode: the launch command put before each evaluation's program, for its slot's hosts. */
export type LaunchPrefix = (slot: Slot, evaluationEnv: Record<string, string>) => string[];

export interface LauncherOptions {
  store: Store;
  workflow: WorkflowRow;
  batchJobId: number | null;
  /**
   * The allocation's name for this node (SLURMD_NODENAME...), not os.hostname(): a dead launcher on
   * this node is found by its pid only if both name the node alike, and slots' hosts use it too.
   */
  host: string;
  /** Where evaluations run: one slot per concurrent evaluation (launcher/slots.ts). */
  slots: Slot[];
  launchPrefix?: LaunchPrefix;
  /** Absolute time (ms) after which nothing new is dispatched; null = no walltime. */
  dispatchDeadline: number | null;
  log: (line: string) => void;
  /** Called once the launcher row exists (the CLI names its log file after the id). */
  onRegistered?: (launcherId: number) => void;
  /**
   * serial mode on several nodes: the other nodes, the slots their agents add, and how to start
   * agents on some of them (one process tree, e.g. one srun step; `again` when an agent is started
   * anew beside the first step) once the leader's row exists.
   */
  agents?: { slots: number; hosts: string[]; start: (leaderId: number, hosts: readonly string[], again: boolean) => ChildProcess };
}

export type LauncherEnd = "completed" | "exhausted" | "walltime" | "signal" | "stopped" | "failed";

export interface LauncherSummary {
  end: LauncherEnd;
  launcherId: number;
  recovered: { requeued: number; failed: number };
  finishedHere: number;
  /** end "failed": the searcher's (user code's) error, with its stack. */
  error?: string;
}
