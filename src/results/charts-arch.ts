// The report's architecture diagrams (docs/architecture.md, report.html): a decoded architecture as
// an SVG, nodes top to bottom (the input first), each box naming the node and its chosen
// operation; an arrow from each node's input (straight down from the node before it, else bowed
// out on the left) and the skip connections that are on as dashed arcs on the right, wider for
// longer jumps so nested ones do not cross.
import type { DecodedNode } from "../nas/sequence.js";
import { opLabel } from "../nas/architecture.js";
import { esc, px } from "./charts-svg.js";

const BOX_W = 270;
const BOX_H = 34;
const GAP = 26;
const SIDE = 70;
const TOP = 12;

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

/** An SVG of one decoded architecture; `key` makes its marker ids unique in the page. */
export function architectureDiagram(nodes: readonly DecodedNode[], key: string, attrs = ""): string {
  const index = new Map(nodes.map((n, i) => [n.name, i]));
  const x0 = SIDE;
  const width = x0 + BOX_W + SIDE;
  const height = TOP * 2 + nodes.length * BOX_H + (nodes.length - 1) * GAP;
  const yTop = (i: number): number => TOP + i * (BOX_H + GAP);
  const mid = (i: number): number => yTop(i) + BOX_H / 2;
  const parts: string[] = [];
  nodes.forEach((n, i) => {
    n.inputs.forEach((from, k) => {
      const j = index.get(from);
      if (j === undefined) return;
      const span = i - j;
      if (k === 0 && span === 1) {
        parts.push(`<line class="edge" x1="${px(x0 + BOX_W / 2)}" y1="${px(yTop(j) + BOX_H)}" x2="${px(x0 + BOX_W / 2)}" y2="${px(yTop(i) - 2)}" marker-end="url(#arrow-${key})"/>`);
        return;
      }
      // Longer jumps bow further out, so arcs of different lengths nest instead of crossing.
      const bow = Math.min(SIDE - 8, 14 + 10 * span);
      const [xs, xb] = k === 0 ? [x0, x0 - bow] : [x0 + BOX_W, x0 + BOX_W + bow];
      const cls = k === 0 ? "edge" : "skip";
      parts.push(
        `<path class="${cls}" d="M${px(xs)},${px(mid(j))} C${px(xb)},${px(mid(j))} ${px(xb)},${px(mid(i))} ${px(xs + (k === 0 ? -2 : 2))},${px(mid(i))}" marker-end="url(#${k === 0 ? "arrow" : "skip"}-${key})"><title>${esc(k === 0 ? `${from} → ${n.name}` : `skip connection ${from} → ${n.name}`)}</title></path>`,
      );
    });
  });
  nodes.forEach((n, i) => {
    const kind = n.inputs.length === 0 ? "input" : "op";
    const label = n.inputs.length === 0 ? n.name : `${n.name}: ${opLabel(n.op)}`;
    parts.push(
      `<g class="node ${kind}"><rect x="${px(x0)}" y="${px(yTop(i))}" width="${BOX_W}" height="${BOX_H}" rx="5"/>` +
        `<text x="${px(x0 + BOX_W / 2)}" y="${px(mid(i) + 4)}" text-anchor="middle">${esc(clip(label, 46))}</text><title>${esc(label)}</title></g>`,
    );
  });
  return (
    `<svg class="arch" viewBox="0 0 ${width} ${px(height)}" width="${width}" height="${px(height)}" role="img"${attrs}>` +
    `<defs><marker id="arrow-${key}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#56606b"/></marker>` +
    `<marker id="skip-${key}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#d9822b"/></marker></defs>` +
    parts.join("") +
    `</svg>`
  );
}

/** The page's styles for the diagrams. */
export const ARCH_CSS =
  ".archs{display:flex;flex-wrap:wrap;gap:18px}.archs figure{margin:0}.archs figcaption{font-size:12px;color:var(--muted);max-width:410px;margin-top:4px}" +
  "svg.arch .node rect{fill:#eef4fb;stroke:#4a7fb5}svg.arch .node.input rect{fill:#f1f1f1;stroke:#888}svg.arch text{font-size:11.5px;fill:#222}" +
  "svg.arch .edge{stroke:#56606b;fill:none;stroke-width:1.4}svg.arch .skip{stroke:#d9822b;fill:none;stroke-width:1.4;stroke-dasharray:5 3}";
