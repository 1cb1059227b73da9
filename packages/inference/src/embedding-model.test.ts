import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UndecodableImageError } from "./classifier.ts";
import { type EmbeddingModelConfig, servedModelConfig } from "./embedding-config.ts";
import { loadEmbeddingModel } from "./embedding-model.ts";
import { ensureInferenceBackend } from "./inference-backend.ts";
import { saveModelToDir } from "./model-files.ts";

const SIZE = 8;
const config: EmbeddingModelConfig = {
  format: "labtrack-embedding-model/1",
  input_size: SIZE,
  preprocessing: { resize: "stretch", channels: "RGB", scale: 1 / 255, offset: 0 },
  backbone: "scratch_cnn",
  embedding_dim: 2,
  normalize: "l2",
  head: { kind: "cosface", margin: 0.35, scale: 64 },
  identities: 3,
  verification: { threshold: 0.5, accuracy: 0.9, accuracy_std: 0.01, pairs: 600 },
};

/** Mean colour -> [red + 1, blue]: a fixed embedding whose direction is known. */
function colourModel(): tf.LayersModel {
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
      tf.tensor1d([1, 0]),
    ],
  });
  return tf.model({ inputs: input, outputs: dense.apply(pooled) as tf.SymbolicTensor });
}

const solid = (r: number, g: number, b: number) =>
  sharp({ create: { width: 10, height: 6, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

describe("loadEmbeddingModel", () => {
  let dir: string;
  beforeAll(async () => {
    await ensureInferenceBackend();
    dir = await mkdtemp(path.join(os.tmpdir(), "labtrack-embedding-"));
    await saveModelToDir(colourModel(), dir);
    await writeFile(path.join(dir, "inference_config.json"), JSON.stringify(config));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("answers the L2-normalised embedding of an image", async () => {
    const model = await loadEmbeddingModel(dir);
    // Black: [0 + 1, 0] -> [1, 0]. Full blue: [1, 1] -> [0.7071, 0.7071].
    expect(await model.embed(await solid(0, 0, 0))).toEqual([1, 0]);
    const blue = await model.embed(await solid(0, 0, 255));
    expect(blue[0]).toBeCloseTo(Math.SQRT1_2, 5);
    expect(blue[1]).toBeCloseTo(Math.SQRT1_2, 5);
    await expect(model.embed(Buffer.from("nope"))).rejects.toBeInstanceOf(UndecodableImageError);
    model.dispose();
  });

  it("tells classifier and embedding configs apart by format, and names a bad field", async () => {
    expect(servedModelConfig.parse(config).format).toBe("labtrack-embedding-model/1");
    const bad = servedModelConfig.safeParse({ ...config, embedding_dim: 0 });
    expect(bad.error?.issues[0]?.path).toEqual(["embedding_dim"]);
    await writeFile(
      path.join(dir, "inference_config.json"),
      JSON.stringify({ ...config, normalize: "none" }),
    );
    await expect(loadEmbeddingModel(dir)).rejects.toThrow(/is not an embedding-model config \(normalize: /);
  });
});
