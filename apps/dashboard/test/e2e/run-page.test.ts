import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inParallel } from "../../bench/seed-bench-data.ts";
import { launchChromium, screenshot, watchPageErrors } from "./browser.ts";
import { encodePng } from "./png.ts";
import { seedRun } from "./seed.ts";
import { callApi, startTrackerServer, type TrackerServer } from "./tracker-server.ts";

const PROJECT = "flowers";
type RunOut = { id: string; name: string; tags: string[]; notes: string | null };

const NOTES = [
  "## Findings",
  "",
  "- lr **0.003** beats the baseline",
  "- phase 2 unfreezes `last_n_layers: 50`",
  "",
  "| arm | val/acc |",
  "|---|---|",
  "| a | 0.91 |",
  "",
  "<script>window.__notesScript = 1</script>",
  '<img src="x" onerror="window.__notesOnerror = 1">',
  "[a bad link](javascript:window.__notesLink=1)",
].join("\n");

const RECIPE = {
  kind: "image-classifier",
  data: { path: "dataset:flowers", val_fraction: 0.2, test_fraction: 0.1, seed: 42 },
  model: { backbone: "mobilenet_v2", input_size: 96, dropout: 0.2 },
  phases: [
    { epochs: 10, learning_rate: 0.001, trainable: "head" },
    { epochs: 20, learning_rate: 0.00001, trainable: { last_n_layers: 50 } },
  ],
  early_stopping: { monitor: "val/loss", patience: 5, restore_best: true },
  batch_size: 32,
};

async function upload(
  server: TrackerServer,
  runId: string,
  path: string,
  body: Buffer | string,
  type: string,
) {
  const response = await fetch(`${server.url}/api/artifacts/${runId}/${path}?kind=plot`, {
    method: "PUT",
    headers: { authorization: `Bearer ${server.token}`, "content-type": type },
    body: typeof body === "string" ? body : new Uint8Array(body),
  });
  if (response.status !== 201) throw new Error(`upload ${path}: HTTP ${response.status}`);
}

