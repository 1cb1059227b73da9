import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";
import { callProcedure, dataOf } from "../src/test-support/test-server.ts";
import type { ApiProcess } from "./api-process.ts";
import { fmt, verdict } from "./stats.ts";

const RUNS = 8;
const BATCH = 1_000;
const BATCHES_PER_RUN = 60;
const KEYS = ["train/loss", "train/accuracy", "val/loss", "val/accuracy"];

function batchPoints(batchIndex: number) {
  const base = batchIndex * (BATCH / KEYS.length);
  return Array.from({ length: BATCH }, (_, i) => ({
    key: KEYS[i % KEYS.length]!,
    step: base + Math.floor(i / KEYS.length),
    value: Math.random(),
    epoch: Math.floor((base + i / KEYS.length) / 100),
  }));
}

/** Points/s through the API: 8 runs logging batches of 1,000 points concurrently, over HTTP. */
export async function ingestThroughApi(server: ApiProcess): Promise<number> {
  const runIds: string[] = [];
  for (let r = 0; r < RUNS; r++) {
    const res = await callProcedure(server, server.adminToken, "runs.create", { project: "bench-ingest" });
    runIds.push(dataOf<{ id: string }>(res).id);
  }
  const started = performance.now();
  await Promise.all(
    runIds.map(async (runId) => {
      for (let b = 0; b < BATCHES_PER_RUN; b++) {
        const res = await callProcedure(server, server.adminToken, "metrics.log", {
          runId,
          points: batchPoints(b),
        });
        if (res.status !== 200) throw new Error(`metrics.log failed: ${JSON.stringify(res.body)}`);
      }
    }),
  );
  return (RUNS * BATCHES_PER_RUN * BATCH) / ((performance.now() - started) / 1000);
}

/** The rows of one batch as COPY text (tab-separated, one line per point). */
function copyText(runId: string, points: ReturnType<typeof batchPoints>): string {
  const now = Date.now();
  return points.map((p) => `${runId}\t${p.key}\t${p.step}\t${p.value}\t${now}\t${p.epoch}\t1\n`).join("");
}

/**
 * Points/s for the same rows `COPY`d straight into a table like metric_points (same columns and
 * primary key), 8 writers, one COPY (one transaction) per batch of 1,000 as the API commits them:
 * the most Postgres takes this way, with no summaries, rollups or live events.
 */
async function ingestByCopy(databaseUrl: string): Promise<number> {
  const sql = postgres(databaseUrl, { max: RUNS, onnotice: () => {} });
  await sql`CREATE TABLE IF NOT EXISTS bench_points (LIKE metric_points INCLUDING ALL)`;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: RUNS }, async () => {
      const runId = randomUUID();
      for (let b = 0; b < BATCHES_PER_RUN; b++) {
        const writable =
          await sql`COPY bench_points (run_id, key, step, value, time_ms, epoch, attempt) FROM STDIN`.writable();
        await pipeline(Readable.from([copyText(runId, batchPoints(b))]), writable);
      }
    }),
  );
  const rate = (RUNS * BATCHES_PER_RUN * BATCH) / ((performance.now() - started) / 1000);
  await sql`DROP TABLE bench_points`;
  await sql.end();
  return rate;
}

export async function benchIngest(server: ApiProcess, databaseUrl: string): Promise<string[]> {
  // Warm up both paths once so neither pays for first-use costs.
  await ingestByCopy(databaseUrl);
  const api = await ingestThroughApi(server);
  const copy = await ingestByCopy(databaseUrl);
  const ratio = api / copy;
  return [
    `ingest through the API (8 runs x batches of 1,000): ${fmt(api)} points/s`,
    `same rows by COPY straight into Postgres:          ${fmt(copy)} points/s`,
    `ratio API / COPY: ${fmt(ratio, 2)} (target >= 0.50): ${verdict(ratio >= 0.5)}`,
  ];
}
