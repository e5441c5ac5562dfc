// DeepHyper's `start-project` and `new-problem hps`: a project package, and a problem folder with
// the tutorial's files (problem, model_run, load_data) copied from templates/scaffold/<lang>/.
// The files are written only after every check passed, into a folder that did not exist: a
// failure leaves nothing behind.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { ValidationError } from "../errors.js";
import { packageRoot } from "../util/paths.js";

export type ScaffoldLanguage = "python" | "typescript";
export const SCAFFOLD_LANGUAGES: readonly ScaffoldLanguage[] = ["python", "typescript"];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Python's keywords cannot name a package (`import class` is a syntax error). */
const KEYWORDS = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield".split(" "),
);

export interface NewProblem {
  /** The folder created. */
  dir: string;
  files: string[];
  /** Python: where dotted paths resolve from (the folder above the top-level package). */
  importRoot: string | null;
  /** Python: the problem's and the run's dotted paths (`pkg.name.problem.Problem`, `pkg.name.model_run.run`). */
  problemRef: string;
  runRef: string;
}

/** `spruce start-project DIR`: DIR/ holding the package DIR/<name>/ (name: DIR's last part). */
export function startProject(dir: string): { dir: string; packageDir: string } {
  const root = resolve(dir);
  const name = basename(root);
  checkPackageName(name, "the project's name (its folder's last part)");
  refuseExisting(root);
  const packageDir = join(root, name);
  writeAll(root, [[join(packageDir, "__init__.py"), ""]]);
  return { dir: root, packageDir };
}

/**
 * `spruce new-problem hps NAME`: NAME/ in `parent` with the tutorial's files. In Python it is a
 * package (with __init__.py), and its dotted name continues that of the packages above it: in a
 * project made by start-project, `<project>.NAME`.
 */
export function newProblem(name: string, lang: ScaffoldLanguage, parent = process.cwd()): NewProblem {
  if (lang === "python") checkPackageName(name, "NAME");
  else if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) {
    throw new ValidationError(`NAME '${name}' is not a plain folder name`, "use letters, digits, '_', '.' and '-'");
  }
  const dir = resolve(parent, name);
  refuseExisting(dir);
  // The packages above, for the dotted name: folders with an __init__.py.
  const packages = [name];
  let root = dirname(dir);
  while (lang === "python" && existsSync(join(root, "__init__.py")) && dirname(root) !== root) {
    packages.unshift(basename(root));
    root = dirname(root);
  }
  const ref = packages.join(".");
  const vars: Record<string, string> = { name, ref, top: packages[0]!, dir: relative(process.cwd(), dir) || "." };
  const source = join(packageRoot(), "templates", "scaffold", lang);
  const files = readdirSync(source)
    .sort()
    .map((file): [string, string] => [join(dir, file), fill(readFileSync(join(source, file), "utf8"), vars)]);
  writeAll(dir, files);
  const ext = lang === "python" ? "py" : "ts";
  return {
    dir,
    files: files.map(([path]) => path),
    importRoot: lang === "python" ? root : null,
    problemRef: lang === "python" ? `${ref}.problem.Problem` : join(dir, `problem.${ext}`),
    runRef: lang === "python" ? `${ref}.model_run.run` : join(dir, `model_run.${ext}`),
  };
}

/** `{{var}}` replaced; the templates hold nothing else of Handlebars. */
function fill(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => vars[key] ?? whole);
}

function checkPackageName(name: string, what: string): void {
  if (!IDENTIFIER.test(name) || KEYWORDS.has(name)) {
    throw new ValidationError(
      `${what} '${name}' cannot name a Python package`,
      "use letters, digits and '_', starting with a letter (e.g. dh_project, polynome2)",
    );
  }
}

function refuseExisting(dir: string): void {
  if (existsSync(dir)) throw new ValidationError(`${dir} already exists`, "choose another name, or remove it first");
}

/** Writes every file under a new folder `top`; on a failure the folder goes again. */
function writeAll(top: string, files: [string, string][]): void {
  try {
    for (const [path, text] of files) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    mkdirSync(top, { recursive: true });
  } catch (e) {
    rmSync(top, { recursive: true, force: true });
    throw e;
  }
}
