import { readFile } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { decodeImage, toFloatBatch } from "./image-decoding.ts";
import { inferenceConfig } from "./inference-config.ts";
import { loadModelFromDir } from "./model-files.ts";

export interface Prediction {
  /** Every class with its probability, most likely first. */
  probabilities: { label: string; p: number }[];
  /** Multi-label models: the classes at or over their threshold. */
  labels?: string[];
}

export interface LoadedClassifier {
  predict(image: Buffer): Promise<Prediction>;
  dispose(): void;
}

/**
 * Loads a model exported by the image-classifier recipe (model.json + weights.bin +
 * inference_config.json). Uses whichever tfjs backend is active.
 */
export async function loadClassifier(modelDir: string): Promise<LoadedClassifier> {
  const config = inferenceConfig.parse(
    JSON.parse(await readFile(path.join(modelDir, "inference_config.json"), "utf8")),
  );
  const model = await loadModelFromDir(modelDir);
  return {
    async predict(image) {
      const decoded = await decodeImage(image, config.input_size);
      if (!decoded.ok) throw new Error(`the image could not be decoded: ${decoded.reason}`);
      const size = config.input_size;
      const output = tf.tidy(() => {
        const input = tf.tensor4d(toFloatBatch([decoded.image]), [1, size, size, 3]);
        return model.predict(input) as tf.Tensor2D;
      });
      const raw = Array.from(await output.data());
      output.dispose();
      const perClass = config.output === "binary-sigmoid" ? [1 - (raw[0] ?? 0), raw[0] ?? 0] : raw;
      const probabilities = config.class_names
        .map((label, i) => ({ label, p: perClass[i] ?? 0 }))
        .sort((a, b) => b.p - a.p);
      if (!config.multi_label) return { probabilities };
      const thresholds = config.thresholds ?? [0.5];
      const labels = config.class_names.filter(
        (_, i) => (perClass[i] ?? 0) >= (thresholds[thresholds.length === 1 ? 0 : i] ?? 0.5),
      );
      return { probabilities, labels };
    },
    dispose: () => model.dispose(),
  };
}
