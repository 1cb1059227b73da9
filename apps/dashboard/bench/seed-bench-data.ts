import { callApi } from "../test/e2e/tracker-server.ts";

type Server = { url: string; token: string };

/** Runs `work` over `items` with at most `limit` calls in flight. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

export const COMPARE_METRICS = [
  "train/loss",
  "train/accuracy",
  "val/loss",
  "val/accuracy",
  "lr",
  "sys/gpu_util",
];

/** How often the five other metrics are logged, in steps (an eval or system sample every 50 steps). */
export const SPARSE_EVERY = 50;

/**
 * `runs` runs with every compare metric: `train/loss` logged at each of `points` steps in every run
 * (the 100,000-step curve, 50 times over), the five others every 50 steps, sent in batches of 10,000.
 */
export async function seedCompareRuns(server: Server, runs: number, points: number): Promise<string[]> {
  const ids: string[] = [];
  for (let r = 0; r < runs; r++) {
    const run = await callApi<{ id: string }>(server, "runs.create", {
      project: "bench-compare",
      name: `compare-${r}`,
      config: { lr: 10 ** -(2 + (r % 4)), seed: r, backbone: r % 2 ? "resnet50" : "mobilenet_v2" },
    });
    ids.push(run.id);
  }
  const batch = 10_000;
  // Steps per call, so that a call carries at most `batch` points of all six metrics.
  const perCall = Math.floor(batch / (1 + (COMPARE_METRICS.length - 1) / SPARSE_EVERY));
  const jobs: { runId: string; r: number; from: number }[] = [];
  ids.forEach((runId, r) => {
    for (let from = 0; from < points; from += perCall) jobs.push({ runId, r, from });
  });
  await inParallel(jobs, 4, async ({ runId, r, from }) => {
    const body = [];
    for (let step = from; step < Math.min(points, from + perCall); step++) {
      const t = step / points;
      const noise = Math.sin(step * 0.37 + r) * 0.02;
      const loss = Math.exp(-t * (3 + r * 0.1)) + noise;
      body.push({ key: "train/loss", step, value: loss });
      if (step % SPARSE_EVERY !== 0) continue;
      body.push({ key: "train/accuracy", step, value: 1 - loss / 2 });
      body.push({ key: "val/loss", step, value: loss * 1.1 + 0.02 });
      body.push({ key: "val/accuracy", step, value: 0.95 - loss / 2 });
      body.push({ key: "lr", step, value: 0.001 * (1 - t) });
      body.push({ key: "sys/gpu_util", step, value: 70 + 20 * Math.sin(step / 500 + r) });
    }
    await callApi(server, "metrics.log", { runId, points: body });
  });
  return ids;
}

/** `count` runs in one project, with a few config keys each, for the table scroll benchmark. */
export async function seedTableRuns(server: Server, count: number): Promise<void> {
  const indices = Array.from({ length: count }, (_, i) => i);
  await inParallel(indices, 8, async (i) => {
    await callApi(server, "runs.create", {
      project: "bench-table",
      name: `sweep-${String(i).padStart(5, "0")}`,
      group: `group-${i % 25}`,
      tags: i % 10 === 0 ? ["best"] : [],
      config: { lr: 10 ** -(1 + (i % 5)), batch_size: 2 ** (4 + (i % 4)), dropout: (i % 7) / 10 },
    });
  });
}
