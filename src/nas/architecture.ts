// A NAS problem's architecture space (docs/architecture.md, Neural architecture search): validation
// of the nodes as untrusted data (one-line errors naming the node), its choices in DeepHyper's
// arch_seq order, and the int hyperparameters that stand for them in the search space.
import { ValidationError } from "../errors.js";
import { canonicalJson, formatValue, isJsonValue, isPlainObject } from "../space/json.js";
import type { ArchitectureSpec, ArchNode, Hyperparameter, JsonValue } from "../space/types.js";
import { checkName } from "../space/validate.js";

/** The input node's name unless the problem names it. */
export const DEFAULT_INPUT = "input";

/** The point keys a NAS run gets besides the hyperparameters: no hyperparameter may take them. */
export const ARCH_SEQ = "arch_seq";
export const ARCHITECTURE = "architecture";

/**
 * One choice of the architecture, in arch_seq order: a variable node's operation (as many values
 * as operations), then each of its skips (0: off, 1: on). DeepHyper's order: a node's own
 * operation choice is created before the skip choices that feed its merge.
 */
export interface ArchChoice {
  /** Its hyperparameter's name in the space (DeepHyper's AMBS named them vnode_00000, ...). */
  name: string;
  node: string;
  kind: "op" | "skip";
  /** For a skip: the earlier node it would come from. */
  from?: string;
  /** How many values it takes (0 .. count-1). */
  count: number;
}

/** The hyperparameter name of the i-th choice. */
export function choiceName(i: number): string {
  return `vnode_${String(i).padStart(5, "0")}`;
}

const NODE_KEYS = ["name", "ops", "variable", "input", "skips"];
const ARCH_HINT = "see the NAS section of the README: new NasProblem().variable(name, [ops...], { skips: [earlier nodes] })";

/**
 * Validates an architecture that arrives as data (a problem module's export, the Python package's
 * JSON, a workflow row) and returns a normalised copy: every node's `input` filled in, `skips` a list.
 */
export function checkArchitecture(raw: unknown, opts: { complete?: boolean } = {}): ArchitectureSpec {
  if (!isPlainObject(raw)) throw new ValidationError(`architecture must be an object {input, nodes} (got ${formatValue(raw)})`, ARCH_HINT);
  const input = raw.input ?? DEFAULT_INPUT;
  checkNodeName(input, "architecture input");
  if (!Array.isArray(raw.nodes) || raw.nodes.length === 0) {
    throw new ValidationError("the architecture has no nodes", "add at least one node, e.g. problem.variable('n1', [{ op: 'dense', units: 16 }, { op: 'identity' }])");
  }
  const before: string[] = [input as string];
  const all = raw.nodes.map((r: unknown) => (isPlainObject(r) ? r.name : undefined));
  const nodes: ArchNode[] = raw.nodes.map((r: unknown, i: number) => {
    const node = checkNode(r, i, before, all);
    before.push(node.name);
    return node;
  });
  const arch: ArchitectureSpec = { input: input as string, nodes };
  // A problem under construction may start with constant nodes; only the whole must offer a choice.
  if (opts.complete !== false && archChoices(arch).length === 0) {
    throw new ValidationError("the architecture offers no choice: every node is constant and none has a skip connection", "make a node variable (several operations) or give one skips: [earlier nodes]");
  }
  return arch;
}

/** Throws unless name is usable as a node name. */
export function checkNodeName(name: unknown, where: string): string {
  if (typeof name !== "string" || name === "") {
    throw new ValidationError(`${where}: a node name must be a non-empty string (got ${formatValue(name)})`, "name each node with a string, e.g. \"n1\"");
  }
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
    throw new ValidationError(`${where}: invalid node name ${JSON.stringify(name)}`, "use letters, digits, '_', '.' and '-', starting with a letter or '_'");
  }
  return name;
}

