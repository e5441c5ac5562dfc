// Shell completion as bash runs it: `spruce completion` prints the script, bash sources it, and the
// completion function (with COMP_WORDS/COMP_CWORD as bash sets them on TAB) fills COMPREPLY through
// the built CLI on PATH: commands, options, and the workflow names of the workspace's database for
// status, topk, logs, report, cancel and rm. Completing never creates a database or any file.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkflow, openStore, type Store } from "../../src/store/index.js";
import { sampleWorkflow } from "../helpers/db.js";
import { CLI, spruce, tempWorkspace } from "../helpers/cli.js";

const tmp = tempWorkspace("spruce-completion-");
const bin = join(tmp.dir, "bin");
const workspace = join(tmp.dir, "ws");
const elsewhere = join(tmp.dir, "elsewhere");
const script = join(tmp.dir, "spruce-completion.bash");
afterAll(() => tmp.cleanup());

beforeAll(async () => {
  // The script calls `spruce` by name, as an installed one is called.
  mkdirSync(bin);
  symlinkSync(CLI, join(bin, "spruce"));
  mkdirSync(elsewhere);
  const store = await openStore({ workspace }, { migrate: true });
  for (const name of ["alpha-search", "beta-search"]) await createWorkflow(store, sampleWorkflow({ name, resultsDir: join(workspace, "data", name) }));
  await store.close();
  const r = spruce(["completion"], { env: { SHELL: "/bin/bash" } });
  expect(r.code, r.stderr).toBe(0);
  writeFileSync(script, r.stdout);
});

/** What bash offers for a command line whose last word is being completed. */
function complete(words: string[], env: Record<string, string> = {}, cwd = elsewhere): string[] {
  const quoted = words.map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(" ");
  const program = `source ${script}; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _spruce_yargs_completions; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { SPRUCE_WORKSPACE: _, ...inherited } = process.env;
  const r = spawnSync("bash", ["-c", program], { cwd, encoding: "utf8", env: { ...inherited, ...env, PATH: `${bin}:${process.env.PATH}` } });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout.split("\n").filter((l) => l !== "");
}

describe("spruce completion", () => {
  it("prints a bash script by default and a zsh one under zsh", () => {
    const bash = spruce(["completion"], { env: { SHELL: "/bin/bash" } }).stdout;
    expect(bash).toContain("complete -o bashdefault -o default -F _spruce_yargs_completions spruce");
    const zsh = spruce(["completion"], { env: { SHELL: "/usr/bin/zsh" } }).stdout;
    expect(zsh).toMatch(/^#compdef spruce/);
    expect(zsh).toContain("compdef _spruce_yargs_completions spruce");
  });

  it("completes command names and a command's options", () => {
    expect(complete(["spruce", "stat"])).toEqual(["status"]);
    expect(complete(["spruce", "do"])).toEqual(["doctor"]);
    expect(complete(["spruce", "topk", "--mi"])).toEqual(["--minimize"]);
    expect(complete(["spruce", "db", "mi"])).toEqual(["migrate"]);
    // --site forwards a real command line to the site; a TAB after it completes here.
    expect(complete(["spruce", "--site", "far", "stat"])).toEqual(["status"]);
  });

  it("completes workflow names for status, topk, logs, report, cancel and rm", () => {
    const env = { SPRUCE_WORKSPACE: workspace };
    for (const command of ["status", "topk", "logs", "report", "cancel", "rm"]) {
      expect(complete(["spruce", command, ""], env), command).toEqual(["alpha-search", "beta-search"]);
    }
    expect(complete(["spruce", "status", "be"], env)).toEqual(["beta-search"]);
    // The workspace from the command line, and from the default ./.spruce of the current folder.
    expect(complete(["spruce", "--workspace", workspace, "topk", "al"])).toEqual(["alpha-search"]);
    expect(complete(["spruce", "rm", ""], {}, tmp.dir).length).toBe(0);
    mkdirSync(join(tmp.dir, "project"));
    symlinkSync(workspace, join(tmp.dir, "project", ".spruce"));
    expect(complete(["spruce", "logs", "a"], {}, join(tmp.dir, "project"))).toEqual(["alpha-search"]);
    // Not for other commands, nor for a second argument.
    expect(complete(["spruce", "submit", "hps", ""], env)).not.toContain("alpha-search");
    expect(complete(["spruce", "status", "alpha-search", ""], env)).not.toContain("beta-search");
  });

  it("creates no database, and no file at all, in a folder without one or in the workspace", () => {
    const before = readdirSync(workspace).sort();
    expect(complete(["spruce", "status", ""])).toEqual([]);
    expect(complete(["spruce", "--workspace", join(elsewhere, "nothing"), "rm", ""])).toEqual([]);
    expect(readdirSync(elsewhere)).toEqual([]);
    complete(["spruce", "status", ""], { SPRUCE_WORKSPACE: workspace });
    expect(readdirSync(workspace).sort()).toEqual(before);
  });

  it("reads the names while a writer holds the database open (WAL)", async () => {
    const store: Store = await openStore({ workspace });
    try {
      await createWorkflow(store, sampleWorkflow({ name: "gamma-search", resultsDir: join(workspace, "data", "gamma-search") }));
      expect(complete(["spruce", "cancel", ""], { SPRUCE_WORKSPACE: workspace })).toEqual(["alpha-search", "beta-search", "gamma-search"]);
    } finally {
      await store.close();
    }
  });
});
