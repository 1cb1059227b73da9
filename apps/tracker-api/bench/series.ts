import { callProcedure, dataOf } from "../src/test-support/test-server.ts";
import type { ApiProcess } from "./api-process.ts";
import { fmt, percentile, verdict } from "./stats.ts";

const RUNS = 20;
const KEYS = ["train/loss", "train/accuracy", "val/loss", "val/accuracy"];
const POINTS = 100_000;
const CALLS = 40;

/** Seeds 20 runs x 4 keys x 100,000 points through the API (10,000-point batches). */
async function seed(server: ApiProcess): Promise<string[]> {
  const runIds: string[] = [];
  for (let r = 0; r < RUNS; r++) {
    const res = await callProcedure(server, server.adminToken, "runs.create", { project: "bench-series" });
    runIds.push(dataOf<{ id: string }>(res).id);
  }
  for (const runId of runIds) {
    for (const key of KEYS) {
      for (let start = 0; start < POINTS; start += 10_000) {
        const points = Array.from({ length: 10_000 }, (_, i) => ({
          key,
          step: start + i,
          value: Math.sin((start + i) / 1000) + Math.random() * 0.1,
        }));
        const res = await callProcedure(server, server.adminToken, "metrics.log", { runId, points });
        if (res.status !== 200) throw new Error(`seeding failed: ${JSON.stringify(res.body)}`);
      }
    }
  }
  return runIds;
}

export async function benchSeries(server: ApiProcess): Promise<string[]> {
  const runIds = await seed(server);
  const input = { runIds, keys: KEYS, maxPoints: 1_000 };
  const timings: number[] = [];
  for (let i = 0; i < CALLS + 3; i++) {
    const started = performance.now();
    const res = await callProcedure(server, server.adminToken, "metrics.series", input, "query");
    const elapsed = performance.now() - started;
    if (res.status !== 200) throw new Error(`metrics.series failed: ${JSON.stringify(res.body)}`);
    const series = dataOf<{ steps: number[] }[]>(res);
    if (series.length !== RUNS * KEYS.length || series.some((s) => s.steps.length > 1_000)) {
      throw new Error("metrics.series returned the wrong shape");
    }
    if (i >= 3) timings.push(elapsed);
  }
  timings.sort((a, b) => a - b);
  const p50 = percentile(timings, 50);
  const p95 = percentile(timings, 95);
  return [
    `metrics.series, 20 runs x 4 keys x 100,000 points -> 1,000 points each (${CALLS} calls over HTTP):`,
    `  p50 ${fmt(p50, 1)} ms, p95 ${fmt(p95, 1)} ms (target p95 < 150 ms): ${verdict(p95 < 150)}`,
  ];
}
