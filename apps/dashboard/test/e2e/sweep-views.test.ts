import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot, watchPageErrors } from "./browser.ts";
import { type SeededSweep, seedSweep } from "./seed-sweep.ts";
import { callApi, startTrackerServer, type TrackerServer } from "./tracker-server.ts";

/** The layout `parallelOption` gives the chart: margins in px, axes evenly spaced between them. */
const PARALLEL = { left: 56, right: 120, top: 44, bottom: 24 };

/** Drags along axis `index` of `count` from `from` to `to` (fractions of the axis, 0 = top). */
async function brushAxis(page: Page, chart: Locator, index: number, count: number, from: number, to: number) {
  await chart.scrollIntoViewIfNeeded();
  const box = await chart.boundingBox();
  if (!box) throw new Error("no parallel chart");
  const x = box.x + PARALLEL.left + (index * (box.width - PARALLEL.left - PARALLEL.right)) / (count - 1);
  const span = box.height - PARALLEL.top - PARALLEL.bottom;
  const y = (f: number) => box.y + PARALLEL.top + span * f;
  await page.mouse.move(x, y(from));
  await page.mouse.down();
  await page.mouse.move(x, y((from + to) / 2), { steps: 5 });
  await page.mouse.move(x, y(to), { steps: 5 });
  await page.mouse.up();
}

/** The parallel chart's canvas as the mean brightness of each 8x8 block, to compare two pictures of it. */
async function chartBlocks(chart: Locator): Promise<number[]> {
  return chart
    .locator("canvas")
    .first()
    .evaluate((canvas: HTMLCanvasElement) => {
      const { width, height } = canvas;
      const pixels = canvas.getContext("2d")?.getImageData(0, 0, width, height).data;
      if (!pixels) return [];
      const blocks: number[] = [];
      for (let by = 0; by + 8 <= height; by += 8) {
        for (let bx = 0; bx + 8 <= width; bx += 8) {
          let sum = 0;
          for (let y = by; y < by + 8; y++) {
            for (let x = bx; x < bx + 8; x++) {
              const i = (y * width + x) * 4;
              sum += (pixels[i] ?? 0) + (pixels[i + 1] ?? 0) + (pixels[i + 2] ?? 0);
            }
          }
          blocks.push(sum / 192);
        }
      }
      return blocks;
    });
}

/** How many blocks differ visibly between two pictures of the chart. */
const blocksApart = (a: number[], b: number[]) => a.filter((v, i) => Math.abs(v - (b[i] ?? 0)) > 4).length;

async function brushedNames(page: Page): Promise<string[]> {
  return page.locator("ul.brushed-runs li a").allTextContents();
}

