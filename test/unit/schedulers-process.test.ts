// The process side of the adapters: submit/status/cancel against stand-in scheduler commands that
// print the recorded fixtures (no real Slurm/PBS/LSF/Cobalt needed), scheduler detection from PATH,
// and the local scheduler for real: a script runs, is seen RUNNING then FINISHED, and is cancelled.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { SchedulerError } from "../../src/errors.js";
import { CobaltScheduler } from "../../src/schedulers/cobalt.js";
import { detectScheduler } from "../../src/schedulers/index.js";
import { LocalScheduler, localLogPath } from "../../src/schedulers/local.js";
import { LsfScheduler } from "../../src/schedulers/lsf.js";
import { PbsScheduler } from "../../src/schedulers/pbs.js";
import { SlurmScheduler } from "../../src/schedulers/slurm.js";

const fixtures = join(import.meta.dirname, "../fixtures/schedulers");
const tmp = mkdtempSync(join(tmpdir(), "spruce-sched-"));
const originalPath = process.env.PATH ?? "";
afterAll(() => {
  process.env.PATH = originalPath;
  rmSync(tmp, { recursive: true, force: true });
});

let bin = "";
let counter = 0;
// A fresh folder of stand-in commands first on PATH for each test.
beforeEach(() => {
  bin = join(tmp, `bin${counter++}`);
  mkdirSync(bin);
  process.env.PATH = `${bin}:${originalPath}`;
});

/** A stand-in command: a bash script with FIX (the fixtures folder) and CALLS (a call log) set. */
function fake(name: string, body: string, dir = bin): void {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/bash\nFIX='${fixtures}'\necho "${name} $*" >> '${dir}/calls.log'\n${body}\n`);
  chmodSync(file, 0o755);
}
const calls = (): string[] => readFileSync(join(bin, "calls.log"), "utf8").trim().split("\n");

function script(name: string, body: string): string {
  const file = join(tmp, name);
  writeFileSync(file, `#!/bin/bash\n${body}\n`);
  return file;
}

async function rejection(p: Promise<unknown>): Promise<SchedulerError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SchedulerError);
  return e as SchedulerError;
}

describe("Slurm through stand-in commands", () => {
  it("submits with --parsable and returns the id without the cluster", async () => {
    fake("sbatch", 'cat "$FIX/slurm/sbatch-parsable-cluster.txt"');
    await expect(new SlurmScheduler().submit("/r/job.sbatch", { dependsOn: "41" })).resolves.toBe("4243");
    expect(calls()).toEqual(["sbatch --parsable --dependency=afterany:41 /r/job.sbatch"]);
  });

  it("a refused submission quotes sbatch's error line", async () => {
    fake("sbatch", 'cat "$FIX/slurm/sbatch-invalid-partition-stderr.txt" >&2; exit 1');
    const err = await rejection(new SlurmScheduler().submit("/r/job.sbatch"));
    expect(err.message).toBe("sbatch failed (exit 1): sbatch: error: invalid partition specified: nope");
    expect(err.exitCode).toBe(1);
  });

  it("a missing sbatch names --scheduler local", async () => {
    process.env.PATH = bin;
    const err = await rejection(new SlurmScheduler().submit("/r/job.sbatch"));
    expect(err.message).toBe("sbatch not found on PATH");
    expect(err.hint).toBe("use --scheduler local, or load the scheduler's module");
  });

  it("asks scontrol about jobs squeue does not list; an invalid id has finished", async () => {
    fake("squeue", 'echo "4242 RUNNING"');
    fake(
      "scontrol",
      `case "$3" in
         4249) cat "$FIX/slurm/scontrol-show-job-completed.txt" ;;
         4250) cat "$FIX/slurm/scontrol-show-job-cancelled.txt" ;;
         *) cat "$FIX/slurm/scontrol-invalid-stderr.txt" >&2; exit 1 ;;
       esac`,
    );
    const states = await new SlurmScheduler().status(["4242", "4249", "4250", "9999"]);
    expect(Object.fromEntries(states)).toEqual({ "4242": "RUNNING", "4249": "FINISHED", "4250": "CANCELLED", "9999": "FINISHED" });
    expect(calls()).toEqual(["squeue -h -t all -o %i %T -j 4242,4249,4250,9999", "scontrol show job 4249", "scontrol show job 4250", "scontrol show job 9999"]);
  });

  it("squeue's 'Invalid job id' for a lone purged job is not an error", async () => {
    fake("squeue", 'cat "$FIX/slurm/squeue-invalid-stderr.txt" >&2; exit 1');
    fake("scontrol", 'cat "$FIX/slurm/scontrol-invalid-stderr.txt" >&2; exit 1');
    expect(Object.fromEntries(await new SlurmScheduler().status(["7"]))).toEqual({ "7": "FINISHED" });
  });

  it("a controller that does not answer is an error, not a finished job", async () => {
    fake("squeue", 'echo "slurm_load_jobs error: Unable to contact slurm controller (connect failure)" >&2; exit 1');
    const err = await rejection(new SlurmScheduler().status(["7"]));
    expect(err.message).toContain("Unable to contact slurm controller");
  });

  it("cancelling a job that already completed succeeds", async () => {
    // Slurm 22.05 exits 0 here (the message only with -v, as recorded); older ones exit 1.
    fake("scancel", 'cat "$FIX/slurm/scancel-completed-stderr.txt" >&2');
    await expect(new SlurmScheduler().cancel("4249")).resolves.toBeUndefined();
    fake("scancel", 'cat "$FIX/slurm/scancel-completed-stderr.txt" >&2; exit 1');
    await expect(new SlurmScheduler().cancel("4249")).resolves.toBeUndefined();
    fake("scancel", 'cat "$FIX/slurm/scancel-invalid-stderr.txt" >&2; exit 1');
    await expect(new SlurmScheduler().cancel("999999")).resolves.toBeUndefined();
    fake("scancel", 'echo "scancel: error: Access/permission denied" >&2; exit 1');
    await rejection(new SlurmScheduler().cancel("4249"));
  });
});

