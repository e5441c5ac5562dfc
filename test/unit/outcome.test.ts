// classifyOutcome: how an ended evaluation's process becomes DONE, FAILED, TIMEOUT, KILLED,
// INTERRUPTED or STOPPED_EARLY with its reason, from its exit code, signal, the launcher's stop reason and
// its output; and that it reads only the output it needs for the answer.
import { describe, expect, it } from "vitest";
import { classifyOutcome, makeOutcome, type ProcessEnd, type RunOutput } from "../../launcher/executor/outcome.js";

const T = { startedAt: 1_000, finishedAt: 5_000 };

function end(o: Partial<ProcessEnd> = {}): ProcessEnd {
  return { exitCode: 0, signal: null, stoppedFor: null, timeoutSeconds: null, ...T, ...o };
}

/** Output readers that count their calls, so a test can say what was read. */
function output(o: { stdout?: string; stderr?: string; result?: string | null } = {}): RunOutput & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    stdout: () => (reads.push("stdout"), o.stdout ?? ""),
    stderr: () => (reads.push("stderr"), o.stderr ?? ""),
    result: () => (reads.push("result"), o.result ?? null),
  };
}

describe("classifyOutcome: runs the launcher stopped", () => {
  it("TIMEOUT: the limit, then the stderr tail", () => {
    const out = output({ stderr: "epoch 1\nepoch 2\n" });
    expect(classifyOutcome(end({ stoppedFor: "timeout", timeoutSeconds: 30, exitCode: null, signal: "SIGTERM" }), out)).toEqual({
      status: "TIMEOUT",
      objective: null,
      objectives: null,
      metadata: null,
      exitCode: null,
      signal: "SIGTERM",
      error: "timed out after 30s\nepoch 1\nepoch 2",
      progress: [],
      ...T,
    });
    expect(out.reads).toEqual(["stderr"]);
  });

  it("TIMEOUT with an empty stderr: the limit alone", () => {
    expect(classifyOutcome(end({ stoppedFor: "timeout", timeoutSeconds: 2 }), output()).error).toBe("timed out after 2s");
  });

  it("INTERRUPTED for the walltime, KILLED by the user or the search method, STOPPED_EARLY by the searcher: nothing read", () => {
    const cases = [
      ["walltime", "INTERRUPTED", "stopped: the batch job's walltime is running out"],
      ["cancel", "KILLED", "stopped by the user"],
      ["searcher", "KILLED", "stopped by the search method"],
      ["early", "STOPPED_EARLY", "stopped early by the searcher"],
    ] as const;
    for (const [reason, status, error] of cases) {
      const out = output({ stdout: "objective: 1\n", stderr: "boom\n" });
      const o = classifyOutcome(end({ stoppedFor: reason, exitCode: 143, signal: null }), out);
      expect(o).toEqual({ status, objective: null, objectives: null, metadata: null, exitCode: 143, signal: null, error, progress: [], ...T });
      expect(out.reads).toEqual([]);
    }
  });

  it("a stop wins over what the process printed: an objective after the walltime stop is not taken", () => {
    const o = classifyOutcome(end({ stoppedFor: "walltime", exitCode: 0 }), output({ stdout: "objective: 7\n" }));
    expect(o.status).toBe("INTERRUPTED");
    expect(o.objective).toBeNull();
  });
});

