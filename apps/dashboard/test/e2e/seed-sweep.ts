// biome-ignore-all lint/suspicious/noTemplateCurlyInString: sweep placeholders are literal ${name} strings
import { callApi } from "./tracker-server.ts";

type Server = { url: string; token: string };

export interface SweepRunOut {
  runId: string;
  name: string;
  status: string;
  params: Record<string, number | string>;
  goal: number | null;
  pruned: boolean;
}
export interface SeededSweep extends SweepOut {
  /** The runner the seeding played, registered on the `default` queue. */
  runnerId: string;
}
export interface SweepOut {
  id: string;
  name: string;
  status: string;
  progress: Record<string, number>;
  runs: SweepRunOut[];
}

/** The loss curve a run of these parameters reports: best near lr 1e-3, adam(w), few layers off 4. */
export function lossAt(params: Record<string, number | string>, epoch: number): number {
  const lr = Number(params.lr);
  const optimizer = String(params.optimizer);
  return (
    0.3 * (Math.log10(lr) + 3) ** 2 +
    (optimizer === "sgd" ? 0.4 : optimizer === "adamw" ? -0.05 : 0) +
    0.2 * Number(params.dropout) +
    0.03 * Math.abs(Number(params.layers) - 4) +
    Number(params.batch_size) / 1000 +
    1 / epoch
  );
}

export const SWEEP_CONFIG = {
  name: "lr-opt-search",
  method: "random",
  metric: { name: "val/loss", goal: "minimize", summary: "min" },
  parameters: {
    lr: { min: 0.00001, max: 0.1, distribution: "log_uniform_values" },
    batch_size: { values: [16, 32, 64, 128] },
    optimizer: { values: ["adam", "sgd", "adamw"] },
    dropout: { min: 0, max: 0.5 },
    layers: { min: 1, max: 8 },
  },
  early_terminate: { type: "hyperband", min_iter: 3, eta: 3 },
  run_cap: 60,
  concurrency: 60,
  seed: 7,
  spec: {
    kind: "command",
    command: ["python3", "train.py", "--lr", "${lr}", "--bs", "${batch_size}", "--opt", "${optimizer}"],
    env: { DROPOUT: "${dropout}", LAYERS: "${layers}" },
  },
};

/**
 * A 60-run random sweep as a runner leaves it: the API queues its runs, a runner (played through
 * the API) claims each, reports 10 epochs of `val/loss` and succeeds; the last `prunedTail` runs
 * report a bad curve up to the first rung and stay running until early termination prunes them;
 * answers the finished sweep.
 */
export async function seedSweep(server: Server, project: string, prunedTail = 4): Promise<SeededSweep> {
  const sweep = await callApi<SweepOut>(server, "sweeps.create", { project, config: SWEEP_CONFIG });
  // Paused while the runner plays: early termination would otherwise judge each run in the moment
  // between its points and its end, and prune by timing.
  await callApi(server, "sweeps.pause", { sweepId: sweep.id });
  const { runnerId } = await callApi<{ runnerId: string }>(server, "runners.register", {
    name: "e2e-sweep-runner",
    capabilities: { hostname: "e2e", gpus: [], backends: ["cpu"], cpus: 2, memoryMb: 4096 },
    slots: [{ index: 0, gpuIndices: [] }],
  });
  const total = SWEEP_CONFIG.run_cap;
  for (let n = 0; n < total; n++) {
    const run = await callApi<{ id: string; config: Record<string, number | string> } | null>(
      server,
      "runners.claim",
      { runnerId, slot: 0, waitMs: 5000 },
    );
    if (!run) throw new Error(`no queued run of the sweep to claim (${n} claimed)`);
    const pruneMe = n >= total - prunedTail;
    const epochs = pruneMe ? 3 : 10;
    const points = Array.from({ length: epochs }, (_, i) => ({
      key: "val/loss",
      step: i + 1,
      value: pruneMe ? 5 + lossAt(run.config, i + 1) : lossAt(run.config, i + 1),
      epoch: i + 1,
    }));
    await callApi(server, "metrics.log", { runId: run.id, points });
    if (!pruneMe) await callApi(server, "runners.report", { runnerId, runId: run.id, outcome: "succeeded" });
  }
  // Resumed, the controller prunes the bad tail at its first rung and then finishes the sweep.
  await callApi(server, "sweeps.resume", { sweepId: sweep.id });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const current = await callApi<SweepOut>(server, "sweeps.get", { sweepId: sweep.id }, "query");
    // The runner's side of a cancel: it stops the process and reports the run canceled.
    for (const r of current.runs.filter((x) => x.status === "canceling")) {
      await callApi(server, "runners.report", { runnerId, runId: r.runId, outcome: "canceled" });
    }
    if (current.status === "finished" || Date.now() > deadline) return { ...current, runnerId };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
