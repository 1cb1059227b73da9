import os from "node:os";
import { launchChromium } from "../test/e2e/browser.ts";
import { startTrackerServer } from "../test/e2e/tracker-server.ts";
import { benchDatabase, runIdsOf, seedVersion, settle } from "./bench-database.ts";
import {
  longestTaskWhileSmoothing,
  scrollRunsTable,
  seriesLatency,
  timeToFirstChart,
} from "./measure-in-browser.ts";
import { seedCompareRuns, seedTableRuns } from "./seed-bench-data.ts";

/**
 * `pnpm bench` for the dashboard, in headless chromium against a real tracker-api on the local
 * Postgres: on Compare with 50 runs x 6 metrics (one run of 100,000 steps), the time to the first
 * painted chart and the longest main-thread task while dragging the smoothing slider; the runs
 * table's frame rate while scrolling 5,000 runs. `BENCH_ONLY=compare|table` runs one.
 * `BENCH_BASELINE_DIST=<a dashboard build>` measures that build too, on the same data, taking turns
 * with this one, and prints how the two compare (a busy machine slows both alike).
 */
const ONLY = process.env.BENCH_ONLY ?? "";
const RUNS = Number(process.env.BENCH_COMPARE_RUNS ?? 50);
const POINTS = Number(process.env.BENCH_POINTS ?? 100_000);
const TABLE_RUNS = Number(process.env.BENCH_TABLE_RUNS ?? 5000);
const BASELINE_DIST = process.env.BENCH_BASELINE_DIST ?? "";
const baseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";

