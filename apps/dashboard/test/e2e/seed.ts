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

/** What an image-classifier run reports when it finishes, for the Results tab. */
export const CLASSIFIER_RESULTS = {
  backend: "wasm",
  best_epoch: 12,
  epochs_run: 15,
  "test/accuracy": 0.913,
  "test/f1": 0.901,
  "test/loss": 0.274,
  per_class: [
    { name: "daisy", precision: 0.94, recall: 0.9, f1: 0.92, support: 50 },
    { name: "rose", precision: 0.88, recall: 0.92, f1: 0.9, support: 50 },
    { name: "tulip", precision: 0.9, recall: 0.9, f1: 0.9, support: 40 },
  ],
  confusion_matrix: {
    labels: ["daisy", "rose", "tulip"],
    matrix: [
      [45, 3, 2],
      [2, 46, 2],
      [1, 3, 36],
    ],
  },
};

export async function uploadArtifact(
  server: Server,
  runId: string,
  path: string,
  body: string,
): Promise<void> {
  const response = await fetch(`${server.url}/api/artifacts/${runId}/${path}?kind=model`, {
    method: "PUT",
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
    body,
  });
  if (response.status !== 201) throw new Error(`artifact upload: HTTP ${response.status}`);
}
