import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";

/**
 * tfjs LayersModel files on disk (`model.json` + one `weights.bin`) without tfjs-node, which may be
 * absent: the plain tfjs package only knows browser storage and HTTP.
 */

interface ModelJsonFile {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

/** Writes a model as `model.json` + `weights.bin` in `dir`; returns the two file names. */
export async function saveModelToDir(model: tf.LayersModel, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData
        ? Buffer.from(tf.io.concatenateArrayBuffers(artifacts.weightData))
        : Buffer.alloc(0);
      const modelJson: ModelJsonFile = {
        modelTopology: artifacts.modelTopology as object,
        weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs ?? [] }],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
      };
      await writeFile(path.join(dir, "weights.bin"), weightData);
      await writeFile(path.join(dir, "model.json"), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return ["model.json", "weights.bin"];
}

/** Reads a tfjs LayersModel folder (or a model.json path) written by tfjs or tensorflowjs_converter. */
export async function readModelArtifacts(location: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = location.endsWith(".json") ? location : path.join(location, "model.json");
  const dir = path.dirname(jsonPath);
  const modelJson = JSON.parse(await readFile(jsonPath, "utf8")) as ModelJsonFile;
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const shards = await Promise.all(
    modelJson.weightsManifest.flatMap((group) => group.paths).map((file) => readFile(path.join(dir, file))),
  );
  const weightData = new Uint8Array(Buffer.concat(shards)).buffer;
  return { modelTopology: modelJson.modelTopology, weightSpecs, weightData };
}

export async function loadModelFromDir(location: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(await readModelArtifacts(location)));
}
