// Rendered batch scripts for every scheduler: directives present and correctly formatted, optional
// ones left out, awkward values quoted, and every script clean under `bash -n` and shellcheck.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { renderScript, type ScriptContext } from "../../src/schedulers/render.js";
import { SCHEDULER_NAMES, type SchedulerName } from "../../src/schedulers/types.js";

const tmp = mkdtempSync(join(tmpdir(), "spruce-templates-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function context(scheduler: SchedulerName, over: Partial<ScriptContext> = {}): ScriptContext {
  return {
    scheduler,
    workflow: "polynome2",
    jobName: "spruce-polynome2",
    nodes: 2,
    walltimeMinutes: 90,
    queue: "debug",
    project: "ATPESC2024",
    resultsDir: "/home/user/.spruce/data/polynome2",
    outputFile: "/home/user/.spruce/data/polynome2/batch.out",
    errorFile: "/home/user/.spruce/data/polynome2/batch.err",
    envScript: "/home/user/env.sh",
    env: { SPRUCE_WORKSPACE: "/home/user/.spruce", SPRUCE_DATABASE_FILE: "/home/user/.spruce/db.json" },
    launcherCommand: ["/usr/bin/node", "/opt/spruce/dist/src/cli/main.js", "launch", "polynome2"],
    schedFlags: [],
    ranksPerNode: 4,
    ...over,
  };
}

// Paths with spaces, a quote in the env script path, characters HTML escaping would mangle.
function awkward(scheduler: SchedulerName): ScriptContext {
  return context(scheduler, {
    workflow: "my search & co <1>",
    resultsDir: "/home/us er/my results/wf",
    outputFile: "/home/us er/my results/wf/batch.out",
    errorFile: "/home/us er/my results/wf/batch.err",
    envScript: "/home/us er/it's env.sh",
    env: { SPRUCE_WORKSPACE: "/home/us er/ws", SPRUCE_NOTE: "a&b<c>'d\"e$HOME`id`" },
    launcherCommand: ["/opt/my node/bin/node", "/opt/spruce dist/cli.js", "launch", "it's mine", "--flag=$(id)"],
    schedFlags: ["--comment=a b", "-l filesystems=home:eagle"],
  });
}

function checkShell(script: string, name: string): void {
  const file = join(tmp, name);
  writeFileSync(file, script);
  const syntax = spawnSync("bash", ["-n", file], { encoding: "utf8" });
  expect(syntax.status, syntax.stderr).toBe(0);
  const lint = spawnSync("shellcheck", ["-s", "bash", file], { encoding: "utf8" });
  if (lint.error) throw new Error("shellcheck is not installed (apt-get install shellcheck): the script checks need it");
  expect(lint.status, lint.stdout + lint.stderr).toBe(0);
}

describe.each(SCHEDULER_NAMES.map((s) => [s]))("%s script", (scheduler) => {
  it("passes bash -n and shellcheck with plain values", () => {
    checkShell(renderScript(context(scheduler)), `${scheduler}-plain.sh`);
  });

  it("passes bash -n and shellcheck with awkward values, quoted in the body", () => {
    const script = renderScript(awkward(scheduler));
    checkShell(script, `${scheduler}-awkward.sh`);
    expect(script).toContain("cd '/home/us er/my results/wf' || exit 1");
    expect(script).toContain("source '/home/us er/it'\\''s env.sh'");
    expect(script).toContain("export SPRUCE_NOTE='a&b<c>'\\''d\"e$HOME`id`'");
    expect(script).toContain("exec '/opt/my node/bin/node' '/opt/spruce dist/cli.js' launch 'it'\\''s mine' '--flag=$(id)'");
    expect(script).not.toMatch(/&amp;|&lt;|&#x27;|&#39;/);
  });

  it("starts with a shebang and leaves out the env script when there is none", () => {
    const script = renderScript(context(scheduler, { envScript: null }));
    expect(script.startsWith("#!/bin/bash\n")).toBe(true);
    expect(script).not.toContain("source ");
    expect(script.endsWith("\n")).toBe(true);
  });

  it("rejects a queue that would inject a command", () => {
    expect(() => renderScript(context(scheduler, { queue: "debug; rm -rf ~" }))).toThrow(ValidationError);
  });
});

describe("directives", () => {
  it("Slurm: -J -N -t -p -A -o -e, never requeued, and one line per --sched-flags entry", () => {
    const s = renderScript(context("slurm", { schedFlags: ["--gres=gpu:1", "--exclusive"], walltimeMinutes: 1440 }));
    for (const line of [
      "#SBATCH -J spruce-polynome2",
      "#SBATCH -N 2",
      "#SBATCH -t 1-00:00:00",
      "#SBATCH --no-requeue",
      "#SBATCH -p debug",
      "#SBATCH -A ATPESC2024",
      "#SBATCH -o /home/user/.spruce/data/polynome2/batch.out",
      "#SBATCH -e /home/user/.spruce/data/polynome2/batch.err",
      "#SBATCH --gres=gpu:1",
      "#SBATCH --exclusive",
    ]) {
      expect(s).toContain(line + "\n");
    }
  });

  it("PBS Pro: select, walltime as HH:MM:SS (never 1:90:00), not rerunnable, -q -A -N -o -e", () => {
    const s = renderScript(context("pbs"));
    for (const line of ["#PBS -N spruce-polynome2", "#PBS -l select=2", "#PBS -l place=scatter", "#PBS -l walltime=01:30:00", "#PBS -r n", "#PBS -q debug", "#PBS -A ATPESC2024"]) {
      expect(s).toContain(line + "\n");
    }
    expect(s).toMatch(/^#PBS -o \/home\/user\/.spruce\/data\/polynome2\/batch.out$/m);
    expect(s).not.toContain("1:90:00");
    expect(renderScript(context("pbs", { walltimeMinutes: 59 }))).toContain("#PBS -l walltime=00:59:00\n");
    expect(renderScript(context("pbs", { walltimeMinutes: 1440 }))).toContain("#PBS -l walltime=24:00:00\n");
  });

  it("Cobalt: -n, -t in minutes, -q -A --jobname -o -e", () => {
    const s = renderScript(context("cobalt"));
    for (const line of ["#COBALT --jobname spruce-polynome2", "#COBALT -n 2", "#COBALT -t 90", "#COBALT -q debug", "#COBALT -A ATPESC2024"]) {
      expect(s).toContain(line + "\n");
    }
    expect(s).toMatch(/^#COBALT -e \/home\/user\/.spruce\/data\/polynome2\/batch.err$/m);
  });

  it("LSF: -n nodes x ranks with span[ptile], -W [hh:]mm, -q -P -J; -nnodes on request", () => {
    const s = renderScript(context("lsf"));
    for (const line of ['#BSUB -n 8', '#BSUB -R "span[ptile=4]"', "#BSUB -W 1:30", "#BSUB -q debug", "#BSUB -P ATPESC2024", "#BSUB -J spruce-polynome2"]) {
      expect(s).toContain(line + "\n");
    }
    expect(s).not.toContain("-nnodes");
    expect(renderScript(context("lsf", { walltimeMinutes: 59 }))).toContain("#BSUB -W 59\n");
    const csm = renderScript(context("lsf", { lsfNnodes: true }));
    expect(csm).toContain("#BSUB -nnodes 2\n");
    expect(csm).not.toContain("#BSUB -n 8");
    expect(csm).not.toContain("span[ptile");
  });

  it.each([
    ["slurm", ["#SBATCH -p", "#SBATCH -A"]],
    ["pbs", ["#PBS -q", "#PBS -A"]],
    ["cobalt", ["#COBALT -q", "#COBALT -A"]],
    ["lsf", ["#BSUB -q", "#BSUB -P"]],
  ] as const)("%s leaves out queue and project when not given", (scheduler, absent) => {
    const s = renderScript(context(scheduler, { queue: null, project: null }));
    for (const prefix of absent) expect(s).not.toContain(prefix);
    expect(s).not.toMatch(/^\s*$\n^\s*$/m);
  });

  it("directive paths with spaces are double-quoted; quotes in them are refused", () => {
    const s = renderScript(awkward("slurm"));
    expect(s).toContain('#SBATCH -o "/home/us er/my results/wf/batch.out"\n');
    expect(() => renderScript(context("slurm", { outputFile: "/home/it's/batch.out" }))).toThrow(/directive line/);
    // The local script has no directives, so the same path is fine there.
    expect(renderScript(context("local", { outputFile: "/home/it's/batch.out" }))).toContain("exec >>'/home/it'\\''s/batch.out'");
  });

  it("the local script has no directives", () => {
    expect(renderScript(context("local"))).not.toMatch(/^#(SBATCH|PBS|COBALT|BSUB)/m);
  });
});

describe("values checked before rendering", () => {
  it.each([
    ["a relative launcher", { launcherCommand: ["node", "cli.js"] }, /absolute path/],
    ["an empty launcher", { launcherCommand: [] }, /launcher command is empty/],
    ["a relative results dir", { resultsDir: "data/wf" }, /absolute path/],
    ["a newline in the workflow name", { workflow: "wf\nrm -rf ~" }, /newline/],
    ["a bad job name", { jobName: "a b" }, /job name/],
    ["a password in the environment", { env: { PGPASSWORD: "hunter2" } }, /secret/],
    ["zero nodes", { nodes: 0 }, /-n\/--nodes/],
    ["a sched flag that is not an option", { schedFlags: ["rm -rf ~"] }, /--sched-flags/],
  ] as const)("rejects %s", (_label, over, message) => {
    expect(() => renderScript(context("slurm", over as Partial<ScriptContext>))).toThrow(message);
  });
});

describe("site templates (--template FILE)", () => {
  it("receive the documented variables and the partials", () => {
    const file = join(tmp, "site.hbs");
    writeFileSync(
      file,
      [
        "#!/bin/bash",
        "#SITE nodes={{nodes}} ranks={{totalRanks}} t={{walltime}} hms={{walltimeHMS}} min={{walltimeMinutes}}",
        "{{#if queue}}#SITE queue={{queue}}{{/if}}",
        "{{> env}}",
        "{{> launch}}",
      ].join("\n"),
    );
    const s = renderScript(context("pbs", { walltimeMinutes: 1530 }), file);
    expect(s).toContain("#SITE nodes=2 ranks=8 t=25:30:00 hms=25:30:00 min=1530\n");
    expect(s).toContain("#SITE queue=debug\n");
    expect(s).toContain("exec /usr/bin/node /opt/spruce/dist/src/cli/main.js launch polynome2\n");
    checkShell(s, "site.sh");
  });

  it("a misspelt variable or a missing file is a ValidationError", () => {
    const file = join(tmp, "typo.hbs");
    writeFileSync(file, "#!/bin/bash\n#SITE {{nodez}}\n");
    expect(() => renderScript(context("slurm"), file)).toThrow(ValidationError);
    expect(() => renderScript(context("slurm"), file)).toThrow(/nodez/);
    expect(() => renderScript(context("slurm"), join(tmp, "nope.hbs"))).toThrow(/does not exist/);
  });
});

describe("the local script runs", () => {
  it("cds to the results dir, sources the env script, exports env and execs the launcher with its arguments intact", () => {
    const dir = join(tmp, "run dir's");
    mkdirSync(dir, { recursive: true });
    const envScript = join(dir, "it's env.sh");
    writeFileSync(envScript, "export FROM_ENV_SCRIPT=yes\n");
    const script = renderScript(
      context("local", {
        resultsDir: dir,
        outputFile: join(dir, "out.txt"),
        errorFile: join(dir, "err.txt"),
        envScript,
        env: { SPRUCE_NOTE: "a&b 'c' $HOME" },
        launcherCommand: ["/bin/sh", "-c", 'printf "%s|" "$PWD" "$1" "$2" "$SPRUCE_NOTE" "$FROM_ENV_SCRIPT"', "sh", "it's", "$(id)"],
      }),
    );
    const file = join(dir, "job.sh");
    writeFileSync(file, script);
    execFileSync("bash", [file]);
    expect(readFileSync(join(dir, "out.txt"), "utf8")).toBe(`${dir}|it's|$(id)|a&b 'c' $HOME|yes|`);
  });
});