function checkNode(raw: unknown, index: number, before: readonly string[], all: readonly unknown[]): ArchNode {
  if (!isPlainObject(raw)) throw new ValidationError(`architecture node ${index + 1} must be an object {name, ops, ...} (got ${formatValue(raw)})`, ARCH_HINT);
  const name = checkNodeName(raw.name, `architecture node ${index + 1}`);
  const where = `node '${name}'`;
  if (before.includes(name)) throw new ValidationError(`${where} is defined twice`, "give each node (and the input) its own name");
  for (const key of Object.keys(raw)) {
    if (!NODE_KEYS.includes(key)) throw new ValidationError(`${where}: unknown key '${key}'`, `allowed keys: ${NODE_KEYS.join(", ")}`);
  }
  const variable = raw.variable ?? true;
  if (typeof variable !== "boolean") throw new ValidationError(`${where}: variable must be true or false (got ${formatValue(variable)})`);
  const ops = checkOps(raw.ops, where, variable);
  const input = raw.input ?? before[before.length - 1];
  if (typeof input !== "string" || !before.includes(input)) {
    throw new ValidationError(`${where}: its input ${formatValue(input)}, ${laterOrUnknown(input)}`, "a node reads only the input or a node defined before it");
  }
  const skipsRaw = raw.skips ?? [];
  if (!Array.isArray(skipsRaw)) throw new ValidationError(`${where}: skips must be a list of earlier node names (got ${formatValue(skipsRaw)})`, "e.g. skips: [\"input\", \"n1\"]");
  const skips: string[] = [];
  for (const s of skipsRaw) {
    if (typeof s !== "string" || !before.includes(s)) {
      throw new ValidationError(`${where}: skip connection from ${formatValue(s)}, ${laterOrUnknown(s)}`, "a skip connection may only come from the input or a node defined before this one");
    }
    if (s === input) throw new ValidationError(`${where}: skip connection from '${s}', which is already its input`, `drop '${s}' from its skips`);
    if (skips.includes(s)) throw new ValidationError(`${where}: skip connection from '${s}' is listed twice`, "list each anchor node once");
    skips.push(s);
  }
  return { name, ops, variable, input, skips };

  function laterOrUnknown(s: unknown): string {
    if (s === name) return "which is the node itself";
    if (typeof s !== "string" || s === "") return "is not a node name";
    return all.includes(s) ? "which comes later" : "which is no node of the architecture";
  }
}

function checkOps(raw: unknown, where: string, variable: boolean): JsonValue[] {
  if (!Array.isArray(raw)) throw new ValidationError(`${where}: ops must be a list of operations (got ${formatValue(raw)})`, "e.g. ops: [{ op: \"dense\", units: 16 }, { op: \"identity\" }]");
  if (raw.length === 0) {
    throw new ValidationError(`${where} has no operations`, variable ? "give a variable node at least one candidate operation" : "give a constant node its operation");
  }
  if (!variable && raw.length !== 1) {
    throw new ValidationError(`${where} is constant but has ${raw.length} operations`, "a constant node has exactly one operation; make it variable to choose among several");
  }
  const seen = new Set<string>();
  for (const [i, op] of raw.entries()) {
    if (!isJsonValue(op)) throw new ValidationError(`${where}: operation ${i + 1} (${formatValue(op)}) is not a JSON value`, "describe an operation with strings, numbers, booleans, null, lists and objects");
    const key = canonicalJson(op);
    if (seen.has(key)) throw new ValidationError(`${where}: operation ${formatValue(op)} is listed twice`, "list each candidate operation once");
    seen.add(key);
  }
  return structuredClone(raw as JsonValue[]);
}

/** The choices of an architecture in arch_seq order. */
export function archChoices(arch: ArchitectureSpec): ArchChoice[] {
  const out: ArchChoice[] = [];
  for (const node of arch.nodes) {
    if (node.variable) out.push({ name: choiceName(out.length), node: node.name, kind: "op", count: node.ops.length });
    for (const from of node.skips) out.push({ name: choiceName(out.length), node: node.name, kind: "skip", from, count: 2 });
  }
  return out;
}

/**
 * The hyperparameters standing for the choices: an int range 0..count-1 each (DeepHyper's AMBS
 * used one integer per choice), a const 0 for a variable node with a single operation (an int
 * range needs two values).
 */
export function archHyperparameters(arch: ArchitectureSpec): Hyperparameter[] {
  return archChoices(arch).map((c) =>
    c.count > 1 ? { type: "int", name: c.name, low: 0, high: c.count - 1, log: false } : { type: "const", name: c.name, value: 0 },
  );
}

/** Checks a name the problem's own hyperparameters would take is free of the architecture's. */
export function checkNotReserved(name: string, choices: readonly ArchChoice[]): void {
  checkName(name, `hyperparameter ${formatValue(name)}`);
  if (name === ARCH_SEQ || name === ARCHITECTURE) {
    throw new ValidationError(`hyperparameter '${name}': a NAS run gets '${name}' from the architecture`, "give the hyperparameter another name");
  }
  if (choices.some((c) => c.name === name)) {
    throw new ValidationError(`hyperparameter '${name}' has the name of an architecture choice`, "give the hyperparameter another name (vnode_NNNNN names are the architecture's)");
  }
}

/** A short text for an operation: its `op` (or `name`) and its other fields, e.g. dense(units=32, activation=relu). */
export function opLabel(op: JsonValue | null): string {
  if (op === null) return "none";
  if (typeof op === "string") return op;
  if (isPlainObject(op)) {
    const head = typeof op.op === "string" ? op.op : typeof op.name === "string" ? op.name : "";
    const rest = Object.entries(op)
      .filter(([k]) => !(head !== "" && (k === "op" || k === "name") && op[k] === head))
      .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
    return head === "" ? `{${rest.join(", ")}}` : rest.length > 0 ? `${head}(${rest.join(", ")})` : head;
  }
  return JSON.stringify(op);
}
