// Process hygiene when the launcher itself dies (DESIGN §6): a mini launcher (fixture, compiled
// code) starts evaluations tracked by a Reaper and is SIGKILLed; its evaluations, grandchildren
// included, must be gone within seconds. Needs `npx tsc -p tsconfig.json` first.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";

const MINI_LAUNCHER = resolve("test/fixtures/runs/mini-launcher.mjs");
const root = mkdtempSync(join(tmpdir(), "spruce-reaper-"));
const started: ChildProcess[] = [];
afterAll(() => {
  // A failed assertion must not leave a mini launcher (and its sleeps) behind.
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

/** Live (non-zombie) processes in a group; see executor.test.ts for why not kill(-pgid, 0). */
function liveMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === pgid && state !== "Z") pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

function startMini(...args: string[]) {
  const child = spawn(process.execPath, [MINI_LAUNCHER, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  started.push(child);
  const firstLine = new Promise<Record<string, unknown>>((resolveLine, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => resolveLine(JSON.parse(line) as Record<string, unknown>));
    child.once("exit", (code) => reject(new Error(`mini launcher exited (${code}) before printing`)));
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, firstLine, exited };
}

describe("Reaper", () => {
  it("kills tracked evaluation groups, grandchildren included, when the launcher is SIGKILLed", async () => {
    const mini = startMini("evals", root);
    const { pgids, reaper } = (await mini.firstLine) as { pgids: number[]; reaper: number };
    expect(pgids.every((p) => p > 1)).toBe(true);
    // `sleep 1000` (under sh, unless the shell execs it); `sh` + two `sleep 1000`, one a
    // background grandchild.
    expect(await waitFor(() => liveMembers(pgids[0]!).length >= 1 && liveMembers(pgids[1]!).length === 3, 5000)).toBe(true);
    // The reaper is in none of the evaluation groups, and the evaluations not in the launcher's.
    expect(pgids.flatMap(liveMembers)).not.toContain(reaper);
    expect(pgids).not.toContain(mini.child.pid);

    mini.child.kill("SIGKILL");
    await mini.exited;
    expect(await waitFor(() => pgids.every((p) => liveMembers(p).length === 0), 5000)).toBe(true);
    expect(await waitFor(() => !alive(reaper), 3000)).toBe(true);
  });

  it("does not keep the launcher alive, and exits once the launcher has", async () => {
    const mini = startMini("idle");
    const { reaper } = (await mini.firstLine) as { reaper: number };
    expect(await mini.exited).toBe(0);
    expect(await waitFor(() => !alive(reaper), 3000)).toBe(true);
  });
});
