import * as tf from "@tensorflow/tfjs";
import type { Backbone } from "./backbones.ts";
import type { MarginHead } from "./metric-learning/margin-head.ts";

/** How the outputs are read: one softmax over classes, one sigmoid per class, or one sigmoid for two classes. */
export type OutputKind = "softmax" | "multi-sigmoid" | "binary-sigmoid";

export interface Classifier {
  backbone: Backbone;
  /** Dense layers of the head, the last one producing logits. Dropout is applied between them when training. */
  headLayers: tf.layers.Layer[];
  dropout: number;
  outputKind: OutputKind;
  /** Backbone + head (+ dropout and the output activation) as one flat model, for export. */
  exportModel: tf.LayersModel;
  /**
   * Metric learning: the head's last layer is the embedding, the export model outputs it, and these
   * class centres turn it into `scale × cos θ` logits (the margin is applied in the loss).
   */
  margin?: MarginHead;
}

export interface HeadOptions {
  hiddenUnits: number[];
  dropout: number;
  outputKind: OutputKind;
  numClasses: number;
  seed: number;
}

export function outputUnits(outputKind: OutputKind, numClasses: number): number {
  return outputKind === "binary-sigmoid" ? 1 : numClasses;
}

/** Puts a new head on the backbone's pooled features; dense layers are seeded. */
export function buildClassifier(backbone: Backbone, options: HeadOptions): Classifier {
  const sizes = [...options.hiddenUnits, outputUnits(options.outputKind, options.numClasses)];
  const headLayers = sizes.map((units, i) =>
    tf.layers.dense({
      units,
      activation: i < sizes.length - 1 ? "relu" : "linear",
      kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed + 101 + i }),
      name: i < sizes.length - 1 ? `head_dense_${i + 1}` : "head_logits",
    }),
  );
  let x = backbone.model.outputs[0] as tf.SymbolicTensor;
  for (const [i, layer] of headLayers.entries()) {
    if (options.dropout > 0) {
      x = tf.layers
        .dropout({ rate: options.dropout, name: `head_dropout_${i + 1}` })
        .apply(x) as tf.SymbolicTensor;
    }
    x = layer.apply(x) as tf.SymbolicTensor;
  }
  const activation = options.outputKind === "softmax" ? "softmax" : "sigmoid";
  const probabilities = tf.layers
    .activation({ activation, name: "probabilities" })
    .apply(x) as tf.SymbolicTensor;
  const exportModel = tf.model({ inputs: backbone.model.inputs, outputs: probabilities, name: "classifier" });
  return { backbone, headLayers, dropout: options.dropout, outputKind: options.outputKind, exportModel };
}

/**
 * Head logits from features. When training (a `dropoutSeed` is given), dropout masks come from it so
 * that a run is reproducible (tfjs' Dropout layer draws unseeded masks), and a BatchNormalization in
 * the head (the metric-learning embedding's) normalises by the batch and updates its moving
 * statistics; a batch of one image, whose variance is 0, uses the moving statistics instead.
 * Dropout goes before each dense layer only, as in the export model.
 */
export function headLogits(classifier: Classifier, features: tf.Tensor2D, dropoutSeed?: number): tf.Tensor2D {
  const training = dropoutSeed !== undefined && (features.shape[0] ?? 0) > 1;
  let x: tf.Tensor2D = features;
  for (const [i, layer] of classifier.headLayers.entries()) {
    const dense = layer.getClassName() === "Dense";
    if (dense && dropoutSeed !== undefined && classifier.dropout > 0) {
      x = tf.dropout(x, classifier.dropout, undefined, dropoutSeed + i) as tf.Tensor2D;
    }
    x = layer.apply(x, { training }) as tf.Tensor2D;
  }
  return classifier.margin ? (classifier.margin.centres.apply(x) as tf.Tensor2D) : x;
}

/** The backbone always runs in inference mode: BatchNormalization uses (and keeps) its moving statistics. */
export function backboneFeatures(classifier: Classifier, images: tf.Tensor4D): tf.Tensor2D {
  return classifier.backbone.model.apply(images, { training: false }) as tf.Tensor2D;
}

export function probabilitiesFromLogits(outputKind: OutputKind, logits: tf.Tensor2D): tf.Tensor2D {
  return outputKind === "softmax" ? tf.softmax(logits) : tf.sigmoid(logits);
}

/** Every weight of the model, trainable or not (BatchNormalization moving statistics included). */
export function allWeights(classifier: Classifier): tf.LayerVariable[] {
  return [...classifier.exportModel.weights, ...(classifier.margin?.centres.weights ?? [])];
}

/** The tf.Variables that train in a phase: the head, plus the backbone's last `backboneLayers` layers. */
export function trainableVariables(
  classifier: Classifier,
  trainable: "head" | "all" | { last_n_layers: number },
): { head: tf.Variable[]; backbone: tf.Variable[] } {
  const headLayers = [...classifier.headLayers, ...(classifier.margin ? [classifier.margin.centres] : [])];
  const head = headLayers.flatMap((layer) => layer.trainableWeights.map((w) => w.read() as tf.Variable));
  const layers = classifier.backbone.layers;
  const chosen =
    trainable === "head" ? [] : trainable === "all" ? layers : layers.slice(-trainable.last_n_layers);
  const backbone = chosen.flatMap((layer) => layer.trainableWeights.map((w) => w.read() as tf.Variable));
  return { head, backbone };
}
