import { multiLabelF1, searchThresholds } from "@labtrack/core";
import type { ImageClassifierSpec, JsonValue } from "@labtrack/schemas";
import { evaluateSingleLabel, labelAccuracy, multiHot } from "./split-metrics.ts";

export interface ThresholdChoice {
  kind: "global" | "per-class";
  thresholds: number[];
  valMacroF1: number;
}

/**
 * Seed 002's threshold search on the validation split: the best single threshold by macro F1, and
 * per-class thresholds when they beat it by the configured margin.
 */
export function chooseThresholds(
  options: ImageClassifierSpec["threshold_search"],
  valProbabilities: number[][],
  valLabels: number[][],
  numClasses: number,
): ThresholdChoice {
  if (!options.enabled) return { kind: "global", thresholds: [0.5], valMacroF1: Number.NaN };
  const truth = multiHot(valLabels, numClasses);
  const search = searchThresholds(truth, valProbabilities, {
    min: options.grid_min,
    max: options.grid_max,
    step: options.grid_step,
  });
  const perClassWins =
    options.per_class &&
    search.macroF1PerClassThresholds - search.global.macroF1 >= options.per_class_min_improvement;
  return perClassWins
    ? { kind: "per-class", thresholds: search.perClass, valMacroF1: search.macroF1PerClassThresholds }
    : { kind: "global", thresholds: [search.global.threshold], valMacroF1: search.global.macroF1 };
}

export interface TestEvaluation {
  /** Flat numbers for the run summary, e.g. `test/accuracy`, `test/f1`. */
  metrics: Record<string, number>;
  perClass: { name: string; precision: number; recall: number; f1: number; support: number }[];
  confusionMatrix: { labels: string[]; matrix: number[][] } | { labels: string[]; per_class: number[][][] };
}

export function evaluateTestSplit(
  multiLabel: boolean,
  probabilities: number[][],
  labels: number[][],
  classNames: string[],
  thresholds: number[],
): TestEvaluation {
  if (!multiLabel) {
    const { loss, report, matrix } = evaluateSingleLabel(probabilities, labels, classNames);
    return {
      metrics: {
        "test/loss": loss,
        "test/accuracy": report.accuracy,
        "test/precision": report.macro.precision,
        "test/recall": report.macro.recall,
        "test/f1": report.macro.f1,
      },
      perClass: report.perClass,
      confusionMatrix: { labels: classNames, matrix },
    };
  }
  const truth = multiHot(labels, classNames.length);
  const scores = multiLabelF1(truth, probabilities, thresholds);
  // One 2x2 matrix [[tn, fp], [fn, tp]] per class, as sklearn's multilabel_confusion_matrix.
  const perClassMatrices = classNames.map((_, c) => {
    const m = [
      [0, 0],
      [0, 0],
    ];
    const threshold = thresholds[thresholds.length === 1 ? 0 : c] ?? 0.5;
    probabilities.forEach((row, i) => {
      const predicted = (row[c] ?? 0) >= threshold ? 1 : 0;
      const actual = truth[i]?.[c] ?? 0;
      const cell = m[actual] as number[];
      cell[predicted] = (cell[predicted] ?? 0) + 1;
    });
    return m;
  });
  return {
    metrics: {
      "test/accuracy": labelAccuracy(probabilities, truth, thresholds),
      "test/precision": scores.macro.precision,
      "test/recall": scores.macro.recall,
      "test/f1": scores.macro.f1,
      "test/f1_macro": scores.macro.f1,
      "test/f1_micro": scores.micro.f1,
    },
    perClass: scores.perClass.map((s, c) => ({ ...s, name: classNames[c] ?? String(c) })),
    confusionMatrix: { labels: classNames, per_class: perClassMatrices },
  };
}

export function asJson(value: unknown): JsonValue {
  return JSON.parse(
    JSON.stringify(value, (_key, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)),
  );
}
