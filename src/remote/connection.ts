// One SSH connection to a site (ssh2, pure JS): host key checked against known_hosts before any
// credentials are sent, agent or key authentication, remote commands with their output streamed
// live, and an SFTP channel. Every way a connection can fail becomes an error naming its fix.
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import ssh2, { type ConnectConfig, type SFTPWrapper } from "ssh2";
import { SpruceError, ValidationError } from "../errors.js";
import { HostKeyError, RemoteSpruceMissingError, SshAuthError, SshConnectError } from "./errors.js";
import { fingerprint, hostKeyName, keyTypeOfBlob, preferredHostKeyAlgorithms, readKnownHosts, recordHostKey, verifyHostKey } from "./known-hosts.js";
import { defaultKnownHostsFile, siteAddLine, type Site } from "./sites.js";

// ssh2 is CommonJS; Node's ESM import cannot see its named exports.
const { Client, utils } = ssh2;
type Client = InstanceType<typeof Client>;

export interface ConnectOptions {
  /** Record an unknown host key instead of refusing it (never overrides a changed key). */
  acceptNewHostKey?: boolean;
  connectTimeoutSeconds?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 20;

export function siteLabel(site: Site): string {
  return `${site.user}@${site.host}:${site.port}`;
}

/** What we offer the server: a key file and/or the agent, and a description for error messages. */
function credentials(site: Site): { privateKey?: Buffer; agent?: string; tried: string[] } {
  const agent = process.env.SSH_AUTH_SOCK || undefined;
  const tried: string[] = agent ? [`ssh-agent (${agent})`] : [];
  const candidates = site.key ? [site.key] : ["id_ed25519", "id_ecdsa", "id_rsa"].map((f) => join(homedir(), ".ssh", f)).filter((f) => existsSync(f));
  if (site.key && !statSync(site.key, { throwIfNoEntry: false })?.isFile()) {
    throw new ValidationError(`key file not found: ${site.key}`, `fix the site: ${siteAddLine(site, { key: "FILE" })}`);
  }
  for (const file of candidates) {
    const parsed = utils.parseKey(readFileSync(file));
    if (!(parsed instanceof Error)) return { privateKey: readFileSync(file), agent, tried: [...tried, `key ${file}`] };
    // An encrypted key can still be used through the agent, which holds it decrypted.
    if (!agent) {
      throw new SshAuthError(
        `cannot use the key ${file}: ${parsed.message}`,
        `passphrase-protected keys are used through ssh-agent: 'eval $(ssh-agent); ssh-add ${file}', then run the command again`,
      );
    }
  }
  if (tried.length === 0) {
    throw new SshAuthError(
      `no credentials for ${siteLabel(site)}: no --key, no ssh-agent (SSH_AUTH_SOCK) and no ~/.ssh/id_* key`,
      `give the site a key (${siteAddLine(site, { key: "FILE" })}), or start ssh-agent`,
    );
  }
  return { agent, tried };
}

export class RemoteSession {
  private sftpChannel: Promise<SFTPWrapper> | undefined;
  private lostError: Error | undefined;

  private constructor(
    readonly site: Site,
    private readonly client: Client,
  ) {
    client.on("error", (e) => (this.lostError = e));
  }

