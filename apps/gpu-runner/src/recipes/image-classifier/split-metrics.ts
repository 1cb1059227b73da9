import {
  type ClassificationReport,
  classificationReport,
  confusionMatrix,
  multiLabelF1,
} from "@labtrack/core";
import type { OutputKind } from "./classifier-model.ts";

/** Probabilities per class for each image (binary-sigmoid outputs expanded to [1 - p, p]). */
export type ClassProbabilities = number[][];

export function expandProbabilities(outputKind: OutputKind, raw: number[][]): ClassProbabilities {
  if (outputKind !== "binary-sigmoid") return raw;
  return raw.map((row) => [1 - (row[0] ?? 0), row[0] ?? 0]);
}

const EPSILON = 1e-7;
const clampProbability = (p: number) => Math.min(1 - EPSILON, Math.max(EPSILON, p));

function argmax(row: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] ?? 0) > (row[best] ?? 0)) best = i;
  return best;
}

export function multiHot(labels: readonly number[][], numClasses: number): number[][] {
  return labels.map((l) => Array.from({ length: numClasses }, (_, c) => (l.includes(c) ? 1 : 0)));
}

export interface SingleLabelEvaluation {
  loss: number;
  report: ClassificationReport;
  matrix: number[][];
}

/** Unweighted cross-entropy and the classification report of single-label predictions. */
export function evaluateSingleLabel(
  probabilities: ClassProbabilities,
  labels: readonly number[][],
  classNames: string[],
): SingleLabelEvaluation {
  const yTrue = labels.map((l) => l[0] ?? 0);
  const yPred = probabilities.map(argmax);
  const loss =
    yTrue.reduce((sum, c, i) => sum - Math.log(clampProbability(probabilities[i]?.[c] ?? 0)), 0) /
    Math.max(1, yTrue.length);
  const matrix = confusionMatrix(yTrue, yPred, classNames.length);
  return { loss, report: classificationReport(matrix, classNames), matrix };
}

/** Mean binary cross-entropy over images and classes. */
export function binaryCrossEntropy(probabilities: ClassProbabilities, truth: number[][]): number {
  let sum = 0;
  let count = 0;
  probabilities.forEach((row, i) => {
    row.forEach((p, c) => {
      const z = truth[i]?.[c] ?? 0;
      sum -= z * Math.log(clampProbability(p)) + (1 - z) * Math.log(clampProbability(1 - p));
      count += 1;
    });
  });
  return sum / Math.max(1, count);
}

/** Per-label accuracy (Keras' binary_accuracy) at the given thresholds. */
export function labelAccuracy(
  probabilities: ClassProbabilities,
  truth: number[][],
  thresholds: number[],
): number {
  let correct = 0;
  let count = 0;
  probabilities.forEach((row, i) => {
    row.forEach((p, c) => {
      const threshold = thresholds[thresholds.length === 1 ? 0 : c] ?? 0.5;
      if ((p >= threshold ? 1 : 0) === (truth[i]?.[c] ?? 0)) correct += 1;
      count += 1;
    });
  });
  return correct / Math.max(1, count);
}

/** The per-epoch validation metrics, keyed as the run reports them. */
export function validationMetrics(
  multiLabel: boolean,
  probabilities: ClassProbabilities,
  labels: readonly number[][],
  classNames: string[],
): Record<string, number> {
  if (!multiLabel) {
    const { loss, report } = evaluateSingleLabel(probabilities, labels, classNames);
    return {
      "val/loss": loss,
      "val/accuracy": report.accuracy,
      "val/precision": report.macro.precision,
      "val/recall": report.macro.recall,
      "val/f1": report.macro.f1,
    };
  }
  const truth = multiHot(labels, classNames.length);
  const scores = multiLabelF1(truth, probabilities, [0.5]);
  return {
    "val/loss": binaryCrossEntropy(probabilities, truth),
    "val/accuracy": labelAccuracy(probabilities, truth, [0.5]),
    "val/precision": scores.macro.precision,
    "val/recall": scores.macro.recall,
    "val/f1": scores.macro.f1,
    "val/f1_micro": scores.micro.f1,
    "val/f1_macro": scores.macro.f1,
  };
}

/** Training accuracy of a batch from its probabilities (argmax, or per label at 0.5). */
export function batchCorrect(
  multiLabel: boolean,
  probabilities: ClassProbabilities,
  labels: readonly number[][],
): { correct: number; count: number } {
  if (!multiLabel) {
    const correct = probabilities.filter((row, i) => argmax(row) === (labels[i]?.[0] ?? -1)).length;
    return { correct, count: probabilities.length };
  }
  const truth = multiHot(labels, probabilities[0]?.length ?? 0);
  const count = probabilities.length * (probabilities[0]?.length ?? 0);
  return { correct: Math.round(labelAccuracy(probabilities, truth, [0.5]) * count), count };
}