const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");
const log = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(0)} s`;

const started = Date.now();
const version = seedVersion({ runs: RUNS, points: POINTS, tableRuns: TABLE_RUNS });
const bench = await benchDatabase(
  baseUrl,
  version,
  async (url) => {
    const seeding = await startTrackerServer({ DATABASE_URL: url });
    try {
      await seedCompareRuns(seeding, RUNS, POINTS);
      log(`seeded ${RUNS} runs x 6 metrics (train/loss of ${POINTS} steps in each) in ${seconds(started)}`);
      await seedTableRuns(seeding, TABLE_RUNS);
      log(`seeded ${TABLE_RUNS} runs for the table in ${seconds(started)}`);
    } finally {
      await seeding.close();
    }
    await settle(url);
  },
  { reseed: process.env.BENCH_RESEED === "1", log },
);
if (bench.reused)
  log(`using the bench data seeded before (version ${version}; BENCH_RESEED=1 seeds it again)`);
const server = await startTrackerServer({ DATABASE_URL: bench.url });
// Launched once the data is there: the browser does not sit idle through a long seed.
let closing = false;
async function startBrowser() {
  const started = await launchChromium();
  // A browser that dies mid-run says so, instead of a page call failing with "closed".
  started.on("disconnected", () => closing || log("chromium exited before the bench was done"));
  return started;
}
// A browser that cannot start must not leave the server behind (it holds the bench database).
let browser = await startBrowser().catch(async (error: unknown) => {
  await server.close();
  throw error;
});

/**
 * One measurement, tried again once in a new page (and a new browser if the old one is gone)
 * when the page crashed or was closed under it; a second failure stops the bench.
 */
async function once<T>(what: string, measure: () => Promise<T>): Promise<T> {
  try {
    return await measure();
  } catch (error) {
    if (!/closed|crash/i.test(String(error))) throw error;
    log(`${what}: ${String(error).split("\n")[0]}; measuring again`);
    if (!browser.isConnected()) browser = await startBrowser();
    return measure();
  }
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

interface CompareFigures {
  first: number[];
  appStart: number[];
  longest: number[];
  longTasks: number[];
}

async function measureCompare(target: typeof server, runIds: string[], into: CompareFigures) {
  const times = await once("first chart", () => timeToFirstChart(browser, target, runIds));
  into.first.push(times.first);
  into.appStart.push(times.appStart);
  const drag = await once("slider", () => longestTaskWhileSmoothing(browser, target, runIds, 80));
  into.longest.push(Math.max(drag.heartbeatMs, drag.longTaskMs));
  into.longTasks.push(drag.longTasks);
}

function describeCompare(label: string, f: CompareFigures): string {
  const list = (values: number[]) => values.map((v) => v.toFixed(0)).join(" / ");
  return (
    `${label}first chart painted after ${list(f.first)} ms, median ${median(f.first).toFixed(0)} ms ` +
    `(target < 800 ms): ${verdict(median(f.first) < 800)}; app code evaluated at ${list(f.appStart)} ms\n` +
    `${label}dragging the smoothing slider (80 steps, 30 ms apart): longest main-thread task ` +
    `${list(f.longest)} ms, median ${median(f.longest).toFixed(0)} ms (tasks over 50 ms: ` +
    `${f.longTasks.join(" / ")}) (target < 50 ms): ${verdict(median(f.longest) < 50)}`
  );
}

async function benchCompare(): Promise<string> {
  const runIds = await runIdsOf(bench.url, "bench-compare");
  const serverMs = await seriesLatency(server, runIds);
  const baseline = BASELINE_DIST
    ? await startTrackerServer({ DATABASE_URL: bench.url, LABTRACK_DASHBOARD_DIR: BASELINE_DIST })
    : null;
  const loadBefore = load();
  const current: CompareFigures = { first: [], appStart: [], longest: [], longTasks: [] };
  const before: CompareFigures = { first: [], appStart: [], longest: [], longTasks: [] };
  try {
    // Taking turns, so that both builds meet the same load.
    for (let i = 0; i < 3; i++) {
      await measureCompare(server, runIds, current);
      if (baseline) await measureCompare(baseline, runIds, before);
    }
  } finally {
    await baseline?.close();
  }
  const lines = [
    `compare, ${RUNS} runs x 6 metrics (train/loss of ${POINTS.toLocaleString("en-US")} steps in each, ` +
      `the others every 50 steps); load average ${loadBefore} before, ${load()} after ` +
      `(${os.cpus().length} CPUs); one chart's metrics.series read (1 metric x ${RUNS} runs) takes ${serverMs.toFixed(0)} ms`,
    describeCompare("  ", current),
  ];
  if (baseline) {
    lines.push(describeCompare(`  baseline (${BASELINE_DIST}): `, before));
    lines.push(
      `  this build / baseline, medians: first chart ${(median(current.first) / median(before.first)).toFixed(2)}, ` +
        `longest task while dragging ${(median(current.longest) / median(before.longest)).toFixed(2)}`,
    );
  }
  return lines.join("\n");
}

async function benchTable(): Promise<string> {
  const scroll = await once("table", () =>
    scrollRunsTable(browser, server, "bench-table", TABLE_RUNS, { frames: 360, pxPerFrame: 160 }),
  );
  if (process.env.BENCH_VERBOSE) log(`frame times: ${scroll.deltas.join(" ")}`);
  return (
    `runs table, ${TABLE_RUNS} runs: ${scroll.averageFps.toFixed(1)} fps average, ${scroll.worstWindowFps} fps ` +
    `in the slowest 250 ms, ${scroll.longFrames} frames over 33 ms, ${scroll.rowsLoaded} rows scrolled ` +
    `through (target >= 30 fps): ${verdict(scroll.worstWindowFps >= 30)}`
  );
}

const lines = ["", "dashboard benchmark (headless chromium, tracker-api on the local Postgres)"];
try {
  if (ONLY !== "table") lines.push(await benchCompare());
  if (ONLY !== "compare") lines.push(await benchTable());
} finally {
  // The server goes even when the browser died mid-run (its close then rejects).
  closing = true;
  await Promise.allSettled([browser.close(), server.close()]);
}
log(lines.join("\n"));