describe("PBS through stand-in commands", () => {
  it("PBS Pro: JSON states, and an unknown id is FINISHED", async () => {
    fake("qstat", 'cat "$FIX/pbs/qstat-f-F-json-x.json"; cat "$FIX/pbs/qstat-unknown-stderr.txt" >&2; exit 153');
    const states = await new PbsScheduler().status(["1234.pbs-server", "1237.pbs-server", "9999.pbs-server"]);
    expect(Object.fromEntries(states)).toEqual({ "1234.pbs-server": "RUNNING", "1237.pbs-server": "FAILED", "9999.pbs-server": "FINISHED" });
  });

  it("Torque: falls back to qstat -f text once -F json is refused, and stays there", async () => {
    fake(
      "qstat",
      `if [ "$2" = "-F" ]; then cat "$FIX/torque/qstat-F-json-stderr.txt" >&2; exit 2; fi
       cat "$FIX/torque/qstat-f.txt"; cat "$FIX/torque/qstat-unknown-stderr.txt" >&2; exit 153`,
    );
    const pbs = new PbsScheduler();
    const ids = ["5678.torque-server", "5681.torque-server", "9999.torque-server"];
    expect(Object.fromEntries(await pbs.status(ids))).toEqual({
      "5678.torque-server": "RUNNING",
      "5681.torque-server": "FAILED",
      "9999.torque-server": "FINISHED",
    });
    await pbs.status(["5679.torque-server"]);
    expect(calls().map((c) => c.split(" ").slice(0, 3).join(" "))).toEqual(["qstat -f -F", "qstat -f 5678.torque-server", "qstat -f 5679.torque-server"]);
  });

  it("submits with the dependency and keeps the whole id", async () => {
    fake("qsub", 'cat "$FIX/pbs/qsub.txt"');
    await expect(new PbsScheduler().submit("/r/job.qsub", { dependsOn: "1233.pbs-server" })).resolves.toBe("1234.pbs-server");
    expect(calls()).toEqual(["qsub -W depend=afterany:1233.pbs-server /r/job.qsub"]);
  });
});

