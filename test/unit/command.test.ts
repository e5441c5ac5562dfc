// renderCommand / validateCommandTemplate: every value reaches the shell as one quoted word, and
// template mistakes are ValidationErrors naming the variable and the hyperparameters available.
// (What /bin/sh makes of the rendered lines is checked in test/integration/executor.test.ts.)
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { renderCommand, validateCommandTemplate } from "../../src/problem/command.js";

describe("renderCommand", () => {
  it("prints numbers as JavaScript does and leaves safe words unquoted", () => {
    expect(renderCommand("python3 train.py --lr {{lr}} --eps {{eps}} --units {{units}} --n {{n}}", { lr: 0.001, eps: 1e-7, units: 64, n: -3 }))
      .toBe("python3 train.py --lr 0.001 --eps 1e-7 --units 64 --n -3");
  });

  it("keeps a hostile string value one literal argument", () => {
    expect(renderCommand("echo {{name}}", { name: "'; rm -rf ~" })).toBe(`echo ''\\''; rm -rf ~'`);
  });

  it("quotes spaces, $(...) and empty strings", () => {
    expect(renderCommand("{{a}} {{b}} {{c}}", { a: "two words", b: "$(touch /tmp/pwned)", c: "" }))
      .toBe("'two words' '$(touch /tmp/pwned)' ''");
  });

  it("prints booleans, null, arrays and objects (as quoted JSON)", () => {
    expect(renderCommand("{{t}} {{f}} {{z}} {{arr}} {{obj}}", { t: true, f: false, z: null, arr: [1, "a b"], obj: { k: "v" } }))
      .toBe(`true false null '[1,"a b"]' '{"k":"v"}'`);
  });

  it("quotes triple-stash output too: noEscape makes {{{x}}} and {{x}} the same", () => {
    expect(renderCommand("{{{x}}}", { x: "a;b" })).toBe("'a;b'");
  });

  it("evaluates #if / #unless on the raw values", () => {
    const t = "run{{#if fast}} --fast{{/if}}{{#unless fast}} --slow{{/unless}}";
    expect(renderCommand(t, { fast: true })).toBe("run --fast");
    expect(renderCommand(t, { fast: false })).toBe("run --slow");
  });

  it("quotes helper output and #each items", () => {
    expect(renderCommand("{{lookup opts 'k'}} {{#each xs}}[{{this}}]{{/each}}", { opts: { k: "x y" }, xs: ["a", "b c"] }))
      .toBe("'x y' [a]['b c']");
  });

  it("rejects a variable that is not in the point, naming it and the hyperparameters", () => {
    const call = () => renderCommand("train --lr {{learning_rate}}", { lr: 0.1, units: 8 });
    expect(call).toThrow(ValidationError);
    expect(call).toThrow(/\{\{learning_rate\}\}/);
    try {
      call();
    } catch (e) {
      expect((e as ValidationError).hint).toBe("available hyperparameters: lr, units");
    }
  });
});

describe("validateCommandTemplate", () => {
  const names = ["lr", "units", "opt"];

  it("accepts a template using only known names", () => {
    expect(() => validateCommandTemplate("python3 t.py --lr {{lr}} {{#if opt}}--opt {{opt}}{{/if}}", names)).not.toThrow();
  });

  it("rejects syntax errors", () => {
    expect(() => validateCommandTemplate("python3 t.py --lr {{lr", names)).toThrow(/not valid Handlebars/);
  });

  it("rejects unknown variables, also in #if conditions and helper arguments", () => {
    expect(() => validateCommandTemplate("{{units}} {{dropout}}", names)).toThrow(/\{\{dropout\}\}/);
    expect(() => validateCommandTemplate("{{#if dropout}}x{{/if}}", names)).toThrow(/\{\{dropout\}\}/);
    expect(() => validateCommandTemplate("{{lookup dropout 'a'}}", names)).toThrow(/\{\{dropout\}\}/);
  });

  it("rejects unknown helpers and partials", () => {
    expect(() => validateCommandTemplate("{{upper lr}}", names)).toThrow(/unknown helper 'upper'/);
    expect(() => validateCommandTemplate("{{> flags}}", names)).toThrow(/unsupported/);
  });

  it("does not check names inside #each, whose context is the item", () => {
    expect(() => validateCommandTemplate("{{#each units}}{{name}}{{/each}}", names)).not.toThrow();
  });
});
