// known_hosts parsing and host key decisions (src/remote/known-hosts.ts), with real keys from
// ssh-keygen and hashed entries cross-checked both ways against OpenSSH (`ssh-keygen -H` / `-F`).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  formatKnownHostLine,
  hostKeyName,
  keyTypeOfBlob,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
  recordHostKey,
  verifyHostKey,
} from "../../src/remote/known-hosts.js";

const dir = mkdtempSync(join(tmpdir(), "spruce-kh-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh public key: its known_hosts form ("type base64") and its blob. */
function newKey(type: "ed25519" | "ecdsa", name: string): { text: string; blob: Buffer } {
  const file = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "", "-f", file]);
  const [t, b64] = readFileSync(file + ".pub", "utf8").trim().split(/\s+/) as [string, string];
  return { text: `${t} ${b64}`, blob: Buffer.from(b64, "base64") };
}

let A: ReturnType<typeof newKey>;
let B: ReturnType<typeof newKey>;
let E: ReturnType<typeof newKey>;
beforeAll(() => {
  A = newKey("ed25519", "a");
  B = newKey("ed25519", "b");
  E = newKey("ecdsa", "e");
});

describe("parseKnownHosts", () => {
  it("reads plain, comma-list and [host]:port entries and skips comments, blanks and garbage", () => {
    const entries = parseKnownHosts(
      [`# comment`, ``, `login1,login1.example.org,10.0.0.1 ${A.text} root@login1`, `[127.0.0.1]:2222 ${B.text}`, `only-a-host`, `h ssh-ed25519 notbase64!!`, `@bogus h ${A.text}`].join("\n"),
    );
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ marker: null, keyType: "ssh-ed25519", line: 3, hosts: { kind: "patterns", patterns: ["login1", "login1.example.org", "10.0.0.1"] } });
    expect(entries[0]!.key.equals(A.blob)).toBe(true);
    expect(entries[1]).toMatchObject({ line: 4, hosts: { kind: "patterns", patterns: ["[127.0.0.1]:2222"] } });
  });

  it("reads the key type from the blob and the markers", () => {
    const entries = parseKnownHosts(`@revoked * ${A.text}\n@cert-authority *.example.org ${E.text}\n`);
    expect(entries.map((e) => e.marker)).toEqual(["revoked", "cert-authority"]);
    expect(keyTypeOfBlob(E.blob)).toMatch(/^ecdsa-sha2-nistp/);
  });

  it("names non-standard ports in brackets, lower-case", () => {
    expect(hostKeyName("Login1.Example.org", 22)).toBe("login1.example.org");
    expect(hostKeyName("127.0.0.1", 2222)).toBe("[127.0.0.1]:2222");
  });
});

describe("verifyHostKey", () => {
  it("accepts the recorded key, matching plain names, lists and [host]:port", () => {
    const entries = parseKnownHosts(`login1,login2 ${A.text}\n[127.0.0.1]:2222 ${B.text}\n`);
    expect(verifyHostKey(entries, "login2", 22, A.blob)).toEqual({ status: "known", line: 1 });
    expect(verifyHostKey(entries, "127.0.0.1", 2222, B.blob)).toEqual({ status: "known", line: 2 });
    // The same host on another port is another entry.
    expect(verifyHostKey(entries, "127.0.0.1", 22, B.blob).status).toBe("unknown");
    expect(verifyHostKey(entries, "login1", 2222, A.blob).status).toBe("unknown");
  });

  it("reports a different key of the same type as changed, naming the lines", () => {
    const entries = parseKnownHosts(`[127.0.0.1]:2222 ${A.text}\n`);
    expect(verifyHostKey(entries, "127.0.0.1", 2222, B.blob)).toEqual({ status: "changed", lines: [1] });
  });

  it("treats a key of a type not recorded as unknown, listing the recorded types", () => {
    const entries = parseKnownHosts(`login1 ${A.text}\n`);
    expect(verifyHostKey(entries, "login1", 22, E.blob)).toEqual({ status: "unknown", otherTypes: ["ssh-ed25519"] });
    expect(verifyHostKey(entries, "login9", 22, A.blob)).toEqual({ status: "unknown", otherTypes: [] });
  });

  it("matches wildcards and honours negations", () => {
    const entries = parseKnownHosts(`*.example.org,!bad.example.org,login? ${A.text}\n`);
    expect(verifyHostKey(entries, "polaris.example.org", 22, A.blob).status).toBe("known");
    expect(verifyHostKey(entries, "login3", 22, A.blob).status).toBe("known");
    expect(verifyHostKey(entries, "bad.example.org", 22, A.blob).status).toBe("unknown");
    expect(verifyHostKey(entries, "example.org", 22, A.blob).status).toBe("unknown");
  });

  it("refuses a @revoked key even where it is otherwise recorded, and ignores @cert-authority lines", () => {
    const revoked = parseKnownHosts(`login1 ${A.text}\n@revoked other-host ${A.text}\n`);
    expect(verifyHostKey(revoked, "login1", 22, A.blob)).toEqual({ status: "revoked", line: 2 });
    const ca = parseKnownHosts(`@cert-authority login1 ${A.text}\n`);
    expect(verifyHostKey(ca, "login1", 22, A.blob).status).toBe("unknown");
  });

  it("matches entries hashed by ssh-keygen -H", () => {
    const file = join(dir, "hashed_by_openssh");
    writeFileSync(file, `[127.0.0.1]:2222 ${A.text}\nlogin1.example.org ${B.text}\n`);
    execFileSync("ssh-keygen", ["-q", "-H", "-f", file], { stdio: "ignore" });
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain("127.0.0.1");
    const entries = parseKnownHosts(text);
    expect(entries.every((e) => e.hosts.kind === "hashed")).toBe(true);
    expect(verifyHostKey(entries, "127.0.0.1", 2222, A.blob).status).toBe("known");
    expect(verifyHostKey(entries, "login1.example.org", 22, B.blob).status).toBe("known");
    expect(verifyHostKey(entries, "127.0.0.1", 2222, B.blob).status).toBe("changed");
    expect(verifyHostKey(entries, "127.0.0.1", 22, A.blob).status).toBe("unknown");
  });
});

