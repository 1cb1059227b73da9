import { inParallel } from "../../bench/seed-bench-data.ts";
import { callApi } from "./tracker-server.ts";

type Server = { url: string; token: string };

export const MANY_RUNS_METRICS = [
  "train/loss",
  "train/accuracy",
  "val/loss",
  "val/accuracy",
  "lr",
  "sys/gpu_util",
] as const;

export interface SeededRun {
  id: string;
  name: string;
  /** The last step this run logged. */
  lastStep: number;
}

/**
 * A project as a sweep leaves it: `count` runs of 6 metrics that end at different steps, one with a
 * 20,000-step `train/loss`, a NaN, an Infinity and one spike to 22 among the points, and configs
 * whose learning rate hides inside a `phases` array.
 */
export async function seedManyRuns(server: Server, project: string, count = 60): Promise<SeededRun[]> {
  const runs: SeededRun[] = [];
  await inParallel(
    Array.from({ length: count }, (_, r) => r),
    4,
    async (r) => {
      const lr = 0.00075 * (1 + (r % 5));
      const run = await callApi<{ id: string; name: string }>(server, "runs.create", {
        project,
        name: r === 0 ? "long-run" : `sweep-${String(r).padStart(2, "0")}`,
        group: `arm-${r % 3}`,
        tags: r % 4 === 0 ? ["baseline"] : [],
        config: {
          lr,
          seed: 1000 + r,
          batch_size: r % 2 ? 32 : 64,
          backbone: r % 3 === 0 ? "resnet50" : "mobilenet_v2",
          phases: [
            { epochs: 5, lr, trainable_layers: 0 },
            { epochs: 10, lr: lr / 10, trainable_layers: 40 },
          ],
        },
      });
      const lastStep = r === 0 ? 19_999 : 2000 + r * 150;
      const every = r === 0 ? 1 : 10;
      const points: { key: string; step: number; value: number | string; epoch: number }[] = [];
      const push = (key: string, step: number, value: number | string) =>
        points.push({ key, step, value, epoch: Math.floor(step / 1000) });
      for (let step = 0; step <= lastStep; step += every) {
        const t = step / 10_000;
        const loss = Math.exp(-t * (2 + (r % 7) * 0.3)) + 0.02 * Math.sin(step / 37 + r);
        let trainLoss: number | string = loss;
        if (r === 3 && step === 500) trainLoss = "NaN";
        if (r === 5 && step === 1200) trainLoss = 22;
        push("train/loss", step, trainLoss);
        if (r === 0 && step % 10 !== 0) continue;
        push("train/accuracy", step, 1 - loss / 2);
        push("val/loss", step, r === 4 && step === 700 ? "Infinity" : loss * 1.1 + 0.02);
        push("val/accuracy", step, 0.95 - loss / 2);
        push("lr", step, lr * (1 - step / 40_000));
        push("sys/gpu_util", step, 60 + ((step / 10 + r) % 30));
      }
      for (let i = 0; i < points.length; i += 10_000) {
        await callApi(server, "metrics.log", { runId: run.id, points: points.slice(i, i + 10_000) });
      }
      if (r % 6 !== 1) await callApi(server, "runs.finish", { runId: run.id, status: "succeeded" });
      runs.push({ ...run, lastStep });
    },
  );
  return runs.sort((a, b) => a.name.localeCompare(b.name));
}
