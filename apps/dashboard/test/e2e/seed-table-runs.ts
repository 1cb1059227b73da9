import { inParallel } from "../../bench/seed-bench-data.ts";
import { callApi } from "./tracker-server.ts";

type Server = { url: string; token: string };

/** The run whose name needs quoting in a CSV (a comma and quotes). */
export const QUOTED_NAME = 'lr 0.003, "warm"';
/** The run whose last val/loss is NaN. */
export const NAN_RUN = "table-03";

/**
 * A project of `count` short runs as a sweep leaves them: five learning rates, a seed each, two batch
 * sizes, two backbones, a `phases` array, an `epochs` every run shares; groups arm-0..2.
 */
export async function seedTableRuns(server: Server, project: string, count = 60): Promise<void> {
  await inParallel(
    Array.from({ length: count }, (_, r) => r),
    4,
    async (r) => {
      const lr = 0.00075 * (1 + (r % 5));
      const run = await callApi<{ id: string }>(server, "runs.create", {
        project,
        name: r === 7 ? QUOTED_NAME : `table-${String(r).padStart(2, "0")}`,
        group: `arm-${r % 3}`,
        tags: r % 4 === 0 ? ["baseline"] : [],
        config: {
          lr,
          seed: 1000 + r,
          batch_size: r % 2 ? 32 : 64,
          backbone: r % 3 === 0 ? "resnet50" : "mobilenet_v2",
          epochs: 10,
          phases: [
            { epochs: 5, lr },
            { epochs: 5, lr: lr / 10 },
          ],
        },
      });
      const points = [];
      for (let step = 0; step <= 50; step += 10) {
        const loss = Math.exp(-step / (20 + r));
        const epoch = step / 10;
        points.push({ key: "train/loss", step, value: loss, epoch });
        points.push({ key: "val/loss", step, value: r === 3 && step === 50 ? "NaN" : loss * 1.1, epoch });
        points.push({ key: "val/accuracy", step, value: 0.95 - loss / 2, epoch });
        points.push({ key: "sys/gpu_util", step, value: 60 + r, epoch });
      }
      await callApi(server, "metrics.log", { runId: run.id, points });
      await callApi(server, "runs.finish", { runId: run.id, status: "succeeded" });
    },
  );
}
