// Warnings raised below the CLI (e.g. while a user module loads): one `warning:` line each on
// stderr. While the CLI has a step line open ("Validating Problem..."), they are held until the
// step has printed its OK or FAILED, so that the step's line stays whole.

let held: string[] | null = null;

export function warn(text: string): void {
  if (held) held.push(text);
  else process.stderr.write(`warning: ${text}\n`);
}

/** Holds warnings from now on; the returned function prints them (and ends the hold). */
export function holdWarnings(): () => void {
  const outer = held;
  const mine: string[] = [];
  held = mine;
  return () => {
    held = outer;
    for (const text of mine) warn(text);
  };
}
