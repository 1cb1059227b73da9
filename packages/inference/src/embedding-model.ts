import { readFile } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { UndecodableImageError } from "./classifier.ts";
import { type EmbeddingModelConfig, embeddingModelConfig } from "./embedding-config.ts";
import { decodeImage, toFloatBatch } from "./image-preprocessing.ts";
import { loadModelFromDir } from "./model-files.ts";

export interface LoadedEmbeddingModel {
  config: EmbeddingModelConfig;
  /** The L2-normalised embedding of one image. */
  embed(image: Buffer): Promise<number[]>;
  dispose(): void;
}

export async function readEmbeddingModelConfig(modelDir: string): Promise<EmbeddingModelConfig> {
  const file = path.join(modelDir, "inference_config.json");
  const parsed = embeddingModelConfig.safeParse(JSON.parse(await readFile(file, "utf8")));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`${file} is not an embedding-model config (${problems})`);
  }
  return parsed.data;
}

/** Loads a metric-learning model exported by the image-classifier recipe. */
export async function loadEmbeddingModel(modelDir: string): Promise<LoadedEmbeddingModel> {
  const config = await readEmbeddingModelConfig(modelDir);
  const model = await loadModelFromDir(modelDir);
  const size = config.input_size;
  return {
    config,
    async embed(image) {
      const decoded = await decodeImage(image, size);
      if (!decoded.ok) throw new UndecodableImageError(`the image could not be decoded: ${decoded.reason}`);
      const output = tf.tidy(() => {
        const raw = model.predict(
          tf.tensor4d(toFloatBatch([decoded.image]), [1, size, size, 3]),
        ) as tf.Tensor2D;
        return tf.div(raw, tf.maximum(tf.norm(raw, "euclidean", 1, true), 1e-12));
      });
      const embedding = Array.from(await output.data());
      output.dispose();
      return embedding;
    },
    dispose: () => model.dispose(),
  };
}
