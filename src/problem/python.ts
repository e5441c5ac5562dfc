// Python problems and runs at submit (docs/architecture.md, Python problems and runs): which
// references are Python, the interpreter (`--python`, resolved to its own sys.executable), and the
// companion package's validation steps (spruce_hps.describe, spruce_hps.check_run) run in it, their
// one-line errors turned into ValidationErrors. The launcher side (the runner's command) is in
// launcher/executor/python-command.ts.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { basename, delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { ValidationError } from "../errors.js";
import type { JsonValue, ProblemSpec } from "../space/types.js";
import type { PythonFloats, RunSpec } from "../store/types.js";
import { packageRoot } from "../util/paths.js";

/** The interpreter used when --python is not given. */
export const DEFAULT_PYTHON = "python3";
/** The oldest Python the companion package supports. */
const MIN_VERSION: readonly [number, number] = [3, 8];

const DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$/;
/** Files of the other loaders: `problem.ts` looks like a dotted path too. */
const OTHER_EXTENSIONS = /\.(?:[cm]?ts|[cm]?js|ya?ml|json)$/i;

/** The folder holding the companion package (`spruce_hps`), put on PYTHONPATH of every Python process Spruce starts. */
export function companionDir(): string {
  return join(packageRoot(), "python");
}

/**
 * True for a Python reference: a `.py` file, or a dotted path (`pkg.module.Problem`) that is not
 * a file of another kind.
 */
export function isPythonRef(ref: string): boolean {
  if (/\.py$/i.test(ref)) return true;
  if (OTHER_EXTENSIONS.test(ref) || existsSync(ref)) return false;
  return DOTTED.test(ref);
}

/** A dotted path rather than a file. */
export function isDottedRef(ref: string): boolean {
  return !/\.py$/i.test(ref) && DOTTED.test(ref);
}

export interface PythonInterpreter {
  /** The interpreter's own sys.executable (not a shim such as pyenv's). */
  executable: string;
  version: string;
}

export interface PythonOptions {
  /** --python: a name looked up on PATH or a path; default python3. */
  python?: string;
  /** --env-script: sourced before the interpreter runs, as the batch script does. */
  envScript?: string | null;
  /** Where references resolve from (the submit directory). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** A problem read by spruce_hps.describe. */
export interface DescribedProblem {
  spec: ProblemSpec;
  /** The folder that must be on sys.path for the module's dotted name. */
  importRoot: string;
  /** Choices and constants that are integral floats (JavaScript reads 32.0 as 32). */
  floatValues: Record<string, number[]>;
}

/** A run module checked by spruce_hps.check_run (not called). */
export interface CheckedRun {
  importRoot: string;
  /** What run's first parameter gets: the point, or DeepHyper's RunningJob. */
  argument: "point" | "job";
  context: boolean;
}

/**
 * Runs the companion package's commands in one interpreter, resolved once (at the first use) and
 * shared by the problem and the run of one submission.
 */
export class PythonSession {
  private resolved: PythonInterpreter | undefined;
  private readonly cwd: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly o: PythonOptions = {}) {
    this.cwd = o.cwd ?? process.cwd();
    this.env = o.env ?? process.env;
  }

  /** The interpreter; a missing one, or one older than 3.8, is a ValidationError. */
  interpreter(): PythonInterpreter {
    this.resolved ??= this.resolve();
    return this.resolved;
  }

  /** PYTHONPATH at submit, its entries absolute: recorded so later processes import the same modules. */
  pythonPath(): string[] {
    return splitPythonPath(this.env.PYTHONPATH, this.cwd);
  }

  describe(ref: string): DescribedProblem {
    const out = this.companion("describe", ref) as Record<string, JsonValue>;
    const { pythonExecutable: _e, pythonVersion: _v, importRoot, floatValues, ...spec } = out;
    return { spec: spec as unknown as ProblemSpec, importRoot: String(importRoot), floatValues: (floatValues ?? {}) as Record<string, number[]> };
  }

  checkRun(ref: string): CheckedRun {
    const out = this.companion("check_run", ref) as Record<string, JsonValue>;
    return { importRoot: String(out.importRoot), argument: out.argument === "job" ? "job" : "point", context: out.context === true };
  }

