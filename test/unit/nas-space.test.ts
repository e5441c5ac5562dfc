// Unit tests of NAS architecture spaces: the NasProblem builder, validation (one-line errors),
// choices in arch_seq order, encoding to and from the search space's hyperparameters, and the
// decoded graph (every arch_seq decodes to a valid graph whose edges only come from earlier nodes).
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { archChoices, checkArchitecture } from "../../src/nas/architecture.js";
import { archSeqOf, decodeArchitecture, normalizeNasSpec, pointOfArchSeq, recordNames, recordPoint, runPoint } from "../../src/nas/sequence.js";
import { NasProblem } from "../../src/problem/nas-problem.js";
import { Space } from "../../src/space/space.js";
import type { ArchitectureSpec, JsonValue, Point } from "../../src/space/types.js";
import { Rng } from "../../src/util/rng.js";

function validationMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    const message = (e as ValidationError).message;
    expect(message).not.toContain("\n");
    expect((e as ValidationError).hint ?? "").not.toContain("\n");
    return message;
  }
  throw new Error("expected a ValidationError, nothing was thrown");
}

const DENSE: JsonValue[] = [{ op: "identity" }, { op: "dense", units: 8, activation: "relu" }, { op: "dense", units: 16, activation: "tanh" }];

/** DeepHyper's dense-skipco pattern: each layer may also take the outputs of the last two anchors. */
function skipProblem(layers: number): NasProblem {
  const p = new NasProblem();
  const anchors = ["input"];
  for (let i = 1; i <= layers; i++) {
    p.variable(`n${i}`, DENSE, { skips: anchors.slice(-2).filter((a) => a !== (i === 1 ? "input" : `n${i - 1}`)) });
    anchors.push(`n${i}`);
  }
  return p.constant("out", { op: "dense", units: 1 });
}

describe("NasProblem", () => {
  it("puts one int hyperparameter per choice first, in arch_seq order, then the hyperparameters", () => {
    const spec = skipProblem(3).add("lr", [1e-4, 1e-1, "log-uniform"]).toSpec();
    const arch = spec.architecture!;
    expect(archChoices(arch).map((c) => [c.node, c.kind, c.from ?? null, c.count])).toEqual([
      ["n1", "op", null, 3],
      ["n2", "op", null, 3],
      ["n2", "skip", "input", 2],
      ["n3", "op", null, 3],
      ["n3", "skip", "n1", 2],
    ]);
    expect(spec.hyperparameters.map((h) => h.name)).toEqual(["vnode_00000", "vnode_00001", "vnode_00002", "vnode_00003", "vnode_00004", "lr"]);
    expect(spec.hyperparameters[0]).toEqual({ type: "int", name: "vnode_00000", low: 0, high: 2, log: false });
    expect(spec.hyperparameters[2]).toEqual({ type: "int", name: "vnode_00002", low: 0, high: 1, log: false });
    expect(arch.nodes[1]).toEqual({ name: "n2", ops: DENSE, variable: true, input: "n1", skips: ["input"] });
    // Idempotent: a stored spec normalises to itself, and the space counts every architecture.
    expect(normalizeNasSpec(spec)).toEqual(spec);
    expect(new Space({ ...spec, hyperparameters: spec.hyperparameters.slice(0, 5) }).size()).toBe(3 * 3 * 2 * 3 * 2);
  });

  it("unfolds a starting point given with arch_seq", () => {
    const spec = skipProblem(2).add("lr", [0.001, 0.1]).addStartingPoint({ arch_seq: [1, 2, 1], lr: 0.01 }).toSpec();
    expect(spec.startingPoints).toEqual([{ vnode_00000: 1, vnode_00001: 2, vnode_00002: 1, lr: 0.01 }]);
    expect(recordPoint(spec, spec.startingPoints[0]!)).toEqual({ arch_seq: [1, 2, 1], lr: 0.01 });
    expect(recordNames(spec)).toEqual(["arch_seq", "lr"]);
  });

  it("gives a run arch_seq, the decoded graph and the hyperparameters", () => {
    const spec = skipProblem(2).add("batch", [16, 32, 64]).toSpec();
    const p = runPoint(spec, { vnode_00000: 2, vnode_00001: 0, vnode_00002: 1, batch: 32 });
    expect(p).toEqual({
      arch_seq: [2, 0, 1],
      architecture: [
        { name: "input", op: null, inputs: [] },
        { name: "n1", op: { op: "dense", units: 16, activation: "tanh" }, inputs: ["input"] },
        { name: "n2", op: { op: "identity" }, inputs: ["n1", "input"] },
        { name: "out", op: { op: "dense", units: 1 }, inputs: ["n2"] },
      ],
      batch: 32,
    });
  });

  it("refuses bad architectures with one line naming the node", () => {
    expect(validationMessage(() => new NasProblem().variable("n1", []))).toBe("node 'n1' has no operations");
    expect(validationMessage(() => new NasProblem().variable("n1", DENSE, { skips: ["n2"] }))).toMatch(/node 'n1': skip connection from "n2", which is no node/);
    expect(validationMessage(() => new NasProblem().variable("n1", DENSE).variable("n2", DENSE).variable("n3", DENSE, { skips: ["n3"] }))).toMatch(/which is the node itself/);
    expect(validationMessage(() => new NasProblem().variable("n1", DENSE).variable("n1", DENSE))).toBe("node 'n1' is defined twice");
    expect(validationMessage(() => new NasProblem().variable("n1", [{ op: "identity" }, { op: "identity" }]))).toMatch(/listed twice/);
    expect(validationMessage(() => new NasProblem().variable("n1", DENSE, { skips: ["input"] }))).toMatch(/already its input/);
    expect(validationMessage(() => new NasProblem().variable("n1", DENSE, { input: "n0" }))).toMatch(/its input "n0", which is no node/);
    expect(validationMessage(() => new NasProblem().constant("out", { op: "dense" }).toSpec())).toMatch(/offers no choice/);
    expect(validationMessage(() => new NasProblem().toSpec())).toBe("the architecture has no nodes");
    expect(validationMessage(() => skipProblem(1).add("arch_seq", [1, 2]).toSpec())).toMatch(/'arch_seq'/);
    expect(validationMessage(() => skipProblem(1).add("vnode_00000", [1, 2]).toSpec())).toMatch(/vnode_00000/);
    expect(validationMessage(() => skipProblem(2).addStartingPoint({ arch_seq: [1, 3, 0] }).toSpec())).toMatch(/starting point 1: arch_seq\[1\] = 3 is not a value of choice 1 \(n2: operation: 0 to 2\)/);
    expect(validationMessage(() => skipProblem(2).addStartingPoint({ arch_seq: [1] }).toSpec())).toMatch(/arch_seq has 1 values, the architecture has 3 choices/);
  });

  it("refuses a skip to a later node given as data (a plain problem object, Python's JSON)", () => {
    const raw = {
      input: "input",
      nodes: [
        { name: "n1", ops: DENSE, skips: ["n2"] },
        { name: "n2", ops: DENSE },
      ],
    };
    expect(validationMessage(() => checkArchitecture(raw))).toBe(`node 'n1': skip connection from "n2", which comes later`);
    expect(validationMessage(() => normalizeNasSpec({ hyperparameters: [], startingPoints: [], architecture: raw as unknown as ArchitectureSpec }))).toMatch(/which comes later/);
    expect(validationMessage(() => checkArchitecture({ nodes: [{ name: "n1", ops: DENSE, colour: "red" }] }))).toBe("node 'n1': unknown key 'colour'");
  });

  it("gives a variable node with one operation a const choice (still one arch_seq value)", () => {
    const spec = new NasProblem().variable("n1", [{ op: "identity" }]).variable("n2", DENSE).toSpec();
    expect(spec.hyperparameters[0]).toEqual({ type: "const", name: "vnode_00000", value: 0 });
    expect(archSeqOf(spec.architecture!, { vnode_00000: 0, vnode_00001: 2 })).toEqual([0, 2]);
  });
});

