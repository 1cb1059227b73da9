import * as tf from "@tensorflow/tfjs";
import type { OutputKind } from "./classifier-model.ts";

/** Targets as the loss wants them: one-hot (softmax), 0/1 per class (multi-sigmoid), 0/1 (binary). */
export function targetMatrix(
  outputKind: OutputKind,
  labels: readonly number[][],
  numClasses: number,
): number[][] {
  if (outputKind === "binary-sigmoid") return labels.map((l) => [l.includes(1) ? 1 : 0]);
  return labels.map((l) => {
    const row = new Array<number>(numClasses).fill(0);
    for (const c of l) if (c >= 0 && c < numClasses) row[c] = 1;
    return row;
  });
}

/** Per-sample (or, multi-label, per sample and class) loss weights from per-class weights. */
export function lossWeights(
  outputKind: OutputKind,
  labels: readonly number[][],
  classWeights: readonly number[],
) {
  if (outputKind === "multi-sigmoid") {
    return labels.map((l) => classWeights.map((w, c) => (l.includes(c) ? w : 1)));
  }
  return labels.map((l) => [classWeights[l[0] ?? 0] ?? 1]);
}

/** Mean cross-entropy from logits: softmax CE for one label per image, binary CE for sigmoid outputs. */
export function weightedLoss(
  outputKind: OutputKind,
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  weights: tf.Tensor2D,
): tf.Scalar {
  return tf.tidy(() => {
    if (outputKind === "softmax") {
      const perSample = tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1));
      return tf.div(tf.sum(tf.mul(perSample, tf.squeeze(weights, [1]))), logits.shape[0]) as tf.Scalar;
    }
    // max(x, 0) - x*z + log(1 + exp(-|x|)): binary cross-entropy on logits, stable for large |x|.
    const perElement = tf.add(
      tf.sub(tf.relu(logits), tf.mul(logits, targets)),
      tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
    );
    return tf.mean(tf.mul(perElement, weights)) as tf.Scalar;
  });
}

/** Class weights: all 1, inverse frequency ("balanced", as sklearn), or given by class name. */
export function resolveClassWeights(
  setting: "none" | "balanced" | Record<string, number>,
  classNames: readonly string[],
  trainLabels: readonly number[][],
): number[] {
  if (setting === "none") return classNames.map(() => 1);
  if (setting === "balanced") {
    const counts = classNames.map((_, c) => trainLabels.filter((l) => l.includes(c)).length);
    return counts.map((count) => (count > 0 ? trainLabels.length / (classNames.length * count) : 1));
  }
  const unknown = Object.keys(setting).filter((name) => !classNames.includes(name));
  if (unknown.length > 0) throw new Error(`class_weights names unknown classes: ${unknown.join(", ")}`);
  return classNames.map((name) => setting[name] ?? 1);
}