  private resolve(): PythonInterpreter {
    const requested = this.o.python ?? DEFAULT_PYTHON;
    const probe = "import json, sys; print(json.dumps([sys.executable, list(sys.version_info[:3])]))";
    const r = this.spawn(requested, ["-c", probe]);
    const flag = `--python ${requested}`;
    if (r.envScriptFailed) throw this.envScriptError(r.stderr);
    // 127: a shim (pyenv's) or the env-script's shell found no such command.
    if ((r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") || r.status === 127) {
      const said = firstLine(r.stderr);
      throw new ValidationError(
        `${flag}: no such interpreter${requested.includes("/") ? "" : " on PATH"}${said ? ` (${said})` : ""}`,
        "install Python 3.8 or later, or name one with --python /path/to/python3",
      );
    }
    if (r.envScriptFailed) throw this.envScriptError(r.stderr);
    if (r.status !== 0) {
      throw new ValidationError(`${flag} did not run (${r.error ? r.error.message : `exit code ${r.status}`}): ${firstLine(r.stderr) || "no output"}`, "name a working Python 3.8 or later with --python /path/to/python3");
    }
    let executable: string;
    let version: number[];
    try {
      [executable, version] = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "") as [string, number[]];
    } catch {
      throw new ValidationError(`${flag} is not a Python interpreter (it printed ${JSON.stringify(r.stdout.slice(0, 80))})`, "name a Python 3.8 or later with --python /path/to/python3");
    }
    const text = version.join(".");
    if (version[0]! < MIN_VERSION[0] || (version[0] === MIN_VERSION[0] && version[1]! < MIN_VERSION[1])) {
      throw new ValidationError(`${flag} is Python ${text}; Spruce's Python support needs ${MIN_VERSION.join(".")} or later`, "name a newer interpreter with --python /path/to/python3");
    }
    // An interpreter embedded oddly may not know its own path: the name given is the next best.
    return { executable: executable || requested, version: text };
  }

  /** `python -m spruce_hps.<command> REF`: its JSON answer, or its `error:`/`hint:` lines as a ValidationError. */
  private companion(command: "describe" | "check_run", ref: string): unknown {
    const { executable } = this.interpreter();
    const r = this.spawn(executable, ["-m", `spruce_hps.${command}`, ref]);
    if (r.envScriptFailed) throw this.envScriptError(r.stderr);
    if (r.status === 0) {
      try {
        return JSON.parse(r.stdout);
      } catch {
        // Output of the user's module is redirected to stderr, so this is a bug of ours.
        throw new ValidationError(`spruce_hps.${command} ${ref} printed no JSON answer: ${JSON.stringify(r.stdout.slice(0, 120))}`, "report this as a bug, with the problem file");
      }
    }
    const error = /^error: (.*)$/m.exec(r.stderr)?.[1];
    const hint = /^hint: (.*)$/m.exec(r.stderr)?.[1];
    if (r.status === 2 && error) throw new ValidationError(error, hint);
    throw new ValidationError(
      `${ref}: ${executable} -m spruce_hps.${command} failed (${r.signal ? `signal ${r.signal}` : `exit code ${r.status}`}): ${lastLine(r.stderr) || "no output"}`,
      `run it yourself to see the whole output: cd ${this.cwd} && PYTHONPATH=${companionDir()} ${executable} -m spruce_hps.${command} ${ref}`,
    );
  }

