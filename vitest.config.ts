import { defineConfig } from "vitest/config";

// The chaos test takes Slurm nodes DOWN and kills processes on the shared test bed: it runs in its
// own project, alone, after every other test file (a higher groupOrder starts once the lower ended).
const CHAOS = "test/e2e/chaos.test.ts";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn processes and share a 2-core machine: keep parallelism modest.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: "spruce", include: ["test/**/*.test.ts"], exclude: [CHAOS] } },
      { extends: true, test: { name: "chaos", include: [CHAOS], sequence: { groupOrder: 1 } } },
    ],
  },
});
