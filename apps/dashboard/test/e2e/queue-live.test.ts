import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot, watchPageErrors } from "./browser.ts";
import { type RunnerProcess, startRunner } from "./gpu-runner-process.ts";
import { callApi, startTrackerServer, type TrackerServer } from "./tracker-server.ts";

/** Points shown in a chart card's header, e.g. "23 pts". */
async function chartPoints(page: Page, metric: string): Promise<number> {
  const text = (await page.locator(`section[data-metric="${metric}"] .chart-card-head`).textContent()) ?? "";
  return Number(/([\d,]+) pts/.exec(text)?.[1]?.replaceAll(",", "") ?? 0);
}

describe("queueing a command experiment from the dashboard", () => {
  let server: TrackerServer;
  let browser: Browser;
  let page: Page;
  let runner: RunnerProcess | null = null;
  let errors: string[];

  beforeAll(async () => {
    server = await startTrackerServer();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1360, height: 860 } })).newPage();
    errors = watchPageErrors(page);
    await page.goto(server.loginLink);
    await page.waitForURL((url) => url.pathname === "/");
  });

  afterAll(async () => {
    await runner?.stop();
    await browser?.close();
    await server?.close();
  });

  it("goes queued -> running -> succeeded live, its chart growing as it runs", async () => {
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Queue" }).click();
    await page.getByText("✓ Valid experiment").waitFor();
    await page.getByLabel("name", { exact: true }).fill("live-curves");
    await page.getByRole("button", { name: "Queue experiment" }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const runId = page.url().split("/").pop() ?? "";
    await page.locator(".run-title .status-queued").waitFor();
    await screenshot(page, "15-run-queued");

    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Queue" }).click();
    await page.getByRole("link", { name: "live-curves" }).waitFor();
    await screenshot(page, "16-queue-with-run");
    await page.getByRole("link", { name: "live-curves" }).click();
    await page.getByRole("link", { name: "Charts", exact: true }).click();
    await page.getByText("Waiting for the first metric").waitFor();

    const token = await callApi<{ token: string }>(server, "tokens.create", {
      name: "e2e-runner",
      scope: "runner",
    });
    runner = await startRunner(server.url, token.token, "e2e-runner");
    await page.locator(".run-title .status-running").waitFor({ timeout: 60_000 });
    await page.locator('section[data-metric="train/loss"] canvas').first().waitFor({ timeout: 30_000 });
    const early = await chartPoints(page, "train/loss");
    await page.waitForFunction(
      ([metric, before]) => {
        const head = document.querySelector(`section[data-metric="${metric}"] .chart-card-head`);
        const points = Number(/([\d,]+) pts/.exec(head?.textContent ?? "")?.[1]?.replaceAll(",", "") ?? 0);
        return points > (before as number);
      },
      ["train/loss", early] as const,
      { timeout: 30_000 },
    );
    await screenshot(page, "17-run-charts-live");
    await page.locator(".run-title .status-succeeded").waitFor({ timeout: 60_000 });
    // Every reported step arrived, without a reload.
    await page.waitForFunction(() => {
      const head = document.querySelector('section[data-metric="train/loss"] .chart-card-head');
      return /[^\d]40 pts/.test(head?.textContent ?? "");
    });
    expect(await chartPoints(page, "train/loss")).toBe(40);
    const events = await callApi<{ to: string }[]>(server, "runs.events", { runId }, "query");
    expect(events.map((e) => e.to)).toEqual(["queued", "running", "succeeded"]);
    await screenshot(page, "18-run-succeeded");
  });

  it("shows the runner, its slot and its last run on the Runners page", async () => {
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Runners" }).click();
    const card = page.getByRole("article", { name: "e2e-runner" });
    await card.getByText("online").waitFor();
    await card.getByText("Slots · 0/1 busy").waitFor();
    await screenshot(page, "19-runners");
    // A claim shows at once (live status events), well before the page's 5 s poll.
    const queued = await callApi<{ id: string }>(server, "queue.enqueue", {
      project: "default",
      name: "sleepy",
      spec: { kind: "command", command: "sleep 4" },
    });
    const claimedAt = Date.now();
    await card.getByText("Slots · 1/1 busy").waitFor({ timeout: 2000 });
    await card.getByRole("link", { name: "sleepy" }).waitFor({ timeout: 1000 });
    expect(Date.now() - claimedAt).toBeLessThan(2000);
    await card.getByText("Slots · 0/1 busy").waitFor({ timeout: 20_000 });
    const run = await callApi<{ status: string }>(server, "runs.get", { runId: queued.id }, "query");
    expect(run.status).toBe("succeeded");
  });

  it("left the browser console clean", () => {
    expect(errors).toEqual([]);
  });
});
