import type { Browser, Page } from "playwright-core";
import { callApi } from "../test/e2e/tracker-server.ts";

type Server = { url: string; token: string };

/** A fresh, signed-in page: the token is in localStorage before the app starts. */
export async function signedInPage(browser: Browser, server: Server): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript((token) => localStorage.setItem("labtrack.token", token), server.token);
  // tsx compiles the functions passed to page.evaluate with esbuild's `__name` helper for named
  // closures; the page needs a no-op stand-in.
  await context.addInitScript("globalThis.__name = (fn) => fn;");
  const page = await context.newPage();
  page.on("crash", () => process.stdout.write(`chromium's renderer crashed on ${page.url().slice(0, 80)}\n`));
  return page;
}

/** Median time of the series read one chart makes (one metric of every run), without a browser. */
export async function seriesLatency(server: Server, runIds: string[]): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await callApi(server, "metrics.series", { runIds, keys: ["train/loss"], maxPoints: 1000 }, "query");
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[2] ?? Number.NaN;
}

/**
 * Milliseconds from navigation start to the first chart with data painted on the Compare page,
 * and to the app's start (its code loaded and evaluated).
 */
export async function timeToFirstChart(
  browser: Browser,
  server: Server,
  runIds: string[],
): Promise<{ first: number; appStart: number }> {
  const page = await signedInPage(browser, server);
  try {
    await page.goto(`${server.url}/compare?runs=${runIds.join(",")}`);
    await page.waitForFunction(
      () => performance.getEntriesByName("labtrack:first-chart-painted").length > 0,
      null,
      {
        timeout: 60_000,
      },
    );
    return page.evaluate(() => ({
      first: performance.getEntriesByName("labtrack:first-chart-painted")[0]?.startTime ?? -1,
      appStart: performance.getEntriesByName("labtrack:app-start")[0]?.startTime ?? -1,
    }));
  } finally {
    await page.context().close();
  }
}

export interface ScrollResult {
  /** Milliseconds between consecutive frames. */
  deltas: number[];
  frames: number;
  averageFps: number;
  /** The slowest 250 ms window, as frames per second. */
  worstWindowFps: number;
  /** Frames that took longer than two 60 Hz frames. */
  longFrames: number;
  rowsLoaded: number;
}

/** Scrolls the runs table by `pxPerFrame` for `frames` animation frames and times every frame. */
export async function scrollRunsTable(
  browser: Browser,
  server: Server,
  project: string,
  expectedRuns: number,
  opts: { frames: number; pxPerFrame: number },
): Promise<ScrollResult> {
  const page = await signedInPage(browser, server);
  try {
    await page.goto(`${server.url}/projects/${project}`);
    await page.getByText(`${expectedRuns} runs`).waitFor({ timeout: 60_000 });
    await page.locator("[data-testid=runs-table] tbody tr").first().waitFor();
    return await page.evaluate(async ({ frames, pxPerFrame }) => {
      const table = document.querySelector("[data-testid=runs-table]");
      if (!table) throw new Error("no runs table");
      const stamps: number[] = [];
      await new Promise<void>((resolve) => {
        const step = (now: number) => {
          stamps.push(now);
          table.scrollTop += pxPerFrame;
          if (stamps.length >= frames) resolve();
          else requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      });
      const first = stamps[0] ?? 0;
      const last = stamps[stamps.length - 1] ?? 0;
      let worst = Number.POSITIVE_INFINITY;
      for (let start = first; start + 250 <= last; start += 50) {
        const inWindow = stamps.filter((t) => t >= start && t < start + 250).length;
        worst = Math.min(worst, inWindow * 4);
      }
      let longFrames = 0;
      for (let i = 1; i < stamps.length; i++)
        if ((stamps[i] ?? 0) - (stamps[i - 1] ?? 0) > 33.4) longFrames++;
      return {
        deltas: stamps.slice(1).map((t, i) => Math.round(t - (stamps[i] ?? t))),
        frames: stamps.length,
        averageFps: ((stamps.length - 1) / (last - first)) * 1000,
        worstWindowFps: Number.isFinite(worst) ? worst : 0,
        longFrames,
        rowsLoaded: Math.round(table.scrollHeight / 34),
      };
    }, opts);
  } finally {
    await page.context().close();
  }
}

/** Something recorded around the slider drag (a CDP trace, a CPU profile). */
export interface DragProbe {
  start(page: Page): Promise<void>;
  stop(page: Page): Promise<void>;
}

/**
 * The longest main-thread task while the smoothing slider on Compare is dragged back and forth
 * (`steps` input events, 30 ms apart), after the visible charts are drawn: the longest gap a
 * message-channel heartbeat saw, and the longest task the Long Tasks API reported (over 50 ms).
 */
export async function longestTaskWhileSmoothing(
  browser: Browser,
  server: Server,
  runIds: string[],
  steps: number,
  probe?: DragProbe,
): Promise<{ heartbeatMs: number; longTaskMs: number; longTasks: number }> {
  const page = await signedInPage(browser, server);
  try {
    await page.goto(`${server.url}/compare?runs=${runIds.join(",")}`);
    await page.locator('section[data-metric="train/loss"] canvas').first().waitFor({ timeout: 60_000 });
    await page.locator('section[data-metric="val/loss"] canvas').first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(2000);
    await page.evaluate(() => {
      const state = { last: performance.now(), maxGap: 0, running: true, long: [] as number[] };
      (globalThis as unknown as { benchState: typeof state }).benchState = state;
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const now = performance.now();
        state.maxGap = Math.max(state.maxGap, now - state.last);
        state.last = now;
        if (state.running) channel.port2.postMessage(null);
      };
      channel.port2.postMessage(null);
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) state.long.push(entry.duration);
      }).observe({ type: "longtask" });
    });
    await probe?.start(page);
    const slider = page.locator('input[type="range"]');
    const box = await slider.boundingBox();
    if (!box) throw new Error("no smoothing slider");
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.6, y);
    await page.mouse.down();
    for (let i = 0; i < steps; i++) {
      const phase = (i % 40) / 40;
      const fraction = phase < 0.5 ? 0.6 - phase : 0.1 + (phase - 0.5) * 1.6;
      await page.mouse.move(box.x + box.width * fraction, y);
      await page.waitForTimeout(30);
    }
    await page.mouse.up();
    await page.waitForTimeout(1000);
    await probe?.stop(page);
    return await page.evaluate(() => {
      const state = (
        globalThis as unknown as { benchState: { maxGap: number; running: boolean; long: number[] } }
      ).benchState;
      state.running = false;
      return {
        heartbeatMs: state.maxGap,
        longTaskMs: Math.max(0, ...state.long),
        longTasks: state.long.length,
      };
    });
  } finally {
    await page.context().close();
  }
}
