import { callApi } from "./tracker-server.ts";

type Server = { url: string; token: string };
type RunOut = { id: string; name: string };

/** A run reported as a script would: created, a few curves logged, optionally finished. */
export async function seedRun(
  server: Server,
  opts: {
    project: string;
    name: string;
    config: Record<string, unknown>;
    steps?: number;
    finish?: "succeeded" | "failed";
    tags?: string[];
    group?: string;
    curve?: (step: number) => number;
  },
): Promise<RunOut> {
  const run = await callApi<RunOut>(server, "runs.create", {
    project: opts.project,
    name: opts.name,
    config: opts.config,
    tags: opts.tags ?? [],
    group: opts.group,
  });
  const steps = opts.steps ?? 60;
  const curve = opts.curve ?? ((s: number) => Math.exp(-s / 20));
  const points = [];
  for (let step = 0; step < steps; step++) {
    const loss = curve(step) + 0.03 * Math.sin(step * 1.7);
    points.push({ key: "train/loss", step, value: loss, epoch: Math.floor(step / 10) });
    points.push({ key: "val/accuracy", step, value: 1 - loss / 2, epoch: Math.floor(step / 10) });
  }
  await callApi(server, "metrics.log", { runId: run.id, points });
  if (opts.finish) await callApi(server, "runs.finish", { runId: run.id, status: opts.finish });
  return run;
}
