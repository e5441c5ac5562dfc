// Validation of the values that reach batch scripts: queue, project, job name, paths, extra
// directives and environment variables. A rejected value is a ValidationError (exit code 2).
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import {
  directivePath,
  jobNameFor,
  validateAbsolutePath,
  validateCommentText,
  validateCount,
  validateEnvName,
  validateJobName,
  validateProject,
  validateQueue,
  validateSchedFlag,
} from "../../src/schedulers/validate.js";

function rejection(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).exitCode).toBe(2);
    return e as ValidationError;
  }
  throw new Error("expected a ValidationError");
}

describe("queue", () => {
  it("rejects a shell injection with the message users see", () => {
    const err = rejection(() => validateQueue("debug; rm -rf ~"));
    expect(err.message).toMatch(/^queue 'debug; rm -rf ~' has characters a scheduler queue cannot have \(allowed: .+\)$/);
    expect(err.hint).toContain("-q/--queue");
  });

  it.each(["debug", "debug-cache-quad", "workq@pbs-server", "gpu.a100", "batch,debug", "prod_1"])("accepts %s", (q) => {
    expect(validateQueue(q)).toBe(q);
  });

  it.each(["", "-o/etc/passwd", "de bug", "q$(id)", "q`id`", "q\nx", "x".repeat(129)])("rejects %j", (q) => {
    rejection(() => validateQueue(q));
  });
});

describe("project and job name", () => {
  it.each(["ATPESC2024", "m1234", "csc_249", "proj+gpu"])("accepts project %s", (p) => {
    expect(validateProject(p)).toBe(p);
  });

  it.each(["", "-A", "a b", "p;x", "p'x"])("rejects project %j", (p) => {
    expect(rejection(() => validateProject(p)).message).toMatch(/^project /);
  });

  it.each(["wf", "spruce-wf.1+a", "_x", "9lives"])("accepts job name %s", (n) => {
    expect(validateJobName(n)).toBe(n);
  });

  it.each(["", "-x", ".x", "a b", "a/b", "a'b", "x".repeat(65)])("rejects job name %j", (n) => {
    rejection(() => validateJobName(n));
  });

  it("derives a valid job name from any workflow name", () => {
    expect(jobNameFor("my search")).toBe("my_search");
    expect(jobNameFor("-lead")).toBe("_-lead");
    expect(jobNameFor("é'x")).toBe("__x");
    expect(jobNameFor("w".repeat(100))).toHaveLength(64);
  });
});

describe("paths", () => {
  it("accepts absolute paths with spaces and quotes for body lines", () => {
    expect(validateAbsolutePath("/a b/it's", "results directory")).toBe("/a b/it's");
  });

  it("rejects relative paths and control characters", () => {
    expect(rejection(() => validateAbsolutePath("data/x", "results directory")).message).toContain("not an absolute path");
    expect(rejection(() => validateAbsolutePath("/a\nrm -rf ~", "--env-script")).message).toContain("newline");
  });

  it("double-quotes directive paths with spaces and refuses quotes there", () => {
    expect(directivePath("/plain/out.txt", "output file")).toBe("/plain/out.txt");
    expect(directivePath("/my results/out.txt", "output file")).toBe('"/my results/out.txt"');
    for (const bad of ["/it's/out", '/a"b/out', "/a\\b/out", "/a`id`/out"]) {
      expect(rejection(() => directivePath(bad, "output file")).message).toContain("directive line");
    }
  });
});

describe("sched flags, environment, comments, counts", () => {
  it("accepts one option per directive line", () => {
    expect(validateSchedFlag("--gres=gpu:1")).toBe("--gres=gpu:1");
    expect(validateSchedFlag("-l filesystems=home:eagle")).toBe("-l filesystems=home:eagle");
    rejection(() => validateSchedFlag("gres=gpu:1"));
    rejection(() => validateSchedFlag("--x\nrm -rf ~"));
  });

  it("accepts shell identifiers and refuses secrets in the script", () => {
    expect(validateEnvName("SPRUCE_DATABASE_FILE")).toBe("SPRUCE_DATABASE_FILE");
    rejection(() => validateEnvName("1X"));
    rejection(() => validateEnvName("A-B"));
    expect(rejection(() => validateEnvName("PGPASSWORD")).hint).toContain("PGPASSFILE");
  });

  it("keeps comment text on one line and counts positive", () => {
    expect(validateCommentText("my wf", "workflow name")).toBe("my wf");
    rejection(() => validateCommentText("wf\nrm -rf ~", "workflow name"));
    expect(validateCount(4, "-n/--nodes")).toBe(4);
    rejection(() => validateCount(0, "-n/--nodes"));
    rejection(() => validateCount(1.5, "-n/--nodes"));
  });
});
