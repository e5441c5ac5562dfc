// The reaper watchdog (started by Reaper.start in launcher/executor/reaper-client.ts). Reads
// `+pgid` / `-pgid` lines on stdin; when stdin ends, the launcher has exited or died (even a SIGKILL
// closes the pipe), so every group still tracked gets SIGTERM, then SIGKILL ~2 s later (DESIGN §6:
// evaluations must not outlive a killed launcher by more than seconds).
import { drainGroup } from "./executor/pgroup.js";

const KILL_AFTER_MS = 2000;
const tracked = new Set<number>();
let pending = "";
let reaping = false;

function apply(line: string): void {
  const pgid = Number(line.slice(1));
  if (!Number.isInteger(pgid) || pgid <= 1) return;
  if (line.startsWith("+")) tracked.add(pgid);
  else if (line.startsWith("-")) tracked.delete(pgid);
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
  for (const line of lines) apply(line.trim());
});
process.stdin.on("end", () => void reapAndExit());
process.stdin.on("error", () => void reapAndExit());
// A batch system ending the job signals everyone: take the evaluations down with us.
process.on("SIGTERM", () => void reapAndExit());
