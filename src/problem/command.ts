// Command-template runs: `python3 train.py --lr {{lr}}` rendered per point into one /bin/sh line.
// Every value that reaches the shell is quoted, so a categorical value like `'; rm -rf ~` stays one
// literal argument. Quoting is done by rewriting each {{...}} output in the parsed template into a
// call of our quoting helper, which keeps #if/#unless working on the raw (unquoted) values. A
// quoted word is literal only outside quotes and substitutions, so a placeholder anywhere else
// ("{{v}}", '{{v}}', $(... {{v}})) is refused when the template is checked (./shell-context.ts).
import Handlebars from "handlebars";
import { ValidationError } from "../errors.js";
import type { JsonValue, Point } from "../space/types.js";
import { shellQuote } from "../util/shell.js";
import { cloneShellState, initialShellState, placeholderProblem, readPlaceholder, readShellText, mergeShellStates, sameShellState, unclosed, type ShellState } from "./shell-context.js";

type Node = hbs.AST.Node;
type Expression = hbs.AST.Expression;
type PathExpression = hbs.AST.PathExpression;

/** Not a valid JS identifier, so it cannot clash with a hyperparameter name. */
const QUOTE_HELPER = "spruce-quote";
/** Block helpers that change the context: paths inside them do not name hyperparameters. */
const CONTEXT_CHANGING = new Set(["each", "with"]);

// An isolated environment: the batch-script templates elsewhere must not see our helper.
const hb = Handlebars.create();
hb.registerHelper(QUOTE_HELPER, (value: unknown) => quoteValue(value));

/** A value as one shell word: numbers and booleans as JS prints them, the rest quoted. */
function quoteValue(value: unknown): string {
  if (typeof value === "string") return shellQuote(value);
  if (typeof value === "number" || typeof value === "boolean") return shellQuote(value);
  if (value === undefined) return "''";
  return shellQuote(JSON.stringify(value as JsonValue));
}

interface Analysed {
  /** Hyperparameter names the template refers to (outside #each/#with bodies). */
  variables: Set<string>;
  render: HandlebarsTemplateDelegate;
}

// One workflow renders the same template thousands of times: parse and compile it once.
const cache = new Map<string, Analysed>();

function analyse(template: string): Analysed {
  const hit = cache.get(template);
  if (hit) return hit;
  let program: hbs.AST.Program;
  try {
    program = hb.parse(template);
  } catch (e) {
    // Handlebars' message spans lines (the template, a caret): keep its first and last.
    const lines = (e as Error).message.split("\n").filter((l) => l.trim() !== "");
    throw new ValidationError(
      `command template is not valid Handlebars: ${[...new Set([lines[0], lines[lines.length - 1]])].join(": ")}`,
      "write hyperparameters as {{name}}, e.g. python3 train.py --lr {{lr}}",
    );
  }
  checkPlaceholders(program);
  const variables = new Set<string>();
  walkProgram(program, true, variables);
  const render = hb.compile(program, { noEscape: true, strict: true });
  const analysed: Analysed = { variables, render };
  cache.set(template, analysed);
  return analysed;
}

/** The fix for a placeholder that stands where placeholderProblem says it cannot. */
function placementHint(where: string): string {
  if (where.includes("comment")) return "a comment is not run: take the placeholder out of it";
  if (where.includes("here-document")) return "pass the value as an argument instead (or read it from $SPRUCE_POINT_FILE)";
  if (where.includes("backslash")) return "drop the backslash: values are shell-quoted for you";
  if (where.includes("$")) return where.startsWith("right after") ? "drop the $: a value cannot name a variable" : QUOTE_HINT;
  return QUOTE_HINT;
}

const QUOTE_HINT =
  "drop the quotes (or the substitution) around the placeholder: values are shell-quoted for you, so --name {{v}} passes O'Brien or $(x) to the program exactly as they are";

