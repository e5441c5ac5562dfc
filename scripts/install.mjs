// The package's postinstall: compiles the launcher's spawner (forkserver.c) where the machine has a
// C compiler. Never fails the install: without the compiled spawner, launchers try again at their
// first start, then use the Node fallback (slower starts), and `spruce doctor` says so.
import { existsSync } from "node:fs";

const module = new URL("../dist/launcher/executor/spawner-build.js", import.meta.url);
// A clone's `npm ci` runs this too, before anything is built: `npm run build` compiles it there.
if (existsSync(module)) {
  try {
    const { buildSpawner } = await import(module.href);
    const built = buildSpawner();
    if (!built.ok) {
      console.warn(`spruce-hps: the spawner was not compiled (${built.reason}); launchers will use the slower Node fallback. 'spruce doctor' says how to fix it.`);
    }
  } catch (e) {
    console.warn(`spruce-hps: the spawner was not compiled (${e instanceof Error ? e.message : String(e)}); launchers will use the slower Node fallback.`);
  }
}
