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

describe("where a placeholder may stand (shell context)", () => {
  const names = ["v", "w", "f"];
  const accepted = [
    "prog {{v}}",
    "prog --name={{v}} pre{{v}}post {{v}}{{w}}",
    "(cd /tmp && prog {{v}})",
    "prog $(date) {{v}} $((1 + 2)) {{w}}",
    `prog "$HOME" '$literal' {{v}}`,
    "prog {{v}} # a comment after it",
    "prog{{#if f}} --f{{/if}} {{v}}",
    "prog {{#each v}}[{{this}}]{{/each}} {{w}}",
    "cat <<EOF\nhello $HOME\nEOF\nprog {{v}}",
    "cat <<-EOF\n\thi\n\tEOF\nprog {{v}}",
    "prog \\${{v}}",
    `prog $(echo ")") {{v}}`,
    "prog $(echo a \\) b) {{v}}",
    "case {{v}} in a) prog {{w}};; esac",
    `prog {{v}} > "$SPRUCE_WORKDIR/out.txt"`,
  ];
  it.each(accepted)("accepts %j", (t) => {
    expect(() => validateCommandTemplate(t, names)).not.toThrow();
  });

  const refused: [string, RegExp][] = [
    ["prog '{{v}}'", /\{\{v\}\} is inside single quotes/],
    [`prog "{{v}}"`, /inside double quotes/],
    [`prog "--x={{v}}"`, /inside double quotes/],
    ["prog `echo {{v}}`", /inside a `...` command substitution/],
    ["prog $(echo {{v}})", /inside a \$\(\.\.\.\) command substitution/],
    [`prog "$(echo {{v}})"`, /inside a \$\(\.\.\.\) command substitution/],
    ["prog ${X:-{{v}} }", /inside a \$\{\.\.\.\} parameter expansion/],
    ["prog # {{v}}", /inside a # comment/],
    ["cat <<EOF\n{{v}}\nEOF", /inside a here-document/],
    ["cat <<{{v}}\nx\n", /here-document's delimiter/],
    ["prog \\\\{{v}}", /right after a backslash/],
    ["prog ${{v}}", /right after a \$/],
    ["prog 'open", /ends inside single quotes/],
    ["prog $'x' {{v}}", /\$'\.\.\.' quoting/],
    // A branch or a repetition that leaves the shell elsewhere would put what follows in quotes.
    ["prog {{#if f}}'{{/if}}{{v}}", /\{\{#if\}\} block opens or closes a quote/],
    ["prog {{#if f}}'{{else}}'{{/if}}{{v}}", /inside single quotes/],
    ["prog {{#if f}}x{{else}}<{{/if}}<EOF\n{{v}}\nEOF", /\{\{#if\}\} block/],
    ["prog {{#each v}}'{{/each}}{{w}}", /\{\{#each\}\} block/],
    ["prog a{{#each v}}# {{/each}}{{w}}", /\{\{#each\}\} block/],
    ["prog {{#if f}}x{{/if}}#{{v}}", /a # right after/],
    // A reader that ended $( at a case pattern could take a quoted placeholder for an unquoted one.
    [`prog "$(case a in a) echo esac;; b) echo "{{v}}";; esac)"`, /a case statement inside \$\(\.\.\.\)/],
  ];
  it.each(refused)("refuses %j", (t, pattern) => {
    let error: unknown;
    try {
      validateCommandTemplate(t, names);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(pattern);
    expect((error as ValidationError).hint).toBeTruthy();
  });

  it("says to drop the quotes, and renderCommand refuses the same templates", () => {
    try {
      validateCommandTemplate(`prog "{{v}}"`, names);
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).hint).toMatch(/drop the quotes .*values are shell-quoted for you/);
    }
    expect(() => renderCommand("prog '{{v}}'", { v: "b$(touch PWNED)" })).toThrow(/inside single quotes/);
  });

  it("renders a value with quotes of both kinds as one word", () => {
    expect(renderCommand("prog {{v}} --name={{v}}", { v: `O'Brien "x"` })).toBe(`prog 'O'\\''Brien "x"' --name='O'\\''Brien "x"'`);
  });
});