/**
 * Refuses a placeholder where its quoted value would not be one literal word (see the header),
 * and a template that leaves a quote or substitution open. Reads the template as /bin/sh would
 * read its rendered line: every branch of a block, and #each's body once and then again after
 * itself, since it may be rendered any number of times.
 */
function checkPlaceholders(program: hbs.AST.Program): void {
  const shell = initialShellState();
  lexProgram(program, shell);
  const open = unclosed(shell);
  if (open) {
    throw new ValidationError(`command template ends ${open}: /bin/sh would stop at a syntax error`, "close every quote, $(...), ${...} and here-document the template opens");
  }
}

function lexProgram(program: hbs.AST.Program | undefined, shell: ShellState): void {
  for (const stmt of program?.body ?? []) {
    const node = stmt as Node;
    if (node.type === "ContentStatement") {
      const unsupported = readShellText(shell, (stmt as hbs.AST.ContentStatement).value);
      if (unsupported) throw new ValidationError(`command template uses ${unsupported}`, "write the command without it, or put it in a script the template runs");
    } else if (node.type === "MustacheStatement") {
      const m = stmt as hbs.AST.MustacheStatement;
      const where = placeholderProblem(shell);
      if (where) throw new ValidationError(`command template: the placeholder {{${placeholderText(m)}}} is ${where}`, placementHint(where));
      readPlaceholder(shell);
    } else if (node.type === "BlockStatement") {
      const b = stmt as hbs.AST.BlockStatement;
      const before = cloneShellState(shell);
      const body = cloneShellState(before);
      lexProgram(b.program, body);
      const inverse = cloneShellState(before);
      lexProgram(b.inverse, inverse);
      let after = mergeShellStates(body, inverse);
      let same = sameShellState(body, inverse);
      if (b.path.original === "each") {
        // A second pass from where the first ended: a body that leaves a word open reads a
        // leading # differently the second time.
        const again = cloneShellState(body);
        lexProgram(b.program, again);
        same = same && sameShellState(body, before) && sameShellState(again, body) && (again.word === "") === (body.word === "");
        after = mergeShellStates(mergeShellStates(after, before), again);
      }
      if (!same) {
        throw new ValidationError(
          `command template: the {{#${b.path.original}}} block opens or closes a quote, substitution or here-document that ${b.path.original === "each" ? "its repetitions" : "its other branch"} do not`,
          "open and close quotes inside each branch, or around the whole block",
        );
      }
      Object.assign(shell, after);
    }
  }
}

function walkProgram(program: hbs.AST.Program | undefined, checkVars: boolean, vars: Set<string>): void {
  if (!program) return;
  program.body = program.body.map((stmt) => walkStatement(stmt, checkVars, vars));
}

function walkStatement(stmt: hbs.AST.Statement, checkVars: boolean, vars: Set<string>): hbs.AST.Statement {
  const node = stmt as Node;
  switch (node.type) {
    case "ContentStatement":
    case "CommentStatement":
      return stmt;
    case "MustacheStatement": {
      const m = stmt as hbs.AST.MustacheStatement;
      const isCall = m.params.length > 0 || (m.hash?.pairs.length ?? 0) > 0;
      // `{{lr}}` is always a variable here (never a zero-argument helper call); `{{helper a b}}`
      // becomes a sub-expression. Either way the output goes through the quoting helper.
      let inner: Expression;
      if (isCall) {
        checkHelper(m.path as PathExpression);
        walkArgs(m.params, m.hash, checkVars, vars);
        inner = { type: "SubExpression", path: m.path, params: m.params, hash: m.hash, loc: m.loc } as hbs.AST.SubExpression;
      } else {
        walkExpression(m.path, checkVars, vars);
        inner = m.path;
      }
      const quoted: hbs.AST.MustacheStatement = {
        ...m,
        path: { type: "PathExpression", data: false, depth: 0, parts: [QUOTE_HELPER], original: QUOTE_HELPER, loc: m.loc },
        params: [inner],
        hash: undefined as unknown as hbs.AST.Hash,
      };
      return quoted;
    }
    case "BlockStatement": {
      const b = stmt as hbs.AST.BlockStatement;
      checkHelper(b.path);
      walkArgs(b.params, b.hash, checkVars, vars);
      const inner = checkVars && !CONTEXT_CHANGING.has(b.path.original);
      walkProgram(b.program, inner, vars);
      walkProgram(b.inverse, inner, vars);
      return stmt;
    }
    default:
      throw new ValidationError(
        `command template uses an unsupported Handlebars construct (${node.type})`,
        "use {{name}} for values and {{#if name}}...{{/if}} for conditional flags; partials and decorators are not supported",
      );
  }
}

