// The doctor's checks that are pure functions of their input: the mount table (which file system a
// workspace is on, NFS and the like flagged), the Node version gate, and a remote site's host key
// looked up in a known_hosts file (hashed and [host]:port forms) without connecting.
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isNetworkFileSystem, mountOf, parseMounts } from "../../src/doctor/mounts.js";
import { checkNode, versionAtLeast } from "../../src/doctor/runtime.js";
import { checkSite } from "../../src/doctor/sites.js";
import { formatKnownHostLine } from "../../src/remote/known-hosts.js";
import type { Site } from "../../src/remote/sites.js";

const MOUNTS = [
  "sysfs /sys sysfs rw,nosuid 0 0",
  "/dev/sda1 / ext4 rw,relatime 0 0",
  "/dev/sdb1 /home xfs rw 0 0",
  "filer:/export/home/alice /home/alice nfs4 rw,vers=4.2 0 0",
  "10.0.0.1@o2ib:/scratch /lus/scratch lustre rw,flock 0 0",
  "projects /gpfs/projects gpfs rw 0 0",
  "/dev/sdc1 /data/my\\040disk ext4 rw 0 0",
  "tmpfs /tmp tmpfs rw 0 0",
].join("\n");

describe("mount table", () => {
  const mounts = parseMounts(MOUNTS);
  const on = (path: string) => mountOf(path, mounts);

  it("finds the longest mount point above a path", () => {
    expect(on("/home/alice/runs/.spruce")).toMatchObject({ mountPoint: "/home/alice", fsType: "nfs4" });
    expect(on("/home/bob/.spruce")).toMatchObject({ mountPoint: "/home", fsType: "xfs" });
    expect(on("/home/alicexyz")).toMatchObject({ mountPoint: "/home", fsType: "xfs" });
    expect(on("/lus/scratch/u/ws")).toMatchObject({ fsType: "lustre" });
    expect(on("/gpfs/projects")).toMatchObject({ fsType: "gpfs" });
    expect(on("/opt/ws")).toMatchObject({ mountPoint: "/", fsType: "ext4" });
  });

  it("reads the kernel's octal escapes in mount points", () => {
    expect(on("/data/my disk/ws")).toMatchObject({ mountPoint: "/data/my disk", fsType: "ext4" });
  });

  it("flags network and parallel file systems, not local ones", () => {
    for (const t of ["nfs", "nfs4", "lustre", "gpfs", "beegfs", "ceph", "cifs", "fuse.sshfs"]) expect(isNetworkFileSystem(t), t).toBe(true);
    for (const t of ["ext4", "xfs", "btrfs", "tmpfs", "overlay", "zfs"]) expect(isNetworkFileSystem(t), t).toBe(false);
  });
});

describe("node version", () => {
  it("compares major, minor and patch in turn", () => {
    expect(versionAtLeast([20, 19, 0], [20, 19])).toBe(true);
    expect(versionAtLeast([20, 20, 2], [20, 19])).toBe(true);
    expect(versionAtLeast([22, 0, 0], [20, 19])).toBe(true);
    expect(versionAtLeast([20, 18, 9], [20, 19])).toBe(false);
    expect(versionAtLeast([18, 20, 0], [20, 19])).toBe(false);
  });

  it("fails below package.json's engines with the fix, passes at or above it", () => {
    expect(checkNode("20.20.2", [20, 19, 0])).toMatchObject({ level: "ok", message: "Node 20.20.2 (20.19.0 or later needed)" });
    const old = checkNode("18.19.1", [20, 19, 0]);
    expect(old).toMatchObject({ level: "fail", message: "Node 18.19.1 is too old: Spruce needs 20.19.0 or later" });
    expect(old.fix).toMatch(/install Node 20\.19\.0 or later/);
  });
});

describe("remote site host keys", () => {
  const dir = mkdtempSync(join(tmpdir(), "spruce-doctor-sites-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** An ed25519 public key as SSH sends it (string "ssh-ed25519", string key). */
  function hostKey(): Buffer {
    const raw = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    return Buffer.concat([str(Buffer.from("ssh-ed25519")), str(raw)]);
  }
  const site = (over: Partial<Site>): Site => ({ name: "theta", host: "login.example.org", port: 22, user: "me", workspace: "hps", spruce: "spruce", ...over });

  it("ok when known_hosts has the host's key (plain or hashed, [host]:port form)", () => {
    const file = join(dir, "known_hosts");
    writeFileSync(file, [formatKnownHostLine("login.example.org", 22, hostKey(), { hashed: false }), formatKnownHostLine("127.0.0.1", 2222, hostKey(), { hashed: true })].join("\n") + "\n");
    expect(checkSite(site({ knownHosts: file }))).toMatchObject({ check: "site theta", level: "ok", message: `me@login.example.org:22: host key known in ${file} (ssh-ed25519)` });
    expect(checkSite(site({ host: "127.0.0.1", port: 2222, knownHosts: file }))).toMatchObject({ level: "ok" });
  });

  it("warns, with the command that accepts the key, for a host not in known_hosts", () => {
    const file = join(dir, "known_hosts_other");
    writeFileSync(file, formatKnownHostLine("elsewhere.example.org", 22, hostKey(), { hashed: false }) + "\n");
    const r = checkSite(site({ knownHosts: file }));
    expect(r).toMatchObject({ level: "warn", message: `me@login.example.org:22: no host key for login.example.org in ${file}, so the first connection is refused` });
    expect(r.fix).toMatch(/spruce --site theta ls --accept-new-host-key/);
    // A known_hosts file that does not exist yet is the same finding.
    expect(checkSite(site({ knownHosts: join(dir, "none") }))).toMatchObject({ level: "warn" });
  });

  it("fails for a private key file that does not exist", () => {
    mkdirSync(join(dir, "keys"), { recursive: true });
    const r = checkSite(site({ key: join(dir, "keys", "id_missing"), knownHosts: join(dir, "known_hosts") }));
    expect(r).toMatchObject({ level: "fail", message: `me@login.example.org:22: the private key ${join(dir, "keys", "id_missing")} does not exist` });
  });
});
