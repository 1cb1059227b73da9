import type { JsonValue } from "@labtrack/schemas";
import { parzenEstimator } from "./parzen-estimator.ts";
import type { Uniform } from "./seeded-random.ts";
import { type SweepParams, type SweepSpace, sampleRandom } from "./sweep-space.ts";

/** A run of the sweep as the samplers see it: finished with a goal value, or pruned at a step. */
export type SweepTrial =
  | { index: number; params: SweepParams; state: "complete"; value: number }
  | { index: number; params: SweepParams; state: "pruned"; step: number | null; value: number | null };

export type Goal = "minimize" | "maximize";

export type TpeOptions = {
  /** Random sampling until this many runs are complete or pruned (Optuna: 10). */
  nStartupTrials?: number;
  /** Candidates drawn from l(x), of which the best l(x)/g(x) wins (Optuna: 24). */
  nEiCandidates?: number;
  /** How many trials form the good group l(x) out of n (Optuna: min(ceil(0.1 n), 25)). */
  gamma?: (n: number) => number;
};

export const defaultGamma = (n: number) => Math.min(Math.ceil(0.1 * n), 25);

const signed = (value: number, goal: Goal) => {
  const v = Number.isNaN(value) ? Number.POSITIVE_INFINITY : value;
  return goal === "minimize" ? v : -v;
};

/** Optuna's _split_trials: the best complete trials first, then pruned ones by how far they got. */
export function splitTrials(trials: SweepTrial[], nBelow: number, goal: Goal): [SweepTrial[], SweepTrial[]] {
  const complete = trials
    .filter((t) => t.state === "complete")
    .sort((a, b) => signed(a.value as number, goal) - signed(b.value as number, goal));
  const prunedScore = (t: SweepTrial): [number, number] =>
    t.state === "pruned" && t.step !== null
      ? [-t.step, t.value === null ? Infinity : signed(t.value, goal)]
      : [1, 0];
  const pruned = trials
    .filter((t) => t.state === "pruned")
    .sort((a, b) => {
      const [sa, va] = prunedScore(a);
      const [sb, vb] = prunedScore(b);
      return sa - sb || va - vb;
    });
  const nComplete = Math.min(nBelow, complete.length);
  const nPruned = Math.min(Math.max(0, nBelow - nComplete), pruned.length);
  const below = [...complete.slice(0, nComplete), ...pruned.slice(0, nPruned)];
  const above = [...complete.slice(nComplete), ...pruned.slice(nPruned)];
  const byIndex = (a: SweepTrial, b: SweepTrial) => a.index - b.index;
  return [below.sort(byIndex), above.sort(byIndex)];
}

const sameJson = (a: JsonValue, b: JsonValue) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The next parameters by the Tree-structured Parzen Estimator, as Optuna's default TPESampler
 * (independent per parameter): random for the first n_startup_trials; then, per parameter, a Parzen
 * estimator l(x) over the gamma(n) best trials and g(x) over the rest, n_ei_candidates drawn from l,
 * and the one with the largest log l(x) - log g(x) (the expected-improvement ratio) taken.
 */
export function sampleTpe(
  space: SweepSpace,
  trials: SweepTrial[],
  goal: Goal,
  uniform: Uniform,
  options: TpeOptions = {},
): SweepParams {
  const nStartup = options.nStartupTrials ?? 10;
  const nCandidates = options.nEiCandidates ?? 24;
  const gamma = options.gamma ?? defaultGamma;
  if (trials.length < nStartup) return sampleRandom(space, uniform);
  const [below, above] = splitTrials(trials, gamma(trials.length), goal);
  const params: SweepParams = {};
  for (const { name, dimension } of space) {
    const internal = (t: SweepTrial): number | null => {
      const v = t.params[name];
      if (v === undefined) return null;
      if (dimension.kind === "categorical") {
        const i = dimension.choices.findIndex((c) => sameJson(c, v));
        return i < 0 ? null : i;
      }
      return typeof v === "number" && v >= dimension.min && v <= dimension.max ? v : null;
    };
    const observe = (ts: SweepTrial[]) => ts.map(internal).filter((x): x is number => x !== null);
    const l = parzenEstimator(dimension, observe(below));
    const g = parzenEstimator(dimension, observe(above));
    let best = Number.NaN;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < nCandidates; i++) {
      const x = l.sample(uniform);
      const score = l.logPdf(x) - g.logPdf(x);
      if (Number.isNaN(best) || score > bestScore) {
        best = x;
        bestScore = score;
      }
    }
    params[name] = dimension.kind === "categorical" ? (dimension.choices[best] as JsonValue) : best;
  }
  return params;
}