describe("LSF and Cobalt through stand-in commands", () => {
  it("bsub gets the script on stdin", async () => {
    fake("bsub", `cat > '${bin}/stdin.txt'; cat "$FIX/lsf/bsub-default-queue.txt"`);
    const job = script("job.bsub", "#BSUB -J x\necho hi");
    await expect(new LsfScheduler().submit(job)).resolves.toBe("102");
    expect(readFileSync(join(bin, "stdin.txt"), "utf8")).toBe(readFileSync(job, "utf8"));
  });

  it("bjobs: listed states, and 'is not found' is FINISHED", async () => {
    fake("bjobs", 'cat "$FIX/lsf/bjobs.txt"; cat "$FIX/lsf/bjobs-not-found-stderr.txt" >&2; exit 255');
    expect(Object.fromEntries(await new LsfScheduler().status(["101", "104", "999"]))).toEqual({ "101": "RUNNING", "104": "FAILED", "999": "FINISHED" });
  });

  it("Cobalt makes the script executable before qsub and reads the id after notices", async () => {
    fake("qsub", 'test -x "$1" || { echo "script is not executable" >&2; exit 1; }; cat "$FIX/cobalt/qsub.txt"');
    const job = script("job.cobalt", "#COBALT -n 1\necho hi");
    chmodSync(job, 0o644);
    await expect(new CobaltScheduler().submit(job)).resolves.toBe("335892");
    expect(statSync(job).mode & 0o111).not.toBe(0);
  });

  it("Cobalt: jobs qstat no longer lists are FINISHED", async () => {
    fake("qstat", 'cat "$FIX/cobalt/qstat.txt"');
    expect(Object.fromEntries(await new CobaltScheduler().status(["335892", "1"]))).toEqual({ "335892": "RUNNING", "1": "FINISHED" });
  });
});

describe("detectScheduler", () => {
  function dirWith(commands: Record<string, string>): string {
    const dir = join(tmp, `detect${counter++}`);
    mkdirSync(dir);
    for (const [name, body] of Object.entries(commands)) fake(name, body, dir);
    return dir;
  }

  it.each([
    ["sbatch", { sbatch: "", qsub: "" }, "slurm"],
    ["bsub", { bsub: "" }, "lsf"],
    ["PBS Pro's qsub", { qsub: 'cat "$FIX/pbs/qsub-version.txt"' }, "pbs"],
    ["Torque's qsub", { qsub: 'cat "$FIX/torque/qsub-version.txt"' }, "pbs"],
    ["Cobalt's qsub", { qsub: 'cat "$FIX/cobalt/qsub-version.txt"' }, "cobalt"],
    ["Cobalt told by qstat", { qsub: "exit 1", qstat: 'cat "$FIX/cobalt/qsub-version.txt"' }, "cobalt"],
    ["nothing", {}, "local"],
  ] as const)("%s -> %s", async (_label, commands, expected) => {
    await expect(detectScheduler(dirWith(commands))).resolves.toBe(expected);
  });

  it("ignores files that are not executable", async () => {
    const dir = dirWith({});
    writeFileSync(join(dir, "sbatch"), "not a program");
    await expect(detectScheduler(dir)).resolves.toBe("local");
  });
});

describe("local scheduler, for real", () => {
  const local = new LocalScheduler();

  async function waitFor(id: string, state: string, ms = 15_000): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      const now = (await local.status([id])).get(id);
      if (now === state) return;
      if (Date.now() > until) throw new Error(`job ${id} still ${now} after ${ms} ms, expected ${state}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  function alive(pid: string): boolean {
    try {
      const stat = execFileSync("ps", ["-o", "stat=", "-p", pid], { encoding: "utf8" }).trim();
      return stat !== "" && !stat.startsWith("Z");
    } catch {
      return false;
    }
  }

  it("runs a script detached: RUNNING, then FINISHED with its work done", async () => {
    const marker = join(tmp, "done.txt");
    const job = script("quick.sh", `sleep 1\necho finished > '${marker}'\necho to-the-log`);
    const id = await local.submit(job);
    expect(id).toMatch(/^\d+$/);
    expect((await local.status([id])).get(id)).toBe("RUNNING");
    await waitFor(id, "FINISHED");
    expect(readFileSync(marker, "utf8")).toBe("finished\n");
    expect(readFileSync(localLogPath(job), "utf8")).toBe("to-the-log\n");
  });

  it("cancel terminates the whole process group", async () => {
    const childPid = join(tmp, "child.pid");
    const job = script("long.sh", `sleep 60 &\necho $! > '${childPid}'\nwait`);
    const id = await local.submit(job);
    const until = Date.now() + 10_000;
    while (!existsSync(childPid) || readFileSync(childPid, "utf8").trim() === "") {
      if (Date.now() > until) throw new Error("the script did not start its child");
      await new Promise((r) => setTimeout(r, 50));
    }
    const child = readFileSync(childPid, "utf8").trim();
    expect(alive(child)).toBe(true);
    await local.cancel(id);
    await waitFor(id, "FINISHED");
    const deadline = Date.now() + 5_000;
    while (alive(child) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(child)).toBe(false);
    // Cancelling again, after the job ended, is not an error.
    await expect(local.cancel(id)).resolves.toBeUndefined();
  });

  it("a pid that does not exist is FINISHED", async () => {
    expect((await local.status(["4194303"])).get("4194303")).toBe("FINISHED");
  });
});
