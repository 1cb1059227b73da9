import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { MetricPointInput } from "@labtrack/schemas";
import { startApiProcess } from "@labtrack/tracker-api/bench-support";
import { createScratchPostgres } from "@labtrack/tracker-api/test-support";
import { importLogSource } from "../src/logfiles/log-import.ts";
import { EventFileReader } from "../src/logfiles/tensorboard/event-file-reader.ts";
import { fileVersionRecord, scalarRecord } from "../src/logfiles/tensorboard/event-file-writer.ts";
import { createTrpcClient, type LabtrackTRPCClient } from "../src/trpc-client.ts";

/**
 * `pnpm bench` for the sdk: scalars/s imported from a 1,000,000-scalar TensorBoard event file
 * against `metrics.log` of the same points (same batch size and calls in flight), one run each.
 */
const SCALARS = 1_000_000;
const TAGS = ["train/loss", "train/accuracy", "val/loss", "val/accuracy"];
const BATCH = 10_000;
const IN_FLIGHT = 4;
const TARGET = 0.7;

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function writeEventFile(dir: string, count: number): Promise<string> {
  const file = path.join(dir, "events.out.tfevents.1764576000.bench.1.0");
  const chunks: Uint8Array[] = [fileVersionRecord(1764576000)];
  for (let i = 0; i < count; i++) {
    const step = Math.floor(i / TAGS.length);
    chunks.push(
      scalarRecord({
        tag: TAGS[i % TAGS.length]!,
        step,
        wallTime: 1764576000 + step / 100,
        value: Math.sin(i),
      }),
    );
  }
  await writeFile(file, Buffer.concat(chunks));
  return file;
}

/** The points the import sends, built ahead so this path measures only the sending. */
async function pointsOf(file: string): Promise<MetricPointInput[]> {
  const scalars = await new EventFileReader(file).read();
  return scalars.map((s) => ({
    key: s.tag,
    step: s.step,
    value: s.value,
    time: s.wallTime * 1000,
  }));
}

async function logThroughMetricsLog(trpc: LabtrackTRPCClient, points: MetricPointInput[]): Promise<number> {
  const run = await trpc.runs.create.mutate({ project: "bench-import", name: "metrics-log" });
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < points.length) {
        const chunk = points.slice(next, next + BATCH);
        next += BATCH;
        await trpc.metrics.log.mutate({ runId: run.id, points: chunk });
      }
    }),
  );
  return points.length / ((performance.now() - started) / 1000);
}

async function importDir(trpc: LabtrackTRPCClient, dir: string): Promise<{ rate: number; points: number }> {
  const started = performance.now();
  const result = await importLogSource({
    trpc,
    project: "bench-import",
    kind: "tensorboard",
    source: dir,
    onProblem: (message) => process.stderr.write(`${message}\n`),
  });
  if (result.inserted !== result.points)
    throw new Error(`import stored ${result.inserted} of ${result.points} points`);
  return { rate: result.points / ((performance.now() - started) / 1000), points: result.points };
}

const baseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";
const scratch = await createScratchPostgres(baseUrl);
const api = await startApiProcess(scratch.url);
const work = await mkdtemp(path.join(os.tmpdir(), "labtrack-bench-tfevents-"));
const client = createTrpcClient({ url: api.url, token: api.adminToken });
const lines = ["", "sdk benchmark: TensorBoard event-file import (local Postgres, API in its own process)"];
try {
  const warmDir = await mkdtemp(path.join(work, "warm-"));
  await writeEventFile(warmDir, 20_000);
  await importDir(client.trpc, warmDir);
  const dir = await mkdtemp(path.join(work, "big-"));
  const file = await writeEventFile(dir, SCALARS);
  const viaLog = await logThroughMetricsLog(client.trpc, await pointsOf(file));
  const imported = await importDir(client.trpc, dir);
  const ratio = imported.rate / viaLog;
  lines.push(
    `import of a ${fmt(imported.points)}-scalar event file: ${fmt(imported.rate)} scalars/s`,
    `metrics.log of the same points:                ${fmt(viaLog)} points/s`,
    `ratio import / metrics.log: ${fmt(ratio, 2)} (target >= ${TARGET}): ${ratio >= TARGET ? "MET" : "NOT MET"}`,
  );
} finally {
  await client.close();
  await api.stop();
  await scratch.drop();
  await rm(work, { recursive: true, force: true });
}
process.stdout.write(`${lines.join("\n")}\n`);
