// A NAS search's report in headless Chromium (Debian's `chromium`, driven by playwright-core): the
// best architectures drawn as diagrams, one box per node, a dashed arc per skip connection that is
// on, no console or page errors, no network requests; a screenshot goes to test-artifacts/.
// CI must have chromium: there a missing browser fails; elsewhere it skips.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixture, ROOT, spruce, tempWorkspace } from "../helpers/cli.js";
import { launchChromium, watchedPage, browserSkip } from "../helpers/browser.js";

const browserTest = browserSkip("NAS report in a browser");

const ws = tempWorkspace("spruce-nas-browser-");
const W = ["--workspace", ws.dir];
let passed = false;
afterAll(() => {
  if (passed) ws.cleanup();
});

describe.skipIf(browserTest.skip)(browserTest.title, () => {
  it("draws the three best architectures with their nodes and skip connections", async () => {
    const sub = spruce([...W, "submit", "nas", "nasrep", "-p", fixture("nas/tiny.ts"), "-r", fixture("nas/tiny-run.ts"), "--scheduler", "local", "--max-evals", "12", "--evals-per-node", "3", "--seed", "2", "--wait"]);
    expect(sub.code, sub.stderr).toBe(0);
    const rep = spruce([...W, "report", "nasrep"]);
    expect(rep.code, rep.stderr).toBe(0);
    const browser = await launchChromium();
    try {
      const { page, problems } = await watchedPage(browser, "file:");
      await page.goto(`file://${rep.stdout.trim()}`, { waitUntil: "load" });
      const figures = page.locator("#architectures figure");
      expect(await figures.count()).toBe(3);
      // The best of the 12 is arch_seq [1,2,1] (objective 4): its skip input -> b is on.
      const best = figures.first();
      expect(await best.locator("figcaption").textContent()).toMatch(/objective 4, arch_seq \[1,2,1\]/);
      expect(await best.locator("g.node").count()).toBe(4);
      expect(await best.locator("path.skip").count()).toBe(1);
      for (let i = 0; i < 4; i++) {
        const box = await best.locator("g.node rect").nth(i).boundingBox();
        expect(box!.width).toBeGreaterThan(100);
        expect(box!.height).toBeGreaterThan(20);
      }
      const arc = await best.locator("path.skip").boundingBox();
      expect(arc!.height).toBeGreaterThan(50);
      mkdirSync(join(ROOT, "test-artifacts"), { recursive: true });
      await page.locator("#architectures").screenshot({ path: join(ROOT, "test-artifacts/report-nas.png") });
      expect(problems).toEqual([]);
      passed = true;
    } finally {
      await browser.close();
    }
  });
});
