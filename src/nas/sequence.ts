// arch_seq and the points of a NAS problem (docs/architecture.md, Neural architecture search): the
// search space holds one int hyperparameter per choice (vnode_00000 ...), which searchers see like
// any other; here they are folded into the one `arch_seq` list a run gets (with its decoded graph)
// and results.csv shows, and unfolded again from a list a user writes (a starting point).
import { ValidationError } from "../errors.js";
import { canonicalJson, formatValue, isPlainObject } from "../space/json.js";
import type { ArchitectureSpec, Hyperparameter, JsonValue, Point, ProblemSpec } from "../space/types.js";
import { ARCH_SEQ, ARCHITECTURE, archChoices, archHyperparameters, checkArchitecture, checkNotReserved, type ArchChoice } from "./architecture.js";

/** One node of a decoded architecture: its chosen operation and the nodes it reads. */
export interface DecodedNode {
  name: string;
  /** The chosen operation; null for the input node. */
  op: JsonValue;
  /**
   * The nodes whose outputs it takes: the first goes through its operation, the others are the
   * skip connections that are on (DeepHyper adds them to the operation's output, projected to its width).
   */
  inputs: string[];
}

/** Whether a problem is a NAS problem (what `spruce submit nas` takes). */
export function isNas(spec: Pick<ProblemSpec, "architecture"> | undefined): spec is { architecture: ArchitectureSpec } {
  // Rows built by hand (tests, partial rows) may carry no problem at all: not NAS.
  return spec?.architecture !== undefined && spec.architecture !== null;
}

/**
 * A NAS problem's spec, validated and normalised: the architecture checked, its choices' int
 * hyperparameters at the front of `hyperparameters` (added when absent, checked when present, so it
 * is idempotent), no hyperparameter on a reserved name, starting points given with `arch_seq`
 * unfolded. A spec without architecture is returned as it is.
 */
export function normalizeNasSpec(spec: ProblemSpec): ProblemSpec {
  if (!isNas(spec)) return spec;
  const architecture = checkArchitecture(spec.architecture);
  const choices = archChoices(architecture);
  const dims = archHyperparameters(architecture);
  const given = Array.isArray(spec.hyperparameters) ? spec.hyperparameters : [];
  // A stored spec starts with exactly these choices; anything else is the problem's own, and may not take their names.
  const head = given.slice(0, dims.length);
  const stored = head.length === dims.length && canonicalJson(head as unknown as JsonValue) === canonicalJson(dims as unknown as JsonValue);
  const own = stored ? given.slice(dims.length) : given;
  for (const h of own) if (isPlainObject(h)) checkNotReserved(h.name as string, choices);
  const startingPoints = (Array.isArray(spec.startingPoints) ? spec.startingPoints : []).map((p, i) => unfoldStartingPoint(p, choices, i));
  return { ...spec, architecture, hyperparameters: [...dims, ...(own as Hyperparameter[])], startingPoints };
}

function unfoldStartingPoint(p: unknown, choices: readonly ArchChoice[], i: number): Point {
  if (!isPlainObject(p) || !(ARCH_SEQ in p)) return p as Point;
  const { [ARCH_SEQ]: seq, ...rest } = p;
  return { ...checkArchSeq(seq, choices, `starting point ${i + 1}`), ...(rest as Point) };
}

/** The choices' values of an arch_seq, checked: one integer per choice, each in range. */
function checkArchSeq(seq: unknown, choices: readonly ArchChoice[], where: string): Point {
  if (!Array.isArray(seq)) throw new ValidationError(`${where}: arch_seq must be a list of integers (got ${formatValue(seq)})`, `give ${choices.length} integers, one per choice`);
  if (seq.length !== choices.length) {
    throw new ValidationError(`${where}: arch_seq has ${seq.length} values, the architecture has ${choices.length} choices`, `give ${choices.length} integers, one per choice in order (spruce problem show lists them)`);
  }
  const out: Point = {};
  choices.forEach((c, i) => {
    const v = seq[i];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= c.count) {
      throw new ValidationError(`${where}: arch_seq[${i}] = ${formatValue(v)} is not a value of choice ${i} (${describeChoice(c)}: 0 to ${c.count - 1})`, "each value is an integer from 0 to the choice's count - 1");
    }
    out[c.name] = v;
  });
  return out;
}

/** "n2: operation" or "n3: skip from n1". */
export function describeChoice(c: ArchChoice): string {
  return c.kind === "op" ? `${c.node}: operation` : `${c.node}: skip from ${c.from}`;
}

/** The arch_seq of a point of the space (a choice absent from the point, which cannot happen, reads 0). */
export function archSeqOf(arch: ArchitectureSpec, point: Point): number[] {
  return archChoices(arch).map((c) => (typeof point[c.name] === "number" ? (point[c.name] as number) : 0));
}

/** The point of the space for an arch_seq (the architecture's choices only); throws a ValidationError naming a bad value. */
export function pointOfArchSeq(arch: ArchitectureSpec, seq: unknown, where = "arch_seq"): Point {
  return checkArchSeq(seq, archChoices(arch), where);
}

/** The graph an arch_seq stands for: the input node, then every node with its operation and inputs. */
export function decodeArchitecture(arch: ArchitectureSpec, seq: readonly number[]): DecodedNode[] {
  const nodes: DecodedNode[] = [{ name: arch.input, op: null, inputs: [] }];
  let i = 0;
  for (const node of arch.nodes) {
    const op = node.variable ? node.ops[seq[i++] ?? 0] : node.ops[0];
    const inputs = [node.input];
    for (const from of node.skips) if (seq[i++] === 1) inputs.push(from);
    nodes.push({ name: node.name, op: structuredClone(op as JsonValue), inputs });
  }
  return nodes;
}

/** The hyperparameter names of a problem as results show them: `arch_seq` in place of the choices. */
export function recordNames(spec: ProblemSpec): string[] {
  const names = spec.hyperparameters.map((h) => h.name);
  if (!isNas(spec)) return names;
  const n = archChoices(spec.architecture).length;
  return [ARCH_SEQ, ...names.slice(n)];
}

/** A point as results show it: the choices folded into `arch_seq` (first), the hyperparameters after it. */
export function recordPoint(spec: ProblemSpec, point: Point): Point {
  if (!isNas(spec)) return point;
  const choices = archChoices(spec.architecture);
  const out: Point = { [ARCH_SEQ]: archSeqOf(spec.architecture, point) };
  for (const [k, v] of Object.entries(point)) if (!choices.some((c) => c.name === k)) out[k] = v;
  return out;
}

/** A point as a NAS run gets it: `arch_seq`, its decoded `architecture`, then the hyperparameters. */
export function runPoint(spec: ProblemSpec, point: Point): Point {
  if (!isNas(spec)) return point;
  const seq = archSeqOf(spec.architecture, point);
  const { [ARCH_SEQ]: _, ...hps } = recordPoint(spec, point);
  return { [ARCH_SEQ]: seq, [ARCHITECTURE]: decodeArchitecture(spec.architecture, seq) as unknown as JsonValue, ...hps };
}

/** The names a command template may use for a NAS problem: arch_seq, architecture and the hyperparameters. */
export function runNames(spec: ProblemSpec): string[] {
  if (!isNas(spec)) return spec.hyperparameters.map((h) => h.name);
  const [, ...hps] = recordNames(spec);
  return [ARCH_SEQ, ARCHITECTURE, ...hps];
}
