// After tsc: marks the compiled CLI entry points executable (tsc keeps the shebang but not the
// mode), compiles the launcher's spawner (launcher/executor/forkserver.c) with the C compiler,
// SPRUCE_CC, CC or cc (the one native part: see the file's header for why), and byte-compiles the
// Python companion package (python/spruce_hps) so that no evaluation compiles it again. A build from
// the sources needs the compiler: the tests exercise the compiled spawner, never the fallback by accident.
import { spawnSync } from "node:child_process";
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

// Every Python evaluation imports the runner's modules; without their .pyc files each one compiles
// them anew (and never saves them where PYTHONDONTWRITEBYTECODE is set). Best effort, for each
// distinct interpreter a user is likely to name: python3 on PATH and the system's. A machine
// without Python loses nothing but this step.
const compiled = new Set();
for (const python of ["python3", "/usr/bin/python3"]) {
  const tag = spawnSync(python, ["-c", "import sys; print(sys.implementation.cache_tag)"], { encoding: "utf8" });
  if (tag.status !== 0) continue;
  const key = tag.stdout.trim();
  if (compiled.has(key)) continue;
  compiled.add(key);
  const r = spawnSync(python, ["-m", "compileall", "-q", "python/spruce_hps"], { encoding: "utf8" });
  if (r.status !== 0) console.error(`spruce build: note: ${python} -m compileall python/spruce_hps failed; Python evaluations will compile the package as they start`);
}
if (compiled.size === 0) console.error("spruce build: note: no python3 found; the Python companion package was not byte-compiled (only Python problems and runs need it)");
