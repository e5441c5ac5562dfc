// Checks the import graph of src/, launcher/ and db/: no cycle, and the folder rules (nothing outside
// src/cli imports the CLI, scheduler adapters import no store functions, the service imports nothing
// from launcher/). Prints every violation and exits 1 if there is one. No dependencies: it reads the
// relative import specifiers with a regular expression, which is enough for this code base's style.
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const FOLDERS = ["src", "launcher", "db"];
/** Entry points the CLI rule allows: the bin files are the CLI. */
const CLI_ENTRIES = new Set(["src/cli/main.ts", "src/cli/balsam-submit.ts"]);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (/\.ts$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const rel = (p) => relative(root, p).split(sep).join("/");

/** Relative imports and re-exports of a file: { target, typeOnly, names }. */
function importsOf(file) {
  const text = readFileSync(file, "utf8");
  const found = [];
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*["'](\.{1,2}\/[^"']+)["']|(?:^|\n)\s*import\s*["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;
  for (let m; (m = re.exec(text)); ) {
    const spec = m[4] ?? m[5] ?? m[6];
    const clause = m[3] ?? "";
    // `import { type A, type B }` is type-only too.
    const braces = /^\{([^}]*)\}$/.exec(clause.trim());
    const names = braces ? braces[1].split(",").map((s) => s.trim()).filter(Boolean) : [clause.trim()];
    const typeOnly = m[2] !== undefined || (braces !== null && names.length > 0 && names.every((n) => n.startsWith("type ")));
    const target = resolveSpec(file, spec);
    if (target) found.push({ target, typeOnly, names, dynamic: m[6] !== undefined });
  }
  return found;
}

function resolveSpec(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, ".ts"), `${base}.ts`, join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const files = FOLDERS.flatMap((f) => (existsSync(join(root, f)) ? walk(join(root, f)) : []));
const graph = new Map(files.map((f) => [rel(f), importsOf(f).map((i) => ({ ...i, target: rel(i.target) }))]));
const problems = [];

// Cycles, type-only imports included: a cycle of types is still two modules that need each other.
// Tarjan's strongly connected components; each component of more than one file is reported once,
// with one cycle through it as an example.
{
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const strong = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const { target: w } of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const c = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1 || (graph.get(v) ?? []).some((i) => i.target === v)) components.push(c);
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  for (const c of components) problems.push(`import cycle: ${exampleCycle(new Set(c)).join(" -> ")}`);
}

/** A shortest cycle inside a strongly connected set, starting from its first file in sort order. */
function exampleCycle(members) {
  const start = [...members].sort()[0];
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const { target: w } of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [];
        for (let x = v; x !== null; x = prev.get(x)) path.unshift(x);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

// Folder rules.
for (const [file, imports] of graph) {
  for (const { target, typeOnly } of imports) {
    if (target.startsWith("src/cli/") && !file.startsWith("src/cli/") && !CLI_ENTRIES.has(target)) {
      problems.push(`${file} imports ${target}: only the CLI imports src/cli/`);
    }
    // The adapters render arguments and parse outputs; rows are written by whoever calls them.
    if (file.startsWith("src/schedulers/") && target.startsWith("src/store/") && !typeOnly) {
      problems.push(`${file} imports ${target}: scheduler adapters import no store functions`);
    }
    if (file.startsWith("src/service/") && target.startsWith("launcher/")) {
      problems.push(`${file} imports ${target}: the service imports nothing from launcher/`);
    }
  }
}

for (const p of problems) console.log(p);
if (problems.length > 0) {
  console.log(`${problems.length} violation(s)`);
  process.exit(1);
}
console.log(`imports OK: ${graph.size} files, no cycle, folder rules kept`);
