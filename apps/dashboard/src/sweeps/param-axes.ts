import type { JsonValue, SweepParameter } from "@labtrack/schemas";
import { formatConfigValue } from "../charts/format-number.ts";

/** One run as the parameter panels read it: its parameter values and its goal value. */
export interface ParamRow {
  runId: string;
  name: string;
  params: Record<string, JsonValue>;
  goal: number | null;
  /** Stopped by early termination: its goal is from a curve cut short. */
  pruned?: boolean;
}

export type AxisScale = "linear" | "log" | "category";

/** One axis of the parallel-coordinates chart (or the x of the scatter). */
export interface ParamAxis {
  key: string;
  scale: AxisScale;
  /** The values of a categorical axis, in axis order. */
  categories: string[];
}

/** What a sweep's config says about a parameter's axis: log for log_uniform, and its listed values. */
export interface AxisHint {
  scale?: AxisScale;
  categories?: string[];
}

/** Axis hints from a sweep's `parameters`. */
export function sweepAxisHints(parameters: Record<string, SweepParameter>): Record<string, AxisHint> {
  const hints: Record<string, AxisHint> = {};
  for (const [key, p] of Object.entries(parameters)) {
    const values = p.values ?? (p.value !== undefined ? [p.value] : null);
    if (values && !values.every((v) => typeof v === "number")) {
      hints[key] = { scale: "category", categories: [...new Set(values.map(formatConfigValue))] };
    } else if (p.distribution === "log_uniform_values") {
      hints[key] = { scale: "log" };
    } else {
      hints[key] = { scale: "linear" };
    }
  }
  return hints;
}

/** Spans of at least this ratio, all positive, read better on a log axis when no hint says otherwise. */
const LOG_SPAN = 1000;

const naturalOrder = new Intl.Collator(undefined, { numeric: true }).compare;

/** An axis per key: categorical unless every value is a finite number; log where hinted or spanning decades. */
export function buildParamAxes(
  rows: readonly ParamRow[],
  keys: readonly string[],
  hints: Record<string, AxisHint> = {},
): ParamAxis[] {
  return keys.map((key) => {
    const values = rows.map((r) => r.params[key]).filter((v) => v !== undefined && v !== null);
    const numeric = values.length > 0 && values.every((v) => typeof v === "number" && Number.isFinite(v));
    const hint = hints[key];
    if (!numeric || hint?.scale === "category") {
      const seen = new Set(values.map(formatConfigValue));
      const listed = (hint?.categories ?? []).filter((c) => seen.has(c));
      const others = [...seen].filter((c) => !listed.includes(c)).sort(naturalOrder);
      return { key, scale: "category", categories: [...listed, ...others] };
    }
    const numbers = values as number[];
    const min = Math.min(...numbers);
    const max = Math.max(...numbers);
    const positive = min > 0;
    const log = positive && (hint?.scale === "log" || (hint?.scale === undefined && max / min >= LOG_SPAN));
    return { key, scale: log ? "log" : "linear", categories: [] };
  });
}

/**
 * The run's position on the axis: a number (the category's index on a categorical axis), or null
 * when it has no value there (or a value a log axis cannot show).
 */
export function axisValue(axis: ParamAxis, value: JsonValue | undefined): number | null {
  if (value === undefined || value === null) return null;
  if (axis.scale === "category") {
    const index = axis.categories.indexOf(formatConfigValue(value));
    return index < 0 ? null : index;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  if (axis.scale === "log" && value <= 0) return null;
  return value;
}

/** Brushed intervals by axis key (`GOAL_AXIS` for the goal); a run must fall in one of each axis's. */
export type AxisIntervals = ReadonlyMap<string, readonly (readonly [number, number])[]>;
export const GOAL_AXIS = "__goal";

/**
 * The rows inside every brushed axis's intervals (all rows when nothing is brushed). `goalAt`
 * places a goal on its axis as drawn (at the end, for one beyond it), so that a brush keeps the
 * lines it covers.
 */
export function rowsInIntervals(
  rows: readonly ParamRow[],
  axes: readonly ParamAxis[],
  intervals: AxisIntervals,
  goalAt: (goal: number) => number = (goal) => goal,
): ParamRow[] {
  const active = [...intervals].filter(([, list]) => list.length > 0);
  if (active.length === 0) return [...rows];
  const byKey = new Map(axes.map((a) => [a.key, a]));
  return rows.filter((row) =>
    active.every(([key, list]) => {
      let v: number | null;
      if (key === GOAL_AXIS) v = row.goal === null ? null : goalAt(row.goal);
      else {
        const axis = byKey.get(key);
        v = axis ? axisValue(axis, row.params[key]) : null;
      }
      if (v === null) return false;
      const value = v;
      return list.some(([a, b]) => Math.min(a, b) <= value && value <= Math.max(a, b));
    }),
  );
}

/** For correlations: log-axis values as their log10, categories left out (as non-numbers). */
export function paramsForCorrelation(row: ParamRow, axes: readonly ParamAxis[]): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const axis of axes) {
    const v = row.params[axis.key];
    if (v === undefined) continue;
    out[axis.key] = axis.scale === "log" && typeof v === "number" && v > 0 ? Math.log10(v) : v;
  }
  return out;
}
