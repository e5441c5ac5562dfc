// `spruce --site NAME <command> ...`: runs the command on the site's login node as
// `<spruce> --workspace <remote workspace> <args>` and streams its output back. This is CLI code (it
// reads submit's arguments with submit's own option schema); the SSH and SFTP mechanics it uses
// are in src/remote.
//
// submit first copies its local files over SFTP into a fresh <workspace>/uploads/<workflow>/<stamp>/
// and rewrites their paths in the arguments:
// - the problem and run modules are copied WITH the directory that holds them (the smallest one
//   holding both), recursively, so relative imports next to them keep working; dot entries,
//   node_modules and __pycache__ are left out, and a directory above 1000 files or 50 MB is refused
//   (keep the modules in a small directory of their own; send data with --upload);
// - a Python module inside a package, or a dotted path (`pkg.module.run`, found here as Python
//   would: the current folder, then PYTHONPATH), brings its top-level package whole, as
//   <upload>/<package>/, from which the far side resolves the dotted path; same exclusions and limits;
// - each `--upload DIR` (repeatable) is merged into the same directory, same exclusions, no limit;
// - --template, --env-script and a --warm-start file (a results.csv) are copied to _extra/ there
//   (a --warm-start that is no local file is a workflow name, or a path on the site);
// - a path that does not exist here is taken to be a path on the site and passed on unchanged.
// The remote submit runs inside that directory, so `--command 'python3 train.py'` finds train.py.
// A fresh directory per submission never overwrites the files of a running workflow; it is removed
// again after --dry-run and when the far side exits with 2 (usage or validation error): then no
// workflow uses it.
import { existsSync, statSync } from "node:fs";
import { basename, dirname, posix, relative, resolve, sep } from "node:path";
import yargs from "yargs";
import { ValidationError } from "../errors.js";
import { RemoteSession } from "../remote/connection.js";
import type { RemoteInvocation } from "../remote/invocation.js";
import { getSite } from "../remote/sites.js";
import { mkdirRemote, remoteHome, removeRemoteTree, resolveRemotePath, uploadFiles, walkLocalTree, type LocalFile } from "../remote/transfer.js";
import { isWorkflowName } from "../store/index.js";
import { isDottedRef, pythonPackageOf, splitPythonPath } from "../problem/python.js";
import { shellJoin } from "../util/shell.js";
import { step } from "./output.js";
import { submitCommand } from "./submit.js";

export const MODULE_TREE_MAX_FILES = 1000;
export const MODULE_TREE_MAX_BYTES = 50 * 1024 * 1024;

/** Submit options holding a local file, by every spelling yargs accepts for them. */
const PATH_OPTIONS: Record<string, string[]> = {
  problem: ["--problem", "-p"],
  run: ["--run", "-r"],
  template: ["--template"],
  envScript: ["--env-script", "--envScript"],
  warmStart: ["--warm-start", "--warmStart"],
};
const UPLOAD_OPTION = "--upload";

interface SubmitValues {
  workflow: string;
  problem?: string;
  run?: string;
  template?: string;
  envScript?: string;
  warmStart?: string;
  upload?: string | string[];
  dryRun?: boolean;
}

