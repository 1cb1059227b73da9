import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ensureInferenceBackend, type InferenceConfig, saveModelToDir } from "@labtrack/inference";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  dataOf,
  STORAGE_CASES,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";
import { predictRoute } from "./predict-route.ts";

const SIZE = 16;
const CLASSES = ["red", "blue"];

const solid = (r: number, g: number, b: number, width = 24, height = 20) =>
  sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

/** Trains a tiny red-vs-blue classifier and writes it as the recipe exports one. */
async function trainTinyModel(dir: string): Promise<void> {
  await ensureInferenceBackend();
  const input = tf.input({ shape: [SIZE, SIZE, 3] });
  const pooled = tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 2, activation: "softmax" }).apply(pooled) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.adam(0.1), loss: "categoricalCrossentropy" });
  const xs = tf.tidy(() =>
    tf.concat([
      tf.ones([10, SIZE, SIZE, 3]).mul(tf.tensor1d([0.9, 0.1, 0.1])),
      tf.ones([10, SIZE, SIZE, 3]).mul(tf.tensor1d([0.1, 0.1, 0.9])),
    ]),
  );
  const ys = tf.oneHot(tf.tensor1d([...Array(10).fill(0), ...Array(10).fill(1)], "int32"), 2);
  await model.fit(xs, ys, { epochs: 60, verbose: 0 });
  await saveModelToDir(model, dir);
  const config: InferenceConfig = {
    format: "labtrack-image-classifier/1",
    input_size: SIZE,
    preprocessing: { resize: "stretch", channels: "RGB", scale: 1 / 255, offset: 0 },
    output: "softmax",
    class_names: CLASSES,
    multi_label: false,
    backbone: "scratch_cnn",
  };
  await writeFile(path.join(dir, "inference_config.json"), JSON.stringify(config));
  await writeFile(path.join(dir, "labels.txt"), `${CLASSES.join("\n")}\n`);
  tf.dispose([xs, ys]);
  model.dispose();
}