describe("the run page: edit, notes, a queued run's spec, artifact previews (50 runs in the project)", () => {
  let server: TrackerServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let edited: RunOut;
  let artifactsRun: RunOut;
  let queuedCommand: RunOut;
  let queuedRecipe: RunOut;

  beforeAll(async () => {
    server = await startTrackerServer();
    const runs: { id: string }[] = [];
    await inParallel(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      async (i) => {
        runs[i] = await seedRun(server, {
          project: PROJECT,
          name: `run-${String(i).padStart(2, "0")}`,
          config: { lr: 0.001 * (1 + (i % 5)), seed: 1000 + i },
          finish: "succeeded",
        });
      },
    );
    edited = await callApi<RunOut>(server, "runs.get", { runId: runs[0]?.id }, "query");
    artifactsRun = await callApi<RunOut>(server, "runs.get", { runId: runs[1]?.id }, "query");
    for (let i = 1; i <= 12; i++) {
      const png = encodePng(96, 64, (x, y) => [
        (x * 8 + i * 20) % 256,
        (y * 4 + i * 10) % 256,
        (i * 21) % 256,
      ]);
      // Sent as the SDKs send files (octet-stream): the server names the type from the extension.
      await upload(
        server,
        artifactsRun.id,
        `plots/epoch-${String(i).padStart(2, "0")}.png`,
        png,
        "application/octet-stream",
      );
    }
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" onload="parent.__svgOnload=1">' +
      '<script>parent.__svgScript = 1</script><rect width="120" height="60" fill="#35c486"/></svg>';
    await upload(server, artifactsRun.id, "plots/arch.svg", svg, "image/svg+xml");
    const metrics = {
      "test/accuracy": 0.913,
      per_class: [
        { name: "daisy", precision: 0.94, recall: 0.9 },
        { name: "rose", precision: 0.88, recall: 0.92 },
      ],
      thresholds: Array.from({ length: 500 }, (_, i) => i / 500),
    };
    await upload(
      server,
      artifactsRun.id,
      "eval/metrics.json",
      JSON.stringify(metrics),
      "application/octet-stream",
    );
    const log = Array.from(
      { length: 6000 },
      (_, i) => `step ${i} loss ${(1 / (i + 1)).toFixed(6)} ${"·".repeat(20)}`,
    );
    await upload(server, artifactsRun.id, "logs/train.log", log.join("\n"), "application/octet-stream");

    queuedCommand = await callApi<RunOut>(server, "queue.enqueue", {
      project: PROJECT,
      name: "queued-cmd",
      spec: {
        kind: "command",
        command: ["python3", "train.py", "--lr", "0.003", "--note", "two words"],
        env: { BATCH_SIZE: "64", WANDB_MODE: "offline" },
        timeout_seconds: 7200,
      },
      requirements: { gpus: 1, minGpuMemoryMb: 16384 },
    });
    queuedRecipe = await callApi<RunOut>(server, "queue.enqueue", {
      project: PROJECT,
      name: "queued-recipe",
      spec: RECIPE,
    });

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript((token) => localStorage.setItem("labtrack.token", token), server.token);
    page = await context.newPage();
    errors = watchPageErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("edits a run's name, tags and Markdown notes; another open tab follows live; a reload keeps them", async () => {
    await page.goto(`${server.url}/runs/${edited.id}`);
    await page.locator("h1.run-title").getByText(edited.name).waitFor();
    const other = await context.newPage();
    const otherErrors = watchPageErrors(other);
    const frames: string[] = [];
    other.on("websocket", (ws) => ws.on("framereceived", (frame) => frames.push(String(frame.payload))));
    await other.goto(`${server.url}/runs/${edited.id}`);
    await other.locator("h1.run-title").getByText(edited.name).waitFor();
    // Its live subscription has started (edits from now on reach it).
    await expect.poll(() => frames.some((f) => f.includes('"started"')), { timeout: 15_000 }).toBe(true);

    // And the project's runs table, its first row this run.
    const table = await context.newPage();
    const tableErrors = watchPageErrors(table);
    await table.goto(`${server.url}/projects/${PROJECT}?sort=name:asc`);
    await table.getByRole("link", { name: edited.name, exact: true }).waitFor();

    await page.getByRole("button", { name: "Edit", exact: true }).click();
    const form = page.getByRole("form", { name: "Edit run" });
    await form.getByLabel("Name", { exact: true }).fill("mnv2-lr3e-3");
    await form.getByLabel("Tags", { exact: true }).fill("best, phase2 augmented");
    await form.getByLabel("Notes", { exact: true }).fill(NOTES);
    await form.getByRole("button", { name: "Preview" }).click();
    await form.locator(".markdown h2").getByText("Findings").waitFor();
    await screenshot(page, "50-run-edit-preview");
    // A tag the API would refuse is named before anything is sent.
    await form.getByRole("button", { name: "Write" }).click();
    await form.getByLabel("Tags", { exact: true }).fill(`best ${"x".repeat(70)}`);
    await form.getByRole("button", { name: "Save" }).click();
    await form.getByText(/^tags: /).waitFor();
    await form.getByLabel("Tags", { exact: true }).fill("best, phase2 augmented");
    await form.getByRole("button", { name: "Save" }).click();
    await form.waitFor({ state: "detached" });
    await page.locator("h1.run-title").getByText("mnv2-lr3e-3").waitFor();

    // The other tab hears of the edit and shows it without a reload.
    await other.locator("h1.run-title").getByText("mnv2-lr3e-3").waitFor({ timeout: 15_000 });
    await other.getByTestId("run-notes").locator("strong").getByText("0.003").waitFor();
    await other.close();
    expect(otherErrors).toEqual([]);
    await table.getByRole("link", { name: "mnv2-lr3e-3", exact: true }).waitFor({ timeout: 15_000 });
    await table.close();
    expect(tableErrors).toEqual([]);

    await page.reload();
    await page.locator("h1.run-title").getByText("mnv2-lr3e-3").waitFor();
    expect(await page.getByTestId("run-tags").locator(".tag").allTextContents()).toEqual([
      "best",
      "phase2",
      "augmented",
    ]);
    const notes = page.getByTestId("run-notes");
    await notes.locator("h2").getByText("Findings").waitFor();
    expect(await notes.locator("li").allTextContents()).toEqual([
      "lr 0.003 beats the baseline",
      "phase 2 unfreezes last_n_layers: 50",
    ]);
    expect(await notes.locator("td").allTextContents()).toEqual(["a", "0.91"]);
    // Sanitised: no script element, no handler, no javascript: link, and none of them ran.
    expect(await notes.locator("script, [onerror]").count()).toBe(0);
    const hrefs = await notes.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    expect(hrefs.some((href) => href?.startsWith("javascript:"))).toBe(false);
    await page.getByText("a bad link").click();
    const ran = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      return [w.__notesScript, w.__notesOnerror, w.__notesLink];
    });
    expect(ran).toEqual([undefined, undefined, undefined]);
    await screenshot(page, "51-run-notes");
    const stored = await callApi<RunOut>(server, "runs.get", { runId: edited.id }, "query");
    expect(stored).toMatchObject({
      name: "mnv2-lr3e-3",
      tags: ["best", "phase2", "augmented"],
      notes: NOTES,
    });
  });

  it("shows a queued command run's spec: the command line, its environment, queue place and needs", async () => {
    await page.goto(`${server.url}/runs/${queuedCommand.id}`);
    const spec = page.getByRole("region", { name: "Spec" });
    await spec.getByTestId("spec-command").waitFor();
    expect(await spec.getByTestId("spec-command").textContent()).toBe(
      "$ python3 train.py --lr 0.003 --note 'two words'",
    );
    expect(
      await spec.getByRole("table", { name: "Environment" }).locator("tbody th").allTextContents(),
    ).toEqual(["BATCH_SIZE", "WANDB_MODE"]);
    const place = spec.getByTestId("queue-place");
    await place.getByText("1st to start (next)").waitFor();
    await place.getByText("1 GPU · ≥ 16 GiB each").waitFor();
    await spec.getByText("2h 00m").waitFor();
    await screenshot(page, "52-queued-command");
  });

  it("shows a queued recipe run's spec as YAML, second in its queue", async () => {
    await page.goto(`${server.url}/runs/${queuedRecipe.id}`);
    const yaml = page.getByRole("region", { name: "Spec" }).getByTestId("spec-yaml");
    await yaml.waitFor();
    const text = (await yaml.textContent()) ?? "";
    expect(text).toContain("kind: image-classifier");
    expect(text).toContain("backbone: mobilenet_v2");
    expect(text).toMatch(/trainable:\n\s+last_n_layers: 50/);
    await page.getByTestId("queue-place").getByText("2nd to start").waitFor();
    await screenshot(page, "53-queued-recipe");
  });

  it("shows the sweep that queued a run, linked to the sweep's page", async () => {
    const sweep = await callApi<{ id: string; runs: { runId: string }[] }>(server, "sweeps.create", {
      project: PROJECT,
      config: {
        name: "lr-grid",
        method: "grid",
        metric: { name: "val/accuracy", goal: "maximize" },
        parameters: { lr: { values: [0.01, 0.001] } },
        concurrency: 1,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the sweep's placeholder
        spec: { kind: "command", command: ["python3", "train.py", "--lr", "${lr}"] },
      },
    });
    const runId = sweep.runs[0]?.runId ?? "";
    await page.goto(`${server.url}/runs/${runId}`);
    const link = page.getByRole("region", { name: "Spec" }).getByRole("link", { name: "lr-grid" });
    await link.waitFor();
    expect(await link.getAttribute("href")).toBe(`/projects/${PROJECT}/sweeps/${sweep.id}`);
    expect(await page.getByTestId("spec-command").textContent()).toBe("$ python3 train.py --lr 0.01");
    await link.click();
    await page.waitForURL((url) => url.pathname === `/projects/${PROJECT}/sweeps/${sweep.id}`);
    await page.getByRole("heading", { level: 1 }).getByText("lr-grid").waitFor();
  });

  it("shows a run's 12 png artifacts as a grid of thumbnails, one enlarged on a click", async () => {
    await page.goto(`${server.url}/runs/${artifactsRun.id}/artifacts`);
    const grid = page.getByTestId("image-grid");
    await grid.waitFor();
    // 12 png + 1 svg, each decoded by the browser from a blob of the right type.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll<HTMLImageElement>('[data-testid="thumbnail"]')].filter(
          (img) => img.complete && img.naturalWidth > 0,
        ).length === 13,
      undefined,
      { timeout: 20_000 },
    );
    const sizes = await grid
      .locator('[data-testid="thumbnail"]')
      .evaluateAll((imgs) =>
        imgs.map((img) => [(img as HTMLImageElement).alt, (img as HTMLImageElement).naturalWidth]),
      );
    expect(sizes.filter(([alt]) => String(alt).endsWith(".png"))).toHaveLength(12);
    expect(sizes.every(([alt, w]) => (String(alt).endsWith(".svg") ? w === 120 : w === 96))).toBe(true);
    expect(
      await grid
        .locator("img")
        .evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).src.startsWith("blob:"))),
    ).toBe(true);
    await screenshot(page, "54-image-grid");

    const order = sizes.map(([alt]) => String(alt));
    const third = order.indexOf("plots/epoch-03.png") + 1;
    await grid.getByRole("button", { name: "Open plots/epoch-03.png" }).click();
    const lightbox = page.locator("dialog.lightbox");
    await lightbox.getByTestId("lightbox-image").waitFor();
    await lightbox.getByText(`${third} / 13`).waitFor();
    expect(await lightbox.getByTestId("lightbox-image").getAttribute("alt")).toBe("plots/epoch-03.png");
    await page.keyboard.press("ArrowRight");
    await lightbox.getByText(`${third + 1} / 13`).waitFor();
    expect(await lightbox.getByTestId("lightbox-image").getAttribute("alt")).toBe(order[third]);
    await screenshot(page, "55-lightbox");
    await page.keyboard.press("Escape");
    await lightbox.waitFor({ state: "detached" });
    const svgRan = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      return [w.__svgScript, w.__svgOnload];
    });
    expect(svgRan).toEqual([undefined, undefined]);
  });

  it("previews JSON as a tree and a long log as its first 200 KB", async () => {
    await page.goto(`${server.url}/runs/${artifactsRun.id}/artifacts`);
    await page.getByRole("button", { name: "Preview eval/metrics.json" }).click();
    const preview = page.getByRole("region", { name: "Preview of eval/metrics.json" });
    const tree = preview.getByTestId("json-tree");
    await tree.waitFor();
    // Two levels open; deeper ones fold until clicked.
    await tree.getByText("per_class:").waitFor();
    expect(await tree.getByText('"daisy"').isVisible()).toBe(false);
    await tree.locator(".json-node .json-node .json-node > summary").first().click();
    await tree.getByText('"daisy"').waitFor();
    await tree.getByText("500 items").waitFor();
    await tree.getByText("… 300 more (download the file for all)").waitFor();
    await screenshot(page, "56-json-preview");
    await preview.getByRole("button", { name: "Text" }).click();
    expect(await preview.getByTestId("preview-json-text").textContent()).toContain('"test/accuracy": 0.913');

    await page.getByRole("button", { name: "Preview logs/train.log" }).click();
    const log = page.getByRole("region", { name: "Preview of logs/train.log" });
    await log.getByTestId("preview-text").waitFor();
    const text = (await log.getByTestId("preview-text").textContent()) ?? "";
    expect(text.startsWith("step 0 loss 1.000000")).toBe(true);
    expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(200 * 1024);
    expect(new TextEncoder().encode(text).length).toBeGreaterThan(199 * 1024);
    await log
      .getByTestId("preview-truncated")
      .getByText(/Showing the first 200 KB of/)
      .waitFor();
    await screenshot(page, "57-text-preview");

    await page.getByRole("button", { name: "Preview plots/arch.svg" }).click();
    const svg = page.getByRole("region", { name: "Preview of plots/arch.svg" }).getByTestId("preview-image");
    await svg.waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-testid="preview-image"]');
      return img?.complete === true && img.naturalWidth === 120;
    });
  });

  it("reads in the dark theme and in a narrow window", async () => {
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`${server.url}/runs/${edited.id}`);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await page.getByTestId("run-notes").locator("h2").waitFor();
    await screenshot(page, "58-run-notes-dark");
    await page.goto(`${server.url}/runs/${artifactsRun.id}/artifacts`);
    await page.getByRole("button", { name: "Preview eval/metrics.json" }).click();
    await page.getByTestId("json-tree").waitFor();
    await screenshot(page, "59-artifacts-dark");
    await page.setViewportSize({ width: 420, height: 860 });
    await page.getByTestId("json-tree").scrollIntoViewIfNeeded();
    await screenshot(page, "60-artifacts-narrow-dark");
    // Nothing of the page wider than the window but what scrolls inside its own box.
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll(".page *")]
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .filter((el) => !el.closest(".table-scroll, .json-tree, .preview-text, .tabs, .image-grid"))
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`)
        .slice(0, 5),
    );
    expect(wide).toEqual([]);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("left no console errors", () => {
    expect(errors).toEqual([]);
  });
});