export async function forwardToSite(inv: RemoteInvocation): Promise<number> {
  const site = getSite(inv.site);
  const isSubmit = inv.command === "submit" && !inv.args.some((a) => a === "--help" || a === "-h");
  // Parsed before connecting: a usage error should not cost a login.
  const submit = isSubmit ? await parseSubmit(inv.args) : undefined;
  const session = await RemoteSession.connect(site, { acceptNewHostKey: inv.acceptNewHostKey, connectTimeoutSeconds: inv.connectTimeoutSeconds });
  try {
    const sftp = await session.sftp();
    const workspace = resolveRemotePath(await remoteHome(sftp), site.workspace);
    let args = inv.args;
    let cwd: string | undefined;
    if (submit && isWorkflowName(submit.workflow)) {
      // (An invalid name is left to the far side, which explains the naming rule.)
      const root = posix.join(workspace, "uploads", submit.workflow, new Date().toISOString().replace(/[:.]/g, "-"));
      const plan = planSubmitUpload(submit, root);
      if (plan.files.length > 0) {
        const bytes = plan.files.reduce((n, f) => n + f.size, 0);
        await step(`Uploading ${plan.files.length} file(s), ${formatBytes(bytes)}, to ${site.name}:${root}`, async () => {
          await mkdirRemote(sftp, root);
          await uploadFiles(sftp, plan.files);
        });
        args = await rewriteSubmitArgs(inv.args, plan.paths);
        cwd = root;
      } else {
        args = await rewriteSubmitArgs(inv.args, new Map());
      }
    }
    const command = (cwd ? `cd ${shellJoin([cwd])} && ` : "") + `${site.spruce} ${shellJoin(["--workspace", workspace, ...args])}`;
    const code = await session.run(command, site.spruce);
    if (cwd && (code === 2 || submit?.dryRun)) await removeRemoteTree(sftp, cwd);
    return code;
  } finally {
    session.close();
  }
}

/** The submit arguments as the far side will read them, plus --upload (ours). */
async function parseSubmit(args: string[]): Promise<SubmitValues> {
  let values: SubmitValues | undefined;
  await yargs(args)
    .command({ ...submitCommand, handler: (a) => void (values = a as unknown as SubmitValues) })
    .option("workspace", { type: "string" })
    .option("database-url", { type: "string" })
    .option("verbose", { type: "boolean" })
    .option("upload", { type: "string", describe: "a local directory copied next to the modules on the site (repeatable)" })
    .exitProcess(false)
    .help(false)
    .version(false)
    .fail((msg, err) => {
      throw err ?? new ValidationError(msg, "see 'spruce submit --help'");
    })
    .parseAsync();
  if (!values) throw new ValidationError("could not read the submit arguments", "see 'spruce submit --help'");
  return values;
}

export interface UploadPlan {
  files: (LocalFile & { remote: string })[];
  /** Local path as the user wrote it -> remote path, for each path option whose file was copied. */
  paths: Map<string, string>;
}