describe("arch_seq decoding", () => {
  const spec = skipProblem(4).toSpec();
  const arch = spec.architecture!;
  const space = new Space(spec);

  /** The graph is valid: the input first, every node once, inputs only from earlier nodes, each operation one of its node's. */
  function checkGraph(seq: number[]): void {
    const nodes = decodeArchitecture(arch, seq);
    expect(nodes.map((n) => n.name)).toEqual(["input", ...arch.nodes.map((n) => n.name)]);
    const seen = new Set<string>(["input"]);
    nodes.slice(1).forEach((n, i) => {
      const node = arch.nodes[i]!;
      expect(n.inputs[0]).toBe(node.input);
      expect(new Set(n.inputs).size).toBe(n.inputs.length);
      for (const from of n.inputs) expect(seen.has(from)).toBe(true);
      expect(node.ops).toContainEqual(n.op);
      seen.add(n.name);
    });
  }

  it("decodes every arch_seq of the space to a valid graph, and arch_seq round-trips", () => {
    const all: number[][] = [[]];
    for (const c of archChoices(arch)) all.splice(0, all.length, ...all.flatMap((s) => Array.from({ length: c.count }, (_, v) => [...s, v])));
    expect(all.length).toBe(space.size());
    for (const seq of all) {
      checkGraph(seq);
      const point = pointOfArchSeq(arch, seq);
      expect(space.contains(point)).toBeNull();
      expect(archSeqOf(arch, point)).toEqual(seq);
    }
  });

  it("decodes sampled points, whose skips are on exactly when their value is 1", () => {
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) {
      const p: Point = space.sample(rng);
      const seq = archSeqOf(arch, p);
      checkGraph(seq);
      const nodes = decodeArchitecture(arch, seq);
      archChoices(arch).forEach((c, j) => {
        if (c.kind !== "skip") return;
        const node = nodes.find((n) => n.name === c.node)!;
        expect(node.inputs.includes(c.from!)).toBe(seq[j] === 1);
      });
    }
  });
});
