// Where a placeholder of a command template lands in the /bin/sh line: a small POSIX sh lexer run
// over the template's literal text. A value is shell-quoted into one word, which is safe only
// where /bin/sh reads a quoted word as a literal: outside every quote, substitution, comment and
// here-document. Inside double quotes a quoted value's own quotes are literal and its `$(...)` runs;
// inside single quotes it closes the quote. So a placeholder anywhere else is refused (with the
// fix: drop the quotes, values are quoted for you), rather than quoted differently per context:
// one quoting rule is easy to check, and a lexer that misjudged a context would then fail closed
// (refuse a template) instead of open (run a value as code).

/** Where the lexer is; "top" is the only place a placeholder is accepted. */
type Context =
  | "top" // unquoted, at the command line's own level
  | "single" // '...'
  | "double" // "..."
  | "backtick" // `...`
  | "command" // $( ... ) or ( ... ): unquoted, but inside a substitution or subshell
  | "parameter" // ${ ... }
  | "comment" // # ... to the end of the line
  | "heredoc"; // the body of a here-document

interface Frame {
  context: Context;
  /** Open `(` inside this frame not yet closed, so that `)` closes them before the frame. */
  parens: number;
}

interface Heredoc {
  delimiter: string;
  /** `<<-`: leading tabs of the closing line are ignored. */
  stripTabs: boolean;
}

export interface ShellState {
  frames: Frame[];
  /** The previous character was an unquoted backslash: the next one is escaped. */
  escaped: boolean;
  /** Characters of the word being read (top or command context), for `case` and `#`. */
  word: string;
  /** The last character read, for `$(`, `${`, `<<` and word boundaries. */
  last: string;
  /** `<<` seen: the delimiter word being read, then the bodies waiting for the next newline. */
  readingDelimiter: { stripTabs: boolean; text: string; started: boolean } | null;
  pending: Heredoc[];
  /** Inside a here-document body: its delimiter and the current line so far. */
  body: (Heredoc & { line: string }) | null;
}

export function initialShellState(): ShellState {
  return { frames: [{ context: "top", parens: 0 }], escaped: false, word: "", last: "\n", readingDelimiter: null, pending: [], body: null };
}

export function cloneShellState(s: ShellState): ShellState {
  return structuredClone(s);
}

/**
 * Whether two states read what follows the same way: the same open contexts and here-documents,
 * escaped or not, after a `$` or `<` or not. Whether a word has started is left to
 * mergeShellStates.
 */
export function sameShellState(a: ShellState, b: ShellState): boolean {
  // `$` and `<` are the characters that combine with the next one ($(, ${, <<).
  const key = (s: ShellState) => JSON.stringify([s.frames, s.escaped, s.readingDelimiter, s.pending, s.body, s.last === "$" || s.last === "<" ? s.last : ""]);
  return key(a) === key(b);
}

/**
 * The state after a block whose branches end in `a` and `b` (sameShellState): when only one of
 * them is at a word's start, a `#` next could start a comment or not, which readChar refuses.
 */
export function mergeShellStates(a: ShellState, b: ShellState): ShellState {
  const merged = cloneShellState(a);
  if ((a.word === "") !== (b.word === "")) merged.word = UNSURE_WORD;
  return merged;
}

/** A word that may or may not have started (after a block): not empty, and no `#` may follow. */
const UNSURE_WORD = "\0unsure";

const WHERE: Record<Context, string> = {
  top: "",
  single: "inside single quotes",
  double: "inside double quotes",
  backtick: "inside a `...` command substitution",
  command: "inside a $(...) command substitution",
  parameter: "inside a ${...} parameter expansion",
  comment: "inside a # comment",
  heredoc: "inside a here-document",
};

/**
 * Why a placeholder cannot stand here, or null when it can: unquoted at the top level, not after
 * a backslash (which would escape the value's opening quote) or a `$` (which would make it a
 * variable name), not as a here-document's delimiter.
 */
export function placeholderProblem(s: ShellState): string | null {
  if (s.body) return WHERE.heredoc;
  const context = top(s).context;
  if (context !== "top") return WHERE[context];
  if (s.escaped) return "right after a backslash";
  if (s.last === "$") return "right after a $";
  if (s.readingDelimiter) return "as a here-document's delimiter";
  return null;
}

/** What the text leaves open at its end (a quote, a substitution, a here-document), or null. */
export function unclosed(s: ShellState): string | null {
  // A here-document whose closing line is the text's last line (no newline after it) is closed.
  const closingLine = s.body !== null && (s.body.stripTabs ? s.body.line.replace(/^\t+/, "") : s.body.line) === s.body.delimiter;
  if ((s.body && !closingLine) || s.pending.length > 0 || s.readingDelimiter) return "inside a here-document";
  const open = s.frames.map((f) => f.context).filter((c) => c !== "top" && c !== "comment");
  return open.length > 0 ? WHERE[open[open.length - 1]!] : null;
}

/** A construct the lexer does not follow, or null. */
export type LexError = string;

/** Reads literal template text, updating the state. Returns a LexError for unsupported syntax. */
export function readShellText(s: ShellState, text: string): LexError | null {
  for (const c of text) {
    const error = readChar(s, c);
    if (error) return error;
  }
  return null;
}

/** A placeholder's output: the lexer sees it as ordinary word characters. */
export function readPlaceholder(s: ShellState): void {
  if (s.body) s.body.line += "x";
  else s.word += "x";
  s.last = "x";
}

/** What `last` holds after an escaped character, which combines with nothing. */
const ESCAPED = "\\escaped";

