// The executor's and the launcher watchdog's tests again, every process started by the Node
// fallback spawner (spawner-fallback.ts) that launchers use where no C compiler built forkserver.c:
// the same outcomes, files, process groups and clean-up after a SIGKILLed launcher. Needs
// `npm run build` first (the fallback runs as compiled JavaScript).
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { Spawner } from "../../launcher/executor/spawner-client.js";

process.env.SPRUCE_SPAWNER = "node";

it("starts the Node fallback as the spawner when SPRUCE_SPAWNER=node", async () => {
  const spawner = Spawner.start({ log: () => {} });
  const argv = readFileSync(`/proc/${spawner.pid}/cmdline`, "utf8").split("\0");
  expect(argv[0]).toBe(process.execPath);
  expect(argv[1]).toMatch(/dist\/launcher\/executor\/spawner-fallback\.js$/);
  await spawner.close();
});

await import("./executor.test.js");
await import("./executor-reaper.test.js");