/** A mustache as the user wrote it, for messages: `v`, `lookup opts 'k'`. */
function placeholderText(m: hbs.AST.MustacheStatement): string {
  const name = (m.path as PathExpression).original ?? "";
  return m.params.length === 0 ? String(name) : `${String(name)} ...`;
}

function walkArgs(params: Expression[], hash: hbs.AST.Hash | undefined, checkVars: boolean, vars: Set<string>): void {
  for (const p of params) walkExpression(p, checkVars, vars);
  for (const pair of hash?.pairs ?? []) walkExpression(pair.value, checkVars, vars);
}

function walkExpression(expr: Expression, checkVars: boolean, vars: Set<string>): void {
  if (expr.type === "SubExpression") {
    const s = expr as hbs.AST.SubExpression;
    checkHelper(s.path);
    walkArgs(s.params, s.hash, checkVars, vars);
  } else if (expr.type === "PathExpression") {
    const p = expr as PathExpression;
    // @index/@key data, `this` and ../parent paths do not name a hyperparameter directly.
    if (checkVars && !p.data && p.depth === 0 && p.parts.length > 0) vars.add(p.parts[0]!);
  }
}

function checkHelper(path: PathExpression | hbs.AST.Literal): void {
  const name = (path as PathExpression).original;
  if (typeof name !== "string" || name === QUOTE_HELPER || !(name in hb.helpers)) {
    throw new ValidationError(
      `command template calls an unknown helper '${String(name)}'`,
      `available helpers: ${Object.keys(hb.helpers).filter((h) => h !== QUOTE_HELPER && !h.endsWith("Missing")).join(", ")}`,
    );
  }
}

function checkNames(variables: Set<string>, names: readonly string[]): void {
  const known = new Set(names);
  for (const v of variables) {
    if (!known.has(v)) {
      throw new ValidationError(
        `command template uses {{${v}}}, which is not a hyperparameter`,
        `available hyperparameters: ${names.length > 0 ? names.join(", ") : "(none)"}`,
      );
    }
  }
}

/**
 * Checks a command template at submit time: Handlebars syntax, helpers, and that every variable is
 * one of the hyperparameter names. Throws ValidationError.
 */
export function validateCommandTemplate(template: string, names: string[]): void {
  checkNames(analyse(template).variables, names);
}

/**
 * The shell line for one point; every value is shell-quoted. `names` are the space's
 * hyperparameters: one the point lacks is inactive and renders as an empty word ('') and false
 * in {{#if}}. Throws ValidationError.
 */
export function renderCommand(template: string, point: Point, names: readonly string[] = Object.keys(point)): string {
  const { variables, render } = analyse(template);
  checkNames(variables, names);
  const context: Record<string, unknown> = { ...point };
  for (const v of variables) if (!(v in context)) context[v] = undefined;
  try {
    return render(context);
  } catch (e) {
    // Helpers can still fail on values the static check cannot see, e.g. #each over a number.
    throw new ValidationError(
      `command template could not be rendered: ${(e as Error).message}`,
      `available hyperparameters: ${Object.keys(point).join(", ")}`,
    );
  }
}