function top(s: ShellState): Frame {
  return s.frames[s.frames.length - 1]!;
}

function push(s: ShellState, context: Context): void {
  s.frames.push({ context, parens: 0 });
  // A substitution starts a command line of its own.
  if (context === "command") s.word = "";
}

function pop(s: ShellState): void {
  if (s.frames.length > 1) {
    // What follows the substitution or quote continues the same word.
    if (s.frames.pop()!.context !== "comment") s.word ||= "x";
  }
}

/**
 * Ends the word being read. A `case` inside $( ... ) is refused: its patterns' `)` would end the
 * substitution for a reader that does not follow case statements fully, and a reader that ends a
 * substitution too early could take a quoted placeholder for an unquoted one.
 */
function endWord(s: ShellState): LexError | null {
  const inSubstitution = top(s).context === "command";
  const word = s.word;
  s.word = "";
  return inSubstitution && word === "case" ? "a case statement inside $(...)" : null;
}

function readChar(s: ShellState, c: string): LexError | null {
  const last = s.last;
  s.last = c;
  if (s.body) {
    readBodyChar(s, c);
    return null;
  }
  const frame = top(s);
  if (s.escaped) {
    s.escaped = false;
    // An escaped character is plain text: `\$(` opens nothing, `\<<` starts no here-document.
    s.last = ESCAPED;
    // An escaped character is quoted: `ca\se` is no keyword.
    if (frame.context === "top" || frame.context === "command") s.word += ESCAPED + c;
    return null;
  }
  switch (frame.context) {
    case "single":
      if (c === "'") pop(s);
      return null;
    case "comment":
      if (c === "\n") {
        pop(s);
        return newline(s);
      }
      return null;
    case "backtick":
      if (c === "\\") s.escaped = true;
      else if (c === "`") pop(s);
      return null;
    case "double":
      if (c === "\\") s.escaped = true;
      else if (c === '"') pop(s);
      else if (c === "`") push(s, "backtick");
      else if (last === "$" && c === "(") push(s, "command");
      else if (last === "$" && c === "{") push(s, "parameter");
      return null;
    case "parameter":
      if (c === "\\") s.escaped = true;
      else if (c === "}") pop(s);
      else if (c === "'") push(s, "single");
      else if (c === '"') push(s, "double");
      else if (c === "`") push(s, "backtick");
      else if (last === "$" && c === "(") push(s, "command");
      else if (last === "$" && c === "{") push(s, "parameter");
      return null;
    case "top":
    case "command":
      return readUnquoted(s, frame, c, last);
    case "heredoc":
      return null;
  }
}

function readUnquoted(s: ShellState, frame: Frame, c: string, last: string): LexError | null {
  if (s.readingDelimiter) {
    const d = s.readingDelimiter;
    if (!d.started && c === "-" && d.text === "" && last === "<") {
      d.stripTabs = true;
      return null;
    }
    if (!d.started && (c === " " || c === "\t")) return null;
    if (/[\s;&|<>()]/.test(c)) {
      if (d.text === "") return "a here-document (<<) without a delimiter word";
      s.pending.push({ delimiter: d.text, stripTabs: d.stripTabs });
      s.readingDelimiter = null;
      // The character that ended the word is read as usual.
    } else {
      d.started = true;
      // Quotes around the delimiter only make the body literal; the delimiter is the text.
      if (c !== "'" && c !== '"' && c !== "\\") d.text += c;
      return null;
    }
  }
  const wordStart = s.word === "";
  if (c === "'" || c === '"') {
    if (last === "$" && c === "'") return "$'...' quoting (sh and bash read it differently)";
    push(s, c === "'" ? "single" : "double");
    s.word += c;
    return null;
  }
  if (c === "\\") {
    s.escaped = true;
    return null;
  }
  if (c === "`") {
    push(s, "backtick");
    s.word += c;
    return null;
  }
  if (c === "#" && s.word === UNSURE_WORD) return "a # right after a {{#if}} or {{#each}} block (a comment in one branch, not in the other)";
  if (c === "#" && wordStart) {
    push(s, "comment");
    return null;
  }
  if (last === "$" && c === "(") {
    push(s, "command");
    return null;
  }
  if (last === "$" && c === "{") {
    push(s, "parameter");
    return null;
  }
  if (c === "<" && last === "<") {
    s.readingDelimiter = { stripTabs: false, text: "", started: false };
    return endWord(s);
  }
  if (c === "(") {
    // A subshell or a function's parentheses: unquoted at this level; counted, so that its `)`
    // does not end a $( ... ) around it.
    const error = endWord(s);
    frame.parens++;
    return error;
  }
  if (c === ")") {
    const error = endWord(s);
    if (frame.parens > 0) frame.parens--;
    else if (frame.context === "command") pop(s);
    return error;
  }
  if (c === "\n") return endWord(s) ?? newline(s);
  if (/[\s;&|<>]/.test(c)) return endWord(s);
  s.word += c;
  return null;
}

/** An unquoted newline: here-documents announced on the line start their bodies. */
function newline(s: ShellState): LexError | null {
  if (s.readingDelimiter) return "a here-document (<<) without a delimiter word";
  const next = s.pending.shift();
  if (next) s.body = { ...next, line: "" };
  return null;
}

function readBodyChar(s: ShellState, c: string): void {
  const body = s.body!;
  if (c !== "\n") {
    body.line += c;
    return;
  }
  const line = body.stripTabs ? body.line.replace(/^\t+/, "") : body.line;
  if (line === body.delimiter) {
    const next = s.pending.shift();
    s.body = next ? { ...next, line: "" } : null;
  } else body.line = "";
}
