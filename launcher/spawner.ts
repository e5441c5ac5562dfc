// The spawner (started by Spawner.start in launcher/executor/spawner-client.ts): a small process,
// one per launcher, that prepares every evaluation's working directory and forks its process on
// the launcher's behalf. fork() copies the page tables of the forking process, so spawning from the
// launcher (hundreds of MB with the store, the searcher and the results) costs several times what
// it costs from this process, which loads nothing but node:child_process and node:fs; and the
// launcher's loop never waits on file creation.
//
// It is also the launcher's watchdog (DESIGN §6): when its stdin ends, the launcher has exited or
// died (even a SIGKILL closes the pipe), so every group it started and the launcher has not yet
// released gets SIGTERM, then SIGKILL ~2 s later, and the spawner exits.
//
// Protocol, JSON lines both ways (see SpawnerRequest and SpawnerReport in spawner-client.ts):
//   in:  {"op":"spawn","id","argv","cwd","env","workdir","point","pointJson","result","stdout","stderr"}
//        env is added to the spawner's own
//        {"op":"release","pgid"}  the launcher drained a group reported with members left
//   out: {"ev":"spawned","id","pid"}  pid is also the group id (each evaluation leads its own group)
//        {"ev":"exit","id","code","signal","left"}  left: the group still has members (to release)
//        {"ev":"error","id","message"}  could not start; nothing else follows for this id
//        {"ev":"unprepared","id","message"}  could not write the working directory; nothing started
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from "node:fs";
import { drainGroup, signalGroup } from "./executor/pgroup.js";
import type { SpawnerReport, SpawnerRequest, SpawnRequest } from "./executor/spawner-client.js";

const KILL_AFTER_MS = 2000;
/** The launcher's environment as it was when it started us: copied once, not per spawn. */
const baseEnv: NodeJS.ProcessEnv = { ...process.env };
const tracked = new Set<number>();
let pending = "";
let outbox: string[] = [];
let reaping = false;

/** Reports go out once per event-loop turn: one write for all the exits the kernel reported at once. */
function report(r: SpawnerReport): void {
  if (outbox.length === 0) setImmediate(flush);
  outbox.push(JSON.stringify(r));
}

function flush(): void {
  const text = outbox.join("\n") + "\n";
  outbox = [];
  // A launcher that is gone cannot read: stdin's end does the cleanup, a write error is moot.
  if (!reaping) process.stdout.write(text);
}

/**
 * Prepares the working directory (point.json, empty stdout.txt and stderr.txt, no stale result.json)
 * and returns the descriptors the child writes to. Synchronous calls: the spawner is what limits
 * dispatch throughput (bench/dispatch), and these cost it about a tenth of the main-thread time of
 * their thread-pool versions (0.03 vs 0.45 ms an evaluation, profiled), which raised the launcher
 * from about 0.5x to 0.6x the raw spawn rate. The price: a file system that stalls stalls the
 * spawner too, as it would the evaluation it prepares.
 */
function prepare(req: SpawnRequest): { out: number | "ignore"; err: number | "ignore" } {
  const created = mkdirSync(req.workdir, { recursive: true });
  // undefined: the directory was there already, and may hold an earlier attempt's result.
  if (created === undefined) rmSync(req.result, { force: true });
  if (req.outputInChild) return { out: "ignore", err: "ignore" };
  writeFileSync(req.point, req.pointJson + "\n");
  const out = openSync(req.stdout, "w");
  try {
    return { out, err: openSync(req.stderr, "w") };
  } catch (e) {
    closeSync(out);
    throw e;
  }
}

function start(req: Extract<SpawnerRequest, { op: "spawn" }>): void {
  const { id, argv } = req;
  let out: number | "ignore", err: number | "ignore";
  try {
    ({ out, err } = prepare(req));
  } catch (e) {
    report({ ev: "unprepared", id, message: (e as Error).message });
    return;
  }
  try {
    // The launcher died while the files were being written: it will not hear of this evaluation.
    if (reaping) return;
    // detached: the child leads a new process group (and session), so signals to -pid reach
    // everything it forks and none of it shares our group or the launcher's. Output goes to files,
    // not pipes through us: a fast writer can never block on a busy spawner or launcher.
    const child = spawn(argv[0]!, argv.slice(1), { cwd: req.cwd, env: { ...baseEnv, ...req.env }, detached: true, stdio: ["ignore", out, err] });
    // Spawn failed (missing program or cwd): Node reports it on the next tick, with no exit to follow.
    if (child.pid === undefined) {
      child.once("error", (e) => report({ ev: "error", id, message: e.message }));
      return;
    }
    const pid = child.pid;
    tracked.add(pid);
    report({ ev: "spawned", id, pid });
    child.once("exit", (code, signal) => {
      // Usually the group died with its leader: then it is forgotten here and now, and the launcher
      // neither drains it nor sends a release. An empty group never comes back (only a new process
      // reusing the number could), so nothing is lost by not watching it.
      const left = signalGroup(pid, 0);
      if (!left) tracked.delete(pid);
      report({ ev: "exit", id, code, signal, left });
    });
  } catch (e) {
    report({ ev: "error", id, message: (e as Error).message });
  } finally {
    // The child has its own copies of the descriptors.
    if (out !== "ignore") closeSync(out);
    if (err !== "ignore") closeSync(err);
  }
}

function apply(line: string): void {
  if (line.length === 0 || reaping) return;
  const req = JSON.parse(line) as SpawnerRequest;
  if (req.op === "spawn") start(req);
  else tracked.delete(req.pgid);
}

async function reapAndExit(): Promise<void> {
  if (reaping) return;
  reaping = true;
  const killAt = Date.now() + KILL_AFTER_MS;
  await Promise.all([...tracked].map((pgid) => drainGroup(pgid, killAt)));
  process.exit(0);
}

process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  const lines = (pending + chunk).split("\n");
  pending = lines.pop()!;
  for (const line of lines) apply(line);
});
process.stdin.on("end", () => void reapAndExit());
process.stdin.on("error", () => void reapAndExit());
// The launcher reads our reports until it dies; after that, writes fail and stdin ends too.
process.stdout.on("error", () => void reapAndExit());
// A batch system ending the job (scancel, walltime) signals every process of it. The spawner
// ignores that: the launcher gets the same SIGTERM and stops the evaluations through us, so they
// are recorded as interrupted (and re-run) rather than lost half-started. We follow the launcher
// through its pipe alone; the scheduler's SIGKILL after its grace period still ends everything.
process.on("SIGTERM", () => undefined);
process.on("SIGINT", () => undefined);
