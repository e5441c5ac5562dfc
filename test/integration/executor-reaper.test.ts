// Process hygiene when the launcher itself dies (docs/architecture.md, The C spawner): a mini launcher (compiled code)
// starts evaluations through its Spawner and is SIGKILLed; its evaluations, grandchildren included,
// must be gone within seconds. Needs `npx tsc -p tsconfig.json` first.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = mkdtempSync(join(tmpdir(), "spruce-watchdog-"));
const dist = (file: string) => JSON.stringify(pathToFileURL(resolve("dist/launcher/executor", file)).href);
// `evals <dir>`: starts two command evaluations that would sleep for ever (one with a background
// grandchild), prints their group ids and the spawner's pid as JSON and waits to be SIGKILLed (the
// evaluations in flight keep it alive). `idle`: starts a Spawner and nothing else; it must exit by
// itself (an idle spawner holds no ref).
const MINI_LAUNCHER = join(root, "mini-launcher.mjs");
writeFileSync(
  MINI_LAUNCHER,
  `import { join } from "node:path";
import { startEvaluation } from ${dist("process.js")};
import { Spawner } from ${dist("spawner-client.js")};
const [mode, dir] = process.argv.slice(2);
const spawner = Spawner.start();
if (mode === "evals") {
  const start = (evalId, template) =>
    startEvaluation({ evalId, attempt: 1, point: {}, run: { kind: "command", template, cwd: dir }, workdir: join(dir, String(evalId)), seed: 1, timeoutSeconds: null }, { spawner });
  const pgids = await Promise.all([start(1, "sleep 1000"), start(2, "sleep 1000 & sleep 1000; wait")].map((run) => run.pid));
  console.log(JSON.stringify({ pgids, spawner: spawner.pid }));
} else {
  console.log(JSON.stringify({ spawner: spawner.pid }));
}
`,
);
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

describe("Spawner as the launcher's watchdog", () => {
  it("kills tracked evaluation groups, grandchildren included, when the launcher is SIGKILLed", async () => {
    const mini = startMini("evals", root);
    const { pgids, spawner } = (await mini.firstLine) as { pgids: number[]; spawner: number };
    expect(pgids.every((p) => p > 1)).toBe(true);
    // `sleep 1000` (under sh, unless the shell execs it); `sh` + two `sleep 1000`, one a
    // background grandchild.
    expect(await waitFor(() => liveMembers(pgids[0]!).length >= 1 && liveMembers(pgids[1]!).length === 3, 5000)).toBe(true);
    // The spawner is in none of the evaluation groups, and the evaluations not in the launcher's.
    expect(pgids.flatMap(liveMembers)).not.toContain(spawner);
    expect(pgids).not.toContain(mini.child.pid);

    mini.child.kill("SIGKILL");
    await mini.exited;
    expect(await waitFor(() => pgids.every((p) => liveMembers(p).length === 0), 5000)).toBe(true);
    expect(await waitFor(() => !alive(spawner), 3000)).toBe(true);
  });

  it("does not keep the launcher alive, and exits once the launcher has", async () => {
    const mini = startMini("idle");
    const { spawner } = (await mini.firstLine) as { spawner: number };
    expect(await mini.exited).toBe(0);
    expect(await waitFor(() => !alive(spawner), 3000)).toBe(true);
  });
});
