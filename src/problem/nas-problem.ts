// The user-facing NAS problem builder (DeepHyper's NaProblem, framework-free): an architecture space
// of nodes plus, optionally, hyperparameters searched with it (Problem's add, int, float ...).
//
//   export const problem = new NasProblem()
//     .variable("n1", [{ op: "dense", units: 16 }, { op: "identity" }])
//     .variable("n2", [{ op: "dense", units: 16 }, { op: "identity" }], { skips: ["input"] })
//     .constant("out", { op: "dense", units: 1 })
//     .add("lr", [1e-4, 1e-1, "log-uniform"]);
//
// Each node is checked as it is added, so an error names the node while the user's stack points
// at the call (docs/architecture.md, Neural architecture search).
import { ValidationError } from "../errors.js";
import { checkArchitecture, checkNodeName, DEFAULT_INPUT } from "../nas/architecture.js";
import { normalizeNasSpec } from "../nas/sequence.js";
import type { ArchitectureSpec, ProblemSpec } from "../space/types.js";
import { Problem } from "./problem.js";

export interface NodeOptions {
  /** The node whose output goes through this node's operation (default: the node before it). */
  input?: string;
  /** Earlier nodes (anchor points) whose output may be added to this node's: one on/off choice each. */
  skips?: string[];
}

export class NasProblem extends Problem {
  private inputName = DEFAULT_INPUT;
  /** The nodes as given (checked as they come): `input` may be left out. */
  private readonly nodes: Record<string, unknown>[] = [];

  /** Names the input node (default "input"); before any node. */
  input(name: string): this {
    if (this.nodes.length > 0) throw new ValidationError(`problem.input(${JSON.stringify(name)}): name the input before adding nodes`, "call .input(name) first");
    this.inputName = checkNodeName(name, "problem.input");
    return this;
  }

  /**
   * A variable node: the search chooses one of `ops`, any JSON values your run reads (e.g. { op:
   * "dense", units: 32 }); typed loosely so a list of differently shaped objects passes, and checked here.
   */
  variable(name: string, ops: readonly unknown[], opts: NodeOptions = {}): this {
    return this.node({ name, ops, variable: true, ...opts });
  }

  /** A constant node: always `op`; it may still have skip choices. */
  constant(name: string, op: unknown, opts: NodeOptions = {}): this {
    return this.node({ name, ops: [op], variable: false, ...opts });
  }

  /** The architecture as declared so far, validated. */
  architecture(): ArchitectureSpec {
    return checkArchitecture({ input: this.inputName, nodes: this.nodes });
  }

  /** The spec: the architecture's choices (vnode_00000 ...) first, then the hyperparameters; starting points may give arch_seq. */
  override toSpec(): ProblemSpec {
    const base = normalizeNasSpec({
      hyperparameters: structuredClone(this.hyperparameters),
      startingPoints: structuredClone(this.startingPoints),
      architecture: this.architecture(),
    });
    return this.checkedSpec(base);
  }

  private node(raw: Record<string, unknown>): this {
    for (const key of Object.keys(raw)) {
      if (!["name", "ops", "variable", "input", "skips"].includes(key)) {
        throw new ValidationError(`node ${JSON.stringify(raw.name)}: unknown option '${key}'`, "the options are input and skips");
      }
    }
    const next = [...this.nodes, raw];
    checkArchitecture({ input: this.inputName, nodes: next }, { complete: false });
    this.nodes.push(structuredClone(raw));
    return this;
  }
}
