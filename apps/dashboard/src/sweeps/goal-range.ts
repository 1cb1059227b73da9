import type { ParamRow } from "./param-axes.ts";

/** The goal axis of the parallel chart and the scatter: its ends, and what lies beyond them. */
export interface GoalAxisRange {
  min: number;
  max: number;
  /** Between ticks: a round number that divides max - min. */
  step: number;
  /** Whether the range spans the unpruned runs only (there is one, and pruned runs are not included). */
  unprunedOnly: boolean;
  /** Runs drawn at an end because their goal lies beyond it, below `min` and above `max`. */
  below: number;
  above: number;
  /** Pruned runs drawn (those with a goal). */
  pruned: number;
}

const finite = (v: number | null): v is number => v !== null && Number.isFinite(v);

/**
 * [lo, hi] widened to multiples of a round step of about a fifth of the span, with that step
 * (0.23..1.87 -> 0..2 by 0.5), so the axis's ends are ticks.
 */
export function niceExtent(lo: number, hi: number): [number, number, number] {
  // A span too small to divide (one goal, or all alike) gets room around it.
  if (!(hi - lo > Math.max(Math.abs(lo), Math.abs(hi), 1e-300) * 1e-9)) {
    const pad = Math.max(Math.abs(lo) * 0.1, 1e-300);
    return niceExtent(lo - pad, lo + pad);
  }
  const raw = (hi - lo) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  // To 12 digits, so 0.30000000000000004 is written 0.3, unless that would cut off an end.
  const down = Math.floor(lo / step) * step;
  const up = Math.ceil(hi / step) * step;
  // A step further where the division underflowed (-5e-324 / 2 is -0).
  const min = down > lo ? down - step : down;
  const max = up < hi ? up + step : up;
  const roundMin = Number(min.toPrecision(12));
  const roundMax = Number(max.toPrecision(12));
  return [roundMin <= lo ? roundMin : min, roundMax >= hi ? roundMax : max, step];
}

/**
 * The goal axis spans the goals of the runs that were not pruned (a pruned run's goal is from a
 * curve cut short, often far worse, and would crowd every finished run together), unless
 * `includePruned` or no unpruned run has a goal; goals beyond it are counted.
 */
export function goalAxisRange(rows: readonly ParamRow[], includePruned: boolean): GoalAxisRange {
  const withGoal = rows.filter((r) => finite(r.goal));
  const unpruned = withGoal.filter((r) => !r.pruned).map((r) => r.goal as number);
  const unprunedOnly = !includePruned && unpruned.length > 0;
  const spanned = unprunedOnly ? unpruned : withGoal.map((r) => r.goal as number);
  const [min, max, step] = spanned.length
    ? niceExtent(Math.min(...spanned), Math.max(...spanned))
    : ([0, 1, 0.2] as const);
  let below = 0;
  let above = 0;
  for (const r of withGoal) {
    if ((r.goal as number) < min) below++;
    else if ((r.goal as number) > max) above++;
  }
  return { min, max, step, unprunedOnly, below, above, pruned: withGoal.length - unpruned.length };
}

/** A goal as drawn on the axis: at its end when it lies beyond. */
export const clampToAxis = (range: GoalAxisRange, goal: number) =>
  Math.min(range.max, Math.max(range.min, goal));
