import * as tf from "@tensorflow/tfjs";

export interface PhaseOptimizers {
  head: tf.Optimizer;
  /** Present only with a differential learning rate for the backbone. */
  backbone: tf.Optimizer | null;
}

export function createOptimizer(kind: "adam" | "sgd" | "rmsprop", learningRate: number): tf.Optimizer {
  if (kind === "sgd") return tf.train.sgd(learningRate);
  if (kind === "rmsprop") return tf.train.rmsprop(learningRate);
  return tf.train.adam(learningRate);
}

/**
 * tfjs optimizers read their (protected) `learningRate` field at every step, so reduce-LR-on-plateau
 * can change it in place without losing the optimizer's moments.
 */
export function setLearningRate(
  optimizers: PhaseOptimizers,
  learningRate: number,
  backboneMultiplier: number,
) {
  Reflect.set(optimizers.head, "learningRate", learningRate);
  if (optimizers.backbone)
    Reflect.set(optimizers.backbone, "learningRate", learningRate * backboneMultiplier);
}
