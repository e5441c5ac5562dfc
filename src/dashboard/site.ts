// `spruce --site NAME dashboard`: the dashboard of a site's login node, shown on this machine with
// one command (docs/architecture.md, Dashboard through a site). Over the site's SSH connection it
// finds the dashboard running there for the site's workspace, or starts one in the background
// (`spruce dashboard --detach --json` on the far side), then serves a local proxy (./proxy.ts) whose
// requests travel through SSH port forwarding (ssh2 forwardOut), or, when the site's sshd forbids
// forwarding, through exec channels each running `spruce dashboard --stdio` there.
import type { Duplex } from "node:stream";
import { SpruceError } from "../errors.js";
import { RemoteSession, type ConnectOptions } from "../remote/connection.js";
import { RemoteSpruceMissingError } from "../remote/errors.js";
import { siteAddLine, type Site } from "../remote/sites.js";
import { remoteHome, resolveRemotePath } from "../remote/transfer.js";
import { shellJoin } from "../util/shell.js";
import type { DashboardRecord } from "./record.js";
import { startProxy, type RunningProxy } from "./proxy.js";

export type Transport = "forwarding" | "exec";

export interface SiteDashboard {
  proxy: RunningProxy;
  transport: Transport;
  /** Why forwarding was not used (the server's refusal), when transport is exec. */
  refusal: string | null;
  remote: DashboardRecord;
  /** Resolves when the SSH connection closes. */
  closed: Promise<void>;
  stop(): Promise<void>;
}

export async function siteDashboard(o: { site: Site; connect: ConnectOptions; host: string; port: number; log: (line: string) => void }): Promise<SiteDashboard> {
  const session = await RemoteSession.connect(o.site, o.connect);
  const closed = new Promise<void>((resolve) => session.onClose(resolve));
  try {
    const workspace = resolveRemotePath(await remoteHome(await session.sftp()), o.site.workspace);
    const remote = await findOrStart(session, o.site, workspace);
    const target = remote.host === "0.0.0.0" || remote.host === "::" ? "127.0.0.1" : remote.host;
    // One forwarded connection tells whether the server allows it; it is not used further.
    let transport: Transport = "forwarding";
    let refusal: string | null = null;
    try {
      (await session.forwardOut(target, remote.port)).destroy();
    } catch (e) {
      transport = "exec";
      refusal = e instanceof Error ? e.message : String(e);
    }
    const stdio = `${o.site.spruce} ${shellJoin(["--workspace", workspace, "dashboard", "--stdio"])}`;
    const connect = (): Promise<Duplex> => (transport === "forwarding" ? session.forwardOut(target, remote.port) : session.execStream(stdio));
    const proxy = await startProxy({ upstream: { host: remote.host, port: remote.port, token: remote.token, connect }, host: o.host, port: o.port, log: o.log });
    return {
      proxy,
      transport,
      refusal,
      remote,
      closed,
      stop: async () => {
        await proxy.close();
        session.close();
      },
    };
  } catch (e) {
    session.close();
    throw e;
  }
}

/** The far side's running dashboard for the workspace, started in the background if there is none. */
async function findOrStart(session: RemoteSession, site: Site, workspace: string): Promise<DashboardRecord> {
  const r = await session.capture(`${site.spruce} ${shellJoin(["--workspace", workspace, "dashboard", "--detach", "--json"])}`);
  if (r.code === 127) {
    throw new RemoteSpruceMissingError(
      `spruce not found on ${site.host}: the remote shell could not run '${site.spruce}' (exit 127)`,
      `set the command that runs spruce there: ${siteAddLine(site, { spruce: "<command>" })}`,
    );
  }
  if (r.code !== 0) {
    // The far side's own one-line error and hint, said once, as ours.
    const error = /^error: (.*)$/m.exec(r.stderr)?.[1] ?? `'spruce dashboard --detach' exited with code ${r.code}`;
    const hint = /^hint: (.*)$/m.exec(r.stderr)?.[1] ?? `run 'spruce dashboard' on ${site.host} to see why`;
    throw new SpruceError(`on ${site.name}: ${error}`, { hint, exitCode: r.code === 2 ? 2 : 1 });
  }
  try {
    return JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as DashboardRecord;
  } catch {
    throw new SpruceError(`on ${site.name}: 'spruce dashboard --detach --json' printed something unexpected: ${r.stdout.slice(0, 200)}`, {
      hint: "the site's spruce may be older than this one, without the dashboard: upgrade it",
    });
  }
}