  /**
   * The interpreter with the companion package first on PYTHONPATH, after --env-script when there
   * is one. The script is a file name and the program an argument: neither becomes shell code.
   * Its output goes to stderr, where it cannot spoil the JSON answer; a line after it says it
   * succeeded (a script may fail, or call exit, with any status).
   */
  private spawn(program: string, args: string[]): { status: number | null; signal: NodeJS.Signals | null; error?: Error; stdout: string; stderr: string; envScriptFailed: boolean } {
    const withCompanion = (path: string | undefined) => [companionDir(), ...(path ? [path] : [])].join(delimiter);
    // After the script, which may set PYTHONPATH itself (a conda or module environment).
    const argv = this.o.envScript
      ? ["bash", "-c", `source "$1" >&2 || exit 1; echo ${ENV_SCRIPT_OK} >&2; export PYTHONPATH="$2\${PYTHONPATH:+${delimiter}$PYTHONPATH}"; shift 2; exec "$@"`,
          "spruce-env-script", this.o.envScript, companionDir(), program, ...args]
      : [program, ...args];
    const env = this.o.envScript ? this.env : { ...this.env, PYTHONPATH: withCompanion(this.env.PYTHONPATH) };
    const r = spawnSync(argv[0]!, argv.slice(1), { cwd: this.cwd, env, encoding: "utf8", timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
    const stderr = r.stderr ?? "";
    const marked = stderr.indexOf(ENV_SCRIPT_OK + "\n");
    return {
      status: r.status,
      signal: r.signal,
      error: r.error,
      stdout: r.stdout ?? "",
      // What the interpreter printed, after the script's own output.
      stderr: this.o.envScript && marked >= 0 ? stderr.slice(marked + ENV_SCRIPT_OK.length + 1) : stderr,
      envScriptFailed: Boolean(this.o.envScript) && marked < 0,
    };
  }

  private envScriptError(stderr: string): ValidationError {
    return new ValidationError(
      `--env-script ${this.o.envScript} failed when sourced before the interpreter: ${lastLine(stderr) || "no output"}`,
      "fix the script (the batch job sources it the same way), or drop --env-script",
    );
  }
}

/** Printed to stderr once --env-script was sourced without an error. */
const ENV_SCRIPT_OK = "spruce: env-script sourced";

// A process that did not start has no output (null).
function firstLine(text: string | null): string {
  return (text ?? "").trim().split("\n")[0]?.trim() ?? "";
}

function lastLine(text: string | null): string {
  return (text ?? "").trim().split("\n").at(-1)?.trim() ?? "";
}

/** PYTHONPATH's entries as absolute paths (an empty entry is the current folder, as in Python). */
export function splitPythonPath(value: string | undefined, cwd: string): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const entry of value.split(delimiter)) {
    const path = entry === "" ? cwd : isAbsolute(entry) ? entry : resolve(cwd, entry);
    if (!out.includes(path)) out.push(path);
  }
  return out;
}

/** What the runner must turn back into floats: float ranges, and integral float choices. Null when nothing. */
export function pythonFloats(spec: ProblemSpec, floatValues: Record<string, number[]>): PythonFloats | null {
  const names = spec.hyperparameters.filter((h) => h.type === "float").map((h) => h.name);
  if (names.length === 0 && Object.keys(floatValues).length === 0) return null;
  return { names, values: floatValues };
}

/** The run of a workflow whose run is a Python module (a file, recorded absolute, or a dotted path). */
export function pythonRunSpec(ref: string, session: PythonSession, checked: CheckedRun, floats: PythonFloats | null, cwd = process.cwd()): RunSpec {
  return {
    kind: "python",
    ref: isDottedRef(ref) ? ref : resolve(cwd, ref),
    python: session.interpreter().executable,
    importRoot: checked.importRoot,
    pythonPath: session.pythonPath(),
    floats,
  };
}

/**
 * The top-level package (a folder) or module (a .py file) a Python reference lives in: what must
 * travel with it to another machine, and the path of the reference inside it (null for a dotted
 * path, which resolves from the folder above). Dotted paths are found as Python would: in `cwd`,
 * then in the PYTHONPATH entries. Null when the reference is not Python or not found here.
 */
export function pythonPackageOf(ref: string, o: { cwd?: string; pythonPath?: string[] } = {}): { top: string; name: string; inside: string | null } | null {
  const cwd = o.cwd ?? process.cwd();
  if (!isPythonRef(ref)) return null;
  if (!isDottedRef(ref)) {
    const file = resolve(cwd, ref);
    if (!isFile(file)) return null;
    let top = file;
    while (isFile(join(dirname(top), "__init__.py"))) top = dirname(top);
    return { top, name: basename(top), inside: top === file ? null : file.slice(top.length + 1) };
  }
  const first = ref.split(".")[0]!;
  for (const dir of [cwd, ...(o.pythonPath ?? [])]) {
    const folder = join(dir, first);
    if (existsSync(folder) && statSync(folder).isDirectory()) return { top: folder, name: first, inside: null };
    if (isFile(`${folder}.py`)) return { top: `${folder}.py`, name: `${first}.py`, inside: null };
  }
  return null;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
