import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Classifier } from "./classifier-model.ts";
import type { InferenceConfig } from "./inference-config.ts";
import { saveModelToDir } from "./model-files.ts";
import type { RunReporter } from "./run-reporter.ts";

export const MODEL_DIR = "model";

/** Writes the exported model folder (tfjs model + labels + inference config) and reports each file. */
export async function exportClassifier(
  classifier: Classifier,
  config: InferenceConfig,
  artifactsDir: string,
  reporter: RunReporter,
): Promise<string> {
  const dir = path.join(artifactsDir, MODEL_DIR);
  const modelFiles = await saveModelToDir(classifier.exportModel, dir);
  await writeFile(path.join(dir, "labels.txt"), `${config.class_names.join("\n")}\n`);
  await writeFile(path.join(dir, "inference_config.json"), `${JSON.stringify(config, null, 2)}\n`);
  for (const file of [...modelFiles, "labels.txt", "inference_config.json"]) {
    reporter.artifact(`${MODEL_DIR}/${file}`, "model");
  }
  return dir;
}

/** Writes a JSON file under the artifacts folder and reports it. */
export async function writeJsonArtifact(
  artifactsDir: string,
  relative: string,
  value: unknown,
  reporter: RunReporter,
): Promise<void> {
  await writeFile(path.join(artifactsDir, relative), `${JSON.stringify(value, null, 2)}\n`);
  reporter.artifact(relative, "file");
}