  /** Connects and authenticates, or throws the SpruceError that explains why not. */
  static async connect(site: Site, opts: ConnectOptions = {}): Promise<RemoteSession> {
    const { privateKey, agent, tried } = credentials(site);
    const knownHostsFile = site.knownHosts ?? defaultKnownHostsFile();
    const { entries } = readKnownHosts(knownHostsFile);
    const timeout = opts.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS;
    const client = new Client();
    let rejection: HostKeyError | undefined;
    let newKey: Buffer | undefined;

    const hostVerifier = (key: Buffer): boolean => {
      const verdict = verifyHostKey(entries, site.host, site.port, key);
      const name = hostKeyName(site.host, site.port);
      const fp = `${keyTypeOfBlob(key)} ${fingerprint(key)}`;
      switch (verdict.status) {
        case "known":
          return true;
        case "revoked":
          rejection = new HostKeyError(
            `the host key of ${name} (${fp}) is marked @revoked in ${knownHostsFile}:${verdict.line}: refusing to connect`,
            "the server presents a key its administrators withdrew; contact them before connecting",
          );
          return false;
        case "changed":
          rejection = new HostKeyError(
            `WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for ${name}! The server sent ${fp}, which differs from the key in ` +
              `${knownHostsFile}:${verdict.lines.join(",")}. Someone could be intercepting the connection (man-in-the-middle attack), ` +
              `or the host key was just changed. No connection was made`,
            `check the new fingerprint with the site's administrators; only if it is genuine, remove the old key with ` +
              `'ssh-keygen -R "${name}" -f ${knownHostsFile}' and connect again with --accept-new-host-key`,
          );
          return false;
        case "unknown":
          if (opts.acceptNewHostKey) {
            // Recorded only once the handshake proves the server holds the matching private key.
            newKey = key;
            return true;
          }
          rejection = new HostKeyError(
            `the host key of ${name} is not known (${fp} is not in ${knownHostsFile}` +
              (verdict.otherTypes.length ? `, which holds only ${verdict.otherTypes.join(", ")} keys for it` : "") +
              ")",
            `if that fingerprint is the host's (ask its administrators, or compare with 'ssh-keyscan -p ${site.port} ${site.host} | ssh-keygen -lf -'), ` +
              `run the command again with --accept-new-host-key to record it`,
          );
          return false;
      }
    };

    const config: ConnectConfig = {
      host: site.host,
      port: site.port,
      username: site.user,
      privateKey,
      agent,
      readyTimeout: timeout * 1000,
      // A long `submit --wait` should notice a dead link rather than hang.
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
      hostVerifier,
      algorithms: { serverHostKey: preferredHostKeyAlgorithms(entries, site.host, site.port) },
    };

    await new Promise<void>((resolve, reject) => {
      const fail = (e: Error & { level?: string; code?: string }) => {
        client.removeAllListeners("ready");
        client.end();
        reject(rejection ?? connectError(site, e, tried, timeout));
      };
      client.once("ready", () => {
        client.removeListener("error", fail);
        resolve();
      });
      client.once("error", fail);
      try {
        client.connect(config);
      } catch (e) {
        fail(e instanceof Error ? e : new Error(String(e)));
      }
    });
    if (newKey) {
      const line = recordHostKey(knownHostsFile, site.host, site.port, newKey);
      process.stderr.write(`Recorded the host key of ${hostKeyName(site.host, site.port)} (${keyTypeOfBlob(newKey)} ${fingerprint(newKey)}) in ${knownHostsFile}${line.startsWith("|1|") ? " (hashed)" : ""}\n`);
    }
    return new RemoteSession(site, client);
  }

  /**
   * Runs a shell command on the far side, streaming its output to ours as it comes, and returns its
   * exit code. Exit 127 is the shell's "command not found": the site's spruce command is wrong.
   */
  async run(command: string, spruceCommand: string): Promise<number> {
    const code = await new Promise<number>((resolve, reject) => {
      this.client.exec(command, (err, channel) => {
        if (err) return reject(new SshConnectError(`cannot run a command on ${this.site.host}: ${err.message}`, "check that the account may run commands (no forced command or restricted shell)", err));
        let exit: number | undefined;
        let signal: string | undefined;
        channel.on("data", (d: Buffer) => process.stdout.write(d));
        channel.stderr.on("data", (d: Buffer) => process.stderr.write(d));
        channel.on("exit", (c: number | null, s?: string) => {
          exit = c ?? undefined;
          signal = s;
        });
        channel.on("close", () => {
          if (exit !== undefined) return resolve(exit);
          if (signal) return reject(new SpruceError(`the remote command was killed by SIG${signal} on ${this.site.host}`, { hint: "the login node may limit long commands: run it again, or log in and run it there" }));
          reject(this.lost());
        });
        // Nothing to send: an open stdin would keep a remote reader waiting forever.
        channel.end();
      });
    });
    if (code === 127) {
      throw new RemoteSpruceMissingError(
        `spruce not found on ${this.site.host}: the remote shell could not run '${spruceCommand}' (exit 127)`,
        `set the command that runs spruce there: ${siteAddLine(this.site, { spruce: "<command>" })}`,
      );
    }
    return code;
  }

