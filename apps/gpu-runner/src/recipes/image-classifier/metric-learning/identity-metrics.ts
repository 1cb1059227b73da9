import * as tf from "@tensorflow/tfjs";
import { backboneFeatures, type Classifier, headLogits } from "../classifier-model.ts";
import { batchesOf, type ExampleSet, imageBatch } from "../example-set.ts";

const EPSILON = 1e-7;

/**
 * Identity classification metrics of a split (softmax of `scale × cos θ`, no margin), computed
 * batch by batch with per-class counts: no probability row per image and no identities ×
 * identities confusion matrix, which at VGGFace2's ~9,000 identities would not fit in memory. Same
 * numbers as the classifier's `evaluateSingleLabel` (loss with probabilities clamped at 1e-7;
 * macro averages over every class, an undefined ratio counting 0).
 */
export function identityMetrics(
  classifier: Classifier,
  set: ExampleSet,
  batchSize: number,
  numClasses: number,
  prefix: "val" | "test",
  features?: tf.Tensor2D,
): Record<string, number> {
  const truePositives = new Float64Array(numClasses);
  const predicted = new Float64Array(numClasses);
  const actual = new Float64Array(numClasses);
  let lossSum = 0;
  const all = set.images.map((_, i) => i);
  for (const batch of batchesOf(all, batchSize)) {
    const targets = batch.map((i) => set.labels[i]?.[0] ?? 0);
    const { guesses, targetProbabilities } = tf.tidy(() => {
      const batchFeatures = features
        ? (tf.gather(features, batch) as tf.Tensor2D)
        : backboneFeatures(classifier, imageBatch(set, batch));
      const probabilities = tf.softmax(headLogits(classifier, batchFeatures));
      const picked = tf.sum(tf.mul(probabilities, tf.oneHot(tf.tensor1d(targets, "int32"), numClasses)), 1);
      return { guesses: tf.argMax(probabilities, 1), targetProbabilities: picked };
    });
    const guessed = guesses.dataSync();
    const p = targetProbabilities.dataSync();
    tf.dispose([guesses, targetProbabilities]);
    targets.forEach((target, i) => {
      const guess = guessed[i] ?? 0;
      lossSum -= Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, p[i] ?? 0)));
      actual[target] = (actual[target] ?? 0) + 1;
      predicted[guess] = (predicted[guess] ?? 0) + 1;
      if (guess === target) truePositives[target] = (truePositives[target] ?? 0) + 1;
    });
  }
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  let correct = 0;
  for (let c = 0; c < numClasses; c++) {
    const tp = truePositives[c] ?? 0;
    correct += tp;
    const pc = ratio(tp, predicted[c] ?? 0);
    const rc = ratio(tp, actual[c] ?? 0);
    precision += pc;
    recall += rc;
    f1 += ratio(2 * pc * rc, pc + rc);
  }
  const n = Math.max(1, set.images.length);
  const classes = Math.max(1, numClasses);
  return {
    [`${prefix}/loss`]: lossSum / n,
    [`${prefix}/accuracy`]: correct / n,
    [`${prefix}/precision`]: precision / classes,
    [`${prefix}/recall`]: recall / classes,
    [`${prefix}/f1`]: f1 / classes,
  };
}
