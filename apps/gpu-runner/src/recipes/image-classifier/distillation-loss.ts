import * as tf from "@tensorflow/tfjs";
import type { OutputKind } from "./classifier-model.ts";
import { weightedLoss } from "./losses.ts";

export interface DistillationWeights {
  /** Weight of the hard-label loss; the soft loss gets 1 - alpha. */
  alpha: number;
  temperature: number;
}

/** max(x, 0) - x*q + log(1 + exp(-|x|)): binary cross-entropy of sigmoid(x) against q, stable for large |x|. */
function sigmoidCrossEntropy(logits: tf.Tensor2D, q: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.sub(tf.relu(logits), tf.mul(logits, q)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
}

/**
 * T² · KL(teacher_T || student_T), averaged over the batch (and, for sigmoid outputs, over labels):
 * one softmax over classes for single-label outputs, one Bernoulli per label for sigmoid outputs,
 * both models' logits divided by T first. T² keeps the soft loss's gradients on the scale of the
 * hard loss's as T changes (Hinton et al., 2015).
 */
export function softTargetLoss(
  outputKind: OutputKind,
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  temperature: number,
): tf.Scalar {
  return tf.tidy(() => {
    const student = tf.div(studentLogits, temperature) as tf.Tensor2D;
    const teacher = tf.div(teacherLogits, temperature) as tf.Tensor2D;
    const scale = temperature * temperature;
    if (outputKind === "softmax") {
      const teacherLog = tf.logSoftmax(teacher);
      const perSample = tf.sum(tf.mul(tf.exp(teacherLog), tf.sub(teacherLog, tf.logSoftmax(student))), 1);
      return tf.mul(tf.mean(perSample), scale) as tf.Scalar;
    }
    // KL(q || p) = H(q, p) - H(q): both cross-entropies on logits, so no log(0).
    const q = tf.sigmoid(teacher);
    const kl = tf.sub(sigmoidCrossEntropy(student, q), sigmoidCrossEntropy(teacher, q));
    return tf.mul(tf.mean(kl), scale) as tf.Scalar;
  });
}

/** alpha × the recipe's hard-label loss + (1 − alpha) × the temperature-softened loss to the teacher. */
export function distillationLoss(
  outputKind: OutputKind,
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  weights: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  distillation: DistillationWeights,
): tf.Scalar {
  return tf.tidy(() => {
    const hard = weightedLoss(outputKind, logits, targets, weights);
    if (distillation.alpha >= 1) return hard;
    const soft = softTargetLoss(outputKind, logits, teacherLogits, distillation.temperature);
    return tf.add(tf.mul(hard, distillation.alpha), tf.mul(soft, 1 - distillation.alpha)) as tf.Scalar;
  });
}

const EPSILON = 1e-7;

/**
 * Logits from a model's outputs: probabilities of a softmax become log-probabilities (equal to the
 * logits up to a per-row constant, which softmax ignores), those of a sigmoid log-odds; logits
 * stay as they are.
 */
export function logitsFromOutputs(
  outputs: tf.Tensor2D,
  activation: "softmax" | "sigmoid" | "linear",
): tf.Tensor2D {
  return tf.tidy(() => {
    if (activation === "linear") return outputs.clone();
    const p = tf.clipByValue(outputs, EPSILON, 1 - EPSILON);
    return activation === "softmax" ? tf.log(p) : tf.sub(tf.log(p), tf.log1p(tf.neg(p)));
  });
}
