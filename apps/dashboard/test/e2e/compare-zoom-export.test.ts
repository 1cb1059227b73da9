import { readFile } from "node:fs/promises";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inParallel } from "../../bench/seed-bench-data.ts";
import { launchChromium, screenshot, watchPageErrors } from "./browser.ts";
import { callApi, startTrackerServer, type TrackerServer } from "./tracker-server.ts";

interface ZoomRun {
  id: string;
  name: string;
  lastStep: number;
  /** train/loss is logged every `every` steps. */
  every: number;
}

/** Steps of `run`'s train/loss from `min` to `max`. */
function stepsIn(run: ZoomRun, min: number, max: number): number {
  const last = Math.min(run.lastStep, max);
  const first = Math.ceil(min / run.every) * run.every;
  return last < first ? 0 : Math.floor((last - first) / run.every) + 1;
}

const START = Date.UTC(2026, 10, 30, 8);

/**
 * 50 runs as a sweep leaves them: `train/loss` at every step of the first run (20,000), every 10th
 * of the others (2,000-6,900 steps), `val/loss` every 10 steps; each run started at its own time and trains at its
 * own speed, so relative and wall time differ from steps.
 */
async function seedZoomRuns(server: TrackerServer, count: number): Promise<ZoomRun[]> {
  const runs: ZoomRun[] = [];
  await inParallel(
    Array.from({ length: count }, (_, r) => r),
    4,
    async (r) => {
      const name = r === 0 ? "long-run" : `sweep-${String(r).padStart(2, "0")}`;
      const run = await callApi<{ id: string }>(server, "runs.create", {
        project: "zoom",
        name,
        config: { lr: 0.001 * (1 + (r % 5)) },
      });
      const lastStep = r === 0 ? 19_999 : 2000 + r * 100;
      const started = START + r * 60_000;
      const msPerStep = 100 + (r % 4) * 50;
      const points: { key: string; step: number; value: number; time: number }[] = [];
      const every = r === 0 ? 1 : 10;
      for (let step = 0; step <= lastStep; step += every) {
        const time = started + step * msPerStep;
        const loss = Math.exp(-step / (3000 + r * 40)) + 0.02 * Math.sin(step / 37 + r);
        points.push({ key: "train/loss", step, value: loss, time });
        if (step % 10 === 0) points.push({ key: "val/loss", step, value: loss * 1.1 + 0.02, time });
      }
      for (let i = 0; i < points.length; i += 10_000) {
        await callApi(server, "metrics.log", { runId: run.id, points: points.slice(i, i + 10_000) });
      }
      runs.push({ id: run.id, name, lastStep, every });
    },
  );
  return runs.sort((a, b) => a.name.localeCompare(b.name));
}

/** The x range a chart shows, as its uPlot root reports it. */
async function xRange(card: Locator): Promise<[number, number]> {
  const text = await card.locator(".uplot").getAttribute("data-x-range");
  const [min, max] = (text ?? "").split(",").map(Number);
  return [min ?? Number.NaN, max ?? Number.NaN];
}

function zoomOf(page: Page): [number, number] | null {
  const text = new URL(page.url()).searchParams.get("zoom");
  if (!text) return null;
  const [min, max] = text.split(",").map(Number);
  return [min ?? Number.NaN, max ?? Number.NaN];
}

/** Drags a zoom box across a chart's plot, between two fractions of its width. */
async function dragZoom(page: Page, card: Locator, from: number, to: number) {
  const plot = await card.locator(".u-over").boundingBox();
  if (!plot) throw new Error("chart has no plot area");
  const y = plot.y + plot.height / 2;
  await page.mouse.move(plot.x + plot.width * from, y);
  await page.mouse.down();
  await page.mouse.move(plot.x + plot.width * to, y, { steps: 6 });
  await page.mouse.up();
}

/** Every chart shows exactly the URL's zoom (or, without one, something else). */
async function expectChartsAt(page: Page, window: [number, number]) {
  const cards = page.locator("section.chart-card");
  const count = await cards.count();
  expect(count).toBeGreaterThanOrEqual(2);
  for (let i = 0; i < count; i++) {
    await expect.poll(() => xRange(cards.nth(i)), { timeout: 20_000 }).toEqual(window);
  }
}

