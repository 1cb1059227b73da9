import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot, watchPageErrors } from "./browser.ts";
import { seedRun } from "./seed.ts";
import { startTrackerServer, type TrackerServer } from "./tracker-server.ts";

describe("dashboard against a real tracker-api", () => {
  let server: TrackerServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const runs: { id: string; name: string }[] = [];

  beforeAll(async () => {
    server = await startTrackerServer();
    browser = await launchChromium();
    runs.push(
      await seedRun(server, {
        project: "vision",
        name: "mobilenet-lr-0.01",
        config: { optimizer: { lr: 0.01, name: "adam" }, batch_size: 32, backbone: "mobilenet_v2" },
        finish: "succeeded",
        group: "sweep-1",
        tags: ["baseline"],
      }),
      await seedRun(server, {
        project: "vision",
        name: "mobilenet-lr-0.001",
        config: { optimizer: { lr: 0.001, name: "adam" }, batch_size: 32, backbone: "mobilenet_v2" },
        curve: (s) => 1.2 * Math.exp(-s / 35),
        group: "sweep-1",
      }),
    );
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    page = await context.newPage();
    errors = watchPageErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("signs in with the link the server printed and lands on the projects page", async () => {
    expect(server.loginLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login#token=/);
    await page.goto(server.loginLink);
    await page.waitForURL((url) => url.pathname === "/");
    await page.getByRole("link", { name: /vision/ }).waitFor();
    expect(page.url()).not.toContain("token=");
    expect(await page.evaluate(() => localStorage.getItem("labtrack.token"))).toBe(server.token);
    await screenshot(page, "01-projects");
  });

  it("lists the project's runs with config and metric columns", async () => {
    await page.getByRole("link", { name: /vision/ }).click();
    await page.waitForURL(/\/projects\/vision/);
    for (const run of runs) await page.getByRole("link", { name: run.name }).waitFor();
    const header = await page.getByRole("columnheader").allTextContents();
    expect(header.join("|")).toContain("optimizer.lr");
    expect(header.join("|")).toContain("val/accuracy (last)");
    await screenshot(page, "02-runs");
  });

  it("shows the server's message for a filter it refuses, and filters with a valid one", async () => {
    const filter = page.getByRole("searchbox", { name: "Filter runs" });
    await filter.fill("config.optimizer.lr <");
    await page
      .getByRole("alert")
      .getByText(/expected a value/)
      .waitFor();
    await filter.fill("config.optimizer.lr < 0.005");
    await filter.press("Enter");
    await page.waitForURL(/filter=/);
    await page.getByText("1 matching").waitFor();
    expect(await page.getByRole("link", { name: "mobilenet-lr-0.01", exact: true }).count()).toBe(0);
    await page.getByRole("button", { name: "Clear" }).click();
    await page.getByRole("link", { name: "mobilenet-lr-0.01", exact: true }).waitFor();
  });

  it("left the browser console clean", () => {
    expect(errors).toEqual([]);
  });
});
