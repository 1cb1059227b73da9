import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { dashboardDir } from "./tracker-server.ts";

export const CHROMIUM = process.env.LABTRACK_CHROMIUM ?? "/usr/bin/chromium";
export const screenshotDir = path.join(dashboardDir, "test-results");

/** Debian's chromium, headless; never a downloaded browser. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `chromium not found at ${CHROMIUM}: install Debian's package (\`apt-get install -y chromium\`) or set LABTRACK_CHROMIUM`,
    );
  }
  await mkdir(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: false });
}

/**
 * Collects uncaught errors and console errors, so a test can assert the page stayed clean. The
 * browser's own line for a 401 is expected where a test signs in with a wrong token on purpose.
 */
export function watchPageErrors(page: Page, opts: { allowUnauthorized?: boolean } = {}): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    if (opts.allowUnauthorized && /status of 401/.test(message.text())) return;
    errors.push(`console: ${message.text()}`);
  });
  return errors;
}
