// Slurm hostlist expressions (`nid[0001-0003,0007]`, `a[1-2]b[3-4]`, `n1,n[3-4],login2`): expansion
// to node names for allocation discovery, and compression back for `srun --nodelist` argv.
// We implement the syntax ourselves (docs/architecture.md, srun inside Slurm): Slurm's own parser is C, and the npm package the
// product card named does not exist.

import { ValidationError } from "../errors.js";

/** Refuse expansions past this size: a typo such as `n[1-99999999]` must not exhaust memory. */
const MAX_HOSTS = 1_000_000;

function malformed(variable: string, input: string, why: string): ValidationError {
  return new ValidationError(
    `${variable} is not a valid hostlist: ${why} in '${input}'`,
    "expected Slurm hostlist syntax such as 'nid[0001-0003,0007]' or 'n1,n[3-4],login2'",
  );
}

/**
 * Split at commas outside brackets: `n1,n[3-4],login2` -> [`n1`, `n[3-4]`, `login2`].
 * Bracket balance is checked here so later steps see well-formed groups only.
 */
function splitGroups(s: string, variable: string): string[] {
  const groups: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "[") {
      if (depth > 0) throw malformed(variable, s, "nested '['");
      depth = 1;
    } else if (c === "]") {
      if (depth === 0) throw malformed(variable, s, "']' without '['");
      depth = 0;
    } else if (c === "," && depth === 0) {
      groups.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw malformed(variable, s, "unclosed '['");
  groups.push(s.slice(start));
  return groups;
}

/**
 * Expand one bracket body (`0001-0003,0007`) to its suffixes. The width of the lower bound is kept
 * as the zero padding, as Slurm does: `[08-10]` gives 08, 09, 10 and `[8-10]` gives 8, 9, 10.
 */
function expandRanges(body: string, variable: string, input: string): string[] {
  if (body === "") throw malformed(variable, input, "empty '[]'");
  const out: string[] = [];
  for (const part of body.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw malformed(variable, input, `bad range '${part}'`);
    const loText = m[1]!;
    const lo = Number(loText);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw malformed(variable, input, `reversed range '${part}'`);
    if (out.length + (hi - lo + 1) > MAX_HOSTS) {
      throw malformed(variable, input, `more than ${MAX_HOSTS} hosts`);
    }
    for (let n = lo; n <= hi; n++) out.push(String(n).padStart(loText.length, "0"));
  }
  return out;
}

/** Expand one group without top-level commas: a cartesian product over its bracket sets, in order. */
function expandGroup(group: string, variable: string, input: string): string[] {
  if (group.trim() === "") throw malformed(variable, input, "empty host name");
  if (/\s/.test(group)) throw malformed(variable, input, "whitespace inside a host name");
  let names = [""];
  const re = /([^[\]]*)(?:\[([^\]]*)\])?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(group)) !== null && m[0] !== "") {
    const literal = m[1]!;
    const suffixes = m[2] === undefined ? [""] : expandRanges(m[2], variable, input);
    if (names.length * suffixes.length > MAX_HOSTS) {
      throw malformed(variable, input, `more than ${MAX_HOSTS} hosts`);
    }
    // The first bracket varies slowest, so `a[1-2]b[3-4]` gives a1b3, a1b4, a2b3, a2b4 (Slurm's order).
    names = names.flatMap((prefix) => suffixes.map((suffix) => prefix + literal + suffix));
  }
  return names;
}

/**
 * Expand a Slurm hostlist expression to node names, in order, duplicates kept.
 * `variable` names the environment variable in error messages.
 */
export function expandHostlist(s: string, variable = "SLURM_JOB_NODELIST"): string[] {
  const input = s.trim();
  if (input === "") throw malformed(variable, s, "empty value");
  const hosts: string[] = [];
  for (const group of splitGroups(input, variable)) {
    for (const host of expandGroup(group.trim(), variable, input)) hosts.push(host);
    if (hosts.length > MAX_HOSTS) throw malformed(variable, input, `more than ${MAX_HOSTS} hosts`);
  }
  return hosts;
}

interface Run {
  prefix: string;
  /** Digit count of zero-padded numbers; 0 for unpadded numbers, whose lengths may differ. */
  width: number;
  ranges: [number, number][];
}

/**
 * Compress node names into a hostlist expression that expands back to exactly the same list in
 * the same order: only neighbours sharing a prefix and padding are merged, and only ascending
 * consecutive numbers become ranges (`n1,n2,n3,n7` -> `n[1-3,7]`, `n3,n1` stays `n[3,1]`).
 */
export function compressHostlist(hosts: readonly string[]): string {
  const parts: string[] = [];
  let run: Run | null = null;
  const flush = (): void => {
    if (run === null) return;
    const r: Run = run;
    const fmt = (n: number): string => String(n).padStart(r.width, "0");
    const single = r.ranges.length === 1 && r.ranges[0]![0] === r.ranges[0]![1];
    if (single) {
      parts.push(r.prefix + fmt(r.ranges[0]![0]));
    } else {
      const body = r.ranges.map(([lo, hi]) => (lo === hi ? fmt(lo) : `${fmt(lo)}-${fmt(hi)}`));
      parts.push(`${r.prefix}[${body.join(",")}]`);
    }
    run = null;
  };
  for (const host of hosts) {
    const m = /^(.*?)(\d+)$/.exec(host);
    if (!m || /[[\],]/.test(host)) {
      flush();
      parts.push(host);
      continue;
    }
    const prefix = m[1]!;
    const digits = m[2]!;
    const width = digits.length > 1 && digits.startsWith("0") ? digits.length : 0;
    const n = Number(digits);
    // An unpadded number after padded ones (or the reverse) would expand with the wrong width.
    const fits =
      run !== null &&
      run.prefix === prefix &&
      (run.width === 0 ? width === 0 : digits.length === run.width);
    if (!fits) {
      flush();
      run = { prefix, width, ranges: [[n, n]] };
      continue;
    }
    const last = run!.ranges[run!.ranges.length - 1]!;
    if (n === last[1] + 1) last[1] = n;
    else run!.ranges.push([n, n]);
  }
  flush();
  return parts.join(",");
}
