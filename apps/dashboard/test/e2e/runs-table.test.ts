import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot, watchPageErrors } from "./browser.ts";
import { NAN_RUN, QUOTED_NAME, seedTableRuns } from "./seed-table-runs.ts";
import { startTrackerServer, type TrackerServer } from "./tracker-server.ts";

/** RFC 4180, strictly: quoted fields, doubled quotes, CRLF between records. */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i += 1;
    } else field += char;
  }
  if (field || record.length) throw new Error("the CSV does not end with CRLF");
  return records;
}

const DEFAULT_DATA_HEADERS = [
  "backbone",
  "batch_size",
  "lr",
  "seed",
  "phases",
  "val/accuracy (last)",
  "val/loss (last)",
];
const DEFAULT_DATA_IDS = [
  "config.backbone",
  "config.batch_size",
  "config.lr",
  "config.seed",
  "config.phases",
  "summary.val/accuracy.last",
  "summary.val/loss.last",
];

describe("the runs table with 60 runs", () => {
  let server: TrackerServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  const table = () => page.getByTestId("runs-table");
  const headers = () => table().locator("thead th .truncate").allTextContents();
  const runRows = () => table().locator("tbody tr[data-run-id]");
  const rowCheck = (i: number) => runRows().nth(i).locator("input[type=checkbox]");
  const compareButton = () => page.getByRole("button", { name: /^Compare/ });
  const groupSelect = () => page.locator("label.inline-field", { hasText: "Group" }).locator("select");
  const selectAll = () => table().locator("thead input[type=checkbox]");
  const checkedRows = () => table().locator("tbody tr[data-run-id] input[type=checkbox]:checked").count();
  const open = async (path: string, runs: number) => {
    await page.goto(`${server.url}${path}`);
    await page.getByText(`${runs} runs`, { exact: true }).waitFor();
    await runRows().first().waitFor();
  };

  beforeAll(async () => {
    server = await startTrackerServer();
    browser = await launchChromium();
    await seedTableRuns(server, "table", 60);
    await seedTableRuns(server, "other", 3);
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      acceptDownloads: true,
    });
    await context.addInitScript((token) => localStorage.setItem("labtrack.token", token), server.token);
    page = await context.newPage();
    errors = watchPageErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows by default the config keys that vary and the validation metrics", async () => {
    await open("/projects/table", 60);
    expect((await headers()).slice(7)).toEqual(DEFAULT_DATA_HEADERS);
    await screenshot(page, "30-runs-default-columns");
  });

  it("selects a range with shift-click, and unselects one the same way", async () => {
    await rowCheck(1).click();
    await rowCheck(5).click({ modifiers: ["Shift"] });
    expect(await checkedRows()).toBe(5);
    expect(await compareButton().textContent()).toBe("Compare 5");
    for (const i of [1, 2, 3, 4, 5]) expect(await rowCheck(i).isChecked()).toBe(true);
    expect(await rowCheck(0).isChecked()).toBe(false);
    expect(await rowCheck(6).isChecked()).toBe(false);
    // From row 5 (the last clicked) back to row 3, now unselected.
    await rowCheck(3).click({ modifiers: ["Shift"] });
    expect(await compareButton().textContent()).toBe("Compare 2");
    expect(await rowCheck(2).isChecked()).toBe(true);
    expect(await selectAll().evaluate((e) => (e as HTMLInputElement).indeterminate)).toBe(true);
    await page.getByRole("button", { name: "Clear selection" }).click();
    expect(await compareButton().isDisabled()).toBe(true);
  });

  it("selects all up to Compare's 50 and says which runs were not added and why", async () => {
    await selectAll().click();
    expect(await compareButton().textContent()).toBe("Compare 50 (max)");
    const notice = page.getByTestId("compare-limit-notice");
    expect(await notice.textContent()).toMatch(
      /^Compare takes at most 50 runs: 10 runs were not added \(.+, .+, .+ and 7 more\)\. Unselect some runs/,
    );
    // The runs not added are the last ten rows.
    await table().evaluate((e) => {
      e.scrollTop = e.scrollHeight;
    });
    // The table draws only the rows in view: wait for the 60th run's row (row 61 after the header).
    const last = runRows().and(table().locator('tr[aria-rowindex="61"]'));
    await last.waitFor();
    expect(await last.locator("input[type=checkbox]").isChecked()).toBe(false);
    await screenshot(page, "31-runs-select-all-limit");
    await page.getByRole("button", { name: /Switch to dark theme/ }).click();
    await screenshot(page, "31-runs-select-all-limit-dark");
    await page.getByRole("button", { name: /Switch to light theme/ }).click();
    // One more run asked for at the limit: refused, by name.
    const name = await last.locator(".run-name").textContent();
    await last.locator("input[type=checkbox]").click();
    expect(await notice.textContent()).toContain(`${name} was not added`);
    expect(await compareButton().textContent()).toBe("Compare 50 (max)");
    // Half-ticked: the header's checkbox unselects them all.
    await selectAll().click();
    expect(await compareButton().isDisabled()).toBe(true);
    await notice.waitFor({ state: "detached" });
  });

  it("selects all the runs the filter matches, and no others", async () => {
    const filter = page.getByRole("searchbox", { name: "Filter runs" });
    await filter.fill("config.batch_size = 32");
    await filter.press("Enter");
    await page.getByText("30 runs", { exact: true }).waitFor();
    // Every one of them has batch_size 32, and the column stays: the defaults are the project's.
    expect((await headers()).slice(7)).toEqual(DEFAULT_DATA_HEADERS);
    await selectAll().click();
    expect(await compareButton().textContent()).toBe("Compare 30");
    expect(await selectAll().isChecked()).toBe(true);
    expect(await page.getByTestId("compare-limit-notice").count()).toBe(0);
    await selectAll().click();
  });

  it("selects a group's runs from its row when the table is grouped", async () => {
    await open("/projects/table?group=group", 60);
    const arm = table().locator("tbody tr.group-row input[type=checkbox]").first();
    expect(await arm.getAttribute("aria-label")).toMatch(/^Select the 20 runs of arm-\d$/);
    await arm.click();
    expect(await compareButton().textContent()).toBe("Compare 20");
    expect(await arm.isChecked()).toBe(true);
    // Collapsed, the group still holds its selection; a click on it unselects the 20.
    await table().locator("tbody tr.group-row .group-toggle").first().click();
    await table().locator("tbody tr.group-row .group-toggle[aria-expanded=false]").waitFor();
    expect(await arm.isChecked()).toBe(true);
    await screenshot(page, "32-runs-group-selected");
    await arm.click();
    expect(await compareButton().isDisabled()).toBe(true);
  });

  it("remembers the columns picked in a project after a reload, and in that project only", async () => {
    await open("/projects/table", 60);
    const summary = page.locator("details.popover > summary", { hasText: /^Columns/ });
    await summary.click();
    const picker = page.locator(".column-picker");
    await picker
      .locator("label", { hasText: /^seed$/ })
      .locator("input")
      .uncheck();
    await picker
      .locator(".picker-item", { hasText: "train/loss" })
      .getByRole("button", { name: "min" })
      .click();
    await picker.getByLabel("Find a column").press("Escape");
    await page.waitForURL(/cols=/);
    const chosen = [...DEFAULT_DATA_HEADERS.filter((h) => h !== "seed"), "train/loss (min)"];
    expect((await headers()).slice(7)).toEqual(chosen);
    // Opened again without the query, then reloaded: the same columns, ticked in the picker.
    await open("/projects/table", 60);
    await page.reload();
    await runRows().first().waitFor();
    expect((await headers()).slice(7)).toEqual(chosen);
    expect(await summary.textContent()).toBe(`Columns · ${chosen.length}`);
    await summary.click();
    expect(
      await picker
        .locator("label", { hasText: /^seed$/ })
        .locator("input")
        .isChecked(),
    ).toBe(false);
    expect(
      await picker
        .locator(".picker-item", { hasText: "train/loss" })
        .getByRole("button", { name: "min" })
        .getAttribute("aria-pressed"),
    ).toBe("true");
    await screenshot(page, "33-runs-columns-remembered");
    await page.keyboard.press("Escape");
    await picker.waitFor({ state: "hidden" });
    // Another project keeps its own defaults.
    await open("/projects/other", 3);
    expect(await headers()).not.toContain("train/loss (min)");
    expect(await headers()).toContain("seed");
    // Reset to defaults forgets the choice.
    await open("/projects/table", 60);
    await summary.click();
    await picker.getByRole("button", { name: "Reset to defaults" }).click();
    await page.reload();
    await runRows().first().waitFor();
    expect((await headers()).slice(7)).toEqual(DEFAULT_DATA_HEADERS);
  });

  it("comes back from a run and from Compare with the filter, sort, grouping and columns", async () => {
    await open("/projects/table?cols=config.lr,summary.val/loss.min", 60);
    const filter = page.getByRole("searchbox", { name: "Filter runs" });
    await filter.fill("config.lr < 0.002");
    await filter.press("Enter");
    await page.getByText("24 runs", { exact: true }).waitFor();
    const sortByName = table().locator("button[title='Sort by Name']");
    await sortByName.click();
    await page.waitForURL(/sort=name%3Adesc/);
    await sortByName.click();
    await page.waitForURL(/sort=name%3Aasc/);
    await groupSelect().selectOption("config.backbone");
    await page.waitForURL(/group=config\.backbone/);
    const query = new URL(page.url()).search;
    const runName = table().locator("a.run-name").first();
    await runName.click();
    await page.waitForURL(/\/runs\//);
    await page.locator(".crumbs").getByRole("link", { name: "table" }).click();
    await page.getByText("24 runs", { exact: true }).waitFor();
    expect(new URL(page.url()).search).toBe(query);
    expect(await filter.inputValue()).toBe("config.lr < 0.002");
    expect(await page.getByRole("columnheader", { name: /Name/ }).getAttribute("aria-sort")).toBe(
      "ascending",
    );
    expect(await page.getByLabel("Group").inputValue()).toBe("config.backbone");
    expect((await headers()).slice(7)).toEqual(["lr", "val/loss (min)"]);
    await screenshot(page, "34-runs-back-from-run");
    // The same from Compare.
    await rowCheck(0).click();
    await rowCheck(1).click();
    await compareButton().click();
    await page.waitForURL(/\/compare\?/);
    await page.locator(".crumbs").getByRole("link", { name: "table" }).click();
    await page.getByText("24 runs", { exact: true }).waitFor();
    expect(new URL(page.url()).search).toBe(query);
  });

  it("exports every run matching the filter as CSV, with the columns shown", async () => {
    await open("/projects/table?sort=name:asc", 60);
    // Only the rows in view are in the page; the CSV has all 60.
    expect(await runRows().count()).toBeLessThan(60);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^table-runs-\d{4}-\d\d-\d\d\.csv$/);
    const text = await readFile(await download.path(), "utf8");
    expect(text).toContain(`,"${QUOTED_NAME.replaceAll('"', '""')}",`);
    const [header, ...records] = readCsv(text);
    expect(header).toEqual([
      "id",
      "status",
      "name",
      "group",
      "tags",
      "runner",
      "duration_s",
      "created_at",
      ...DEFAULT_DATA_IDS,
    ]);
    expect(records).toHaveLength(60);
    const column = (name: string) => header?.indexOf(name) ?? -1;
    const names = records.map((r) => r[column("name")]);
    expect(names.slice(0, 5)).toEqual(
      await table()
        .locator("a.run-name")
        .evaluateAll((links) => links.slice(0, 5).map((a) => a.textContent)),
    );
    expect(names).toContain(QUOTED_NAME);
    const nanRow = records.find((r) => r[column("name")] === NAN_RUN);
    expect(nanRow?.[column("summary.val/loss.last")]).toBe("NaN");
    expect(nanRow?.[column("config.lr")]).toBe("0.003");
    expect(nanRow?.[column("config.phases")]).toBe(
      '[{"lr":0.003,"epochs":5},{"lr":0.00030000000000000003,"epochs":5}]',
    );
    // With a filter: the matching runs only.
    const filter = page.getByRole("searchbox", { name: "Filter runs" });
    await filter.fill("config.lr < 0.002");
    await filter.press("Enter");
    await page.getByText("24 runs", { exact: true }).waitFor();
    const [filtered] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click(),
    ]);
    const rows = readCsv(await readFile(await filtered.path(), "utf8")).slice(1);
    expect(rows).toHaveLength(24);
    expect(rows.every((r) => Number(r[column("config.lr")]) < 0.002)).toBe(true);
  });

  it("left the browser console clean", () => {
    expect(errors).toEqual([]);
  });
});
