import * as tf from "@tensorflow/tfjs";
import { MobileNetV2Model } from "nsfwjs/models/mobilenet_v2";
import { loadModelFromDir } from "./model-files.ts";
import { loadResNet50Imagenet } from "./resnet50-imagenet.ts";

/** A feature extractor: images in [0, 1], shape [n, size, size, 3] -> pooled features [n, dim]. */
export interface Backbone {
  name: string;
  model: tf.LayersModel;
  /** Its layers in order, the input layer excluded: `last_n_layers` counts from the end of this. */
  layers: tf.layers.Layer[];
  featureDim: number;
  /** Whether any weights came pretrained (scratch_cnn has none). */
  pretrained: boolean;
}

interface KerasLayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
}

interface KerasModelJson {
  modelTopology: { model_config: { config: { layers: KerasLayerJson[] } } };
}

function backboneFromLayer(name: string, base: tf.LayersModel, featureLayer: string, pretrained: boolean) {
  const output = base.getLayer(featureLayer).output as tf.SymbolicTensor;
  const model = tf.model({ inputs: base.inputs, outputs: output, name: `${name}_features` });
  const layers = model.layers.filter((layer) => layer.getClassName() !== "InputLayer");
  for (const layer of layers) layer.trainable = true;
  const featureDim = output.shape[output.shape.length - 1] ?? 0;
  return { name, model, layers, featureDim, pretrained };
}

/**
 * nsfwjs 4.4.0's bundled Keras MobileNetV2 (MIT), loaded from the installed package, never from
 * the network. It was trained to classify NSFW categories, not ImageNet. Its backbone is fully
 * convolutional, so it is rebuilt at `inputSize` (a multiple of 32) with the same weights; only the
 * final average pooling changes to cover the smaller feature map. Features: `flatten_1` (1280-d).
 */
export async function loadMobileNetV2(inputSize: number): Promise<Backbone> {
  if (inputSize % 32 !== 0)
    throw new Error(`mobilenet_v2 needs an input size divisible by 32, got ${inputSize}`);
  const modelJson = structuredClone(
    (await MobileNetV2Model.modelJson()).default,
  ) as unknown as KerasModelJson & tf.io.ModelJSON;
  const weightsBase64 = (await MobileNetV2Model.weightBundles[0]?.())?.default;
  if (!weightsBase64) throw new Error("nsfwjs: the MobileNetV2 weight bundle is missing");
  for (const layer of modelJson.modelTopology.model_config.config.layers) {
    if (layer.class_name === "InputLayer") layer.config.batch_input_shape = [null, inputSize, inputSize, 3];
    if (layer.class_name === "AveragePooling2D") {
      const pool = inputSize / 32;
      layer.config.pool_size = [pool, pool];
      layer.config.strides = [pool, pool];
    }
  }
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const weightData = new Uint8Array(Buffer.from(weightsBase64, "base64")).buffer;
  const base = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }),
  );
  return backboneFromLayer("mobilenet_v2", base, "flatten_1", true);
}

/** A small CNN trained from nothing: the baseline of seed 003. Seeded initialisation. */
export function buildScratchCnn(inputSize: number, seed: number): Backbone {
  const input = tf.input({ shape: [inputSize, inputSize, 3] });
  let x: tf.SymbolicTensor = input;
  for (const [block, filters] of [32, 64, 128].entries()) {
    x = tf.layers
      .conv2d({
        filters,
        kernelSize: 3,
        padding: "same",
        activation: "relu",
        kernelInitializer: tf.initializers.heNormal({ seed: seed + block }),
        name: `scratch_conv${block + 1}`,
      })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .maxPooling2d({ poolSize: 2, name: `scratch_pool${block + 1}` })
      .apply(x) as tf.SymbolicTensor;
  }
  const features = tf.layers
    .globalAveragePooling2d({ name: "scratch_features" })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: features, name: "scratch_cnn_features" });
  const layers = model.layers.filter((layer) => layer.getClassName() !== "InputLayer");
  return { name: "scratch_cnn", model, layers, featureDim: 128, pretrained: false };
}

/** A user's tfjs LayersModel, cut at `featureLayer` (default: its last but one layer). */
export async function loadUserModel(location: string, featureLayer?: string): Promise<Backbone> {
  const base = await loadModelFromDir(location);
  const layerName = featureLayer ?? base.layers[base.layers.length - 2]?.name;
  if (!layerName) throw new Error(`${location}: the model has too few layers to cut`);
  const backbone = backboneFromLayer(`tfjs:${location}`, base, layerName, true);
  if (backbone.model.outputs[0]?.shape.length !== 2) {
    throw new Error(`${location}: layer '${layerName}' must output flat features [batch, dim]`);
  }
  return backbone;
}

export async function loadBackbone(
  backbone: string,
  inputSize: number,
  seed: number,
  featureLayer?: string,
): Promise<Backbone> {
  if (backbone === "mobilenet_v2") return loadMobileNetV2(inputSize);
  if (backbone === "resnet50_imagenet") return loadResNet50Imagenet(inputSize);
  if (backbone === "scratch_cnn") return buildScratchCnn(inputSize, seed);
  if (backbone.startsWith("tfjs:")) return loadUserModel(backbone.slice("tfjs:".length), featureLayer);
  throw new Error(`unknown backbone '${backbone}'`);
}