describe("the sweep page and New sweep, with a 60-run sweep", () => {
  let server: TrackerServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let sweep: SeededSweep;

  beforeAll(async () => {
    server = await startTrackerServer({ LABTRACK_SWEEP_INTERVAL_MS: "300" });
    browser = await launchChromium();
    sweep = await seedSweep(server, "tune");
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript((token) => localStorage.setItem("labtrack.token", token), server.token);
    page = await context.newPage();
    errors = watchPageErrors(page);
    page.on("response", (response) => {
      if (response.status() >= 400) errors.push(`${response.status()} ${response.url().slice(0, 300)}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("seeds 56 finished and 4 pruned runs, and the sweep finishes", async () => {
    expect(sweep.status).toBe("finished");
    expect(sweep.progress).toMatchObject({ finished: 56, pruned: 4, budget: 60, queued: 0, running: 0 });
    expect(sweep.runs).toHaveLength(60);
  });

  it("shows progress, the best run with its parameters, and links to the sweep from the runs table", async () => {
    await page.goto(`${server.url}/projects/tune`);
    await page.getByRole("link", { name: "lr-opt-search", exact: true }).first().click();
    await page.waitForURL(`**/projects/tune/sweeps/${sweep.id}`);
    await expect.poll(() => page.getByTestId("sweep-progress").textContent()).toContain("56 finished");
    expect(await page.getByTestId("sweep-progress").textContent()).toContain("4 pruned");
    const best = sweep.runs
      .filter((r) => r.status === "succeeded" && r.goal !== null)
      .sort((a, b) => (a.goal as number) - (b.goal as number))[0];
    const bestBox = page.getByTestId("best-run");
    expect(await bestBox.getByRole("link").textContent()).toBe(best?.name);
    expect(await bestBox.textContent()).toContain(String(best?.params.optimizer));
    await page
      .getByRole("img", { name: /Parallel coordinates of 5 parameters/ })
      .locator("canvas")
      .first()
      .waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, "sweep-page-60-runs");
    await page.getByRole("heading", { name: "Parallel coordinates" }).scrollIntoViewIfNeeded();
    await screenshot(page, "sweep-page-60-runs-panels");
  });

  it("brushing the goal axis keeps a goal range of runs, listed, and brushing a category narrows it", async () => {
    const chart = page.getByRole("img", { name: /Parallel coordinates of 5 parameters/ });
    expect(await page.getByTestId("brushed-count").textContent()).toBe("60 runs");
    // Axes by name: batch_size, dropout, layers, lr, optimizer, then the goal.
    // Up past the axis's end: the brush keeps the pruned runs drawn there (their goals lie beyond it).
    await brushAxis(page, chart, 5, 6, 0.55, -0.03);
    await expect.poll(() => page.getByTestId("brushed-count").textContent()).toMatch(/^\d+ of 60 runs$/);
    const names = await brushedNames(page);
    const count = Number((await page.getByTestId("brushed-count").textContent())?.split(" ")[0]);
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(60);
    expect(names).toHaveLength(count);
    // From the top of the goal axis down: exactly the `count` runs with the highest goal.
    const byGoal = [...sweep.runs].sort((a, b) => (b.goal as number) - (a.goal as number));
    expect(new Set(names)).toEqual(new Set(byGoal.slice(0, count).map((r) => r.name)));
    await screenshot(page, "sweep-page-brushed-goal");

    await page.getByRole("button", { name: "Clear brushes" }).click();
    expect(await page.getByTestId("brushed-count").textContent()).toBe("60 runs");
    // optimizer's categories bottom to top: adam, sgd, adamw; the middle third is sgd.
    await brushAxis(page, chart, 4, 6, 0.42, 0.58);
    await expect.poll(() => page.getByTestId("brushed-count").textContent()).toMatch(/of 60 runs$/);
    const sgd = sweep.runs.filter((r) => r.params.optimizer === "sgd").map((r) => r.name);
    expect(new Set(await brushedNames(page))).toEqual(new Set(sgd));
    const compare = page.getByRole("link", { name: "Compare these" });
    expect(await compare.getAttribute("href")).toMatch(/^\/compare\?runs=/);
    await screenshot(page, "sweep-page-brushed-optimizer");
  });

  it("keeps the brushes in the URL: a reload draws them again and filters the same runs", async () => {
    const chart = page.getByRole("img", { name: /Parallel coordinates of 5 parameters/ });
    const history = await page.evaluate(() => window.history.length);
    // sgd is brushed on optimizer (above); add the lower half of the goal axis (its lowest values).
    await brushAxis(page, chart, 5, 6, 0.5, 0.98);
    await expect.poll(() => new URL(page.url()).searchParams.get("brush")).toMatch(/^optimizer=sgd;goal /);
    expect(await page.evaluate(() => window.history.length)).toBe(history);
    const count = await page.getByTestId("brushed-count").textContent();
    const names = await brushedNames(page);
    expect(names.length).toBeLessThan(sweep.runs.filter((r) => r.params.optimizer === "sgd").length);
    await page.mouse.move(0, 0);
    await page.waitForTimeout(200);
    const before = await chartBlocks(chart);

    await page.reload();
    await chart.locator("canvas").first().waitFor();
    await expect.poll(() => page.getByTestId("brushed-count").textContent()).toBe(count);
    expect(await brushedNames(page)).toEqual(names);
    await page.waitForTimeout(300);
    const after = await chartBlocks(chart);
    await page.getByRole("heading", { name: "Parallel coordinates" }).scrollIntoViewIfNeeded();
    await screenshot(page, "sweep-page-brushes-reloaded");

    await page.getByRole("button", { name: "Clear brushes" }).click();
    expect(await page.getByTestId("brushed-count").textContent()).toBe("60 runs");
    expect(new URL(page.url()).search).toBe("");
    await page.waitForTimeout(300);
    const cleared = await chartBlocks(chart);
    // The reloaded chart is the chart before the reload: the same faded lines, and the restored
    // brush in the style of a dragged one (unpatched ECharts, apache/echarts#21583, redraws it as
    // an opaque box: about 40 blocks apart); the unbrushed chart differs across the whole chart.
    expect(blocksApart(cleared, before)).toBeGreaterThan(200);
    expect(blocksApart(after, before)).toBeLessThan(5);

    // A malformed brush is left out; the well-formed one beside it is kept.
    await page.goto(`${page.url()}?brush=optimizer=nope;lr:abc~1;%25ZZ:1~2;layers:1~3`);
    await chart.locator("canvas").first().waitFor();
    const fewLayers = sweep.runs.filter((r) => Number(r.params.layers) <= 3);
    await expect
      .poll(() => page.getByTestId("brushed-count").textContent())
      .toBe(`${fewLayers.length} of 60 runs`);
    await page.getByRole("button", { name: "Clear brushes" }).click();
  });

  it("spans the goal axes over the finished runs, draws the pruned ones at its end, and widens on request", async () => {
    const parallel = page.getByRole("img", { name: /Parallel coordinates of 5 parameters/ });
    const scatter = page.getByRole("img", { name: "lr against val/loss (min)" });
    const range = async (chart: Locator) => {
      await expect.poll(() => chart.getAttribute("data-goal-range")).toMatch(/^[-\d.e]+,[-\d.e]+$/);
      return ((await chart.getAttribute("data-goal-range")) as string).split(",").map(Number) as [
        number,
        number,
      ];
    };
    const goals = (pruned: boolean) =>
      sweep.runs.filter((r) => r.pruned === pruned && r.goal !== null).map((r) => r.goal as number);
    const finished = goals(false);
    const pruned = goals(true);
    expect(pruned).toHaveLength(4);
    // The seeded pruned runs are far worse than every finished one.
    expect(Math.min(...pruned)).toBeGreaterThan(2 * Math.max(...finished));
    for (const chart of [parallel, scatter]) {
      const [min, max] = await range(chart);
      expect(min).toBeLessThanOrEqual(Math.min(...finished));
      expect(max).toBeGreaterThanOrEqual(Math.max(...finished));
      expect(max).toBeLessThan(Math.min(...pruned));
      // Round ends, not far from the finished runs' goals.
      expect(max - min).toBeLessThan(2 * (Math.max(...finished) - Math.min(...finished)));
    }
    const note = page.getByTestId("pruned-note");
    expect(await note.textContent()).toContain("4 pruned runs drawn dashed");
    expect(await note.textContent()).toContain("4 beyond it drawn at its end");
    await page.getByRole("heading", { name: "Parallel coordinates" }).scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await screenshot(page, "sweep-page-goal-range-unpruned");
    await page.getByRole("heading", { name: /Parameter vs/ }).scrollIntoViewIfNeeded();
    await screenshot(page, "sweep-page-scatter-pruned-hollow");

    await page.getByLabel("Include pruned runs in the goal range").check();
    for (const chart of [parallel, scatter]) {
      await expect.poll(async () => (await range(chart))[1]).toBeGreaterThanOrEqual(Math.max(...pruned));
    }
    expect(await note.textContent()).not.toContain("beyond");
    await page.getByRole("heading", { name: "Parallel coordinates" }).scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await screenshot(page, "sweep-page-goal-range-with-pruned");
    await page.getByLabel("Include pruned runs in the goal range").uncheck();
    await expect.poll(async () => (await range(parallel))[1]).toBeLessThan(Math.min(...pruned));
  });

  it("switches the scatter's parameter, with a log axis for lr, and ranks lr first by importance", async () => {
    const select = page.getByLabel("Scatter parameter");
    expect(await select.inputValue()).toBe("lr");
    expect(await select.locator("option:checked").textContent()).toBe("lr (log)");
    await select.selectOption("optimizer");
    await page.getByRole("img", { name: "optimizer against val/loss (min)" }).waitFor();
    const firstParam = page.locator(".importance-table tbody tr").first().locator("td").first();
    expect(await firstParam.textContent()).toBe("lr");
    await page.getByRole("heading", { name: /Parameter vs/ }).scrollIntoViewIfNeeded();
    await screenshot(page, "sweep-page-scatter-importance");
  });

  it("redraws the panels in the other theme", async () => {
    await page.getByTitle(/Switch to (dark|light) theme/).click();
    await page.waitForTimeout(300);
    await page.getByRole("heading", { name: "Parallel coordinates" }).evaluate((h) => h.scrollIntoView());
    await screenshot(page, "sweep-page-other-theme");
    await page.getByTitle(/Switch to (dark|light) theme/).click();
  });

  it("lists the project's sweeps", async () => {
    await page.goto(`${server.url}/projects/tune/sweeps`);
    await page.getByRole("link", { name: "lr-opt-search", exact: true }).waitFor();
    expect(await page.locator(".sweeps-table tbody tr").count()).toBe(1);
  });

  it("New sweep: a syntax error disables submit, a bad space names the field, and a sweep is queued", async () => {
    await page.goto(`${server.url}/queue?new=sweep&project=tune`);
    const editor = page.getByLabel("Sweep as YAML or JSON");
    await editor.waitFor();
    const submit = page.getByRole("button", { name: "Start sweep" });
    expect(await submit.isEnabled()).toBe(true);
    await editor.fill("name: [broken");
    expect(await submit.isDisabled()).toBe(true);
    const yaml = (min: number) =>
      [
        "name: two-lrs",
        "method: grid",
        "metric: {name: loss, goal: minimize}",
        "parameters:",
        `  lr: {values: [0.1, 0.01]}`,
        `  wd: {min: ${min}, max: 0.5, distribution: q_uniform, q: 0.25}`,
        "concurrency: 1",
        "queue: default",
        'spec: {kind: command, command: [python3, train.py, "${lr}", "${wd}"]}',
      ].join("\n");
    await editor.fill(yaml(0.9));
    await page.getByText("must not be greater than max").waitFor();
    expect(await page.locator(".problem-list").textContent()).toContain("parameters.wd.min");
    expect(await submit.isDisabled()).toBe(true);
    await editor.fill(yaml(0));
    await page.getByText("✓ Valid sweep").waitFor();
    // The server's 400 names the field too.
    await page.getByLabel("Sweep project").fill("Not A Slug!");
    await submit.click();
    await expect
      .poll(() => page.locator(".new-experiment [role=alert]").last().textContent())
      .toContain("project");
    await page.getByLabel("Sweep project").fill("tune");
    await screenshot(page, "queue-new-sweep");
    await submit.click();
    await page.waitForURL(/\/projects\/tune\/sweeps\/[0-9a-f-]{36}$/);
    // That 400, and the browser's own line for it, were expected.
    const expected = (e: string) => /status of 400/.test(e) || /^400 .*\/trpc\/sweeps\.create/.test(e);
    expect(errors.filter(expected).length).toBeGreaterThan(0);
    errors.splice(0, errors.length, ...errors.filter((e) => !expected(e)));
    await expect.poll(() => page.getByTestId("sweep-progress").textContent()).toContain("1 queued");
    expect(await page.getByTestId("sweep-progress").textContent()).toContain("of 6 (run cap)");

    // Live: a runner takes the queued run, reports and ends it; the open page follows, no reload.
    const { runnerId } = sweep;
    const claimed = await callApi<{ id: string }>(server, "runners.claim", {
      runnerId,
      slot: 0,
      waitMs: 5000,
    });
    await callApi(server, "metrics.log", {
      runId: claimed.id,
      points: [{ key: "loss", step: 1, value: 0.5 }],
    });
    await callApi(server, "runners.report", { runnerId, runId: claimed.id, outcome: "succeeded" });
    await expect.poll(() => page.getByTestId("sweep-progress").textContent()).toContain("1 finished");
    await expect.poll(() => page.getByTestId("best-run").textContent()).toContain("0.5");

    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByRole("button", { name: "Resume" }).waitFor();
    expect(await page.locator("h1 .status").textContent()).toBe("paused");
    await page.getByRole("button", { name: "Resume" }).click();
    await page.getByRole("button", { name: "Pause" }).waitFor();
    await page.getByRole("button", { name: "Cancel sweep" }).click();
    await page.getByRole("button", { name: "Yes, cancel" }).click();
    await expect.poll(() => page.locator("h1 .status").textContent()).toBe("canceled");
    await expect.poll(() => page.getByTestId("sweep-progress").textContent()).toContain("1 canceled");
  });

  it("draws the same panels on the Compare page for any runs", async () => {
    const ids = sweep.runs.slice(0, 50).map((r) => r.runId);
    await page.goto(`${server.url}/compare?runs=${ids.join(",")}`);
    await page.getByRole("heading", { name: /Parameters against a metric/ }).waitFor();
    const chart = page.getByRole("img", {
      name: /Parallel coordinates of \d+ parameters and val\/loss \(last\)/,
    });
    await chart.locator("canvas").first().waitFor();
    expect(await page.getByTestId("brushed-count").textContent()).toBe("50 runs");
    // Compare keeps the brush in its URL beside its own settings, and a reload draws it again.
    const axes = Number((await chart.getAttribute("aria-label"))?.match(/of (\d+) parameters/)?.[1]);
    await brushAxis(page, chart, axes, axes + 1, 0.02, 0.6);
    await expect.poll(() => page.getByTestId("brushed-count").textContent()).toMatch(/^\d+ of 50 runs$/);
    const count = await page.getByTestId("brushed-count").textContent();
    expect(new URL(page.url()).searchParams.get("brush")).toMatch(/^goal val\/loss \(last\):/);
    expect(new URL(page.url()).searchParams.get("runs")).toBe(ids.join(","));
    await page.reload();
    await chart.locator("canvas").first().waitFor();
    await expect.poll(() => page.getByTestId("brushed-count").textContent()).toBe(count);
    // Another metric: the brush of the first is not laid over it.
    await page.getByLabel("Panel metric value").selectOption("min");
    await page.getByRole("img", { name: /and val\/loss \(min\)/ }).waitFor();
    expect(await page.getByTestId("brushed-count").textContent()).toBe("50 runs");
    await page.getByRole("heading", { name: /Parameters against a metric/ }).scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await screenshot(page, "compare-param-panels");
    expect(errors).toEqual([]);
  });

  it("has no console errors", () => {
    expect(errors).toEqual([]);
  });
});
