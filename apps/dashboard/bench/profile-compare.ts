import type { CDPSession, Page } from "playwright-core";
import { launchChromium } from "../test/e2e/browser.ts";
import { distDir, startTrackerServer } from "../test/e2e/tracker-server.ts";
import { benchDatabase, runIdsOf, seedVersion } from "./bench-database.ts";
import { type DragProbe, longestTaskWhileSmoothing, signedInPage } from "./measure-in-browser.ts";

/**
 * What the main thread does while the smoothing slider of Compare is dragged, on the data
 * `pnpm bench` seeded (run it first): `trace` (the default) prints the longest tasks of a
 * Chromium trace (`devtools.timeline`) with the time of the events inside them by name (script,
 * garbage collection, layout, paint); `cpu` prints the functions with the most self time in a
 * CPU profile. `BENCH_DIST` picks the dashboard build (an unminified one,
 * `vite build --minify false`, names the functions).
 */
const MODE = process.argv[2] ?? "trace";
const DIST = process.env.BENCH_DIST ?? distDir;
const RUNS = Number(process.env.BENCH_COMPARE_RUNS ?? 50);
const POINTS = Number(process.env.BENCH_POINTS ?? 100_000);
const TABLE_RUNS = Number(process.env.BENCH_TABLE_RUNS ?? 5000);
const baseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";
const log = (line: string) => process.stdout.write(`${line}\n`);

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time: on a busy machine a task's wall time is mostly waiting for a core. */
  tdur?: number;
  tid: number;
  args?: { name?: string };
}

function traceProbe(): DragProbe & { events: TraceEvent[] } {
  const events: TraceEvent[] = [];
  let cdp: CDPSession | null = null;
  return {
    events,
    async start(page: Page) {
      cdp = await page.context().newCDPSession(page);
      cdp.on("Tracing.dataCollected", (e) => events.push(...(e.value as unknown as TraceEvent[])));
      await cdp.send("Tracing.start", {
        categories: "devtools.timeline,disabled-by-default-devtools.timeline,v8,v8.execute,blink.user_timing",
        transferMode: "ReportEvents",
      });
    },
    async stop() {
      if (!cdp) return;
      const session = cdp;
      const done = new Promise<void>((resolve) => session.once("Tracing.tracingComplete", () => resolve()));
      await session.send("Tracing.end");
      await done;
    },
  };
}

function reportTrace(events: TraceEvent[]): void {
  const main = events.find((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain")?.tid;
  const onMain = events.filter((e) => e.tid === main && e.ph === "X" && e.dur !== undefined);
  const tasks = onMain.filter((e) => e.name === "RunTask").sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0));
  log(
    `${tasks.length} tasks on the main thread, ${tasks.filter((t) => (t.dur ?? 0) > 50_000).length} over 50 ms`,
  );
  const inside = (task: TraceEvent) =>
    onMain.filter((e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= task.ts + (task.dur ?? 0));
  const byName = (list: TraceEvent[]) => {
    const sums = new Map<string, number>();
    for (const e of list) sums.set(e.name, (sums.get(e.name) ?? 0) + (e.dur ?? 0));
    return [...sums]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([name, us]) => `${name} ${(us / 1000).toFixed(1)}`)
      .join(", ");
  };
  const ms = (us: number | undefined) => ((us ?? 0) / 1000).toFixed(1);
  for (const task of tasks.slice(0, 6))
    log(`  task ${ms(task.dur)} ms (${ms(task.tdur)} ms on the CPU): ${byName(inside(task))}`);
  const byCpu = [...tasks].sort((a, b) => (b.tdur ?? 0) - (a.tdur ?? 0));
  for (const task of byCpu.slice(0, 6))
    log(`  task of most CPU: ${ms(task.tdur)} ms (${ms(task.dur)} ms wall): ${byName(inside(task))}`);
  const all = tasks.flatMap((t) => inside(t));
  log(`  all tasks (ms, nested events counted in each): ${byName(all)}`);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

function cpuProbe(): DragProbe & { report(): void } {
  let cdp: CDPSession | null = null;
  let profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } | null = null;
  return {
    async start(page: Page) {
      cdp = await page.context().newCDPSession(page);
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
      await cdp.send("Profiler.start");
    },
    async stop() {
      profile =
        ((await cdp?.send("Profiler.stop")) as { profile: typeof profile } | undefined)?.profile ?? null;
    },
    report() {
      if (!profile) return;
      const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
      const self = new Map<string, number>();
      profile.samples.forEach((id, i) => {
        const frame = nodes.get(id)?.callFrame;
        const file = frame?.url.split("/").pop() ?? "";
        const name = `${frame?.functionName || "(anonymous)"} ${file}:${frame?.lineNumber ?? 0}`;
        self.set(name, (self.get(name) ?? 0) + (profile?.timeDeltas[i] ?? 0));
      });
      const total = [...self.values()].reduce((a, b) => a + b, 0);
      log(`CPU profile of the drag, ${(total / 1000).toFixed(0)} ms sampled; most self time:`);
      for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25))
        log(`  ${(us / 1000).toFixed(1).padStart(8)} ms  ${name}`);
    },
  };
}

