// After tsc: marks the compiled CLI entry points executable (tsc keeps the shebang but not the
// mode), and compiles the launcher's spawner (launcher/executor/forkserver.c) with the C compiler,
// SPRUCE_CC, CC or cc (the one native part: see the file's header for why). A build from the
// sources needs the compiler: the tests exercise the compiled spawner, never the fallback by accident.
import { chmodSync, existsSync, statSync } from "node:fs";
import { buildSpawner, spawnerBinary, spawnerSource } from "../dist/launcher/executor/spawner-build.js";

for (const f of ["dist/src/cli/main.js", "dist/src/cli/balsam-submit.js"]) {
  if (existsSync(f)) chmodSync(f, 0o755);
}

const binary = spawnerBinary();
if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(spawnerSource()).mtimeMs) {
  const built = buildSpawner();
  if (!built.ok) {
    console.error(`spruce build: could not compile the spawner: ${built.reason}; install a C compiler (gcc or clang) or set SPRUCE_CC (or CC)`);
    process.exit(1);
  }
}
