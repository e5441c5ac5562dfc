// parseObjective: the result file wins; else the last `objective:` / `DH-OUTPUT:` line of stdout.
// No objective, or a non-finite one, is an error with a reason.
import { describe, expect, it } from "vitest";
import { parseObjective } from "../../launcher/executor/objective.js";

describe("parseObjective from stdout", () => {
  it("takes the last matching line", () => {
    expect(parseObjective("objective: 1\nepoch 2\nobjective: 2.5\nbye\n", null)).toEqual({ objective: 2.5, metadata: null });
  });

  it("accepts DeepHyper's DH-OUTPUT and leading spaces", () => {
    expect(parseObjective("  DH-OUTPUT: 2\n", null)).toEqual({ objective: 2, metadata: null });
    expect(parseObjective("\tobjective:-3\r\n", null)).toEqual({ objective: -3, metadata: null });
  });

  it("accepts any float syntax", () => {
    for (const [text, value] of [["1e-7", 1e-7], ["-2.5E+3", -2500], [".5", 0.5], ["5.", 5], ["+4", 4], ["0", 0]] as const) {
      expect(parseObjective(`objective: ${text}`, null)).toEqual({ objective: value, metadata: null });
    }
  });

  it("ignores lines that only mention the word", () => {
    expect(parseObjective("best objective: 3\nobjective: 3 (so far)\nmy_objective: 4\n", null)).toEqual({
      error: "no 'objective: <number>' line in stdout",
    });
  });

  it("reports no match", () => {
    expect(parseObjective("", null)).toEqual({ error: "no 'objective: <number>' line in stdout" });
  });

  it("reports NaN and infinities by their names in any language's spelling", () => {
    expect(parseObjective("objective: nan", null)).toEqual({ error: "objective is NaN" });
    expect(parseObjective("objective: NaN", null)).toEqual({ error: "objective is NaN" });
    expect(parseObjective("DH-OUTPUT: inf", null)).toEqual({ error: "objective is Infinity" });
    expect(parseObjective("objective: -Infinity", null)).toEqual({ error: "objective is -Infinity" });
    expect(parseObjective("objective: 1e999", null)).toEqual({ error: "objective is Infinity" });
  });

  it("a later NaN line overrides an earlier value", () => {
    expect(parseObjective("objective: 1\nobjective: nan\n", null)).toEqual({ error: "objective is NaN" });
  });
});

describe("parseObjective from the result file", () => {
  it("wins over stdout and keeps the other fields as metadata", () => {
    expect(parseObjective("objective: 1", '{"objective": 0.25, "loss": 3, "tags": ["a"]}')).toEqual({
      objective: 0.25,
      metadata: { loss: 3, tags: ["a"] },
    });
  });

  it("has null metadata when only the objective is there", () => {
    expect(parseObjective("", '{"objective": -1}')).toEqual({ objective: -1, metadata: null });
  });

  it("is an error when invalid, even if stdout has a value", () => {
    const r = parseObjective("objective: 1", "{not json");
    expect("error" in r && r.error).toMatch(/not valid JSON/);
  });

  it("is an error without an objective, or with a non-number one", () => {
    expect(parseObjective("", '{"loss": 1}')).toEqual({ error: '$SPRUCE_RESULT_FILE has no "objective" field' });
    expect(parseObjective("", '{"objective": "high"}')).toEqual({ error: '"objective" in $SPRUCE_RESULT_FILE is not a number: "high"' });
    expect(parseObjective("", '{"objective": null}')).toEqual({ error: '"objective" in $SPRUCE_RESULT_FILE is not a number: null' });
    expect(parseObjective("", "[1]")).toEqual({ error: '$SPRUCE_RESULT_FILE must hold a JSON object like {"objective": 1.5}' });
  });

  it("reports non-finite objectives: strings from the module entry, bare tokens from Python", () => {
    expect(parseObjective("", '{"objective": "NaN"}')).toEqual({ error: "objective is NaN" });
    expect(parseObjective("", '{"objective": NaN, "x": 1}')).toEqual({ error: "objective is NaN" });
    expect(parseObjective("", '{"objective": -Infinity}')).toEqual({ error: "objective is -Infinity" });
  });
});

describe("parseObjective with several objectives", () => {
  const names = ["acc", "time"];

  it("reads a result file's objectives by name or in declared order, the other fields as metadata", () => {
    expect(parseObjective("", '{"objectives": {"time": 3, "acc": 0.9}, "epochs": 5}', names)).toEqual({ objective: 0.9, objectives: [0.9, 3], metadata: { epochs: 5 } });
    expect(parseObjective("", '{"objectives": [0.9, 3]}', names)).toEqual({ objective: 0.9, objectives: [0.9, 3], metadata: null });
    expect(parseObjective("", '{"objective": [0.9, 3]}', names)).toEqual({ objective: 0.9, objectives: [0.9, 3], metadata: null });
  });

  it("reads the line 'objective: v1, v2'", () => {
    expect(parseObjective("objective: 0.5\nobjective: 0.9, 3e1\n", null, names)).toEqual({ objective: 0.9, objectives: [0.9, 30], metadata: null });
  });

  it("fails a missing, extra, unknown or non-finite objective with the reason", () => {
    expect(parseObjective("", '{"objectives": {"acc": 0.9}}', names)).toEqual({ error: "objective 'time' is missing from $SPRUCE_RESULT_FILE" });
    expect(parseObjective("", '{"objectives": {"acc": 0.9, "time": 1, "size": 2}}', names)).toEqual({
      error: `"objectives" in $SPRUCE_RESULT_FILE has 'size', which is not a declared objective (acc, time)`,
    });
    expect(parseObjective("", '{"objectives": [0.9]}', names)).toEqual({ error: `"objectives" in $SPRUCE_RESULT_FILE has 1 value(s), expected 2 objectives (acc, time)` });
    expect(parseObjective("", '{"objective": 0.9}', names)).toEqual({ error: `"objective" in $SPRUCE_RESULT_FILE is 0.9, expected 2 objectives (acc, time)` });
    expect(parseObjective("", '{"objectives": {"acc": 0.9, "time": NaN}}', names)).toEqual({ error: "objective 'time' is NaN" });
    expect(parseObjective("", '{"objectives": ["-Infinity", 1]}', names)).toEqual({ error: "objective 'acc' is -Infinity" });
    expect(parseObjective("objective: 0.9\n", null, names)).toEqual({ error: "the objective line has 1 value(s), expected 2 objectives (acc, time)" });
    expect(parseObjective("objective: 0.9, inf\n", null, names)).toEqual({ error: "objective 'time' is Infinity" });
    expect(parseObjective("nothing\n", null, names)).toEqual({ error: "no 'objective: <v1>, <v2>, ...' line in stdout (expected 2 objectives (acc, time))" });
  });

  it("keeps one objective as before: a list is not a number", () => {
    expect(parseObjective("", '{"objective": [0.9, 3]}', ["acc"])).toEqual({ error: `"objective" in $SPRUCE_RESULT_FILE is not a number: [0.9,3]` });
  });
});