describe.each(STORAGE_CASES)("POST /api/runs/<id>/predict on %s with %s blobs", (kind, blobStore) => {
  let server: TestServer;
  let modelDir: string;
  let cacheDir: string;
  let runId: string;
  let route: ReturnType<typeof predictRoute>;
  const auth = () => ({ authorization: `Bearer ${server.adminToken}` });
  const predict = (id: string, init: RequestInit) =>
    fetch(`${server.url}/api/runs/${id}/predict`, { method: "POST", ...init });

  /** Uploads the tiny model's files as `token`, with `configChanges` merged into its inference config. */
  async function uploadModel(id: string, token: string, configChanges: Record<string, unknown> = {}) {
    for (const file of await readdir(modelDir)) {
      let body = await readFile(path.join(modelDir, file));
      if (file === "inference_config.json") {
        body = Buffer.from(JSON.stringify({ ...JSON.parse(body.toString()), ...configChanges }));
      }
      const put = await fetch(`${server.url}/api/artifacts/${id}/model/${file}?kind=model`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}` },
        body,
      });
      expect(put.status).toBe(201);
    }
  }

  async function runWithModel(configChanges: Record<string, unknown> = {}): Promise<string> {
    const created = await callProcedure(server, server.adminToken, "runs.create", { project: "serving" });
    const id = dataOf<{ id: string }>(created).id;
    await uploadModel(id, server.adminToken, configChanges);
    return id;
  }
  const newToken = async (name: string, scope: string, projects?: unknown) =>
    dataOf<{ token: string }>(
      await callProcedure(server, server.adminToken, "tokens.create", { name, scope, projects }),
    ).token;
  const predictRed = (id: string, token = server.adminToken) =>
    solid(230, 20, 20).then((body) =>
      predict(id, { headers: { authorization: `Bearer ${token}`, "content-type": "image/png" }, body }),
    );

  beforeAll(async () => {
    modelDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-tiny-model-"));
    cacheDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-model-cache-"));
    await trainTinyModel(modelDir);
    route = predictRoute({ cacheDir, maxLoadedModels: 1 });
    server = await startTestServer(kind, { extraRoutes: [route], blobStore });
    runId = await runWithModel();
  });
  afterAll(async () => {
    route.loaded.clear();
    await server.close();
    await rm(modelDir, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  });

  it("answers class probabilities and the predicted label for a raw image body", async () => {
    const res = await predict(runId, {
      headers: { ...auth(), "content-type": "image/png" },
      body: await solid(230, 20, 20),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { predicted: string; probabilities: { label: string; p: number }[] };
    expect(body.predicted).toBe("red");
    expect(body.probabilities.map((p) => p.label)).toEqual(["red", "blue"]);
    expect(body.probabilities[0]?.p).toBeGreaterThan(0.8);
  });

  it("accepts a multipart form with a 'file' field", async () => {
    const form = new FormData();
    form.append("note", "ignored");
    form.append("file", new Blob([await solid(20, 20, 230, 40, 10)], { type: "image/png" }), "blue.png");
    const res = await predict(runId, { headers: auth(), body: form });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ runId, predicted: "blue" });
  });

  it("copies the model out of the blob store once, into a folder named by its sha256", async () => {
    const folders = (await readdir(cacheDir)).filter((name) => !name.startsWith("."));
    expect(folders).toHaveLength(1);
    expect(folders[0]).toMatch(/^[0-9a-f]{64}$/);
    expect((await readdir(path.join(cacheDir, folders[0] ?? ""))).sort()).toEqual([
      "inference_config.json",
      "labels.txt",
      "model.json",
      "weights.bin",
    ]);
  });

  it("serves a second run exporting the same model from the same cache folder and loaded model", async () => {
    const other = await runWithModel();
    const res = await predict(other, {
      headers: { ...auth(), "content-type": "image/png" },
      body: await solid(230, 20, 20),
    });
    expect(res.status).toBe(200);
    // Same bytes, same key: the second run reuses the first run's cached folder and loaded model.
    expect(route.loaded.size).toBe(1);
    expect((await readdir(cacheDir)).filter((name) => !name.startsWith("."))).toHaveLength(1);
  });

  it("answers 400 for bytes that are not an image", async () => {
    const res = await predict(runId, {
      headers: { ...auth(), "content-type": "image/jpeg" },
      body: Buffer.from("definitely not a jpeg"),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/could not be decoded/);
  });

  it("answers 400 for a multipart form without a file field, and 415 for other content types", async () => {
    const form = new FormData();
    form.append("image", "text");
    const noFile = await predict(runId, { headers: auth(), body: form });
    expect(noFile.status).toBe(400);
    expect(await noFile.text()).toMatch(/'file'/);
    const json = await predict(runId, {
      headers: { ...auth(), "content-type": "application/json" },
      body: "{}",
    });
    expect(json.status).toBe(415);
  });

  it("answers 404 naming the run when it has no exported model, or does not exist", async () => {
    const created = await callProcedure(server, server.adminToken, "runs.create", { project: "serving" });
    const bare = dataOf<{ id: string }>(created).id;
    const res = await predict(bare, {
      headers: { ...auth(), "content-type": "image/png" },
      body: await solid(1, 2, 3),
    });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain(`run ${bare} has no exported model`);
    const missing = "0b5f4a4e-5a0e-4b7c-9d55-1f2b3c4d5e6f";
    const gone = await predict(missing, { headers: { ...auth(), "content-type": "image/png" }, body: "x" });
    expect(gone.status).toBe(404);
    expect(await gone.text()).toContain(missing);
  });

  it("answers 401 without a token and 405 for GET", async () => {
    const res = await predict(runId, {
      headers: { "content-type": "image/png" },
      body: await solid(1, 2, 3),
    });
    expect(res.status).toBe(401);
    const get = await fetch(`${server.url}/api/runs/${runId}/predict`, { headers: auth() });
    expect(get.status).toBe(405);
  });
  it("refuses a model whose config asks for inputs above 1024 px, naming the field, without loading it", async () => {
    const loadedBefore = route.loaded.size;
    const huge = await runWithModel({ input_size: 4096 });
    const res = await predictRed(huge);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("model/inference_config.json: input_size: ");
    expect(route.loaded.size).toBe(loadedBefore);
  });

  it("serves only models written by the run's own runner token or an admin", async () => {
    const user = await newToken("predict-user", "user");
    const byUser = dataOf<{ id: string }>(
      await callProcedure(server, user, "runs.create", { project: "serving" }),
    ).id;
    await uploadModel(byUser, user);
    const refused = await predictRed(byUser);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/model\/[^:]+: was not written by the run's runner or an admin/);

    const runner = await newToken("predict-runner", "runner");
    const queued = dataOf<{ id: string }>(
      await callProcedure(server, server.adminToken, "queue.enqueue", {
        project: "serving",
        spec: { kind: "command", command: "true" },
        queue: "predict",
      }),
    ).id;
    const { runnerId } = dataOf<{ runnerId: string }>(
      await callProcedure(server, runner, "runners.register", {
        name: "predict-host",
        queues: ["predict"],
        capabilities: { hostname: "h", gpus: [], backends: ["cpu"], cpus: 1, memoryMb: 1024 },
        slots: [{ index: 0, gpuIndices: [] }],
      }),
    );
    await callProcedure(server, runner, "runners.claim", { runnerId, slot: 0, waitMs: 0 });
    await uploadModel(queued, runner);
    expect((await predictRed(queued, user)).status).toBe(200);
    // Another runner's token may not write to it while it is held; a user token overwriting it
    // makes the model unservable again.
    const other = await newToken("other-runner", "runner");
    const put = await fetch(`${server.url}/api/artifacts/${queued}/model/model.json?kind=model`, {
      method: "PUT",
      headers: { authorization: `Bearer ${other}` },
      body: "{}",
    });
    expect(put.status).toBe(403);
    await uploadModel(queued, user);
    expect((await predictRed(queued)).status).toBe(403);
  });

  it("refuses a token limited to other projects", async () => {
    const limited = await newToken("elsewhere", "user", [{ project: "elsewhere", access: "read" }]);
    const res = await predictRed(runId, limited);
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/runId: /);
  });
});