describe("formatKnownHostLine and recordHostKey", () => {
  it("writes hashed lines that OpenSSH finds (ssh-keygen -F) and plain lines as OpenSSH writes them", () => {
    const file = join(dir, "hashed_by_us");
    const hashed = formatKnownHostLine("127.0.0.1", 2222, A.blob, { hashed: true });
    expect(hashed).toMatch(/^\|1\|[A-Za-z0-9+/=]{28}\|[A-Za-z0-9+/=]{28} ssh-ed25519 /);
    writeFileSync(file, hashed + "\n");
    const found = spawnSync("ssh-keygen", ["-F", "[127.0.0.1]:2222", "-f", file], { encoding: "utf8" });
    expect(found.status, found.stderr).toBe(0);
    expect(found.stdout).toContain(A.text.split(" ")[1]);
    expect(spawnSync("ssh-keygen", ["-F", "[127.0.0.1]:2223", "-f", file]).status).not.toBe(0);
    expect(formatKnownHostLine("127.0.0.1", 2222, A.blob, { hashed: false })).toBe(`[127.0.0.1]:2222 ${A.text}`);
    expect(formatKnownHostLine("Login1", 22, A.blob, { hashed: false })).toBe(`login1 ${A.text}`);
  });

  it("creates the file 0600 in a 0700 directory and follows the file's hashing style", () => {
    const plainFile = join(dir, "new", ".ssh", "known_hosts");
    recordHostKey(plainFile, "127.0.0.1", 2222, A.blob);
    expect(statSync(plainFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "new", ".ssh")).mode & 0o777).toBe(0o700);
    // A file without a final newline still gets one line per entry.
    writeFileSync(plainFile, readFileSync(plainFile, "utf8") + `login1 ${B.text}`);
    recordHostKey(plainFile, "login2", 22, B.blob);
    const lines = readFileSync(plainFile, "utf8").trimEnd().split("\n");
    expect(lines).toEqual([`[127.0.0.1]:2222 ${A.text}`, `login1 ${B.text}`, `login2 ${B.text}`]);

    const hashedFile = join(dir, "hashed_style");
    writeFileSync(hashedFile, formatKnownHostLine("login1", 22, A.blob, { hashed: true }) + "\n");
    expect(recordHostKey(hashedFile, "127.0.0.1", 2222, B.blob)).toMatch(/^\|1\|/);
    expect(verifyHostKey(parseKnownHosts(readFileSync(hashedFile, "utf8")), "127.0.0.1", 2222, B.blob).status).toBe("known");
  });
});

describe("preferredHostKeyAlgorithms", () => {
  it("offers the recorded key types first, then the rest", () => {
    const entries = parseKnownHosts(`login1 ${E.text}\n`);
    const type = keyTypeOfBlob(E.blob)!;
    const algos = preferredHostKeyAlgorithms(entries, "login1", 22);
    expect(algos[0]).toBe(type);
    expect(algos).toContain("ssh-ed25519");
    expect(preferredHostKeyAlgorithms([], "login1", 22)[0]).toBe("ssh-ed25519");
  });
});
