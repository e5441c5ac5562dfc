// Pure parts of the scheduler adapters: submit/status/cancel arguments, and the parsers run on the
// recorded outputs in test/fixtures/schedulers/.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SchedulerError, ValidationError } from "../../src/errors.js";
import { CobaltScheduler, cobaltState } from "../../src/schedulers/cobalt.js";
import { explainLine } from "../../src/schedulers/exec.js";
import { getScheduler } from "../../src/schedulers/index.js";
import { LocalScheduler } from "../../src/schedulers/local.js";
import { LsfScheduler } from "../../src/schedulers/lsf.js";
import { parseQstatFullText, PbsScheduler, pbsState } from "../../src/schedulers/pbs.js";
import { parseScontrolShowJob, scontrolArgs, SlurmScheduler, slurmState } from "../../src/schedulers/slurm.js";

const fixture = (path: string): string => readFileSync(join(import.meta.dirname, "../fixtures/schedulers", path), "utf8");
const asObject = (m: Map<string, string>): Record<string, string> => Object.fromEntries(m);

describe("Slurm", () => {
  const slurm = new SlurmScheduler();

  it("builds sbatch, squeue, scontrol and scancel arguments", () => {
    expect(slurm.submitArgs("/r/job.sbatch")).toEqual({ command: "sbatch", args: ["--parsable", "/r/job.sbatch"] });
    expect(slurm.submitArgs("/r/job.sbatch", { dependsOn: "41" }).args).toEqual(["--parsable", "--dependency=afterany:41", "/r/job.sbatch"]);
    expect(slurm.statusArgs(["1", "2"])).toEqual({ command: "squeue", args: ["-h", "-t", "all", "-o", "%i %T", "-j", "1,2"] });
    expect(scontrolArgs("7")).toEqual({ command: "scontrol", args: ["show", "job", "7"] });
    expect(slurm.cancelArgs("7")).toEqual({ command: "scancel", args: ["7"] });
  });

  it("reads the job id from sbatch --parsable (with or without cluster) and the plain form", () => {
    expect(slurm.parseSubmitOutput(fixture("slurm/sbatch-parsable.txt"))).toBe("1");
    expect(slurm.parseSubmitOutput(fixture("slurm/sbatch-parsable-cluster.txt"))).toBe("4243");
    expect(slurm.parseSubmitOutput(fixture("slurm/sbatch-plain.txt"))).toBe("2");
    expect(() => slurm.parseSubmitOutput("")).toThrow(SchedulerError);
  });

  it("maps squeue states and ignores jobs not asked for", () => {
    // Recorded with -t all: ended jobs stay listed for MinJobAge; 8 was caught just after scancel.
    const ids = ["1", "2", "3", "4", "5", "7", "8"];
    expect(asObject(slurm.parseStatus(fixture("slurm/squeue-jobs.txt"), ids))).toEqual({
      "1": "RUNNING",
      "2": "FINISHED",
      "3": "FAILED",
      "4": "QUEUED",
      "5": "CANCELLED",
      "7": "RUNNING",
      "8": "RUNNING",
    });
    expect([...slurm.parseStatus(fixture("slurm/squeue-jobs.txt"), ["1"]).keys()]).toEqual(["1"]);
  });

  it("reads JobState from scontrol show job", () => {
    expect(parseScontrolShowJob(fixture("slurm/scontrol-show-job-completed.txt"))).toBe("FINISHED");
    expect(parseScontrolShowJob(fixture("slurm/scontrol-show-job-cancelled.txt"))).toBe("CANCELLED");
    expect(parseScontrolShowJob(fixture("slurm/scontrol-show-job-failed.txt"))).toBe("FAILED");
    expect(parseScontrolShowJob(fixture("slurm/scontrol-show-job-running.txt"))).toBe("RUNNING");
    expect(parseScontrolShowJob(fixture("slurm/scontrol-show-job-pending.txt"))).toBe("QUEUED");
    expect(parseScontrolShowJob(fixture("slurm/scontrol-show-job-timeout.txt"))).toBe("FAILED");
    expect(parseScontrolShowJob("")).toBeNull();
  });

  it.each([
    ["PENDING", "QUEUED"],
    ["CONFIGURING", "RUNNING"],
    ["COMPLETING", "RUNNING"],
    ["OUT_OF_MEMORY", "FAILED"],
    ["NODE_FAIL", "FAILED"],
    ["CANCELLED by 0", "CANCELLED"],
    ["SOMETHING_NEW", "SUBMITTED"],
  ])("state %s -> %s", (state, expected) => {
    expect(slurmState(state)).toBe(expected);
  });

  it("quotes the scheduler's error line", () => {
    const line = explainLine({ stdout: "", stderr: fixture("slurm/sbatch-invalid-partition-stderr.txt"), code: 1 });
    expect(line).toBe("sbatch: error: invalid partition specified: nope");
  });
});

