// The HTML report of a real finished search, rendered in headless Chromium (Debian's `chromium`,
// driven by playwright-core): no console or page errors, no network requests, one mark per finished
// evaluation with the failures marked, working tooltips, and a two-objective search's Pareto front;
// screenshots go to test-artifacts/.
// CI must have chromium (.ci/run installs it): there a missing browser fails; elsewhere it skips.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixture, ROOT, spruce, tempWorkspace } from "../helpers/cli.js";
import { launchChromium, watchedPage, browserSkip } from "../helpers/browser.js";

const browserTest = browserSkip("report in a browser");

const ws = tempWorkspace("spruce-browser-");
const W = ["--workspace", ws.dir];
let passed = false;
afterAll(() => {
  if (passed) ws.cleanup();
});

describe.skipIf(browserTest.skip)(browserTest.title, () => {
  it("renders a finished search's report without errors, with every evaluation and failure marked", async () => {
    const sub = spruce([...W, "submit", "hps", "browser", "-p", fixture("cli/problem.ts"), "-r", fixture("cli/run-flaky.ts"), "--scheduler", "local", "--searcher", "random", "--max-evals", "15", "--evals-per-node", "3", "--seed", "11", "--wait"]);
    expect(sub.code, sub.stderr).toBe(0);
    const rep = spruce([...W, "report", "browser"]);
    expect(rep.code, rep.stderr).toBe(0);
    const file = rep.stdout.trim();
    const st = spruce([...W, "status", "browser", "--json"]);
    const counts = JSON.parse(st.stdout).counts as Record<string, number>;
    const finished = counts.DONE! + counts.FAILED! + counts.TIMEOUT!;
    const failed = counts.FAILED! + counts.TIMEOUT!;
    expect(finished).toBe(15);
    expect(failed, "the seed should draw kind c at least once").toBeGreaterThan(0);

    const browser = await launchChromium();
    try {
      const { page, problems } = await watchedPage(browser, "file:");
      await page.goto(`file://${file}`, { waitUntil: "load" });

      expect(await page.title()).toBe("browser — Spruce report");
      for (const chart of ["#chart-evals", "#chart-time"]) {
        expect(await page.locator(`${chart} .pt`).count()).toBe(finished);
        expect(await page.locator(`${chart} .pt.fail`).count()).toBe(failed);
        const box = await page.locator(chart).boundingBox();
        expect(box!.width).toBeGreaterThan(300);
      }
      expect(await page.locator("#chart-gantt .bar").count()).toBe(finished);
      expect(await page.locator("#chart-gantt .bar.s-FAILED").count()).toBe(failed);
      expect(await page.locator("#chart-evals path.best").count()).toBe(1);
      // The embedded data parses in the page and holds every evaluation.
      expect(await page.evaluate(() => JSON.parse(document.getElementById("report-data")!.textContent!).evaluations.length)).toBe(15);
      expect(await page.locator("#influence svg.chart").count()).toBe(3);
      expect(await page.locator("#topk tr[data-eval-id]").count()).toBe(10);

      // Hovering a failure shows it; clicking highlights the same evaluation in every chart.
      const cross = page.locator("#chart-evals .pt.fail").first();
      const id = await cross.getAttribute("data-eval-id");
      await cross.hover({ force: true });
      await expect.poll(() => page.locator("#tip").isVisible()).toBe(true);
      expect(await page.locator("#tip").textContent()).toMatch(new RegExp(`^evaluation ${id}  FAILED`));
      await cross.click({ force: true });
      expect(await page.locator(`.hl[data-eval-id="${id}"]`).count()).toBeGreaterThanOrEqual(4);

      mkdirSync(join(ROOT, "test-artifacts"), { recursive: true });
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(ROOT, "test-artifacts/report.png"), fullPage: true });
      expect(problems).toEqual([]);
      passed = true;
    } finally {
      await browser.close();
    }
  }, 120_000);

  it("renders a two-objective search's Pareto front: every success a point, the front highlighted", async () => {
    passed = false;
    const sub = spruce([...W, "submit", "hps", "pareto", "-p", join(ROOT, "examples/multi-objective/problem.ts"), "-r", join(ROOT, "examples/multi-objective/run.ts"), "--scheduler", "local", "--max-evals", "20", "--evals-per-node", "4", "--seed", "4", "--wait"]);
    expect(sub.code, sub.stderr).toBe(0);
    const rep = spruce([...W, "report", "pareto"]);
    expect(rep.code, rep.stderr).toBe(0);
    const status = JSON.parse(spruce([...W, "status", "pareto", "--json"]).stdout);
    const front = (status.best as { eval_id: number }[]).map((b) => String(b.eval_id)).sort();
    expect(status.counts.DONE).toBe(20);

    const browser = await launchChromium();
    try {
      const { page, problems } = await watchedPage(browser, "file:");
      await page.goto(`file://${rep.stdout.trim()}`, { waitUntil: "load" });
      expect(await page.locator("#chart-pareto .pt").count()).toBe(20);
      const onFront = await page.locator("#chart-pareto .pt.front").evaluateAll((els) => els.map((e) => e.getAttribute("data-eval-id")!));
      expect(onFront.sort()).toEqual(front);
      expect(await page.locator("#chart-pareto path.front-line").count()).toBe(1);
      expect((await page.locator("#chart-pareto").boundingBox())!.width).toBeGreaterThan(300);
      expect(await page.locator("#topk tr[data-eval-id]").count()).toBe(front.length);
      // Hovering a front point names both objectives; clicking highlights it in the other charts too.
      // The point hovered is one no other mark covers at its centre: two results with nearly the
      // same objectives overlap in the scatter, and the pointer then reaches the one on top.
      await page.locator("#chart-pareto").scrollIntoViewIfNeeded();
      const id = await page.locator("#chart-pareto .pt.front").evaluateAll((els) => {
        for (const el of els) {
          const r = el.getBoundingClientRect();
          if (document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === el) return el.getAttribute("data-eval-id");
        }
        return null;
      });
      expect(id, "every front point is covered by another mark").not.toBeNull();
      const point = page.locator(`#chart-pareto .pt.front[data-eval-id="${id}"]`);
      await point.hover({ force: true });
      await expect.poll(() => page.locator("#tip").isVisible()).toBe(true);
      expect(await page.locator("#tip").textContent()).toMatch(new RegExp(`^evaluation ${id}  DONE\naccuracy [0-9.]+\nlatency [0-9.]+\n`));
      await point.click({ force: true });
      expect(await page.locator(`.hl[data-eval-id="${id}"]`).count()).toBeGreaterThanOrEqual(3);
      mkdirSync(join(ROOT, "test-artifacts"), { recursive: true });
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(ROOT, "test-artifacts/report-pareto.png"), fullPage: true });
      expect(problems).toEqual([]);
      passed = true;
    } finally {
      await browser.close();
    }
  }, 120_000);
});