async function downloadCsv(page: Page, card: Locator): Promise<string[][]> {
  const download = page.waitForEvent("download");
  await card.getByRole("button", { name: /as CSV$/ }).click();
  const file = await (await download).path();
  const text = await readFile(file, "utf8");
  return text
    .trimEnd()
    .split("\r\n")
    .map((line) => line.split(","));
}

describe("Compare at 50 runs: zoom shared by every chart and kept in the URL, CSV of a chart", () => {
  let server: TrackerServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let runs: ZoomRun[];
  let compareUrl: string;

  beforeAll(async () => {
    server = await startTrackerServer();
    browser = await launchChromium();
    runs = await seedZoomRuns(server, 50);
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      acceptDownloads: true,
    });
    await context.addInitScript((token) => localStorage.setItem("labtrack.token", token), server.token);
    page = await context.newPage();
    errors = watchPageErrors(page);
    compareUrl = `${server.url}/compare?runs=${runs.map((r) => r.id).join(",")}`;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const loss = () => page.locator('section[data-metric="train/loss"]');
  const val = () => page.locator('section[data-metric="val/loss"]');

  it("zooms every chart to the window dragged on one, and writes it into the URL", async () => {
    await page.goto(compareUrl);
    await loss().locator("canvas").first().waitFor();
    await val().locator("canvas").first().waitFor();
    await loss()
      .getByText(/downsampled/)
      .waitFor();
    await dragZoom(page, val(), 0.2, 0.3);
    await page.waitForURL(/zoom=\d+,\d+/);
    const zoom = zoomOf(page);
    if (!zoom) throw new Error("no zoom in the URL");
    // The x axis runs over long-run's 20,000 steps: a tenth of the plot is about 2,000 of them.
    expect(zoom[0]).toBeGreaterThan(3000);
    expect(zoom[1] - zoom[0]).toBeGreaterThan(1000);
    expect(zoom[1] - zoom[0]).toBeLessThan(3000);
    await expectChartsAt(page, zoom);
    // train/loss is downsampled: its detail for the window is fetched, both charts say they are zoomed.
    await loss()
      .getByText(/^zoomed · [\d,]+ pts · double-click to reset$/)
      .waitFor();
    await val()
      .getByText(/^zoomed/)
      .waitFor();
    await screenshot(page, "30-compare-50-zoomed");
  });

  it("keeps the zoom through a reload, and Back returns to the previous window", async () => {
    const first = zoomOf(page);
    if (!first) throw new Error("no zoom in the URL");
    await page.reload();
    await loss().locator("canvas").first().waitFor();
    expect(zoomOf(page)).toEqual(first);
    await expectChartsAt(page, first);
    await dragZoom(page, loss(), 0.4, 0.6);
    await expect.poll(() => zoomOf(page)).not.toEqual(first);
    const second = zoomOf(page);
    if (!second) throw new Error("no zoom in the URL");
    expect(second[0]).toBeGreaterThan(first[0]);
    expect(second[1]).toBeLessThan(first[1]);
    await expectChartsAt(page, second);
    await page.goBack();
    await expect.poll(() => zoomOf(page)).toEqual(first);
    await expectChartsAt(page, first);
  });

  it("carries the zoom to relative time and back to steps, over the same points", async () => {
    const steps = zoomOf(page);
    if (!steps) throw new Error("no zoom in the URL");
    await page.getByRole("group", { name: "X axis" }).getByRole("button", { name: "Relative" }).click();
    await page.waitForURL(/x=relative/);
    const seconds = zoomOf(page);
    if (!seconds) throw new Error("the zoom was dropped");
    // The fastest runs take 100 ms a step, the slowest 250 ms.
    expect(seconds[0]).toBeGreaterThanOrEqual(Math.floor(steps[0] * 0.1) - 1);
    expect(seconds[0]).toBeLessThanOrEqual(steps[0] * 0.25);
    expect(seconds[1]).toBeGreaterThanOrEqual(steps[1] * 0.1);
    expect(seconds[1]).toBeLessThanOrEqual(Math.ceil(steps[1] * 0.25) + 1);
    await expectChartsAt(page, seconds);
    await page.getByRole("group", { name: "X axis" }).getByRole("button", { name: "Step" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("x")).toBeNull();
    const back = zoomOf(page);
    if (!back) throw new Error("the zoom was dropped");
    // Back on steps, the window holds at least the steps it started from.
    expect(back[0]).toBeLessThanOrEqual(steps[0]);
    expect(back[1]).toBeGreaterThanOrEqual(steps[1]);
    await page.goto(`${compareUrl}&zoom=${steps.join(",")}`);
    await loss().locator("canvas").first().waitFor();
  });

  it("downloads the zoomed window of a chart at full resolution, smoothed value included", async () => {
    const zoom = zoomOf(page);
    if (!zoom) throw new Error("no zoom in the URL");
    await loss()
      .getByText(/^zoomed · [\d,]+ pts/)
      .waitFor();
    const rows = await downloadCsv(page, loss());
    expect(rows[0]).toEqual(["run_name", "run_id", "step", "epoch", "wall_time", "value", "smoothed"]);
    const body = rows.slice(1);
    // Every step of every run inside the window, not the few hundred points drawn per run.
    const expected = runs.reduce((n, r) => n + stepsIn(r, zoom[0], zoom[1]), 0);
    expect(body).toHaveLength(expected);
    const long = body.filter((row) => row[0] === "long-run");
    expect(long).toHaveLength(zoom[1] - zoom[0] + 1);
    expect(long.map((row) => Number(row[2]))).toEqual(
      Array.from({ length: zoom[1] - zoom[0] + 1 }, (_, i) => zoom[0] + i),
    );
    const byId = new Map(runs.map((r) => [r.name, r.id]));
    expect(body.every((row) => byId.get(row[0] ?? "") === row[1])).toBe(true);
    expect(body.every((row) => Number.isFinite(Number(row[5])) && Number.isFinite(Number(row[6])))).toBe(
      true,
    );
    expect(new Date(long[0]?.[4] ?? "").getTime()).toBe(START + zoom[0] * 100);
  });

  it("downloads every point of the unzoomed curves of the visible runs, without smoothing", async () => {
    const hidden = runs.slice(10).map((r) => r.id);
    await page.goto(`${compareUrl}&smooth=0&hide=${hidden.join(",")}`);
    await val().locator("canvas").first().waitFor();
    const rows = await downloadCsv(page, val());
    expect(rows[0]).toEqual(["run_name", "run_id", "step", "epoch", "wall_time", "value"]);
    const shown = runs.slice(0, 10);
    expect(new Set(rows.slice(1).map((row) => row[0]))).toEqual(new Set(shown.map((r) => r.name)));
    expect(rows.length - 1).toBe(shown.reduce((n, r) => n + Math.floor(r.lastStep / 10) + 1, 0));
  });

  it("resets every chart on a double-click", async () => {
    await page.goto(`${compareUrl}&zoom=4000,6000`);
    await loss().locator("canvas").first().waitFor();
    await expectChartsAt(page, [4000, 6000]);
    const plot = await val().locator(".u-over").boundingBox();
    if (!plot) throw new Error("chart has no plot area");
    await page.mouse.dblclick(plot.x + plot.width / 2, plot.y + plot.height / 2);
    await expect.poll(() => zoomOf(page)).toBeNull();
    await expect.poll(() => xRange(val())).toEqual([0, 19_990]);
    // train/loss's 50 runs are put on one grid, a bucket per pixel: its x ends in the last bucket.
    await expect.poll(async () => (await xRange(loss()))[1]).toBeGreaterThan(19_900);
    await loss()
      .getByText(/pts · downsampled/)
      .waitFor();
  });

  it("zooms the run page's charts together, kept in the URL through a reload", async () => {
    const long = runs[0];
    if (!long) throw new Error("no runs");
    await page.goto(`${server.url}/runs/${long.id}/charts`);
    await loss().locator("canvas").first().waitFor();
    await val().locator("canvas").first().waitFor();
    await dragZoom(page, loss(), 0.5, 0.6);
    await page.waitForURL(/zoom=/);
    const zoom = zoomOf(page);
    if (!zoom) throw new Error("no zoom in the URL");
    await expectChartsAt(page, zoom);
    await page.reload();
    await loss().locator("canvas").first().waitFor();
    await expectChartsAt(page, zoom);
    await screenshot(page, "31-run-charts-zoomed");
  });

  it("left the browser console clean", () => {
    expect(errors).toEqual([]);
  });
});
