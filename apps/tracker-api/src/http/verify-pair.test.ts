import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type EmbeddingModelConfig, ensureInferenceBackend, saveModelToDir } from "@labtrack/inference";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";
import { predictRoute } from "./predict-route.ts";

const SIZE = 8;
const MAX_IMAGE_BYTES = 32 * 1024;
const CONFIG: EmbeddingModelConfig = {
  format: "labtrack-embedding-model/1",
  input_size: SIZE,
  preprocessing: { resize: "stretch", channels: "RGB", scale: 1 / 255, offset: 0 },
  backbone: "scratch_cnn",
  embedding_dim: 2,
  normalize: "l2",
  head: { kind: "cosface", margin: 0.35, scale: 64 },
  identities: 2,
  verification: { threshold: 0.5, accuracy: 0.9, accuracy_std: 0.02, pairs: 60 },
};

/** Mean colour -> [red, blue] + 0.01: red images point one way, blue ones at right angles. */
async function writeColourEmbeddingModel(dir: string): Promise<void> {
  await ensureInferenceBackend();
  const input = tf.input({ shape: [SIZE, SIZE, 3] });
  const pooled = tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor;
  const dense = tf.layers.dense({
    units: 2,
    weights: [
      tf.tensor2d([
        [1, 0],
        [0, 0],
        [0, 1],
      ]),
      tf.tensor1d([0.01, 0.01]),
    ],
  });
  const model = tf.model({ inputs: input, outputs: dense.apply(pooled) as tf.SymbolicTensor });
  await saveModelToDir(model, dir);
  await writeFile(path.join(dir, "inference_config.json"), JSON.stringify(CONFIG));
  await writeFile(path.join(dir, "labels.txt"), "a\nb\n");
  model.dispose();
}

