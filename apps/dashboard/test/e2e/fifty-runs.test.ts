import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot, watchPageErrors } from "./browser.ts";
import { type SeededRun, seedManyRuns } from "./seed-many-runs.ts";
import { startTrackerServer, type TrackerServer } from "./tracker-server.ts";

/** The x of `step` on a chart whose x axis runs from 0 to `lastStep` (uPlot fits x to the data). */
async function hoverStep(page: Page, card: Locator, step: number, lastStep: number, yFraction = 0.5) {
  const plot = await card.locator(".u-over").boundingBox();
  if (!plot) throw new Error("chart has no plot area");
  await page.mouse.move(plot.x + (plot.width * step) / lastStep, plot.y + plot.height * yFraction);
}

/** The texts of the body cells under the header `key` of a runs-as-rows table. */
async function columnTexts(table: Locator, key: string): Promise<string[]> {
  return table.evaluate((element, name) => {
    const heads = [...element.querySelectorAll("thead th")].map((th) => th.textContent);
    const index = heads.indexOf(name);
    return [...element.querySelectorAll("tbody tr")].map((tr) => tr.children[index]?.textContent ?? "");
  }, key);
}

/** The headers of a runs-as-rows table's columns that mark a best value. */
async function columnsWithBest(table: Locator): Promise<string[]> {
  return table.evaluate((element) => {
    const heads = [...element.querySelectorAll("thead th")].map((th) => th.textContent ?? "");
    const found = new Set<string>();
    for (const cell of element.querySelectorAll("td.best")) {
      const index = [...(cell.parentElement?.children ?? [])].indexOf(cell);
      found.add(heads[index] ?? "");
    }
    return [...found];
  });
}

