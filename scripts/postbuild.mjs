// Marks the compiled CLI entry points executable (tsc keeps the shebang but not the mode).
import { chmodSync, existsSync } from "node:fs";
for (const f of ["dist/src/cli/main.js", "dist/src/cli/balsam-submit.js"]) {
  if (existsSync(f)) chmodSync(f, 0o755);
}
