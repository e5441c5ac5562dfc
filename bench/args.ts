// The command-line flags the launcher benches share: `--name value`, and where workspaces go.

/** The value after `--name`, or `dflt` when the flag is absent. */
export function stringArg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

/** The number after `--name`, or `dflt` when the flag is absent. */
export function numberArg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

/** `--dir DIR`: where workspaces go; default the current directory, where `spruce` puts ./.spruce. */
export function workspaceDir(): string {
  return stringArg("dir", process.cwd());
}
