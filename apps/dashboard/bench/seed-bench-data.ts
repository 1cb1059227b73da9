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

/**
 * `runs` runs with every compare metric: the first run logs `points` steps, the others 2-5 % of
 * that (a sweep's runs stop at different steps), sent in batches of 10,000.
 */
export async function seedCompareRuns(server: Server, runs: number, points: number): Promise<string[]> {
  const ids: string[] = [];
  const lengths: number[] = [];
  for (let r = 0; r < runs; r++) {
    const run = await callApi<{ id: string }>(server, "runs.create", {
      project: "bench-compare",
      name: `compare-${r}`,
      config: { lr: 10 ** -(2 + (r % 4)), seed: r, backbone: r % 2 ? "resnet50" : "mobilenet_v2" },
    });
    ids.push(run.id);
    lengths.push(r === 0 ? points : Math.round(points * (0.02 + (0.03 * ((r * 7) % 11)) / 10)));
  }
  const batch = 10_000;
  const perCall = Math.floor(batch / COMPARE_METRICS.length);
  const jobs: { runId: string; r: number; from: number; to: number }[] = [];
  ids.forEach((runId, r) => {
    const to = lengths[r] ?? points;
    for (let from = 0; from < to; from += perCall) jobs.push({ runId, r, from, to });
  });
  await inParallel(jobs, 4, async ({ runId, r, from, to }) => {
    const body = [];
    for (let step = from; step < Math.min(to, from + perCall); step++) {
      const t = step / points;
      const noise = Math.sin(step * 0.37 + r) * 0.02;
      const loss = Math.exp(-t * (3 + r * 0.1)) + noise;
      body.push({ key: "train/loss", step, value: loss });
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
