// Text for people: an architecture space's nodes and choices (`spruce problem show`) and a decoded
// architecture, node by node (`spruce arch`).
import type { ArchitectureSpec } from "../space/types.js";
import { archChoices, opLabel } from "./architecture.js";
import { describeChoice, type DecodedNode } from "./sequence.js";

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((s, c) => s.padEnd(widths[c]!)).join("  ").trimEnd());
}

/** The nodes of an architecture space, its choices in arch_seq order and how many architectures it holds. */
export function describeArchitectureSpace(arch: ArchitectureSpec): string {
  const choices = archChoices(arch);
  const count = choices.reduce((n, c) => n * c.count, 1);
  const nodeRows = [
    ["node", "kind", "operations", "input", "skips from"],
    [arch.input, "input", "", "", ""],
    ...arch.nodes.map((n) => [
      n.name,
      n.variable ? "variable" : "constant",
      n.variable ? `${n.ops.length}: ${clip(n.ops.map(opLabel).join(" | "), 70)}` : opLabel(n.ops[0] ?? null),
      n.input,
      n.skips.join(", "),
    ]),
  ];
  const choiceRows = [["arch_seq", "hyperparameter", "choice", "values"], ...choices.map((c, i) => [`[${i}]`, c.name, describeChoice(c), `0..${c.count - 1}`])];
  return [
    "architecture:",
    ...table(nodeRows).map((l) => "  " + l),
    "",
    ...table(choiceRows).map((l) => "  " + l),
    "",
    `${choices.length} choices, ${count} architectures`,
  ].join("\n") + "\n";
}

/** A decoded architecture, one node a line: its operation and what it reads (`<- n1 + skip input`). */
export function describeDecoded(nodes: readonly DecodedNode[]): string {
  const rows = nodes.map((n) => [
    n.name,
    n.inputs.length === 0 ? "(input)" : opLabel(n.op),
    n.inputs.length === 0 ? "" : `<- ${n.inputs[0]}${n.inputs.slice(1).map((s) => ` + skip ${s}`).join("")}`,
  ]);
  return table(rows).join("\n") + "\n";
}

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 3) + "..." : s;
}