describe("PBS Pro and Torque", () => {
  const pbs = new PbsScheduler();

  it("builds qsub, qstat and qdel arguments", () => {
    expect(pbs.submitArgs("/r/job.qsub")).toEqual({ command: "qsub", args: ["/r/job.qsub"] });
    expect(pbs.submitArgs("/r/job.qsub", { dependsOn: "1234.pbs-server" }).args).toEqual(["-W", "depend=afterany:1234.pbs-server", "/r/job.qsub"]);
    expect(pbs.statusArgs(["1.s", "2.s"])).toEqual({ command: "qstat", args: ["-f", "-F", "json", "-x", "1.s", "2.s"] });
    expect(pbs.statusTextArgs(["1.s"])).toEqual({ command: "qstat", args: ["-f", "1.s"] });
    expect(pbs.cancelArgs("1.s")).toEqual({ command: "qdel", args: ["1.s"] });
  });

  it("keeps the whole job id", () => {
    expect(pbs.parseSubmitOutput(fixture("pbs/qsub.txt"))).toBe("1234.pbs-server");
    expect(pbs.parseSubmitOutput("5678\n")).toBe("5678");
    expect(() => pbs.parseSubmitOutput(fixture("pbs/qsub-unknown-queue-stderr.txt"))).toThrow(SchedulerError);
  });

  it("parses qstat -f -F json -x, with exit status deciding FINISHED or FAILED", () => {
    const ids = ["1234.pbs-server", "1235.pbs-server", "1236.pbs-server", "1237.pbs-server", "1238.pbs-server"];
    expect(asObject(pbs.parseStatus(fixture("pbs/qstat-f-F-json-x.json"), ids))).toEqual({
      "1234.pbs-server": "RUNNING",
      "1235.pbs-server": "QUEUED",
      "1236.pbs-server": "FINISHED",
      "1237.pbs-server": "FAILED",
      "1238.pbs-server": "QUEUED",
    });
  });

  it("matches a qstat key to the id qsub printed by sequence number", () => {
    expect(asObject(pbs.parseStatus(fixture("pbs/qstat-f-F-json-x.json"), ["1234.pbs-server.example.org"]))).toEqual({
      "1234.pbs-server.example.org": "RUNNING",
    });
  });

  it("says so when qstat prints invalid JSON", () => {
    expect(() => pbs.parseStatus('{"Jobs": {', ["1"])).toThrow(/invalid JSON/);
    expect(pbs.parseStatus("", ["1"]).size).toBe(0);
  });

  it("parses Torque's qstat -f text", () => {
    const ids = ["5678.torque-server", "5679.torque-server", "5680.torque-server", "5681.torque-server"];
    expect(asObject(parseQstatFullText(fixture("torque/qstat-f.txt"), ids))).toEqual({
      "5678.torque-server": "RUNNING",
      "5679.torque-server": "QUEUED",
      "5680.torque-server": "FINISHED",
      "5681.torque-server": "FAILED",
    });
  });

  it.each([
    ["Q", null, "QUEUED"],
    ["H", null, "QUEUED"],
    ["W", null, "QUEUED"],
    ["R", null, "RUNNING"],
    ["E", null, "RUNNING"],
    ["B", null, "RUNNING"],
    ["F", 0, "FINISHED"],
    ["F", null, "FINISHED"],
    ["X", 0, "FINISHED"],
    ["F", 271, "FAILED"],
    ["C", 1, "FAILED"],
    ["?", null, "SUBMITTED"],
  ] as const)("job_state %s exit %s -> %s", (letter, exit, expected) => {
    expect(pbsState(letter, exit)).toBe(expected);
  });
});

