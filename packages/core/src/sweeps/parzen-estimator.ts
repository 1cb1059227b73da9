import type { SweepDimension } from "@labtrack/schemas";
import { type Uniform, weightedIndex } from "./seeded-random.ts";
import { steppedValue } from "./sweep-space.ts";
import { logGaussMass, sampleTruncatedNormal, truncatedNormalLogPdf } from "./truncated-normal.ts";

/**
 * A one-dimensional Parzen estimator as Optuna's TPESampler builds it (independent sampling,
 * prior_weight 1, consider_magic_clip, no consider_endpoints): one kernel per observation plus a
 * prior kernel, weighted by Optuna's default_weights (older observations fade after 25).
 * Categorical values are indices into the choices; numeric ones are in the dimension's units.
 */
export type ParzenEstimator = {
  sample(uniform: Uniform): number;
  logPdf(x: number): number;
};

const PRIOR_WEIGHT = 1;

/** Optuna's default_weights: 1 for the newest 25, a ramp from 1/n for the older ones. */
export function defaultWeights(n: number): number[] {
  if (n < 25) return Array(n).fill(1);
  const ramp = n - 25;
  return [
    ...Array.from({ length: ramp }, (_, i) => (ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1))),
    ...Array(25).fill(1),
  ];
}

function mixtureWeights(n: number): number[] {
  const w = n === 0 ? [1] : [...defaultWeights(n), PRIOR_WEIGHT];
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

function logSumExp(xs: number[]): number {
  const max = Math.max(...xs);
  if (max === Number.NEGATIVE_INFINITY) return max;
  return max + Math.log(xs.reduce((s, x) => s + Math.exp(x - max), 0));
}

function categoricalEstimator(nChoices: number, observations: number[]): ParzenEstimator {
  const weights = mixtureWeights(observations.length);
  const nKernels = observations.length + 1;
  const rows: number[][] =
    observations.length === 0
      ? [Array(nChoices).fill(1 / nChoices)]
      : [...observations, -1].map((observed) => {
          const row = Array(nChoices).fill(PRIOR_WEIGHT / nKernels);
          if (observed >= 0) row[observed] += 1;
          const sum = row.reduce((a, b) => a + b, 0);
          return row.map((x) => x / sum);
        });
  return {
    sample: (uniform) => weightedIndex(rows[weightedIndex(weights, uniform)] as number[], uniform),
    logPdf: (x) =>
      logSumExp(rows.map((row, k) => Math.log(weights[k] as number) + Math.log(row[x] as number))),
  };
}

function numericEstimator(
  d: Extract<SweepDimension, { kind: "numeric" }>,
  observations: number[],
): ParzenEstimator {
  const isLog = d.distribution === "log_uniform_values";
  const step = d.distribution === "int_uniform" ? 1 : d.distribution === "q_uniform" ? (d.q ?? 1) : 0;
  const f = (x: number) => (isLog ? Math.log(x) : x);
  const low = f(d.min - step / 2);
  const high = f(d.max + step / 2);
  const mus = observations.map(f);
  // Each kernel's width is the larger gap to its sorted neighbours (the range ends included).
  const order = mus.map((_, i) => i).sort((a, b) => (mus[a] as number) - (mus[b] as number));
  const sorted = [low, ...order.map((i) => mus[i] as number), high];
  const sortedSigmas = order.map((_, j) =>
    Math.max(
      (sorted[j + 1] as number) - (sorted[j] as number),
      (sorted[j + 2] as number) - (sorted[j + 1] as number),
    ),
  );
  if (sorted.length >= 4) {
    sortedSigmas[0] = (sorted[2] as number) - (sorted[1] as number);
    sortedSigmas[sortedSigmas.length - 1] =
      (sorted[sorted.length - 2] as number) - (sorted[sorted.length - 3] as number);
  }
  const minSigma = (high - low) / Math.min(100, 1 + observations.length + 1);
  const sigmas = Array<number>(mus.length);
  order.forEach((i, j) => {
    sigmas[i] = Math.min(high - low, Math.max(minSigma, sortedSigmas[j] as number));
  });
  const kernelMus = [...mus, 0.5 * (low + high)];
  const kernelSigmas = [...sigmas, high - low];
  const weights = mixtureWeights(observations.length);
  const snap = (x: number) =>
    step === 0 ? Math.min(d.max, Math.max(d.min, x)) : steppedValue(d, Math.round((x - d.min) / step));
  return {
    sample(uniform) {
      const k = weightedIndex(weights, uniform);
      const x = sampleTruncatedNormal(kernelMus[k] as number, kernelSigmas[k] as number, low, high, uniform);
      return snap(isLog ? Math.exp(x) : x);
    },
    logPdf(x) {
      return logSumExp(
        kernelMus.map((mu, k) => {
          const sigma = kernelSigmas[k] as number;
          const logW = Math.log(weights[k] as number);
          if (step === 0) return logW + truncatedNormalLogPdf(f(x), mu, sigma, low, high);
          const mass = logGaussMass((f(x - step / 2) - mu) / sigma, (f(x + step / 2) - mu) / sigma);
          return logW + mass - logGaussMass((low - mu) / sigma, (high - mu) / sigma);
        }),
      );
    },
  };
}

export function parzenEstimator(d: SweepDimension, observations: number[]): ParzenEstimator {
  return d.kind === "categorical"
    ? categoricalEstimator(d.choices.length, observations)
    : numericEstimator(d, observations);
}
