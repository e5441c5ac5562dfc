// After tsc: marks the compiled CLI entry points executable (tsc keeps the shebang but not the
// mode), and compiles the launcher's spawner (launcher/executor/forkserver.c) with the C compiler,
// cc or $CC (the one native part: see the file's header for why).
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";

for (const f of ["dist/src/cli/main.js", "dist/src/cli/balsam-submit.js"]) {
  if (existsSync(f)) chmodSync(f, 0o755);
}

const source = "launcher/executor/forkserver.c";
const binary = "dist/launcher/executor/forkserver";
if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs) {
  const cc = process.env.CC ?? "cc";
  mkdirSync("dist/launcher/executor", { recursive: true });
  try {
    execFileSync(cc, ["-O2", "-std=c11", "-Wall", "-Wextra", "-o", binary, source], { stdio: "inherit" });
  } catch (e) {
    const why = e.code === "ENOENT" ? `${cc} was not found` : `${cc} failed`;
    console.error(`spruce build: could not compile ${source} (${why}): install a C compiler (gcc or clang) or set CC`);
    process.exit(1);
  }
}
