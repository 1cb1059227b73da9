/** Precision, recall and F1 with sklearn's `zero_division=0`: an undefined ratio is 0. */
export type PrecisionRecallF1 = { precision: number; recall: number; f1: number };
export type ClassScores = PrecisionRecallF1 & { name: string; support: number };
export type ClassificationReport = {
  accuracy: number;
  perClass: ClassScores[];
  macro: PrecisionRecallF1;
  weighted: PrecisionRecallF1;
};
export type MultiLabelClassScores = PrecisionRecallF1 & { support: number; threshold: number };
export type MultiLabelF1 = {
  micro: PrecisionRecallF1;
  macro: PrecisionRecallF1;
  perClass: MultiLabelClassScores[];
};
export type ThresholdSearchOptions = { min?: number; max?: number; step?: number };
export type ThresholdSearchResult = {
  global: { threshold: number; macroF1: number };
  perClass: number[];
  macroF1PerClassThresholds: number;
};

const ratio = (num: number, den: number): number => (den > 0 ? num / den : 0);

function scores(tp: number, fp: number, fn: number): PrecisionRecallF1 {
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return { precision, recall, f1: ratio(2 * precision * recall, precision + recall) };
}

function average(items: PrecisionRecallF1[], weights?: number[]): PrecisionRecallF1 {
  const w = weights ?? items.map(() => 1);
  const total = w.reduce((a, b) => a + b, 0);
  const mean = (pick: (s: PrecisionRecallF1) => number) =>
    ratio(
      items.reduce((sum, s, i) => sum + pick(s) * (w[i] ?? 0), 0),
      total,
    );
  return { precision: mean((s) => s.precision), recall: mean((s) => s.recall), f1: mean((s) => s.f1) };
}