const solid = (r: number, g: number, b: number) =>
  sharp({ create: { width: 20, height: 14, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

describe.each(DB_KINDS)("POST /api/runs/<id>/verify and /predict of an embedding model on %s", (kind) => {
  let server: TestServer;
  let modelDir: string;
  let cacheDir: string;
  let runId: string;
  let route: ReturnType<typeof predictRoute>;

  async function runWithModel(configChanges: Record<string, unknown> = {}): Promise<string> {
    const id = dataOf<{ id: string }>(
      await callProcedure(server, server.adminToken, "runs.create", { project: "faces" }),
    ).id;
    for (const file of await readdir(modelDir)) {
      let body = await readFile(path.join(modelDir, file));
      if (file === "inference_config.json") {
        body = Buffer.from(JSON.stringify({ ...JSON.parse(body.toString()), ...configChanges }));
      }
      const put = await fetch(`${server.url}/api/artifacts/${id}/model/${file}?kind=model`, {
        method: "PUT",
        headers: { authorization: `Bearer ${server.adminToken}` },
        body,
      });
      expect(put.status).toBe(201);
    }
    return id;
  }
  const form = async (parts: Record<string, Buffer | string>) => {
    const body = new FormData();
    for (const [name, value] of Object.entries(parts)) {
      if (typeof value === "string") body.append(name, value);
      else body.append(name, new Blob([value], { type: "image/png" }), `${name}.png`);
    }
    return body;
  };
  const verify = async (id: string, body: FormData | Buffer, token = server.adminToken, type?: string) =>
    fetch(`${server.url}/api/runs/${id}/verify`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, ...(type ? { "content-type": type } : {}) },
      body,
    });

  beforeAll(async () => {
    modelDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-embedding-model-"));
    cacheDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-model-cache-"));
    await writeColourEmbeddingModel(modelDir);
    route = predictRoute({ cacheDir, maxImageBytes: MAX_IMAGE_BYTES });
    server = await startTestServer(kind, { extraRoutes: [route] });
    runId = await runWithModel();
  });
  afterAll(async () => {
    route.loaded.clear();
    await server.close();
    await rm(modelDir, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  });

  it("/predict answers the unit-length embedding of a metric-learning run's model", async () => {
    const res = await fetch(`${server.url}/api/runs/${runId}/predict`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "image/png" },
      body: await solid(255, 0, 0),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { runId: string; embedding: number[]; embedding_dim: number };
    expect(body).toMatchObject({ runId, embedding_dim: 2 });
    expect(body.embedding[0]).toBeCloseTo(1, 3);
    expect(Math.hypot(...body.embedding)).toBeCloseTo(1, 5);
  });

  it("answers the cosine similarity and same/different at the run's threshold", async () => {
    const same = await verify(
      runId,
      await form({ image1: await solid(250, 0, 0), image2: await solid(200, 30, 10) }),
    );
    expect(same.status).toBe(200);
    const sameBody = (await same.json()) as { similarity: number; threshold: number; same: boolean };
    expect(sameBody).toMatchObject({ runId, threshold: 0.5, same: true });
    expect(sameBody.similarity).toBeGreaterThan(0.99);
    const different = await verify(
      runId,
      await form({ image1: await solid(250, 0, 0), image2: await solid(0, 0, 250) }),
    );
    const differentBody = (await different.json()) as { similarity: number; same: boolean };
    expect(differentBody.same).toBe(false);
    expect(differentBody.similarity).toBeLessThan(0.1);
  });

  it("answers 400 naming the field for a missing, empty or undecodable image, 413 over the size limit", async () => {
    const red = await solid(250, 0, 0);
    const missing = await verify(runId, await form({ image1: red, note: "x" }));
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("image2: the multipart form has no 'image2' file");
    const broken = await verify(runId, await form({ image1: red, image2: Buffer.from("not a png") }));
    expect(broken.status).toBe(400);
    expect(await broken.text()).toMatch(/image2: the image could not be decoded/);
    const empty = await verify(runId, await form({ image1: Buffer.alloc(0), image2: red }));
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("image1: the image is empty");
    // The size is checked while reading, before any decoding.
    const noise = Buffer.alloc(MAX_IMAGE_BYTES + 1, 7);
    const big = await verify(runId, await form({ image1: red, image2: noise }));
    expect(big.status).toBe(413);
    expect(await big.text()).toContain(`image2: larger than ${MAX_IMAGE_BYTES} bytes`);
    const raw = await verify(runId, red, server.adminToken, "image/png");
    expect(raw.status).toBe(415);
    expect(await raw.text()).toMatch(
      /content-type: verify takes multipart\/form-data with 'image1' and 'image2'/,
    );
  });

  it("answers 422 for a classifier run or a model without a verification threshold", async () => {
    const noThreshold = await runWithModel({ verification: null });
    const res = await verify(
      noThreshold,
      await form({ image1: await solid(1, 2, 3), image2: await solid(1, 2, 3) }),
    );
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("model/inference_config.json: verification: none");
    const classifier = await runWithModel({
      format: "labtrack-image-classifier/1",
      output: "softmax",
      class_names: ["a", "b"],
      multi_label: false,
    });
    const refused = await verify(
      classifier,
      await form({ image1: await solid(1, 2, 3), image2: await solid(1, 2, 3) }),
    );
    expect(refused.status).toBe(422);
    expect(await refused.text()).toMatch(/exported an image classifier; verify needs a metric-learning run/);
  });

  it("answers 401 without a token, 403 to a token limited to other projects, 404 for no model, 405 for GET", async () => {
    const pair = async () => form({ image1: await solid(1, 2, 3), image2: await solid(1, 2, 3) });
    const anonymous = await fetch(`${server.url}/api/runs/${runId}/verify`, {
      method: "POST",
      body: await pair(),
    });
    expect(anonymous.status).toBe(401);
    const limited = dataOf<{ token: string }>(
      await callProcedure(server, server.adminToken, "tokens.create", {
        name: "elsewhere",
        scope: "user",
        projects: [{ project: "elsewhere", access: "read" }],
      }),
    ).token;
    const forbidden = await verify(runId, await pair(), limited);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).toMatch(/runId: /);
    const bare = dataOf<{ id: string }>(
      await callProcedure(server, server.adminToken, "runs.create", { project: "faces" }),
    ).id;
    const none = await verify(bare, await pair());
    expect(none.status).toBe(404);
    expect(await none.text()).toContain(`run ${bare} has no exported model`);
    const get = await fetch(`${server.url}/api/runs/${runId}/verify`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });
});