/** When each request of the page's first second started and ended, beside the first chart's paint. */
async function reportFirstChart(runIds: string[]): Promise<void> {
  const page = await signedInPage(browser, server);
  try {
    await page.goto(`${server.url}/compare?runs=${runIds.join(",")}`);
    await page.waitForFunction(() => performance.getEntriesByName("labtrack:first-chart-painted").length > 0);
    await page.waitForTimeout(3000);
    const entries = await page.evaluate(() =>
      [
        ...performance.getEntriesByType("navigation"),
        ...performance.getEntriesByType("resource"),
        ...performance.getEntriesByType("mark"),
      ].map((e) => {
        const r = e as PerformanceResourceTiming;
        return {
          name: e.name,
          start: e.startTime,
          end: r.responseEnd ?? e.startTime,
          bytes: r.encodedBodySize ?? 0,
        };
      }),
    );
    log("first chart: requests and marks (ms from navigation start)");
    for (const e of entries.sort((a, b) => a.start - b.start)) {
      const name = e.name
        .replace(server.url, "")
        .replace(/input=.*/, "")
        .slice(0, 70);
      log(
        `  ${e.start.toFixed(0).padStart(6)} - ${e.end.toFixed(0).padStart(6)}  ${String(e.bytes).padStart(8)} B  ${name}`,
      );
    }
  } finally {
    await page.context().close();
  }
}

const version = seedVersion({ runs: RUNS, points: POINTS, tableRuns: TABLE_RUNS });
const bench = await benchDatabase(baseUrl, version, async () => {
  throw new Error("no bench data of this version: run `pnpm bench` first");
});
const server = await startTrackerServer({ DATABASE_URL: bench.url, LABTRACK_DASHBOARD_DIR: DIST });
const browser = await launchChromium();
try {
  const runIds = await runIdsOf(bench.url, "bench-compare");
  if (MODE === "first") {
    for (let i = 0; i < 3; i++) await reportFirstChart(runIds);
  } else if (MODE === "cpu") {
    const probe = cpuProbe();
    const drag = await longestTaskWhileSmoothing(browser, server, runIds, 80, probe);
    log(`longest task ${Math.max(drag.heartbeatMs, drag.longTaskMs).toFixed(0)} ms`);
    probe.report();
  } else {
    const probe = traceProbe();
    const drag = await longestTaskWhileSmoothing(browser, server, runIds, 80, probe);
    log(
      `longest task ${Math.max(drag.heartbeatMs, drag.longTaskMs).toFixed(0)} ms (heartbeat ${drag.heartbeatMs.toFixed(0)})`,
    );
    reportTrace(probe.events);
  }
} finally {
  await Promise.allSettled([browser.close(), server.close()]);
}
