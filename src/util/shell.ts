// Shell quoting for every value that reaches a shell line (batch scripts, command runs).
// Single quotes make everything literal; a single quote itself is closed, escaped and reopened.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(value: string | number | boolean): string {
  const s = String(value);
  if (s.length > 0 && SAFE.test(s)) return s;
  return "'" + s.replace(/'/g, "'\\''") + "'";
}

export function shellJoin(args: readonly (string | number)[]): string {
  return args.map((a) => shellQuote(a)).join(" ");
}