describe("classifyOutcome: runs that ended by themselves", () => {
  it("FAILED when killed by a signal, with the stderr tail; stdout is not read", () => {
    const out = output({ stdout: "objective: 1\n", stderr: "Segmentation fault\n" });
    const o = classifyOutcome(end({ exitCode: null, signal: "SIGSEGV" }), out);
    expect(o).toMatchObject({ status: "FAILED", signal: "SIGSEGV", exitCode: null, error: "killed by signal SIGSEGV\nSegmentation fault" });
    expect(out.reads).toEqual(["stderr"]);
  });

  it("FAILED on a non-zero exit code, naming it", () => {
    const o = classifyOutcome(end({ exitCode: 3 }), output({ stderr: "Traceback\nValueError: x\n" }));
    expect(o).toMatchObject({ status: "FAILED", exitCode: 3, error: "exit code 3\nTraceback\nValueError: x", objective: null });
  });

  it("FAILED with the reason a failed run wrote to its result file (the Python runner's exception line), stderr not read", () => {
    const out = output({ stderr: "Traceback (most recent call last):\n  File \"run.py\", line 2\nValueError: diverged\n", result: '{"error": "ValueError: diverged"}\n' });
    const o = classifyOutcome(end({ exitCode: 1 }), out);
    expect(o).toMatchObject({ status: "FAILED", exitCode: 1, error: "ValueError: diverged", objective: null });
    expect(out.reads).toEqual(["result"]);
    // A result file without a usable "error" (or none at all) leaves the exit code and the tail.
    for (const result of ['{"objective": 1}', '{"error": ""}', '{"error": 3}', "not json", null]) {
      expect(classifyOutcome(end({ exitCode: 1 }), output({ stderr: "boom\n", result })).error).toBe("exit code 1\nboom");
    }
  });

  it("a shell's 128 + N exit code names the signal", () => {
    expect(classifyOutcome(end({ exitCode: 137 }), output()).error).toBe("exit code 137 (128 + SIGKILL)");
    expect(classifyOutcome(end({ exitCode: 143 }), output()).error).toBe("exit code 143 (128 + SIGTERM)");
    // Above 128 but no signal's number: the code alone.
    expect(classifyOutcome(end({ exitCode: 250 }), output()).error).toBe("exit code 250");
  });

  it("only the last 20 lines of stderr are kept", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const o = classifyOutcome(end({ exitCode: 1 }), output({ stderr: lines.join("\n") + "\n\n" }));
    expect(o.error).toBe(["exit code 1", ...lines.slice(10)].join("\n"));
  });

  it("DONE with the objective of the last stdout line and the progress points before it; stderr is not read", () => {
    const out = output({ stdout: "report: step=1 value=0.5\nreport: step=2 value=0.25\nobjective: 0.2\n", stderr: "warning\n" });
    expect(classifyOutcome(end(), out)).toEqual({
      status: "DONE",
      objective: 0.2,
      objectives: null,
      metadata: null,
      exitCode: 0,
      signal: null,
      error: null,
      progress: [{ step: 1, value: 0.5 }, { step: 2, value: 0.25 }],
      ...T,
    });
    expect(out.reads.sort()).toEqual(["result", "stdout"]);
  });

  it("DONE from the result file, which wins over stdout, with its other fields as metadata", () => {
    const o = classifyOutcome(end(), output({ stdout: "objective: 1\n", result: '{"objective": 2, "accuracy": 0.9}' }));
    expect(o).toMatchObject({ status: "DONE", objective: 2, metadata: { accuracy: 0.9 }, error: null });
  });

  it("FAILED when exit code 0 carries no objective: the reason, the stderr tail, and the progress points kept", () => {
    const o = classifyOutcome(end(), output({ stdout: "report: step=1 value=3\n", stderr: "done?\n" }));
    expect(o).toMatchObject({
      status: "FAILED",
      exitCode: 0,
      objective: null,
      error: "no 'objective: <number>' line in stdout\ndone?",
      progress: [{ step: 1, value: 3 }],
    });
  });

  it("FAILED for a non-finite objective, never a fake value", () => {
    const o = classifyOutcome(end(), output({ stdout: "objective: nan\n" }));
    expect(o).toMatchObject({ status: "FAILED", objective: null, error: "objective is NaN" });
  });
});

describe("classifyOutcome with several objectives", () => {
  it("DONE with every objective in declared order; FAILED naming the one missing", () => {
    const done = classifyOutcome(end(), output({ stdout: "objective: 0.9, 12\n" }), ["acc", "time"]);
    expect(done).toMatchObject({ status: "DONE", objective: 0.9, objectives: [0.9, 12], error: null });
    const missing = classifyOutcome(end(), output({ result: '{"objectives": {"acc": 0.9}}', stderr: "bye\n" }), ["acc", "time"]);
    expect(missing).toMatchObject({ status: "FAILED", objective: null, objectives: null, error: "objective 'time' is missing from $SPRUCE_RESULT_FILE\nbye" });
  });
});

describe("makeOutcome", () => {
  it("fills every field not given with its empty value", () => {
    expect(makeOutcome("FAILED", { error: "could not start", ...T })).toEqual({
      status: "FAILED",
      objective: null,
      objectives: null,
      metadata: null,
      exitCode: null,
      signal: null,
      error: "could not start",
      progress: [],
      ...T,
    });
  });
});
