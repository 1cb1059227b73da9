import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot, watchPageErrors } from "./browser.ts";
import { callApi, startTrackerServer, type TrackerServer } from "./tracker-server.ts";

const LEASE_MS = 2000;

describe("a retried run on the Run page", () => {
  let server: TrackerServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let runId = "";

  beforeAll(async () => {
    server = await startTrackerServer({
      LABTRACK_LEASE_MS: String(LEASE_MS),
      LABTRACK_HEARTBEAT_MS: "100",
      LABTRACK_REAPER_INTERVAL_MS: "100",
    });
    browser = await launchChromium();
    const queued = await callApi<{ id: string }>(server, "queue.enqueue", {
      project: "vision",
      name: "resumed-after-a-crash",
      queue: "retry",
      spec: { kind: "command", command: "true" },
    });
    runId = queued.id;
    const { runnerId } = await callApi<{ runnerId: string }>(server, "runners.register", {
      name: "flaky-host",
      queues: ["retry"],
      capabilities: { hostname: "h", gpus: [], backends: ["cpu"], cpus: 1, memoryMb: 1 },
      slots: [{ index: 0, gpuIndices: [] }],
    });
    const claim = () =>
      callApi<{ id: string } | null>(server, "runners.claim", { runnerId, slot: 0, waitMs: 0 });
    const log = (from: number, to: number, value: (s: number) => number) =>
      callApi(server, "metrics.log", {
        runId,
        points: Array.from({ length: to - from + 1 }, (_, i) => ({
          key: "train/loss",
          step: from + i,
          value: value(from + i),
        })),
      });
    expect((await claim())?.id).toBe(runId);
    await log(0, 59, (s) => 2 * Math.exp(-s / 30));
    // The runner dies: no heartbeat, the lease expires, the reaper queues the run for attempt 2.
    for (let i = 0; i < 100; i++) {
      const run = await callApi<{ status: string; attempt: number }>(server, "runs.get", { runId }, "query");
      if (run.status === "queued" && run.attempt === 2) break;
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS / 2));
    }
    expect((await claim())?.id).toBe(runId);
    // Attempt 2 resumes from its checkpoint at step 40 and logs other values from there.
    await log(40, 99, (s) => 1.5 * Math.exp(-s / 30) + 0.1);
    await callApi(server, "runners.report", { runnerId, runId, outcome: "succeeded", exitCode: 0 });
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    page = await context.newPage();
    errors = watchPageErrors(page);
    await page.goto(server.loginLink);
    await page.waitForURL((url) => url.pathname === "/");
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("says how many attempts ran and where attempt 2 started", async () => {
    await page.goto(`${server.url}/runs/${runId}`);
    const attempts = page.getByTestId("run-attempts");
    await attempts.getByText("attempt 2 started at step 40").waitFor();
    expect(await attempts.textContent()).toContain("2 attempts");
    await screenshot(page, "retried-run-overview");
  });

  it("marks on the charts where attempt 2 began and names the attempt in the tooltip", async () => {
    await page.goto(`${server.url}/runs/${runId}/charts`);
    await page
      .getByTestId("retried-run-note")
      .getByText(/attempt 2 started at step 40/)
      .waitFor();
    const chart = page.locator('[data-metric="train/loss"] .metric-chart-canvas');
    await chart.waitFor();
    const over = page.locator('[data-metric="train/loss"] .u-over');
    const box = await over.boundingBox();
    if (!box) throw new Error("chart has no plot area");
    // Far right: a step attempt 2 wrote.
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
    await page
      .locator(".chart-tooltip")
      .getByText(/attempt 2/)
      .waitFor();
    await screenshot(page, "retried-run-charts");
    // Far left: a step only attempt 1 reached: no attempt named.
    await page.mouse.move(box.x + box.width * 0.05, box.y + box.height / 2);
    await page.locator(".chart-tooltip").getByText(/step/).waitFor();
    expect(await page.locator(".chart-tooltip").textContent()).not.toContain("attempt");
    expect(errors).toEqual([]);
  });
});
