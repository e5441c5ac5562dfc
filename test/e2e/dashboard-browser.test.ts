// `spruce dashboard` in headless Chromium (Debian's `chromium`, driven by playwright-core) against a
// real search running under the local scheduler: the list shows it and its counts rise without a
// reload; its view sorts and filters the evaluations table, opens an evaluation's stdout and stderr,
// and draws the report's charts; a request without the token, or with a wrong one, gets 401. Nothing
// is fetched from anywhere but the dashboard. Screenshots go to test-artifacts/.
// CI must have chromium (.ci/run installs it): there a missing browser fails; elsewhere it skips.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { ROOT, spruce, tempWorkspace } from "../helpers/cli.js";
import { startDashboardCli } from "../helpers/dashboard.js";
import { launchChromium, watchedPage, browserSkip } from "../helpers/browser.js";

const browserTest = browserSkip("dashboard in a browser");

const tmp = tempWorkspace("spruce-dash-browser-");
const W = ["--workspace", join(tmp.dir, "ws")];
const env = { XDG_CONFIG_HOME: join(tmp.dir, "config") };
let passed = false;
afterAll(() => {
  spruce([...W, "cancel", "live"]);
  if (passed) tmp.cleanup();
});

/** Each evaluation: a line on stdout and on stderr, 0.5 s of work, then the objective; kind c fails. */
const SCRIPT = `echo "training x=$1 kind=$2"
echo "warming up" >&2
sleep 0.5
if [ "$2" = c ]; then echo "kind c is not supported by this model" >&2; exit 3; fi
echo "objective: $1"
`;

async function texts(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).evaluateAll((els) => els.map((e) => (e.textContent ?? "").trim()));
}

