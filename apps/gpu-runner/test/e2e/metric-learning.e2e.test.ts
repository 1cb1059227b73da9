import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { predictRoute } from "@labtrack/tracker-api/predict-route";
import { DB_KINDS, dataOf, type TestServer } from "@labtrack/tracker-api/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityName, lfwPairsText, writeIdentityFolders } from "../synthetic-identities.ts";
import {
  api,
  type RunnerProcess,
  runnerToken,
  spawnRunner,
  startFastServer,
  stopRunner,
  waitFor,
} from "./harness.ts";

const LABTRACK_CLI = fileURLToPath(new URL("../../../../packages/sdk/bin/labtrack.mjs", import.meta.url));
const TRAIN = Array.from({ length: 8 }, (_, i) => identityName("person", i));
const HELD_OUT = Array.from({ length: 8 }, (_, i) => identityName("stranger", i));
const EPOCHS = 3;

type RunDetail = {
  id: string;
  status: string;
  error: string | null;
  summary: Record<string, { last: number; count: number }>;
  results: Record<string, unknown>;
};

describe.each(DB_KINDS)("metric learning from the queue to /verify, on %s", (kind) => {
  let server: TestServer;
  let runner: RunnerProcess;
  let userToken: string;
  const work = mkdtempSync(path.join(os.tmpdir(), "labtrack-metric-e2e-"));
  const trainDir = path.join(work, "faces");
  const verifyDir = path.join(work, "lfw-like");

  beforeAll(async () => {
    server = await startFastServer(kind, {
      extraRoutes: [predictRoute({ cacheDir: path.join(work, "model-cache") })],
    });
    userToken = (await server.services.tokens.create("e2e-user", "user")).token;
    await writeIdentityFolders(trainDir, TRAIN, 8);
    await writeIdentityFolders(verifyDir, HELD_OUT, 5);
    await writeFile(path.join(verifyDir, "pairs.txt"), lfwPairsText(HELD_OUT, 5, 10, 5));
    runner = spawnRunner(server.url, await runnerToken(server), `metric-${kind}`);
  }, 60_000);
  afterAll(async () => {
    await stopRunner(runner, "SIGKILL");
    await server.close();
  }, 60_000);

  it("trains CosFace on a local folder, verifies a pushed dataset's held-out pairs, serves /predict and /verify", async () => {
    await promisify(execFile)(
      process.execPath,
      [LABTRACK_CLI, "dataset", "push", verifyDir, "--name", "lfw-like", "--json"],
      { env: { ...process.env, LABTRACK_URL: server.url, LABTRACK_TOKEN: userToken } },
    );
    const client = api(server);
    const queued = await client.enqueue({
      name: "cosface",
      spec: {
        kind: "image-classifier",
        task: "metric-learning",
        data: { path: trainDir, val_fraction: 0.25, test_fraction: 0 },
        model: {
          backbone: "mobilenet_v2",
          input_size: 32,
          head: { kind: "cosface", embedding_dim: 32, scale: 30 },
        },
        verification: { path: "dataset:lfw-like" },
        // Seed 004's two phases: head first, then fine-tuning of the last layers at a lower rate.
        phases: [
          { epochs: 2, learning_rate: 0.01, trainable: "head" },
          {
            epochs: EPOCHS - 2,
            learning_rate: 3e-4,
            trainable: { last_n_layers: 10 },
            backbone_lr_multiplier: 0.5,
          },
        ],
        batch_size: 16,
        augmentation: { enabled: false },
        early_stopping: { enabled: false },
      },
    });
    const run = await waitFor(
      `run ${queued.id} to finish`,
      async () => {
        const r = dataOf<RunDetail>(await client.call("runs.get", { runId: queued.id }, "query"));
        return (r.status === "succeeded" || r.status === "failed") && r;
      },
      150_000,
      250,
    );
    expect(run.status, `${JSON.stringify(run.error)}\n${runner.output().slice(-3000)}`).toBe("succeeded");

    for (const key of ["val/verification_accuracy", "val/verification_threshold", "val/tar_at_far_1e-3"]) {
      expect(run.summary[key], key).toMatchObject({ count: EPOCHS });
    }
    const verification = run.results.verification as Record<string, number>;
    expect(verification).toMatchObject({
      pairs: 100,
      folds: 10,
      identities: 8,
      identities_seen_in_training: 0,
    });
    // Held-out identities: chance is 0.5 (as many same as different pairs).
    expect(verification.accuracy).toBeGreaterThan(0.62);

    const artifacts = dataOf<{ path: string; kind: string }[]>(
      await client.call("artifacts.list", { runId: run.id }, "query"),
    );
    const paths = artifacts.map((a) => a.path);
    for (let epoch = 1; epoch <= EPOCHS; epoch++) {
      expect(
        paths.some((p) => new RegExp(`^checkpoints/epoch_0${epoch}_val_acc_\\d\\.\\d\\d\\.ckpt$`).test(p)),
      ).toBe(true);
    }
    expect(artifacts.find((a) => a.path === "figures/roc_curve.png")?.kind).toBe("plot");
    expect(paths).toEqual(expect.arrayContaining(["model/model.json", "model/inference_config.json"]));
    const logs = (await client.logs(run.id)).map((l) => l.text);
    expect(logs.some((t) => /dataset lfw-like@1 .*downloaded/.test(t))).toBe(true);

    const auth = { authorization: `Bearer ${userToken}` };
    const image = (name: string, n: number) =>
      readFile(path.join(verifyDir, name, `${name}_${String(n).padStart(4, "0")}.png`));
    const predicted = await fetch(`${server.url}/api/runs/${run.id}/predict`, {
      method: "POST",
      headers: { ...auth, "content-type": "image/png" },
      body: await image("stranger_01", 1),
    });
    expect(predicted.status).toBe(200);
    const { embedding } = (await predicted.json()) as { embedding: number[] };
    expect(embedding).toHaveLength(32);
    expect(Math.hypot(...embedding)).toBeCloseTo(1, 4);

    const verify = async (a: Buffer, b: Buffer) => {
      const form = new FormData();
      form.append("image1", new Blob([a], { type: "image/png" }), "a.png");
      form.append("image2", new Blob([b], { type: "image/png" }), "b.png");
      const res = await fetch(`${server.url}/api/runs/${run.id}/verify`, {
        method: "POST",
        headers: auth,
        body: form,
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { similarity: number; threshold: number; same: boolean };
    };
    const itself = await verify(await image("stranger_01", 1), await image("stranger_01", 1));
    expect(itself.similarity).toBeCloseTo(1, 4);
    expect(itself).toMatchObject({ same: true, threshold: verification.threshold });
    const other = await verify(await image("stranger_01", 1), await image("stranger_02", 1));
    expect(other.same).toBe(other.similarity >= (verification.threshold ?? Number.NaN));
  }, 200_000);
});