describe("Cobalt", () => {
  const cobalt = new CobaltScheduler();

  it("builds qsub, qstat and qdel arguments", () => {
    expect(cobalt.submitArgs("/r/job.cobalt")).toEqual({ command: "qsub", args: ["/r/job.cobalt"] });
    expect(cobalt.submitArgs("/r/job.cobalt", { dependsOn: "335892" }).args).toEqual(["--dependencies", "335892", "/r/job.cobalt"]);
    expect(cobalt.statusArgs(["1", "2"])).toEqual({ command: "qstat", args: ["1", "2"] });
    expect(cobalt.cancelArgs("1")).toEqual({ command: "qdel", args: ["1"] });
  });

  it("reads the job id from the last line, after site notices", () => {
    expect(cobalt.parseSubmitOutput(fixture("cobalt/qsub.txt"))).toBe("335892");
    expect(cobalt.parseSubmitOutput(fixture("cobalt/qsub-bare.txt"))).toBe("335900");
    expect(() => cobalt.parseSubmitOutput("Job routed to queue \"debug\".\n")).toThrow(SchedulerError);
  });

  it("parses the qstat table by its header", () => {
    const ids = ["335892", "335893", "335894", "335895"];
    expect(asObject(cobalt.parseStatus(fixture("cobalt/qstat.txt"), ids))).toEqual({
      "335892": "RUNNING",
      "335893": "QUEUED",
      "335894": "QUEUED",
      "335895": "RUNNING",
    });
    const reordered = "State    JobID\n===============\nqueued   7\n";
    expect(asObject(cobalt.parseStatus(reordered, ["7"]))).toEqual({ "7": "QUEUED" });
    expect(cobalt.parseStatus("", ["7"]).size).toBe(0);
  });

  it("maps states", () => {
    expect(cobaltState("admin_hold")).toBe("QUEUED");
    expect(cobaltState("starting")).toBe("RUNNING");
    expect(cobaltState("dep_fail")).toBe("FAILED");
    expect(cobaltState("mystery")).toBe("SUBMITTED");
  });
});

describe("LSF", () => {
  const lsf = new LsfScheduler();

  it("feeds the script on stdin and builds bjobs and bkill arguments", () => {
    expect(lsf.submitArgs("/r/job.bsub")).toEqual({ command: "bsub", args: [], stdinFile: "/r/job.bsub" });
    expect(lsf.submitArgs("/r/job.bsub", { dependsOn: "101" })).toEqual({ command: "bsub", args: ["-w", "ended(101)"], stdinFile: "/r/job.bsub" });
    expect(lsf.statusArgs(["101", "102"])).toEqual({ command: "bjobs", args: ["-noheader", "-o", "jobid stat", "101", "102"] });
    expect(lsf.cancelArgs("101")).toEqual({ command: "bkill", args: ["101"] });
  });

  it("reads both bsub answers", () => {
    expect(lsf.parseSubmitOutput(fixture("lsf/bsub.txt"))).toBe("101");
    expect(lsf.parseSubmitOutput(fixture("lsf/bsub-default-queue.txt"))).toBe("102");
    expect(() => lsf.parseSubmitOutput("Request aborted by esub.\n")).toThrow(SchedulerError);
  });

  it("maps bjobs states", () => {
    expect(asObject(lsf.parseStatus(fixture("lsf/bjobs.txt"), ["101", "102", "103", "104", "105"]))).toEqual({
      "101": "RUNNING",
      "102": "QUEUED",
      "103": "FINISHED",
      "104": "FAILED",
      "105": "QUEUED",
    });
    expect(lsf.parseStatus(fixture("lsf/bjobs-not-found-stderr.txt"), ["999"]).size).toBe(0);
  });
});

describe("local", () => {
  const local = new LocalScheduler();

  it("runs scripts with bash, reads ps, signals the process group", () => {
    expect(local.submitArgs("/r/job.sh")).toEqual({ command: "bash", args: ["/r/job.sh"] });
    expect(local.statusArgs(["100", "200"])).toEqual({ command: "ps", args: ["-o", "pid=,stat=", "-p", "100,200"] });
    expect(asObject(local.parseStatus("  100 S\n  200 Z\n", ["100", "200"]))).toEqual({ "100": "RUNNING", "200": "FINISHED" });
    expect(local.cancelArgs("100")).toEqual({ command: "kill", args: ["-TERM", "--", "-100"] });
  });

  it("refuses ids that would signal every process", () => {
    expect(() => local.cancelArgs("1")).toThrow(ValidationError);
    expect(() => local.cancelArgs("0")).toThrow(ValidationError);
    expect(() => local.cancelArgs("-1")).toThrow(ValidationError);
    expect(() => local.statusArgs(["12 34"])).toThrow(ValidationError);
  });
});

describe("job ids and scheduler names", () => {
  it("refuses ids that would read as options", () => {
    expect(() => new SlurmScheduler().cancelArgs("-u")).toThrow(ValidationError);
    expect(() => new PbsScheduler().statusArgs(["1.s", "--all"])).toThrow(ValidationError);
    expect(() => new SlurmScheduler().submitArgs("/j", { dependsOn: "1;2" })).toThrow(ValidationError);
  });

  it("getScheduler returns each adapter and names the choices for an unknown one", () => {
    for (const name of ["slurm", "pbs", "cobalt", "lsf", "local"]) expect(getScheduler(name).name).toBe(name);
    expect(() => getScheduler("sge")).toThrow(ValidationError);
    try {
      getScheduler("sge");
    } catch (e) {
      expect((e as ValidationError).hint).toContain("slurm, pbs, cobalt, lsf, local");
    }
  });
});
