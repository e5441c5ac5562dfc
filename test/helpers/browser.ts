// Headless Chromium for the page tests (Debian's `chromium`, driven by playwright-core): where it
// is, whether a test may skip without it (only outside CI), and a page that records what a page
// must never do (console errors or warnings, script errors, requests elsewhere).
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const CI = process.env.CI === "true";

/** Outside CI a test without Chromium skips (with this in its title); in CI it runs and fails. */
export function browserSkip(name: string): { skip: boolean; title: string } {
  const missing = !existsSync(CHROMIUM);
  return { skip: missing && !CI, title: missing && !CI ? `${name} (skipped: no ${CHROMIUM}; apt-get install chromium)` : name };
}

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/**
 * A new page whose `problems` collect console errors and warnings, page errors, and every request
 * whose URL does not start with `origin` (a report is `file:`, the dashboard its own address).
 */
export async function watchedPage(browser: Browser, origin: string, viewport = { width: 1400, height: 900 }): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("request", (r) => {
    if (!r.url().startsWith(origin)) problems.push(`request elsewhere: ${r.url()}`);
  });
  return { page, problems };
}
