import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot, watchPageErrors } from "./browser.ts";
import { CLASSIFIER_RESULTS, seedRun, uploadArtifact } from "./seed.ts";
import { callApi, startTrackerServer, type TrackerServer } from "./tracker-server.ts";

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
    const first = runs[0]!;
    await callApi(server, "runs.setResults", { runId: first.id, results: CLASSIFIER_RESULTS });
    await uploadArtifact(server, first.id, "model/model.json", '{"format":"labtrack-image-classifier/1"}');
    await callApi(server, "logs.append", {
      runId: first.id,
      lines: Array.from({ length: 40 }, (_, i) => ({ text: `epoch ${i}: loss=${(1 / (i + 1)).toFixed(3)}` })),
    });
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    page = await context.newPage();
    errors = watchPageErrors(page, { allowUnauthorized: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("signs in with the link the server printed and lands on the projects page", async () => {
    expect(server.loginLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login#token=/);
    await page.goto(`${server.url}/projects/vision`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel("API token").fill("not-a-real-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").getByText("missing or invalid bearer token").waitFor();
    await screenshot(page, "00-login-error");
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

  it("compares two runs: both curves, a legend, and the config keys that differ", async () => {
    for (const run of runs) await page.getByRole("checkbox", { name: `Select ${run.name}` }).check();
    await page.getByRole("button", { name: "Compare 2" }).click();
    await page.waitForURL(/\/compare\?runs=/);
    const chart = page.locator('section[data-metric="train/loss"]');
    await chart.locator("canvas").first().waitFor();
    await page.locator('section[data-metric="val/accuracy"] canvas').first().waitFor();
    const legend = page.getByRole("list", { name: "Runs" });
    for (const run of runs) await legend.getByText(run.name, { exact: true }).waitFor();
    // Hovering lists every run's value at that step: proof both curves have data.
    const box = await chart.locator(".u-over").boundingBox();
    if (!box) throw new Error("chart has no plot area");
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    const tooltip = chart.locator(".chart-tooltip");
    await tooltip.waitFor();
    for (const run of runs) await tooltip.getByText(run.name, { exact: true }).waitFor();
    await page.locator(".diff-table thead th.differs", { hasText: "optimizer.lr" }).waitFor();
    expect((await page.locator(".diff-table td.differs").allTextContents()).join(" ")).toMatch(
      /0\.01.*0\.001/,
    );
    expect(await page.locator(".diff-table thead th", { hasText: "batch_size" }).count()).toBe(0);
    await page.mouse.move(0, 0);
    await screenshot(page, "03-compare");
    await page.getByRole("button", { name: "Epoch" }).click();
    await page.waitForURL(/x=epoch/);
    await page.locator('input[type="range"]').fill("0.9");
    await page.waitForURL(/smooth=0\.9/);
  });

  it("shows a run's overview, charts, logs, artifacts and classifier results", async () => {
    const run = runs[0]!;
    await page.goto(`${server.url}/runs/${run.id}`);
    await page.getByRole("heading", { name: "Status timeline" }).waitFor();
    await page.getByText("optimizer.lr").first().waitFor();
    await screenshot(page, "04-run-overview");
    await page.getByRole("link", { name: "Charts", exact: true }).click();
    await page.locator('section[data-metric="train/loss"] canvas').first().waitFor();
    await screenshot(page, "05-run-charts");
    await page.getByRole("link", { name: "Logs", exact: true }).click();
    await page.getByText("epoch 39: loss=0.025").waitFor();
    await page.getByRole("searchbox", { name: "Search logs" }).fill("epoch 7:");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("epoch 7: loss=0.125").waitFor();
    await screenshot(page, "06-run-logs");
    await page.getByRole("link", { name: "Artifacts", exact: true }).click();
    await page.getByText("model/model.json").waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("model.json");
    await screenshot(page, "07-run-artifacts");
    await page.getByRole("link", { name: "Results", exact: true }).click();
    await page.getByRole("table", { name: /Confusion matrix/ }).waitFor();
    await page.getByText("test/accuracy").waitFor();
    await screenshot(page, "08-run-results");
  });

  it("checks a new experiment as it is typed on the Queue page", async () => {
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Queue" }).click();
    await page.getByText("✓ Valid experiment").waitFor();
    await screenshot(page, "09-queue");
    const editor = page.getByRole("textbox", { name: "Experiment as YAML or JSON" });
    await editor.fill("project: vision\nspec:\n  kind: command\n  command: ''\n");
    await page.getByText("must not be empty").first().waitFor();
    expect(await page.getByRole("button", { name: "Queue experiment" }).isDisabled()).toBe(true);
    // A syntax error keeps the last valid document in the form, but that one must not be queued.
    await editor.fill("project: vision\nspec:\n  kind: command\n  command: echo hi\n");
    await page.getByText("✓ Valid experiment").waitFor();
    await editor.fill("project: vision\nspec: [broken\n");
    await page.getByText(/^line \d+:/).waitFor();
    expect(await page.getByRole("button", { name: "Queue experiment" }).isDisabled()).toBe(true);
    await page.getByText("Fix the document's syntax error to queue it.").waitFor();
    // Switching the kind starts from a complete spec of that kind, not a list of missing sections.
    await page.getByRole("button", { name: "Load preset" }).click();
    await page.getByText("✓ Valid experiment").waitFor();
    await page.getByLabel("experiment kind").selectOption("image-classifier");
    await page.getByText("✓ Valid experiment").waitFor();
    expect(await page.getByText(/expected object, received undefined/).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Queue experiment" }).isDisabled()).toBe(false);
  });

  it("asks before canceling a queued run", async () => {
    const queued = await callApi<{ id: string; name: string }>(server, "queue.enqueue", {
      project: "vision",
      name: "waits-for-a-runner",
      spec: { kind: "command", command: "true" },
    });
    await page.reload();
    const row = page.locator(".queue-table tr", { hasText: queued.name });
    await row.getByRole("button", { name: `Cancel ${queued.name}` }).click();
    await row.getByRole("button", { name: "Keep" }).click();
    await row.getByRole("button", { name: `Cancel ${queued.name}` }).click();
    await screenshot(page, "09b-queue-cancel-confirm");
    await row.getByRole("button", { name: "Yes, cancel" }).click();
    await row.waitFor({ state: "detached" });
    const run = await callApi<{ status: string }>(server, "runs.get", { runId: queued.id }, "query");
    expect(run.status).toBe("canceled");
  });

  it("explains how to start a runner when none is registered", async () => {
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Runners" }).click();
    await page.getByText("No runner has registered yet").waitFor();
    await screenshot(page, "10-runners-empty");
  });

  it("has a dark theme and works in a narrow window", async () => {
    await page.goto(`${server.url}/compare?runs=${runs.map((r) => r.id).join(",")}`);
    await page.getByRole("button", { name: /Switch to dark theme/ }).click();
    await page.locator('section[data-metric="train/loss"] canvas').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await screenshot(page, "11-compare-dark");
    await page.setViewportSize({ width: 420, height: 860 });
    await page.goto(`${server.url}/projects/vision`);
    await page.getByRole("link", { name: runs[0]!.name }).waitFor();
    await screenshot(page, "12-runs-narrow-dark");
    await page.goto(`${server.url}/compare?runs=${runs.map((r) => r.id).join(",")}`);
    await page.locator('section[data-metric="train/loss"] canvas').first().waitFor();
    await screenshot(page, "13-compare-narrow-dark");
  });

  it("fetches full detail when zooming into a long, downsampled curve", async () => {
    const long = await callApi<{ id: string }>(server, "runs.create", {
      project: "vision",
      name: "long-run",
    });
    const points = Array.from({ length: 6000 }, (_, step) => ({
      key: "train/loss",
      step,
      value: Math.cos(step / 50),
    }));
    await callApi(server, "metrics.log", { runId: long.id, points });
    await page.setViewportSize({ width: 1360, height: 860 });
    await page.goto(`${server.url}/runs/${long.id}/charts`);
    const card = page.locator('section[data-metric="train/loss"]');
    await card.getByText(/6,000 pts · downsampled/).waitFor();
    const plot = await card.locator(".u-over").boundingBox();
    if (!plot) throw new Error("chart has no plot area");
    const detail = page.waitForRequest((request) =>
      /metrics\.series.*stepMin/.test(decodeURIComponent(request.url())),
    );
    await page.mouse.move(plot.x + plot.width * 0.4, plot.y + plot.height / 2);
    await page.mouse.down();
    await page.mouse.move(plot.x + plot.width * 0.45, plot.y + plot.height / 2, { steps: 5 });
    await page.mouse.up();
    const request = decodeURIComponent((await detail).url());
    const stepMin = Number(/"stepMin":(\d+)/.exec(request)?.[1]);
    const stepMax = Number(/"stepMax":(\d+)/.exec(request)?.[1]);
    expect(stepMin).toBeGreaterThan(2000);
    expect(stepMax - stepMin).toBeLessThan(600);
    // Every step of the window is drawn, not the downsampled curve's few points there.
    await card.getByText(`zoomed · ${stepMax - stepMin + 1} pts · double-click to reset`).waitFor();
    await screenshot(page, "14-run-chart-zoomed");
    await page.mouse.dblclick(plot.x + plot.width / 2, plot.y + plot.height / 2);
    await card.getByText(/6,000 pts/).waitFor();
  });

  it("left the browser console clean", () => {
    expect(errors).toEqual([]);
  });
});