describe.skipIf(browserTest.skip)(browserTest.title, () => {
  it("shows a running search live, sorts and filters its evaluations, opens their output, and refuses requests without the token", async () => {
    writeFileSync(join(tmp.dir, "step.sh"), SCRIPT);
    const sub = spruce([...W, "submit", "hps", "live", "--hp", "x=0.0:1.0", "--hp", "kind=a,b,c", "--command", "sh step.sh {{x}} {{kind}}",
      "--scheduler", "local", "--searcher", "random", "--max-evals", "40", "--evals-per-node", "2", "--seed", "5"], { cwd: tmp.dir });
    expect(sub.code, sub.stderr).toBe(0);
    const d = await startDashboardCli([...W, "dashboard"], env);
    const origin = `http://127.0.0.1:${d.port}/`;
    const browser = await launchChromium();
    try {
      const { page, problems } = await watchedPage(browser, origin);
      let loads = 0;
      page.on("load", () => loads++);

      // The list: the running search, its counts rising while the page stays loaded.
      const response = await page.goto(d.url, { waitUntil: "load" });
      expect(response!.status()).toBe(200);
      // The page drops the token from the address bar (the cookie carries the session).
      await expect.poll(() => page.url()).toBe(origin);
      const row = page.locator('#wf-table tr[data-workflow="live"]');
      await row.waitFor();
      await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
      const finished = async () => Number(await row.locator(".c-finished").getAttribute("data-value"));
      const first = await finished();
      expect(first).toBeLessThan(40);
      await expect.poll(finished, { timeout: 30_000 }).toBeGreaterThan(first);
      expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
      expect(loads).toBe(1);
      mkdirSync(join(ROOT, "test-artifacts"), { recursive: true });
      await page.screenshot({ path: join(ROOT, "test-artifacts/dashboard-list.png"), fullPage: true });

      // The workflow's view follows the search to its end, still without a reload.
      await row.locator("a").click();
      await page.locator("#eval-table tbody tr").first().waitFor();
      await expect.poll(() => page.locator("#card-finished").textContent(), { timeout: 60_000 }).toBe("40 / 40");
      expect(loads).toBe(1);
      const status = JSON.parse(spruce([...W, "status", "live", "--json"]).stdout) as { state: string; counts: Record<string, number> };
      const failed = status.counts.FAILED!;
      expect(failed, "seed 5 draws kind c").toBeGreaterThan(0);
      await expect.poll(() => page.locator("#chart-evals .pt").count()).toBe(40);
      expect(await page.locator("#chart-evals .pt.fail").count()).toBe(failed);
      // A mark's tooltip (the report's own): the evaluation, its state and its point.
      await page.locator("#chart-evals .pt.fail").first().hover({ force: true });
      await expect.poll(() => page.locator("#tip").isVisible()).toBe(true);
      expect(await page.locator("#tip").textContent()).toMatch(/^evaluation \d+  FAILED\nx = [0-9.]+\nkind = "c"\n/);
      await page.mouse.move(0, 0);
      const ticks = await texts(page, "#chart-gantt text.tick[text-anchor=middle]");
      expect(ticks.length).toBeGreaterThan(2);
      expect(new Set(ticks).size).toBe(ticks.length);

      // Sorting: by objective, best first, failures (no objective) last; again, the other way.
      const objectives = async () => (await texts(page, "#eval-table tbody td.objective")).map((t) => (t === "" ? null : Number(t)));
      await page.locator('#eval-table th[data-sort="objective"]').click();
      await expect.poll(() => page.locator('#eval-table th[data-sort="objective"]').getAttribute("aria-sort")).toBe("descending");
      await expect.poll(async () => (await objectives()).length).toBe(40);
      let values = await objectives();
      const numbers = values.filter((v): v is number => v !== null);
      expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
      expect(values.slice(numbers.length).every((v) => v === null)).toBe(true);
      await page.locator('#eval-table th[data-sort="objective"]').click();
      await expect.poll(() => page.locator('#eval-table th[data-sort="objective"]').getAttribute("aria-sort")).toBe("ascending");
      await expect.poll(async () => (await objectives())[0]).toBe(Math.min(...numbers));
      values = await objectives();
      expect(values.filter((v) => v !== null)).toEqual([...numbers].sort((a, b) => a - b));

      // Filtering: by state, then by text of the point.
      await page.locator("#state-filter").selectOption("FAILED");
      await expect.poll(() => texts(page, "#eval-table tbody td.state")).toEqual(Array(failed).fill("FAILED"));
      expect(await page.locator("#pager-info").textContent()).toBe(`1–${failed} of ${failed}`);
      await page.locator("#state-filter").selectOption("");
      await page.locator("#filter").fill('"kind":"b"');
      await expect.poll(async () => (await texts(page, "#eval-table tbody td.point")).every((p) => p.includes('kind="b"'))).toBe(true);
      const kindB = (await texts(page, "#eval-table tbody td.point")).length;
      expect(kindB).toBeGreaterThan(0);
      expect(kindB).toBeLessThan(40 - failed);
      await page.locator("#filter").fill("");
      await page.locator("#state-filter").selectOption("FAILED");
      await expect.poll(() => page.locator("#eval-table tbody tr").count()).toBe(failed);

      // An evaluation's output: stdout, then stderr with the reason it failed.
      await page.locator("#eval-table tbody tr").first().click();
      await expect.poll(() => page.locator("#tail").textContent()).toMatch(/^training x=[0-9.]+ kind=c\n$/);
      await page.locator("#show-stderr").click();
      await expect.poll(() => page.locator("#tail").textContent()).toBe("warming up\nkind c is not supported by this model\n");
      expect(await page.locator("#detail").textContent()).toMatch(/exit code3/);
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(ROOT, "test-artifacts/dashboard-workflow.png"), fullPage: true });
      expect(problems).toEqual([]);

      // Another browser context has no cookie: without the token, or with a wrong one, 401.
      const stranger = await browser.newContext();
      const other = await stranger.newPage();
      for (const url of [origin, `${origin}?token=${"0".repeat(64)}`, `${origin}api/workflows`, `${origin}api/workflows/live/evaluations/1/output`]) {
        const r = await other.goto(url);
        expect([url, r!.status()]).toEqual([url, 401]);
        expect(await r!.text()).toBe("Unauthorized\n");
      }
      await stranger.close();
      passed = true;
    } finally {
      await browser.close();
      await d.stop();
    }
  }, 180_000);
});
