import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { launchChromium } from "../test/e2e/browser.ts";
import { startTrackerServer } from "../test/e2e/tracker-server.ts";
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
 */
const ONLY = process.env.BENCH_ONLY ?? "";
const RUNS = Number(process.env.BENCH_COMPARE_RUNS ?? 50);
const POINTS = Number(process.env.BENCH_POINTS ?? 100_000);
const TABLE_RUNS = Number(process.env.BENCH_TABLE_RUNS ?? 5000);
const baseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";

const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");
const log = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(0)} s`;

/** A long-lived database has been vacuumed and analysed since its last big load; so is this one. */
async function settle(url: string): Promise<void> {
  const db = postgres(url, { max: 1, onnotice: () => {} });
  await db.unsafe("VACUUM ANALYZE");
  await db.end();
}

const dbName = `labtrack_dashboard_bench_${randomBytes(5).toString("hex")}`;
const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${dbName}`);
const dbUrl = new URL(baseUrl);
dbUrl.pathname = `/${dbName}`;
const server = await startTrackerServer({ DATABASE_URL: dbUrl.toString() });
const browser = await launchChromium();

async function benchCompare(): Promise<string> {
  const started = Date.now();
  const runIds = await seedCompareRuns(server, RUNS, POINTS);
  await settle(dbUrl.toString());
  log(`seeded ${RUNS} runs x 6 metrics (one of ${POINTS} steps) in ${seconds(started)}`);
  const serverMs = await seriesLatency(server, runIds);
  const times: { first: number; appStart: number }[] = [];
  for (let i = 0; i < 3; i++) times.push(await timeToFirstChart(browser, server, runIds));
  const median = [...times].sort((a, b) => a.first - b.first)[1]?.first ?? Number.NaN;
  const drags = [];
  for (let i = 0; i < 3; i++) drags.push(await longestTaskWhileSmoothing(browser, server, runIds, 80));
  const longest = drags.map((d) => Math.max(d.heartbeatMs, d.longTaskMs));
  const dragMedian = [...longest].sort((a, b) => a - b)[1] ?? Number.NaN;
  return (
    `compare, ${RUNS} runs x 6 metrics (one of ${POINTS.toLocaleString("en-US")} steps): first chart painted after ` +
    `${times.map((t) => t.first.toFixed(0)).join(" / ")} ms, median ${median.toFixed(0)} ms ` +
    `(target < 800 ms): ${verdict(median < 800)}\n` +
    `  app code evaluated at ${times.map((t) => t.appStart.toFixed(0)).join(" / ")} ms; ` +
    `one chart's metrics.series read (1 metric x ${RUNS} runs) takes ${serverMs.toFixed(0)} ms\n` +
    `compare, dragging the smoothing slider (80 steps, 30 ms apart): longest main-thread task ` +
    `${longest.map((t) => t.toFixed(0)).join(" / ")} ms, median ${dragMedian.toFixed(0)} ms ` +
    `(tasks over 50 ms: ${drags.map((d) => d.longTasks).join(" / ")}) (target < 50 ms): ${verdict(dragMedian < 50)}`
  );
}

async function benchTable(): Promise<string> {
  const started = Date.now();
  await seedTableRuns(server, TABLE_RUNS);
  log(`seeded ${TABLE_RUNS} runs for the table in ${seconds(started)}`);
  const scroll = await scrollRunsTable(browser, server, "bench-table", TABLE_RUNS, {
    frames: 360,
    pxPerFrame: 160,
  });
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
  // The scratch database goes even when the browser died mid-run (its close then rejects).
  await Promise.allSettled([browser.close(), server.close()]);
  await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
log(lines.join("\n"));
