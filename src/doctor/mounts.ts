// Which file system a path lives on, from the mount table (/proc/self/mounts, or SPRUCE_MOUNTS_FILE
// for tests): SQLite's locks are not reliable on network and parallel file systems.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, resolve } from "node:path";

export interface Mount {
  device: string;
  mountPoint: string;
  fsType: string;
}

/** File system types whose locking SQLite cannot rely on (shared between nodes over a network). */
const NETWORK_FS = /^(nfs\d?|lustre|gpfs|beegfs|ceph|cifs|smb[23]?|panfs|pvfs2|orangefs|glusterfs|fuse\.(glusterfs|sshfs|ceph|gcsfuse|s3fs)|9p|afs|virtiofs)$/;

export function isNetworkFileSystem(fsType: string): boolean {
  return NETWORK_FS.test(fsType);
}

/** The mount table file: SPRUCE_MOUNTS_FILE when set (tests give a fixture), else the kernel's. */
export function mountsFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.SPRUCE_MOUNTS_FILE || "/proc/self/mounts";
}

/** The kernel escapes space, tab, newline and backslash in mount points as octal (\040). */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses /proc/self/mounts (fstab format: device, mount point, type, options, dump, pass). */
export function parseMounts(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split("\n")) {
    const [device, mountPoint, fsType] = line.trim().split(/\s+/);
    if (!device || !mountPoint || !fsType || device.startsWith("#")) continue;
    mounts.push({ device: unescapeOctal(device), mountPoint: unescapeOctal(mountPoint), fsType });
  }
  return mounts;
}

/** The real path of `path`, or of its nearest existing ancestor (a workspace not created yet). */
export function existingRealPath(path: string): string {
  let p = resolve(path);
  let rest = "";
  while (!existsSync(p)) {
    const up = dirname(p);
    if (up === p) break;
    rest = p.slice(up.length) + rest;
    p = up;
  }
  return realpathSync(p) + rest;
}

/** The mount a path is on: the longest mount point above it; the last one mounted wins a tie. */
export function mountOf(path: string, mounts: Mount[]): Mount | null {
  let best: Mount | null = null;
  for (const m of mounts) {
    const mp = m.mountPoint === "/" ? "/" : m.mountPoint.replace(/\/+$/, "");
    const under = mp === "/" || path === mp || path.startsWith(mp + "/");
    if (under && (best === null || mp.length >= best.mountPoint.replace(/\/+$/, "").length)) best = m;
  }
  return best;
}
