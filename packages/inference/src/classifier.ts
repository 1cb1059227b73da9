import { readFile } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { decodeImage, toFloatBatch } from "./image-preprocessing.ts";
import { type InferenceConfig, inferenceConfig } from "./inference-config.ts";
import { loadModelFromDir } from "./model-files.ts";

export interface Prediction {
  /** Every class with its probability, most likely first. */
  probabilities: { label: string; p: number }[];
  /** Single-label: the most likely class. Multi-label: the classes at or over their threshold. */
  predicted: string | string[];
  /** Multi-label models: the decision threshold of each class, by name. */
  thresholds?: Record<string, number>;
  /** Multi-label models: the classes at or over their threshold (same as `predicted`). */
  labels?: string[];
}

/** The image could not be decoded; a server answers 400 to it. */
export class UndecodableImageError extends Error {
  override name = "UndecodableImageError";
}

export interface LoadedClassifier {
  config: InferenceConfig;
  predict(image: Buffer): Promise<Prediction>;
  dispose(): void;
}

function thresholdsByClass(config: InferenceConfig): Record<string, number> {
  const given = config.thresholds ?? [0.5];
  return Object.fromEntries(
    config.class_names.map((name, i) => [name, given[given.length === 1 ? 0 : i] ?? 0.5]),
  );
}

/** Turns the model's raw output into per-class probabilities and a decision. */
export function interpretOutput(config: InferenceConfig, raw: readonly number[]): Prediction {
  const perClass = config.output === "binary-sigmoid" ? [1 - (raw[0] ?? 0), raw[0] ?? 0] : raw;
  const probabilities = config.class_names
    .map((label, i) => ({ label, p: perClass[i] ?? 0 }))
    .sort((a, b) => b.p - a.p);
  if (!config.multi_label) return { probabilities, predicted: probabilities[0]?.label ?? "" };
  const thresholds = thresholdsByClass(config);
  const labels = config.class_names.filter((name, i) => (perClass[i] ?? 0) >= (thresholds[name] ?? 0.5));
  return { probabilities, predicted: labels, thresholds, labels };
}

export async function readInferenceConfig(modelDir: string): Promise<InferenceConfig> {
  const file = path.join(modelDir, "inference_config.json");
  const parsed = inferenceConfig.safeParse(JSON.parse(await readFile(file, "utf8")));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`${file} is not an image-classifier inference config (${problems})`);
  }
  return parsed.data;
}

/**
 * Loads a model exported by the image-classifier recipe (model.json + weights.bin +
 * inference_config.json). Uses whichever tfjs backend is active.
 */
export async function loadClassifier(modelDir: string): Promise<LoadedClassifier> {
  const config = await readInferenceConfig(modelDir);
  const model = await loadModelFromDir(modelDir);
  const size = config.input_size;
  return {
    config,
    async predict(image) {
      const decoded = await decodeImage(image, size);
      if (!decoded.ok) throw new UndecodableImageError(`the image could not be decoded: ${decoded.reason}`);
      const output = tf.tidy(() => {
        const input = tf.tensor4d(toFloatBatch([decoded.image]), [1, size, size, 3]);
        return model.predict(input) as tf.Tensor2D;
      });
      const raw = Array.from(await output.data());
      output.dispose();
      return interpretOutput(config, raw);
    },
    dispose: () => model.dispose(),
  };
}