/** Counts of (true class, predicted class) pairs; rows are the true class. */
export function confusionMatrix(yTrue: number[], yPred: number[], numClasses: number): number[][] {
  if (yTrue.length !== yPred.length) {
    throw new RangeError(`yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
  }
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  yTrue.forEach((t, i) => {
    const p = yPred[i] ?? -1;
    for (const label of [t, p]) {
      if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
        throw new RangeError(`label ${label} at index ${i} is not a class in 0..${numClasses - 1}`);
      }
    }
    const row = matrix[t];
    if (row) row[p] = (row[p] ?? 0) + 1;
  });
  return matrix;
}

/** sklearn's classification_report, from a confusion matrix (rows = true class). */
export function classificationReport(matrix: number[][], classNames?: string[]): ClassificationReport {
  const n = matrix.length;
  const cell = (r: number, c: number) => matrix[r]?.[c] ?? 0;
  let total = 0;
  let correct = 0;
  const perClass: ClassScores[] = [];
  for (let k = 0; k < n; k++) {
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < n; j++) {
      support += cell(k, j);
      predicted += cell(j, k);
    }
    const tp = cell(k, k);
    total += support;
    correct += tp;
    perClass.push({
      name: classNames?.[k] ?? String(k),
      ...scores(tp, predicted - tp, support - tp),
      support,
    });
  }
  return {
    accuracy: ratio(correct, total),
    perClass,
    macro: average(perClass),
    weighted: average(
      perClass,
      perClass.map((c) => c.support),
    ),
  };
}

function checkShapes(yTrue: number[][], probs: number[][]): number {
  if (yTrue.length !== probs.length) {
    throw new RangeError(`yTrue has ${yTrue.length} rows but probs has ${probs.length}`);
  }
  const numClasses = yTrue[0]?.length ?? 0;
  yTrue.forEach((row, i) => {
    if (row.length !== numClasses || probs[i]?.length !== numClasses) {
      throw new RangeError(`row ${i} does not have ${numClasses} classes in both yTrue and probs`);
    }
  });
  return numClasses;
}

/** Per-class true positive, false positive and false negative counts at the given thresholds. */
function countMultiLabel(yTrue: number[][], probs: number[][], thresholdOf: (k: number) => number) {
  const numClasses = yTrue[0]?.length ?? 0;
  const counts = Array.from({ length: numClasses }, () => ({ tp: 0, fp: 0, fn: 0, support: 0 }));
  yTrue.forEach((row, i) => {
    const p = probs[i] ?? [];
    counts.forEach((c, k) => {
      const actual = (row[k] ?? 0) >= 0.5;
      const predicted = (p[k] ?? 0) >= thresholdOf(k);
      if (actual) c.support += 1;
      if (actual && predicted) c.tp += 1;
      else if (predicted) c.fp += 1;
      else if (actual) c.fn += 1;
    });
  });
  return counts;
}

/**
 * Multi-label scores where class k is predicted when `probs[i][k] >= thresholds[k]`. A single
 * threshold is used for every class.
 */
export function multiLabelF1(yTrue: number[][], probs: number[][], thresholds: number[]): MultiLabelF1 {
  const numClasses = checkShapes(yTrue, probs);
  if (thresholds.length !== 1 && thresholds.length !== numClasses) {
    throw new RangeError(`expected 1 or ${numClasses} thresholds, got ${thresholds.length}`);
  }
  const thresholdOf = (k: number) => thresholds[thresholds.length === 1 ? 0 : k] ?? 0.5;
  const counts = countMultiLabel(yTrue, probs, thresholdOf);
  const perClass = counts.map((c, k) => ({
    ...scores(c.tp, c.fp, c.fn),
    support: c.support,
    threshold: thresholdOf(k),
  }));
  const sum = (pick: (c: (typeof counts)[number]) => number) => counts.reduce((a, c) => a + pick(c), 0);
  return {
    micro: scores(
      sum((c) => c.tp),
      sum((c) => c.fp),
      sum((c) => c.fn),
    ),
    macro: average(perClass),
    perClass,
  };
}

/** The grid min..max by step, built from integers so 0.05 + 0.01k does not drift. */
export function thresholdGrid(opts: ThresholdSearchOptions = {}): number[] {
  const { min = 0.05, max = 0.95, step = 0.01 } = opts;
  if (!(step > 0)) throw new RangeError(`threshold step must be positive, got ${step}`);
  const first = Math.round(min / step);
  const last = Math.round(max / step);
  const grid: number[] = [];
  for (let i = first; i <= last; i++) grid.push(Number((i * step).toPrecision(12)));
  return grid;
}

/**
 * Searches a threshold grid: the single threshold that maximises macro F1, and for each class the
 * threshold that maximises that class's F1 (the lowest one on ties).
 */
export function searchThresholds(
  yTrue: number[][],
  probs: number[][],
  opts?: ThresholdSearchOptions,
): ThresholdSearchResult {
  const numClasses = checkShapes(yTrue, probs);
  const grid = thresholdGrid(opts);
  const global = { threshold: grid[0] ?? 0.5, macroF1: -1 };
  const perClass = new Array<number>(numClasses).fill(global.threshold);
  const bestClassF1 = new Array<number>(numClasses).fill(-1);
  for (const threshold of grid) {
    const f1s = countMultiLabel(yTrue, probs, () => threshold).map((c) => scores(c.tp, c.fp, c.fn).f1);
    const macroF1 = ratio(
      f1s.reduce((a, b) => a + b, 0),
      numClasses,
    );
    if (macroF1 > global.macroF1) Object.assign(global, { threshold, macroF1 });
    f1s.forEach((f1, k) => {
      if (f1 > (bestClassF1[k] ?? -1)) {
        bestClassF1[k] = f1;
        perClass[k] = threshold;
      }
    });
  }
  if (global.macroF1 < 0) global.macroF1 = 0;
  return {
    global,
    perClass,
    macroF1PerClassThresholds: multiLabelF1(yTrue, probs, perClass).macro.f1,
  };
}
