// Whether a process is alive, as recovery and locks need it: a zombie (killed but not yet reaped —
// PID 1 of some containers never reaps) is dead, though kill(pid, 0) still succeeds on it.
import { readFileSync } from "node:fs";

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return true; // no /proc (not Linux): trust kill(0)
  }
}
