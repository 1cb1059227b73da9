import type { Goal } from "./tpe-sampler.ts";

/** A run's values of the sweep metric by step (steps ascending). */
export type MetricCurve = { step: number; value: number }[];

export type AshaOptions = { minIter: number; eta: number };

/** Rung milestones min_iter * eta^k up to `maxStep`. */
export function ashaRungs({ minIter, eta }: AshaOptions, maxStep: number): number[] {
  const rungs: number[] = [];
  for (let r = minIter; r <= maxStep && rungs.length < 64; r *= eta) rungs.push(r);
  return rungs;
}

/** The value a run had at a rung: its last value at a step <= the milestone, once it reached it. */
export function valueAtRung(curve: MetricCurve, milestone: number): number | null {
  const last = curve.at(-1);
  if (last === undefined || last.step < milestone) return null;
  let value: number | null = null;
  for (const p of curve) {
    if (p.step > milestone) break;
    value = p.value;
  }
  return value;
}

/** The q-quantile with linear interpolation (numpy's default). */
function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

export type AshaDecision = { prune: false } | { prune: true; rung: number; step: number };

/**
 * Asynchronous successive halving (Ray Tune's ASHA, W&B's hyperband early_terminate): at each rung the
 * run reached, compare its value with the values of every run that reached that rung; below the top
 * 1/eta of them (the 1 - 1/eta quantile, as Ray computes the cutoff) it is stopped. A run alone at a
 * rung goes on. `others` are the curves of the sweep's other runs, finished or not.
 */
export function ashaDecision(
  run: MetricCurve,
  others: MetricCurve[],
  goal: Goal,
  options: AshaOptions,
): AshaDecision {
  const last = run.at(-1);
  if (last === undefined) return { prune: false };
  for (const milestone of ashaRungs(options, last.step)) {
    const own = valueAtRung(run, milestone);
    if (own === null || Number.isNaN(own)) continue;
    const values = [own, ...others.map((c) => valueAtRung(c, milestone))]
      .filter((v): v is number => v !== null && !Number.isNaN(v))
      .map((v) => (goal === "maximize" ? v : -v))
      .sort((a, b) => a - b);
    if (values.length < 2) continue;
    const cutoff = quantile(values, 1 - 1 / options.eta);
    const mine = goal === "maximize" ? own : -own;
    if (mine < cutoff) return { prune: true, rung: milestone, step: last.step };
  }
  return { prune: false };
}
