const LOWER_IS_BETTER = /(^|[/_.-])(loss|error|err|mse|mae|rmse|perplexity|ppl|wer|cer)($|[/_.-])/i;
const HIGHER_IS_BETTER =
  /(^|[/_.-])(acc|accuracy|f1|precision|recall|auc|roc_auc|map|iou|miou|dice|bleu|rouge|score|top\d+)($|[/_.-])/i;

/**
 * Whether a lower or a higher value of a metric is better, judged from its name; null for keys
 * that are not scores (learning rate, GPU use, time): those have no "best" run.
 */
export function metricDirection(key: string): "min" | "max" | null {
  if (LOWER_IS_BETTER.test(key)) return "min";
  if (HIGHER_IS_BETTER.test(key)) return "max";
  return null;
}
