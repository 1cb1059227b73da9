import { callProcedure, dataOf } from "../src/test-support/test-server.ts";
import type { ApiProcess } from "./api-process.ts";
import { fmt, verdict } from "./stats.ts";

const RUNS = 8;
const BATCH = 1_000;
const BATCHES_PER_RUN = 30;
const KEYS = ["train_loss", "train_accuracy", "val_loss", "val_accuracy"];

function batchPoints(batchIndex: number, t0: number) {
  const base = batchIndex * (BATCH / KEYS.length);
  return Array.from({ length: BATCH }, (_, i) => ({
    key: KEYS[i % KEYS.length]!,
    step: base + Math.floor(i / KEYS.length),
    value: Math.random(),
    timestamp: t0 + base + Math.floor(i / KEYS.length),
  }));
}

async function newRuns(api: ApiProcess): Promise<string[]> {
  const ids: string[] = [];
  for (let r = 0; r < RUNS; r++) {
    ids.push(
      dataOf<{ id: string }>(
        await callProcedure(api, api.adminToken, "runs.create", { project: "bench-mlflow" }),
      ).id,
    );
  }
  return ids;
}

/** Points/s of 8 runs each sending batches of 1,000 metrics, concurrently, one way or the other. */
async function measure(
  api: ApiProcess,
  send: (runId: string, batch: number) => Promise<void>,
): Promise<number> {
  const runIds = await newRuns(api);
  const started = performance.now();
  await Promise.all(
    runIds.map(async (runId) => {
      for (let b = 0; b < BATCHES_PER_RUN; b++) await send(runId, b);
    }),
  );
  return (RUNS * BATCHES_PER_RUN * BATCH) / ((performance.now() - started) / 1000);
}

/** MLflow's log-batch (as the Python client sends it) against metrics.log, for the same points. */
export async function benchMlflow(api: ApiProcess): Promise<string[]> {
  const t0 = Date.now();
  const viaMlflow = (runId: string, b: number) =>
    fetch(`${api.url}/api/2.0/mlflow/runs/log-batch`, {
      method: "POST",
      headers: { Authorization: `Bearer ${api.adminToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ run_id: runId.replaceAll("-", ""), metrics: batchPoints(b, t0) }),
    }).then(async (res) => {
      if (res.status !== 200) throw new Error(`log-batch failed: ${await res.text()}`);
    });
  const viaTrpc = (runId: string, b: number) =>
    callProcedure(api, api.adminToken, "metrics.log", {
      runId,
      points: batchPoints(b, t0).map((p) => ({
        key: p.key,
        step: p.step,
        value: p.value,
        time: p.timestamp,
      })),
    }).then((res) => {
      if (res.status !== 200) throw new Error(`metrics.log failed: ${JSON.stringify(res.body)}`);
    });
  // Warm both paths, then alternate them so that neither gets the quieter moment of the machine.
  await measure(api, viaMlflow);
  await measure(api, viaTrpc);
  const mlflow: number[] = [];
  const trpc: number[] = [];
  for (let round = 0; round < 2; round++) {
    mlflow.push(await measure(api, viaMlflow));
    trpc.push(await measure(api, viaTrpc));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ratio = mean(mlflow) / mean(trpc);
  return [
    `MLflow log-batch (8 runs x 1,000 metrics per request): ${fmt(mean(mlflow))} points/s`,
    `same points through metrics.log:                     ${fmt(mean(trpc))} points/s`,
    `ratio MLflow / metrics.log: ${fmt(ratio, 2)} (target >= 0.80): ${verdict(ratio >= 0.8)}`,
  ];
}
