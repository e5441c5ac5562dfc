// SFTP file moves for --site: local trees up (modules, --upload), result trees down (fetch), remote
// paths resolved against the remote home, and the promise wrappers ssh2's callback API needs.
import { mkdirSync, readdirSync, realpathSync, statSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import type { FileEntryWithStats, SFTPWrapper, Stats } from "ssh2";
import { RemoteTransferError } from "./errors.js";

/** Parallel transfers over one SFTP channel: enough to hide latency, few enough for a login node. */
const CONCURRENCY = 8;

export interface LocalFile {
  /** Absolute local path. */
  local: string;
  /** Path relative to the tree's root, with '/' separators (it becomes a remote path). */
  rel: string;
  size: number;
  mode: number;
}

/** Skipped when walking local trees: dependencies, VCS and tool state (including ./.spruce), caches. */
function isSkippedName(name: string): boolean {
  return name.startsWith(".") || name === "node_modules" || name === "__pycache__";
}

/**
 * Every file under dir (symlinks followed, each real directory once), skipping isSkippedName. With
 * maxFiles, the walk stops once it has found more than that: a too-big tree is refused, not listed.
 */
export function walkLocalTree(dir: string, maxFiles = Infinity): LocalFile[] {
  const out: LocalFile[] = [];
  const seen = new Set<string>();
  const visit = (abs: string) => {
    const real = realpathSync(abs);
    if (seen.has(real)) return;
    seen.add(real);
    for (const d of readdirSync(abs, { withFileTypes: true })) {
      if (out.length > maxFiles) return;
      if (isSkippedName(d.name)) continue;
      const p = join(abs, d.name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue; // a dangling symlink
      if (st.isDirectory()) visit(p);
      else if (st.isFile()) out.push({ local: p, rel: relative(dir, p).split(sep).join("/"), size: st.size, mode: st.mode & 0o777 });
    }
  };
  visit(dir);
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}

function call<T>(what: string, fn: (cb: (err: Error | undefined | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    fn((err, value) => (err ? reject(new RemoteTransferError(`${what}: ${err.message}`, undefined, err)) : resolve(value))),
  );
}

/** The remote home (the SFTP server starts there), for `~/` and relative site workspaces. */
export function remoteHome(sftp: SFTPWrapper): Promise<string> {
  return call<string>("cannot find the remote home directory", (cb) => sftp.realpath(".", cb));
}

export function resolveRemotePath(home: string, p: string): string {
  if (p === "~") return home;
  if (p.startsWith("~/")) return posix.join(home, p.slice(2));
  return posix.isAbsolute(p) ? posix.normalize(p) : posix.join(home, p);
}

export async function remoteStat(sftp: SFTPWrapper, path: string): Promise<Stats | null> {
  return new Promise((resolve) => sftp.stat(path, (err, st) => resolve(err ? null : st)));
}

export async function mkdirRemote(sftp: SFTPWrapper, dir: string): Promise<void> {
  const st = await remoteStat(sftp, dir);
  if (st?.isDirectory()) return;
  if (st) throw new RemoteTransferError(`${dir} exists on the remote side and is not a directory`);
  await mkdirRemote(sftp, posix.dirname(dir));
  await new Promise<void>((resolve, reject) =>
    sftp.mkdir(dir, (err) => {
      // Another transfer may have created it meanwhile.
      if (!err) return resolve();
      remoteStat(sftp, dir).then((s) => (s?.isDirectory() ? resolve() : reject(new RemoteTransferError(`cannot create ${dir} on the remote side: ${err.message}`))));
    }),
  );
}

async function pool<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}

/** Copies files to remote paths, creating the directories first and keeping permission bits. */
export async function uploadFiles(sftp: SFTPWrapper, files: { local: string; remote: string; mode: number }[]): Promise<void> {
  for (const dir of [...new Set(files.map((f) => posix.dirname(f.remote)))].sort()) await mkdirRemote(sftp, dir);
  await pool(files, (f) => call<void>(`cannot upload ${f.local} to ${f.remote}`, (cb) => sftp.fastPut(f.local, f.remote, { mode: f.mode }, (e) => cb(e, undefined))));
}

/** Copies a remote directory tree into a local directory (files overwritten); returns files and bytes. */
export async function downloadTree(sftp: SFTPWrapper, remoteDir: string, localDir: string): Promise<{ files: number; bytes: number }> {
  const files: { remote: string; local: string; size: number }[] = [];
  const walk = async (rdir: string, ldir: string): Promise<void> => {
    mkdirSync(ldir, { recursive: true });
    const list = await call<FileEntryWithStats[]>(`cannot list ${rdir} on the remote side`, (cb) => sftp.readdir(rdir, cb));
    for (const e of list) {
      const r = posix.join(rdir, e.filename);
      const l = join(ldir, e.filename);
      // readdir reports links as links; results trees hold none, but a link to a file is fetched.
      const st = e.attrs.isSymbolicLink() ? await remoteStat(sftp, r) : e.attrs;
      if (st?.isDirectory() && !e.attrs.isSymbolicLink()) await walk(r, l);
      else if (st?.isFile()) files.push({ remote: r, local: l, size: st.size });
    }
  };
  await walk(remoteDir, localDir);
  await pool(files, (f) => call<void>(`cannot download ${f.remote}`, (cb) => sftp.fastGet(f.remote, f.local, (e) => cb(e, undefined))));
  return { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) };
}

/** Removes a remote tree (an upload directory that no workflow uses). */
export async function removeRemoteTree(sftp: SFTPWrapper, dir: string): Promise<void> {
  const list = await call<FileEntryWithStats[]>(`cannot list ${dir} on the remote side`, (cb) => sftp.readdir(dir, cb));
  for (const e of list) {
    const p = posix.join(dir, e.filename);
    if (e.attrs.isDirectory()) await removeRemoteTree(sftp, p);
    else await call<void>(`cannot remove ${p}`, (cb) => sftp.unlink(p, (err) => cb(err, undefined)));
  }
  await call<void>(`cannot remove ${dir}`, (cb) => sftp.rmdir(dir, (err) => cb(err, undefined)));
}