/** Which local files go where under the remote upload directory `root` (see the header). */
export function planSubmitUpload(values: SubmitValues, root: string): UploadPlan {
  const files = new Map<string, LocalFile & { remote: string; from: string }>();
  const add = (f: LocalFile, remoteRel: string, from: string) => {
    const prev = files.get(remoteRel);
    if (prev && prev.local !== f.local) {
      throw new ValidationError(`two files would be uploaded as ${remoteRel}: ${prev.local} (${prev.from}) and ${f.local} (${from})`, "rename one of them, or upload the data from another directory");
    }
    files.set(remoteRel, { ...f, remote: posix.join(root, remoteRel), from });
  };
  const paths = new Map<string, string>();

  const packaged = new Set<string>();
  for (const ref of [values.problem, values.run]) {
    const pkg = ref === undefined ? null : pythonPackageOf(ref, { pythonPath: splitPythonPath(process.env.PYTHONPATH, process.cwd()) });
    // A lone .py file is a module like any other (its siblings come with it, below).
    if (ref === undefined || pkg === null || (pkg.inside === null && !isDottedRef(ref))) continue;
    packaged.add(ref);
    const tree = isFile(pkg.top) ? [localFile(pkg.top, "")] : walkLocalTree(pkg.top, MODULE_TREE_MAX_FILES);
    if (tree.length > MODULE_TREE_MAX_FILES || tree.reduce((n, f) => n + f.size, 0) > MODULE_TREE_MAX_BYTES) {
      throw new ValidationError(
        `the Python package ${pkg.top} is copied to the site whole, and it holds more than ${MODULE_TREE_MAX_FILES} files or ${formatBytes(MODULE_TREE_MAX_BYTES)}`,
        "keep data out of the package folder and send it with --upload DIR",
      );
    }
    for (const f of tree) add(f, f.rel === "" ? pkg.name : `${pkg.name}/${f.rel}`, `the package of ${ref}`);
    if (pkg.inside !== null) paths.set(ref, posix.join(root, pkg.name, pkg.inside.split(sep).join("/")));
  }

  const modules = [values.problem, values.run].filter((p): p is string => p !== undefined && isFile(p) && !packaged.has(p));
  if (modules.length > 0) {
    const base = commonDir(modules.map((m) => dirname(resolve(m))));
    const tree = walkLocalTree(base, MODULE_TREE_MAX_FILES);
    const bytes = tree.reduce((n, f) => n + f.size, 0);
    if (tree.length > MODULE_TREE_MAX_FILES || bytes > MODULE_TREE_MAX_BYTES) {
      throw new ValidationError(
        `the modules' directory ${base} is copied to the site with them, and it holds more than ${MODULE_TREE_MAX_FILES} files or ${formatBytes(MODULE_TREE_MAX_BYTES)}`,
        "keep the problem and run modules (and what they import) in a small directory of their own, and send data with --upload DIR",
      );
    }
    for (const f of tree) add(f, f.rel, `next to the modules in ${base}`);
    for (const m of modules) {
      const rel = relative(base, resolve(m)).split(sep).join("/");
      // A module in a skipped place (a dot directory) is still sent: the user named it.
      if (!files.has(rel)) add(localFile(m, rel), rel, "named on the command line");
      paths.set(m, posix.join(root, rel));
    }
  }

  for (const dir of uploadDirs(values.upload)) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ValidationError(`--upload: not a directory: ${dir}`, "give a local directory whose contents go next to the modules on the site");
    for (const f of walkLocalTree(resolve(dir))) add(f, f.rel, `--upload ${dir}`);
  }

  for (const p of [values.template, values.envScript, values.warmStart]) {
    if (p === undefined || !isFile(p) || paths.has(p)) continue;
    // Already on its way (inside the modules' directory or an --upload)? Then it is named there.
    const copied = [...files.values()].find((f) => f.local === resolve(p));
    const rel = copied?.rel ?? `_extra/${basename(p)}`;
    if (!copied) add(localFile(p, rel), rel, "named on the command line");
    paths.set(p, posix.join(root, rel));
  }
  return { files: [...files.values()].map(({ from: _from, ...f }) => f), paths };
}

/** Replaces the path values of PATH_OPTIONS and drops --upload, then checks the result parses as meant. */
async function rewriteSubmitArgs(args: string[], paths: Map<string, string>): Promise<string[]> {
  const spellings = new Map(Object.entries(PATH_OPTIONS).flatMap(([key, names]) => names.map((n) => [n, key] as const)));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      out.push(...args.slice(i));
      break;
    }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (name === UPLOAD_OPTION) {
      if (eq < 0) i++;
      continue;
    }
    if (!spellings.has(name)) {
      out.push(a);
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) {
      out.push(a);
      continue;
    }
    const remote = paths.get(value) ?? value;
    out.push(...(eq > 0 ? [`${name}=${remote}`] : [name, remote]));
  }
  // Unusual spellings (e.g. -pfile.ts) would slip past the rewrite and point at a path the site
  // does not have: parse the result and insist every copied file is now named by its remote path.
  const check = await parseSubmit(out);
  for (const key of Object.keys(PATH_OPTIONS) as (keyof typeof PATH_OPTIONS)[]) {
    const v = check[key as "problem"];
    if (v !== undefined && paths.has(v)) {
      throw new ValidationError(`cannot rewrite the path in this spelling of --${key}`, `write it as '--${key} FILE'`);
    }
  }
  if (check.upload !== undefined) throw new ValidationError("cannot read this spelling of --upload", "write it as '--upload DIR'");
  return out;
}

function uploadDirs(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}

function localFile(p: string, rel: string): LocalFile {
  const st = statSync(p);
  return { local: resolve(p), rel, size: st.size, mode: st.mode & 0o777 };
}

function commonDir(dirs: string[]): string {
  return dirs.reduce((a, b) => {
    while (a !== dirname(a) && b !== a && !b.startsWith(a.endsWith(sep) ? a : a + sep)) a = dirname(a);
    return a;
  });
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} kB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}
