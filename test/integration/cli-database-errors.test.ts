// The database's errors are a user's errors, through the built CLI: a PostgreSQL server that does
// not answer or a host that does not exist is one `error:` line naming the URL with its password
// masked (no knex log line, no stack); a spruce.db that is not a database, or a truncated one, is
// one line naming the file and what to do, with nothing on stdout, the file untouched and no
// -wal/-shm files left beside it.
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectOneError, fixture, spruce, tempWorkspace } from "../helpers/cli.js";

const submit = ["submit", "hps", "wf", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run.ts"), "--scheduler", "local"];
const READERS: [string, string[]][] = [
  ["status", ["status", "wf"]],
  ["status --json", ["status", "wf", "--json"]],
  ["ls", ["ls"]],
  ["topk", ["topk", "wf"]],
  ["export", ["export", "wf", "--format", "csv"]],
];

describe("PostgreSQL that cannot be reached", () => {
  // Port 1 refuses at once; .invalid never resolves (RFC 6761).
  const refused = "postgres://spruce:s3cret@127.0.0.1:1/hps";
  const unknown = "postgres://spruce:s3cret@no-such-host.invalid/hps";

  it.each(READERS)("%s: one line naming the URL, password masked", (_name, args) => {
    const r = spruce(["--database-url", refused, ...args]);
    expectOneError(r, /^error: cannot reach the workflow database at postgres:\/\/spruce:\*\*\*@127\.0\.0\.1:1\/hps: connect ECONNREFUSED 127\.0\.0\.1:1$/, {
      code: 1,
      hint: /is the server running/,
    });
    expect(r.stderr).not.toContain("s3cret");
  });

  it.each(READERS)("%s: an unknown host is exit 2, naming it", (_name, args) => {
    const r = spruce(["--database-url", unknown, ...args]);
    expectOneError(r, /^error: cannot reach the workflow database at postgres:\/\/spruce:\*\*\*@no-such-host\.invalid\/hps: unknown host \(getaddrinfo ENOTFOUND no-such-host\.invalid\)$/, {
      hint: /check the host name in --database-url/,
    });
    expect(r.stderr).not.toContain("s3cret");
  });

  it("submit: the same line once everything else is checked, and nothing written locally", () => {
    const tmp = tempWorkspace();
    const ws = join(tmp.dir, "ws");
    // A URL without a password: one with a password is refused before any connection (it would be written into the script).
    const r = spruce(["--workspace", ws, "--database-url", "postgres://spruce@127.0.0.1:1/hps", ...submit]);
    expectOneError(r, /^error: cannot reach the workflow database at postgres:\/\/spruce@127\.0\.0\.1:1\/hps: connect ECONNREFUSED/, { code: 1 });
    expect(existsSync(ws)).toBe(false);
    tmp.cleanup();
  });
});

describe("a spruce.db that is not a database", () => {
  /** A workspace holding a real database with one workflow, to truncate. */
  const source = tempWorkspace();
  afterAll(() => source.cleanup());
  function realDatabase(): string {
    const r = spruce(["--workspace", source.dir, ...submit, "--max-evals", "2", "--searcher", "random", "--wait"]);
    expect(r.code, r.stderr).toBe(0);
    return join(source.dir, "spruce.db");
  }
  const original = realDatabase();

  const broken: [string, (file: string) => void][] = [
    ["text", (file) => writeFileSync(file, "these are notes, not a database\n".repeat(20))],
    ["a truncated copy", (file) => writeFileSync(file, readFileSync(original).subarray(0, 3000))],
  ];
  const commands: [string, string[]][] = [...READERS, ["submit", submit], ["submit --resume", ["submit", "hps", "wf", "--resume"]], ["cancel", ["cancel", "wf"]]];

  for (const [kind, make] of broken) {
    it.each(commands)(`${kind}: %s names the file and says to move it aside`, (_name, args) => {
      const tmp = tempWorkspace();
      const file = join(tmp.dir, "spruce.db");
      make(file);
      const bytes = readFileSync(file);
      const r = spruce(["--workspace", tmp.dir, ...args]);
      expectOneError(r, new RegExp(`^error: ${file.replace(/[.]/g, "\\.")} is not a usable SQLite database: (file is not a database|database disk image is malformed)$`), {
        hint: /move it aside \(mv .*spruce\.db.* .*spruce\.db\.broken/,
      });
      expect(readdirSync(tmp.dir)).toEqual(["spruce.db"]);
      expect(readFileSync(file).equals(bytes)).toBe(true);
      tmp.cleanup();
    });
  }

  it("the truncated copy's original still works (the test broke a copy, not the reader)", () => {
    const tmp = tempWorkspace();
    copyFileSync(original, join(tmp.dir, "spruce.db"));
    const r = spruce(["--workspace", tmp.dir, "ls", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).map((w: { workflow: string }) => w.workflow)).toEqual(["wf"]);
    tmp.cleanup();
  });
});
