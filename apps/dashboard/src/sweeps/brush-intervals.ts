import type { StoredBrush, StoredBrushes } from "./brush-url-state.ts";
import { type AxisIntervals, GOAL_AXIS, type ParamAxis } from "./param-axes.ts";

/**
 * The goal axis's key in a link: named after the goal, so that a brush of one metric is not laid
 * over another (Compare lets the metric change, and does not keep it in its URL).
 */
export const goalBrushKey = (goalLabel: string) => `goal ${goalLabel}`;

/** A category's brush around its tick: clear of its neighbours, wide enough to see. */
const CATEGORY_HALF_WIDTH = 0.3;

/** Runs of consecutive indices as ranges around their ticks: [0, 1, 3] -> [-0.3, 1.3], [2.7, 3.3]. */
function indexRanges(indices: readonly number[]): [number, number][] {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const i of sorted) {
    const last = ranges.at(-1);
    if (last && i - last[1] < 1) last[1] = i + CATEGORY_HALF_WIDTH;
    else ranges.push([i - CATEGORY_HALF_WIDTH, i + CATEGORY_HALF_WIDTH]);
  }
  return ranges;
}

/** An axis's stored brush as ECharts intervals, or null where it does not fit the axis. */
function axisIntervals(axis: ParamAxis, brush: StoredBrush): [number, number][] | null {
  if (axis.scale === "category") {
    if (brush.kind !== "values") return null;
    const indices = brush.values.map((v) => axis.categories.indexOf(v)).filter((i) => i >= 0);
    return indices.length ? indexRanges(indices) : null;
  }
  if (brush.kind !== "ranges") return null;
  // A log axis has no place for zero or below.
  const ranges = brush.ranges.filter(([a, b]) => axis.scale !== "log" || Math.min(a, b) > 0);
  return ranges.length ? ranges.map(([a, b]) => [a, b]) : null;
}

/**
 * The intervals (by ECharts axis id: the parameter's key, GOAL_AXIS for the goal) that stored
 * brushes give on these axes. Brushes of axes not drawn, of the wrong kind (values on a numeric
 * axis) or of categories no run has are left out.
 */
export function intervalsOfStored(
  stored: StoredBrushes,
  axes: readonly ParamAxis[],
  goalLabel: string,
): AxisIntervals {
  const intervals = new Map<string, [number, number][]>();
  for (const axis of axes) {
    const brush = stored.get(axis.key);
    const list = brush ? axisIntervals(axis, brush) : null;
    if (list) intervals.set(axis.key, list);
  }
  const goal = stored.get(goalBrushKey(goalLabel));
  if (goal?.kind === "ranges" && goal.ranges.length > 0) {
    intervals.set(
      GOAL_AXIS,
      goal.ranges.map(([a, b]) => [a, b]),
    );
  }
  return intervals;
}

/**
 * What a brush that ECharts reports on an axis (null: the goal's) keeps in a link: the categories
 * inside its intervals, or the intervals themselves; null when it keeps nothing.
 */
export function storedOfIntervals(
  axis: ParamAxis | null,
  intervals: readonly (readonly [number, number])[],
): StoredBrush | null {
  if (intervals.length === 0) return null;
  if (axis?.scale === "category") {
    const inside = (i: number) => intervals.some(([a, b]) => Math.min(a, b) <= i && i <= Math.max(a, b));
    const values = axis.categories.filter((_, i) => inside(i));
    return values.length ? { kind: "values", values } : null;
  }
  return { kind: "ranges", ranges: intervals.map(([a, b]) => [Math.min(a, b), Math.max(a, b)]) };
}