describe("the dashboard with 60 runs of 6 metrics", () => {
  let server: TrackerServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let runs: SeededRun[];
  const byName = (name: string) => {
    const run = runs.find((r) => r.name === name);
    if (!run) throw new Error(`no seeded run ${name}`);
    return run;
  };

  beforeAll(async () => {
    server = await startTrackerServer();
    browser = await launchChromium();
    runs = await seedManyRuns(server, "sweep", 60);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript((token) => localStorage.setItem("labtrack.token", token), server.token);
    page = await context.newPage();
    errors = watchPageErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows values in the runs table's columns past the window's width", async () => {
    await page.goto(`${server.url}/projects/sweep`);
    await page.getByText("60 runs").waitFor();
    const table = page.getByTestId("runs-table");
    await table.locator("tbody tr").first().waitFor();
    await table.evaluate((element) => {
      element.scrollLeft = element.scrollWidth;
    });
    const lastHeader = page.getByRole("columnheader").last();
    const header = await lastHeader.boundingBox();
    const firstRow = await table.locator("tbody tr").first().boundingBox();
    if (!header || !firstRow) throw new Error("no table layout");
    // What is painted under the last column's header, in the first row: its cell, with a value.
    const painted = await page.evaluate(
      ({ x, y }) => {
        const cell = document.elementFromPoint(x, y)?.closest("td");
        return {
          text: cell?.textContent ?? null,
          column: cell ? [...(cell.parentElement?.children ?? [])].indexOf(cell) : -1,
        };
      },
      { x: header.x + header.width / 2, y: firstRow.y + firstRow.height / 2 },
    );
    expect(painted.text).toMatch(/^\d\.\d+$/);
    expect(painted.column).toBe((await page.getByRole("columnheader").count()) - 1);
    // A seed is shown as it was set, without a thousands separator.
    await table.evaluate((element) => {
      element.scrollLeft = 0;
    });
    await screenshot(page, "20-runs-60-wide");
  });

  it("ticks the columns in use in the column picker, and Escape closes it", async () => {
    const summary = page.locator("details.popover > summary", { hasText: /^Columns/ });
    const count = Number((await summary.textContent())?.replace(/\D+/g, ""));
    expect(count).toBeGreaterThan(0);
    await summary.click();
    const picker = page.locator(".column-picker");
    await picker.waitFor();
    const ticked =
      (await picker.locator("input[type=checkbox]:checked").count()) +
      (await picker.locator("button[aria-pressed=true]").count());
    expect(ticked).toBe(count);
    await picker.getByLabel("Find a column").press("Escape");
    await picker.waitFor({ state: "hidden" });
    expect(await page.locator("details.popover[open]").count()).toBe(0);
  });

  it("marks the rows as stale while the typed filter is not the one applied", async () => {
    const filter = page.getByRole("searchbox", { name: "Filter runs" });
    await filter.fill("config.lr <");
    await page
      .getByRole("status")
      .getByText(/has an error: these rows are still those of no filter/)
      .waitFor();
    expect(await page.getByTestId("runs-table").getAttribute("class")).toContain("stale");
    await screenshot(page, "21-runs-stale-filter");
    await filter.fill("");
    await page.getByRole("status").waitFor({ state: "detached" });
    expect(await page.getByTestId("runs-table").getAttribute("class")).not.toContain("stale");
  });

  it("lists, at a step, only the runs that reached it, on the hovered chart only", async () => {
    const ids = runs.slice(0, 50).map((r) => r.id);
    await page.goto(`${server.url}/compare?runs=${ids.join(",")}`);
    const loss = page.locator('section[data-metric="train/loss"]');
    await loss.locator("canvas").first().waitFor();
    await page.locator('section[data-metric="val/loss"] canvas').first().waitFor();
    // The runs (their names) are asked for once the first chart is painted.
    await page.getByRole("list", { name: "Runs" }).locator(".legend-item", { hasText: "long-run" }).waitFor();
    // Only long-run (20,000 steps) goes past step 9,350, where the last of the others stopped.
    await hoverStep(page, loss, 15_000, 19_999);
    const tooltip = loss.locator(".chart-tooltip");
    await tooltip.waitFor();
    expect(await tooltip.locator(".chart-tooltip-name").allTextContents()).toEqual(["long-run"]);
    // Earlier, many runs are there: the top ten are listed, the rest counted, the nearest marked.
    await hoverStep(page, loss, 3000, 19_999, 0.9);
    await tooltip.getByText(/^\+\d+ more$/).waitFor();
    const names = await tooltip.locator(".chart-tooltip-name").allTextContents();
    expect(names).toHaveLength(10);
    const ended = runs.filter((r) => r.lastStep < 2900).map((r) => r.name);
    expect(names.filter((n) => ended.includes(n))).toEqual([]);
    const highlighted = await tooltip
      .locator(".chart-tooltip-row.highlighted .chart-tooltip-name")
      .textContent();
    expect(highlighted).toBeTruthy();
    // The other charts show the crosshair, not a second tooltip; the legend marks the same run.
    expect(await page.locator('section[data-metric="val/loss"] .chart-tooltip').isVisible()).toBe(false);
    await page.locator(".legend-item.highlighted", { hasText: highlighted ?? "" }).waitFor();
    await screenshot(page, "22-compare-50-tooltip");
    await page.mouse.move(0, 0);
    await page.locator(".legend-item.highlighted").waitFor({ state: "detached" });
  });

  it("highlights a run on every chart from its legend entry; the legend scrolls and folds", async () => {
    const legend = page.getByRole("list", { name: "Runs" });
    const box = await legend.boundingBox();
    expect(box?.height).toBeLessThan(110);
    expect(await legend.evaluate((e) => e.scrollHeight > e.clientHeight)).toBe(true);
    await legend.locator(".legend-item", { hasText: "sweep-30" }).hover();
    await page.locator(".legend-item.highlighted", { hasText: "sweep-30" }).waitFor();
    await screenshot(page, "23-compare-legend-highlight");
    const fold = page.getByRole("button", { name: /^Runs 50/ });
    expect(await fold.getAttribute("aria-expanded")).toBe("true");
    await fold.click();
    await legend.waitFor({ state: "detached" });
    expect(await fold.getAttribute("aria-expanded")).toBe("false");
    await fold.click();
    await legend.waitFor();
  });

  it("shows NaN in the tooltip at the step it was logged, and a hidden run sets no x range", async () => {
    const nan = byName("sweep-03");
    const long = byName("long-run");
    await page.goto(`${server.url}/compare?runs=${nan.id},${long.id}&hide=${long.id}&smooth=0`);
    const loss = page.locator('section[data-metric="train/loss"]');
    await loss.locator("canvas").first().waitFor();
    // With long-run hidden the x axis ends at sweep-03's last step, so step 500 is where it would be.
    await hoverStep(page, loss, 500, nan.lastStep);
    const tooltip = loss.locator(".chart-tooltip");
    await tooltip.getByText("step 500", { exact: true }).waitFor();
    expect(await tooltip.locator(".chart-tooltip-value").allTextContents()).toEqual(["NaN"]);
    await hoverStep(page, loss, nan.lastStep - 2, nan.lastStep);
    await tooltip.getByText(`step ${nan.lastStep.toLocaleString("en-US")}`).waitFor();
    await screenshot(page, "24-compare-nan");
  });

  it("ignores outliers on request, and names no best learning rate", async () => {
    const ids = runs.slice(0, 12).map((r) => r.id);
    await page.goto(`${server.url}/compare?runs=${ids.join(",")}`);
    await page.locator('section[data-metric="train/loss"] canvas').first().waitFor();
    await page.getByRole("checkbox", { name: "Ignore outliers" }).check();
    await page.waitForURL(/outliers=ignore/);
    await page.locator('section[data-metric="train/loss"] canvas').first().waitFor();
    await screenshot(page, "25-compare-ignore-outliers");
    const summary = page.getByTestId("summary-compare");
    await summary.locator("td.best").first().waitFor();
    const bestColumns = await columnsWithBest(summary);
    expect(bestColumns).toContain("val/loss");
    expect(bestColumns.some((key) => /^lr/.test(key))).toBe(false);
    await page.getByRole("checkbox", { name: "Only differences" }).uncheck();
    const seeds = await columnTexts(page.getByTestId("config-diff"), "seed");
    expect(seeds).toContain("1005");
    expect(seeds.join(" ")).not.toContain("1,005");
  });

  it("shows config and summary with 50 runs as rows, the lr inside phases as its own differing column", async () => {
    const ids = runs.slice(0, 50).map((r) => r.id);
    await page.goto(`${server.url}/compare?runs=${ids.join(",")}`);
    const diff = page.getByTestId("config-diff");
    await diff.locator("thead th.differs", { hasText: "phases[1].lr" }).waitFor();
    // The charts above are drawn by now, so nothing moves the table under the clicks below.
    await page.locator('section[data-metric="train/loss"] canvas').first().waitFor();
    expect(await diff.locator("tbody tr").count()).toBe(50);
    expect(await page.getByTestId("summary-compare").locator("tbody tr").count()).toBe(50);
    const lrs = await columnTexts(diff, "phases[1].lr");
    expect(new Set(lrs).size).toBe(5);
    expect(lrs).not.toContain("—");
    // The full value on hover (the cell's title) and, with "Full values", unclipped.
    const cell = diff.locator("tbody tr").first().locator("td").first();
    expect(await cell.getAttribute("title")).toBe(await cell.textContent());
    await page.getByRole("checkbox", { name: "Full values" }).check();
    await diff.scrollIntoViewIfNeeded();
    await screenshot(page, "27-compare-config-runs-as-rows");
  });

  it("draws each group's mean and min-max band when the runs are grouped by a config key", async () => {
    const ids = runs.slice(0, 50).map((r) => r.id);
    await page.goto(`${server.url}/compare?runs=${ids.join(",")}`);
    await page.locator('section[data-metric="val/accuracy"] canvas').first().waitFor();
    await page.getByLabel("Group runs by").selectOption("config.lr");
    await page.waitForURL(/group=config\.lr/);
    const groups = page.getByRole("list", { name: "Groups" });
    await groups.getByText("0.00225", { exact: true }).waitFor();
    expect((await groups.locator("li").allTextContents()).filter((t) => t.endsWith("10 runs"))).toHaveLength(
      5,
    );
    const card = page.locator('section[data-metric="val/accuracy"]');
    await hoverStep(page, card, 4000, 19_999, 0.3);
    const tooltip = card.locator(".chart-tooltip");
    await tooltip.waitFor();
    const names = await tooltip.locator(".chart-tooltip-name").allTextContents();
    expect(names.sort()).toEqual([
      "0.00075 (10)",
      "0.0015 (10)",
      "0.00225 (10)",
      "0.003 (10)",
      "0.00375 (10)",
    ]);
    await screenshot(page, "26-compare-grouped");
    await page.getByLabel("Group runs by").selectOption("");
    await groups.waitFor({ state: "detached" });
  });

  it("left the browser console clean", () => {
    expect(errors).toEqual([]);
  });
});
