// OpenSSH known_hosts files: parsing, matching a server's host key, and recording a new one.
// ssh2 verifies nothing by itself (docs/architecture.md, Remote sites), so this is the whole trust decision for --site:
// plain and wildcard patterns, comma lists, `[host]:port` forms, hashed `|1|salt|hash` entries,
// negations, @revoked (reject that key everywhere) and @cert-authority (not supported: ignored).
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { dirname } from "node:path";
import type { ServerHostKeyAlgorithm } from "ssh2";

export type HostPatterns = { kind: "hashed"; salt: Buffer; hash: Buffer } | { kind: "patterns"; patterns: string[] };

export interface KnownHostEntry {
  marker: "revoked" | "cert-authority" | null;
  hosts: HostPatterns;
  keyType: string;
  key: Buffer;
  /** 1-based line number, for messages that point the user at the offending line. */
  line: number;
}

export type HostKeyVerdict =
  | { status: "known"; line: number }
  | { status: "revoked"; line: number }
  /** The host is known with a different key of the same type: possibly a man in the middle. */
  | { status: "changed"; lines: number[] }
  /** Nothing recorded for this host and key type; otherTypes lists the types that are recorded. */
  | { status: "unknown"; otherTypes: string[] };

/** Host key types as known_hosts names them, and the signature algorithms that use each. */
const ALGORITHMS_BY_KEY_TYPE: Record<string, ServerHostKeyAlgorithm[]> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
};

/** Parses a known_hosts file's text. Malformed lines are skipped, as OpenSSH does. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === "" || fields[0]!.startsWith("#")) return;
    let marker: KnownHostEntry["marker"] = null;
    if (fields[0]!.startsWith("@")) {
      const m = fields.shift()!;
      if (m === "@revoked") marker = "revoked";
      else if (m === "@cert-authority") marker = "cert-authority";
      else return;
    }
    const [hostField, keyType, keyB64] = fields;
    if (!hostField || !keyType || !keyB64) return;
    const key = Buffer.from(keyB64, "base64");
    if (key.length === 0 || keyTypeOfBlob(key) !== keyType) return;
    const hosts = parseHostField(hostField);
    if (hosts) entries.push({ marker, hosts, keyType, key, line: i + 1 });
  });
  return entries;
}

function parseHostField(field: string): HostPatterns | null {
  if (field.startsWith("|1|")) {
    const [salt, hash] = field.slice(3).split("|");
    if (!salt || !hash) return null;
    return { kind: "hashed", salt: Buffer.from(salt, "base64"), hash: Buffer.from(hash, "base64") };
  }
  return { kind: "patterns", patterns: field.split(",").filter((p) => p !== "") };
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` elsewhere. */
export function hostKeyName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** The key type named at the start of an SSH public key blob (uint32 length + string). */
export function keyTypeOfBlob(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len === 0 || 4 + len > blob.length) return null;
  return blob.subarray(4, 4 + len).toString("latin1");
}

export function hashHostName(name: string, salt: Buffer): Buffer {
  return createHmac("sha1", salt).update(name).digest();
}

/** OpenSSH's pattern-list rule: some pattern matches and no negated (`!pat`) pattern does. */
export function hostMatches(hosts: HostPatterns, name: string): boolean {
  if (hosts.kind === "hashed") return hashHostName(name, hosts.salt).equals(hosts.hash);
  let matched = false;
  for (const p of hosts.patterns) {
    const negated = p.startsWith("!");
    if (globMatch(negated ? p.slice(1) : p, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function globMatch(pattern: string, name: string): boolean {
  const re = pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(name);
}

/** Decides whether `key` (the raw blob the server sent) is the one recorded for host:port. */
export function verifyHostKey(entries: KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyVerdict {
  // A revoked key is refused for every host: it may have been copied anywhere.
  const revoked = entries.find((e) => e.marker === "revoked" && e.key.equals(key));
  if (revoked) return { status: "revoked", line: revoked.line };
  const name = hostKeyName(host, port);
  const forHost = entries.filter((e) => e.marker === null && hostMatches(e.hosts, name));
  const same = forHost.find((e) => e.key.equals(key));
  if (same) return { status: "known", line: same.line };
  const type = keyTypeOfBlob(key);
  const sameType = forHost.filter((e) => e.keyType === type);
  if (sameType.length > 0) return { status: "changed", lines: sameType.map((e) => e.line) };
  return { status: "unknown", otherTypes: [...new Set(forHost.map((e) => e.keyType))] };
}

/**
 * Host key algorithms in the order to offer them: the types already recorded for this host first,
 * so that a server with several host keys presents one we can check (what OpenSSH does too).
 */
export function preferredHostKeyAlgorithms(entries: KnownHostEntry[], host: string, port: number): ServerHostKeyAlgorithm[] {
  const name = hostKeyName(host, port);
  const known = new Set(entries.filter((e) => e.marker === null && hostMatches(e.hosts, name)).map((e) => e.keyType));
  const all = Object.entries(ALGORITHMS_BY_KEY_TYPE);
  return [...all.filter(([t]) => known.has(t)), ...all.filter(([t]) => !known.has(t))].flatMap(([, algos]) => algos);
}

/** One known_hosts line for host:port and key, with the host name hashed (HashKnownHosts) or plain. */
export function formatKnownHostLine(host: string, port: number, key: Buffer, opts: { hashed: boolean }): string {
  const name = hostKeyName(host, port);
  let field = name;
  if (opts.hashed) {
    const salt = randomBytes(20);
    field = `|1|${salt.toString("base64")}|${hashHostName(name, salt).toString("base64")}`;
  }
  return `${field} ${keyTypeOfBlob(key)} ${key.toString("base64")}`;
}

export function readKnownHosts(file: string): { text: string; entries: KnownHostEntry[] } {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  return { text, entries: parseKnownHosts(text) };
}

/**
 * Records a key for host:port. The new line follows the file's style: hashed when the file already
 * holds hashed entries (the user runs with HashKnownHosts), plain otherwise.
 */
export function recordHostKey(file: string, host: string, port: number, key: Buffer): string {
  const { text, entries } = readKnownHosts(file);
  const hashed = entries.some((e) => e.hosts.kind === "hashed");
  const line = formatKnownHostLine(host, port, key, { hashed });
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, (text === "" || text.endsWith("\n") ? "" : "\n") + line + "\n", { mode: 0o600 });
  return line;
}

/** SHA256 fingerprint as OpenSSH prints it (unpadded base64), to compare with `ssh-keygen -lf`. */
export function fingerprint(key: Buffer): string {
  return "SHA256:" + createHash("sha256").update(key).digest("base64").replace(/=+$/, "");
}
