import type { MarginHead as MarginHeadSpec } from "@labtrack/schemas";
import * as tf from "@tensorflow/tfjs";
import type { Backbone } from "../backbones.ts";
import type { Classifier } from "../classifier-model.ts";
import { CosineLogits, l2NormalizeRows } from "./margin-head.ts";

export interface EmbeddingHeadOptions {
  hiddenUnits: number[];
  dropout: number;
  head: MarginHeadSpec;
  numClasses: number;
  seed: number;
}

/**
 * Momentum of the embedding's BatchNormalization. Keras' 0.99 averages over about 100 steps, which
 * is more than a short phase has, so inference (verification, export) used statistics of the
 * untrained model; 0.9 follows the training within about 10 steps.
 */
export const EMBEDDING_BN_MOMENTUM = 0.9;

/**
 * Backbone features -> (hidden ReLU layers) -> a linear `embedding` layer -> BatchNormalization
 * (`embedding_bn`), trained through a margin head over the identity classes, as face models build
 * their embedding (insightface's FC + BN). Without the BatchNormalization the embedding of
 * ReLU/pooled features, all positive, is dominated by their shared mean: every image pointed nearly
 * the same way (verification thresholds of 0.98-0.99) and training spent its steps cancelling
 * that mean. Centred per dimension, images of different identities can point apart from the first
 * step. The export model outputs the normalised-by-BN embedding before L2 normalisation (tfjs
 * layers have no normalisation layer; every consumer normalises, and a cosine does not depend on
 * length). Works as a `Classifier` with softmax output over the identities, so the phases,
 * optimizers, early stopping and checkpoints of the recipe apply unchanged.
 */
export function buildEmbeddingModel(backbone: Backbone, options: EmbeddingHeadOptions): Classifier {
  const sizes = [...options.hiddenUnits, options.head.embedding_dim];
  const headLayers: tf.layers.Layer[] = sizes.map((units, i) =>
    tf.layers.dense({
      units,
      activation: i < sizes.length - 1 ? "relu" : "linear",
      // The BatchNormalization after the embedding has its own shift.
      useBias: i < sizes.length - 1,
      kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed + 101 + i }),
      name: i < sizes.length - 1 ? `head_dense_${i + 1}` : "embedding",
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
  const normalization = tf.layers.batchNormalization({
    name: "embedding_bn",
    momentum: EMBEDDING_BN_MOMENTUM,
  });
  x = normalization.apply(x) as tf.SymbolicTensor;
  headLayers.push(normalization);
  const exportModel = tf.model({ inputs: backbone.model.inputs, outputs: x, name: "embedding_model" });
  const centres = new CosineLogits(options.numClasses, options.head.scale, options.seed + 211);
  // Builds the centres' kernel now, so checkpoints and optimizers see it from the start.
  centres.apply(x);
  return {
    backbone,
    headLayers,
    dropout: options.dropout,
    outputKind: "softmax",
    exportModel,
    margin: {
      kind: options.head.kind,
      settings: { margin: options.head.margin, scale: options.head.scale },
      centres,
    },
  };
}

/** L2-normalised embeddings of a batch of backbone features (inference: no dropout). */
export function embeddingsFromFeatures(classifier: Classifier, features: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    let x = features;
    for (const layer of classifier.headLayers) x = layer.apply(x) as tf.Tensor2D;
    return l2NormalizeRows(x);
  });
}
