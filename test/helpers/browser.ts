/** Debian's Chromium, headless, driven by playwright-core: the browser the web pages are tested in. */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** test-artifacts/ of the checkout (git-ignored): screenshots the browser tests keep. */
export function artifactPath(name: string): string {
  const dir = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run installs it)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}

/**
 * What went wrong in a page as it ran: uncaught errors, console errors (a Content-Security-Policy
 * violation is one), requests that failed, and the page's own files answered with an HTTP error.
 * An API's error statuses (paths under `apiPrefix`) are left to the page, which shows them. A test
 * asserts the list stays empty.
 */
export function collectPageProblems(page: Page, apiPrefix = "/v1/"): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  page.on("console", (message) => {
    // Chromium logs every HTTP error status as a console error; statuses are judged below.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource: the server responded with a status of")) problems.push(`console: ${message.text()}`);
  });
  page.on("requestfailed", (request) => problems.push(`failed to load ${request.url()}: ${request.failure()?.errorText ?? "?"}`));
  page.on("response", (response) => {
    if (response.status() >= 400 && !new URL(response.url()).pathname.startsWith(apiPrefix)) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  return problems;
}