  /**
   * Runs a shell command on the far side and returns its exit code, stdout and stderr: for a
   * command whose output this side reads (a JSON line) and whose errors it words itself.
   */
  capture(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, channel) => {
        if (err) return reject(new SshConnectError(`cannot run a command on ${this.site.host}: ${err.message}`, "check that the account may run commands (no forced command or restricted shell)", err));
        let stdout = "";
        let stderr = "";
        let exit: number | undefined;
        channel.on("data", (d: Buffer) => (stdout += d.toString()));
        channel.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        channel.on("exit", (c: number | null) => (exit = c ?? undefined));
        channel.on("close", () => (exit === undefined ? reject(this.lost()) : resolve({ code: exit, stdout, stderr })));
        channel.end();
      });
    });
  }

  /**
   * A TCP connection from the far side to host:port on its network (ssh2's forwardOut, what
   * `ssh -L` asks for). Fails with the server's reason when its sshd forbids forwarding.
   */
  forwardOut(host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      this.client.forwardOut("127.0.0.1", 0, host, port, (err, channel) => (err ? reject(err) : resolve(channel)));
    });
  }

  /** A command's channel as a stream: what is written goes to its stdin, its stdout is read (stderr is ours). */
  execStream(command: string): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, channel) => {
        if (err) return reject(err);
        channel.stderr.on("data", (d: Buffer) => process.stderr.write(d));
        resolve(channel);
      });
    });
  }

  /** Called once if the connection drops (a keepalive timeout, the network, the server going away). */
  onClose(fn: () => void): void {
    this.client.once("close", fn);
  }

  /** The session's SFTP channel, opened on first use. */
  sftp(): Promise<SFTPWrapper> {
    this.sftpChannel ??= new Promise((resolve, reject) => {
      this.client.sftp((err, sftp) => (err ? reject(new SshConnectError(`cannot open SFTP on ${this.site.host}: ${err.message}`, "the server must enable the sftp subsystem (Subsystem sftp in sshd_config)", err)) : resolve(sftp)));
    });
    return this.sftpChannel;
  }

  lost(): SshConnectError {
    return new SshConnectError(
      `the connection to ${siteLabel(this.site)} was lost${this.lostError ? `: ${this.lostError.message}` : ""}`,
      "check the network and run the command again; a search already submitted keeps running on the site",
    );
  }

  close(): void {
    this.client.end();
  }
}

function connectError(site: Site, e: Error & { level?: string; code?: string }, tried: string[], timeout: number): SpruceError {
  const where = `${site.host}:${site.port}`;
  const fix = siteAddLine(site, { host: "HOST", port: "PORT" });
  if (e.level === "client-authentication") {
    return new SshAuthError(
      `authentication failed for user '${site.user}' on ${where} (tried ${tried.join(", ")})`,
      `check the user name and that the public key of ${site.key ?? "your key"} is in ~${site.user}/.ssh/authorized_keys on the host; ` +
        `change them with: ${siteAddLine(site, { user: "USER", key: "FILE" })}`,
    );
  }
  if (e.level === "client-timeout" || e.code === "ETIMEDOUT") {
    return new SshConnectError(`timed out after ${timeout} s connecting to ${where}`, `check the host, port, VPN and firewall; wait longer with --connect-timeout SECONDS`, e);
  }
  if (e.code === "ECONNREFUSED") {
    return new SshConnectError(`connection refused by ${where}`, `is sshd running there, and is ${site.port} its port? Change them with: ${fix}`, e);
  }
  if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") {
    return new SshConnectError(`cannot resolve the host name '${site.host}'`, `check the spelling, or use an address: ${fix}`, e);
  }
  if (e.code === "EHOSTUNREACH" || e.code === "ENETUNREACH") {
    return new SshConnectError(`no route to ${where}`, "check the network, VPN or jump host", e);
  }
  return new SshConnectError(`ssh connection to ${where} failed: ${e.message}`, "run again with --verbose for details", e);
}
