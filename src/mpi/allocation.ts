// Allocation discovery for the launcher (docs/architecture.md, Allocation and slots): which nodes the batch job holds and how many
// slots (cores) each has, from the scheduler's environment (Slurm, PBS, Cobalt, LSF), else the local
// host. Pure functions of the environment plus an injectable file reader, so the node-file formats
// are unit-tested without a scheduler.

import { readFileSync } from "node:fs";
import os from "node:os";
import { ValidationError } from "../errors.js";
import { expandHostlist } from "./hostlist.js";

export type AllocationSource = "slurm" | "pbs" | "cobalt" | "lsf" | "local";

export interface AllocationNode {
  name: string;
  slots: number;
}

export interface Allocation {
  source: AllocationSource;
  nodes: AllocationNode[];
  jobId: string | null;
}

export interface DetectOptions {
  /** Reads a node file; defaults to fs.readFileSync as UTF-8. */
  readFile?: (path: string) => string;
  /** The local host's name; defaults to os.hostname(). */
  hostname?: string;
  /** Cores of this node where the scheduler does not say; defaults to os.availableParallelism(). */
  cpus?: number;
}

type Env = Record<string, string | undefined>;

function nonEmpty(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

function localCpus(opts: DetectOptions): number {
  return opts.cpus ?? os.availableParallelism();
}

function readNodeFile(variable: string, path: string, opts: DetectOptions): string {
  const read = opts.readFile ?? ((p: string) => readFileSync(p, "utf8"));
  try {
    return read(path);
  } catch (e) {
    throw new ValidationError(
      `${variable} names '${path}', which cannot be read: ${(e as Error).message}`,
      "the launcher must run inside the batch job that set it, on a node that sees the file",
    );
  }
}

/**
 * Collapse per-slot host lists (PBS_NODEFILE, LSB_HOSTS...: one entry per slot) into nodes with
 * slot counts, in order of first appearance.
 */
export function countSlots(entries: readonly string[]): AllocationNode[] {
  const nodes = new Map<string, AllocationNode>();
  for (const raw of entries) {
    const name = raw.trim();
    if (name === "") continue;
    const node = nodes.get(name);
    if (node) node.slots++;
    else nodes.set(name, { name, slots: 1 });
  }
  return [...nodes.values()];
}

/**
 * Expand Slurm's per-node CPU counts: `2(x3),1` -> [2, 2, 2, 1]. The list is run-length encoded
 * because large jobs have thousands of identical nodes.
 */
export function expandCpusPerNode(s: string, variable = "SLURM_JOB_CPUS_PER_NODE"): number[] {
  const out: number[] = [];
  for (const part of s.trim().split(",")) {
    const m = /^(\d+)(?:\(x(\d+)\))?$/.exec(part.trim());
    if (!m || Number(m[1]) < 1 || m[2] === "0") {
      throw new ValidationError(
        `${variable} is not a valid CPU count list: '${s}'`,
        "expected Slurm's form such as '2(x3),1'",
      );
    }
    const repeat = m[2] === undefined ? 1 : Number(m[2]);
    for (let i = 0; i < repeat; i++) out.push(Number(m[1]));
  }
  return out;
}

function fromSlurm(env: Env, opts: DetectOptions): Allocation | null {
  const variable = nonEmpty(env, "SLURM_JOB_NODELIST") !== undefined ? "SLURM_JOB_NODELIST" : "SLURM_NODELIST";
  const list = nonEmpty(env, variable);
  if (list === undefined) return null;
  const names = expandHostlist(list, variable);
  const cpus = nonEmpty(env, "SLURM_JOB_CPUS_PER_NODE");
  let slots: number[];
  if (cpus !== undefined) {
    slots = expandCpusPerNode(cpus);
    if (slots.length !== names.length) {
      throw new ValidationError(
        `SLURM_JOB_CPUS_PER_NODE '${cpus}' gives ${slots.length} counts for ${names.length} nodes in ${variable} '${list}'`,
      );
    }
  } else {
    // Old Slurm versions and some `salloc` shells lack the per-node list; this node's count is the
    // best estimate for all of them (allocations are usually homogeneous).
    const onNode = Number(nonEmpty(env, "SLURM_CPUS_ON_NODE"));
    const each = Number.isInteger(onNode) && onNode > 0 ? onNode : localCpus(opts);
    slots = names.map(() => each);
  }
  return {
    source: "slurm",
    nodes: names.map((name, i) => ({ name, slots: slots[i]! })),
    jobId: nonEmpty(env, "SLURM_JOB_ID") ?? nonEmpty(env, "SLURM_JOBID") ?? null,
  };
}

function fromPbs(env: Env, opts: DetectOptions): Allocation | null {
  const file = nonEmpty(env, "PBS_NODEFILE");
  if (file === undefined) return null;
  const nodes = countSlots(readNodeFile("PBS_NODEFILE", file, opts).split("\n"));
  if (nodes.length === 0) throw new ValidationError(`PBS_NODEFILE '${file}' lists no hosts`, "the batch job's node list is empty: run spruce launch inside the batch job the scheduler started");
  return { source: "pbs", nodes, jobId: nonEmpty(env, "PBS_JOBID") ?? null };
}

/**
 * Cobalt on Cray systems (Theta) names the partition by node ids: `1-3,7` -> nid00001, nid00002,
 * nid00003, nid00007 (the `nid%05d` names aprun and the hosts use).
 */
export function expandCobaltPartname(s: string): string[] {
  const names: string[] = [];
  for (const part of s.trim().split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    const lo = m ? Number(m[1]) : NaN;
    const hi = m && m[2] !== undefined ? Number(m[2]) : lo;
    if (!m || hi < lo) {
      throw new ValidationError(
        `COBALT_PARTNAME is not a node-id list: bad range '${part}' in '${s}'`,
        "expected ranges of node ids such as '1-3,7'",
      );
    }
    for (let n = lo; n <= hi; n++) names.push(`nid${String(n).padStart(5, "0")}`);
  }
  return names;
}

function fromCobalt(env: Env, opts: DetectOptions): Allocation | null {
  const part = nonEmpty(env, "COBALT_PARTNAME");
  const file = nonEmpty(env, "COBALT_NODEFILE");
  const jobId = nonEmpty(env, "COBALT_JOBID") ?? null;
  // Non-Cray Cobalt sites (Cooley) set a partition name that is not a node-id list; their node
  // file is then the only source, so the id syntax is required only when there is no file.
  if (part !== undefined && (file === undefined || /^[\d,\s-]+$/.test(part))) {
    // Cobalt does not export cores per node; nodes of one partition are alike, so this node's
    // count stands for all of them.
    const slots = localCpus(opts);
    return { source: "cobalt", nodes: expandCobaltPartname(part).map((name) => ({ name, slots })), jobId };
  }
  if (file === undefined) return null;
  const nodes = countSlots(readNodeFile("COBALT_NODEFILE", file, opts).split("\n"));
  if (nodes.length === 0) throw new ValidationError(`COBALT_NODEFILE '${file}' lists no hosts`, "the batch job's node list is empty: run spruce launch inside the batch job the scheduler started");
  return { source: "cobalt", nodes, jobId };
}

function fromLsf(env: Env, opts: DetectOptions): Allocation | null {
  const file = nonEmpty(env, "LSB_DJOB_HOSTFILE");
  const hosts = nonEmpty(env, "LSB_HOSTS");
  let entries: string[];
  if (file !== undefined) entries = readNodeFile("LSB_DJOB_HOSTFILE", file, opts).split("\n");
  else if (hosts !== undefined) entries = hosts.split(/\s+/);
  else return null;
  let nodes = countSlots(entries);
  if (nodes.length === 0) throw new ValidationError(`${file !== undefined ? "LSB_DJOB_HOSTFILE" : "LSB_HOSTS"} lists no hosts`, "the batch job's node list is empty: run spruce launch inside the batch job the scheduler started");
  // On clusters with launch nodes (Summit, Lassen) the first entry is the batch host the script
  // runs on, not a compute node; a single-host job has only that host and keeps it.
  if (nodes.length > 1) nodes = nodes.slice(1);
  return { source: "lsf", nodes, jobId: nonEmpty(env, "LSB_JOBID") ?? null };
}

/**
 * The nodes of the current batch job, from the first scheduler whose variables are set (Slurm,
 * PBS, Cobalt, LSF), else the local host with all its cores.
 */
export function detectAllocation(env: Env = process.env, opts: DetectOptions = {}): Allocation {
  const found = fromSlurm(env, opts) ?? fromPbs(env, opts) ?? fromCobalt(env, opts) ?? fromLsf(env, opts);
  if (found) return found;
  return {
    source: "local",
    nodes: [{ name: opts.hostname ?? os.hostname(), slots: localCpus(opts) }],
    jobId: null,
  };
}

/**
 * The allocation's name for the node this process runs on, for `m:host` (docs/architecture.md, Allocation and slots). Slurm says it
 * directly; elsewhere the batch script runs on the allocation's first node. Not os.hostname():
 * emulated or aliased nodes share one OS hostname.
 */
export function currentNodeName(env: Env = process.env, opts: DetectOptions = {}): string {
  return nonEmpty(env, "SLURMD_NODENAME") ?? detectAllocation(env, opts).nodes[0]!.name;
}
