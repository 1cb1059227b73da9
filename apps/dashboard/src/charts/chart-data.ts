import { smoothEma } from "@labtrack/core";
import type { XAxis } from "../compare/compare-url-state.ts";
import type { SeriesData } from "./series-data.ts";

/** The x value of each point for the chosen axis; uPlot's time scale counts seconds. */
export function xValues(series: SeriesData, axis: XAxis): number[] {
  switch (axis) {
    case "step":
      return series.steps;
    case "epoch":
      return series.epochs.map((epoch, i) => epoch ?? series.steps[i] ?? 0);
    case "relative": {
      const start = series.times[0] ?? 0;
      return series.times.map((time) => (time - start) / 1000);
    }
    case "wall":
      return series.times.map((time) => time / 1000);
  }
}

/** Non-finite values (and non-positive ones on a log scale) cannot be drawn: they become gaps. */
function drawable(value: number | undefined, logScale: boolean): number | null {
  if (value === undefined || !Number.isFinite(value)) return null;
  if (logScale && value <= 0) return null;
  return value;
}

export interface ChartLine {
  runId: string;
  /** Index in the aligned data of the raw curve. */
  raw: number;
  /** Index of the smoothed curve, or null when smoothing is off. */
  smoothed: number | null;
}

export interface ChartData {
  /** uPlot's aligned columns: shared x first, then one y column per curve. */
  columns: [number[], ...(number | null)[][]];
  lines: ChartLine[];
}

/**
 * Joins several runs' series of one metric on a shared x column (uPlot draws aligned data), with a
 * raw and, when `smoothing` > 0, a debiased-EMA smoothed curve per run. Where a run has no point
 * at an x its column holds null, which uPlot bridges for that curve.
 */
export function buildChartData(
  seriesList: readonly SeriesData[],
  opts: { xAxis: XAxis; smoothing: number; logScale: boolean },
): ChartData {
  const perRun = seriesList.map((series) => {
    const xs = xValues(series, opts.xAxis);
    const order = xs.every((x, i) => i === 0 || x >= (xs[i - 1] ?? x))
      ? null
      : xs.map((_, i) => i).sort((a, b) => (xs[a] ?? 0) - (xs[b] ?? 0));
    const pick = <T>(column: T[]) => (order ? order.map((i) => column[i] as T) : column);
    return { series, xs: pick(xs), values: pick(series.values) };
  });

  const all = new Float64Array(perRun.reduce((n, run) => n + run.xs.length, 0));
  let offset = 0;
  for (const run of perRun) {
    all.set(run.xs, offset);
    offset += run.xs.length;
  }
  all.sort();
  const xs: number[] = [];
  for (const x of all) if (xs.length === 0 || xs[xs.length - 1] !== x) xs.push(x);

  const columns: ChartData["columns"] = [xs];
  const lines: ChartLine[] = [];
  for (const run of perRun) {
    const smoothed = opts.smoothing > 0 ? smoothEma(run.values, opts.smoothing) : null;
    const rawColumn = new Array<number | null>(xs.length).fill(null);
    const smoothColumn = smoothed ? new Array<number | null>(xs.length).fill(null) : null;
    let j = 0;
    for (let i = 0; i < run.xs.length; i++) {
      const x = run.xs[i] ?? 0;
      while (j < xs.length && (xs[j] ?? 0) < x) j++;
      rawColumn[j] = drawable(run.values[i], opts.logScale);
      if (smoothColumn && smoothed) smoothColumn[j] = drawable(smoothed[i], opts.logScale);
    }
    const raw = columns.push(rawColumn) - 1;
    const smoothIndex = smoothColumn ? columns.push(smoothColumn) - 1 : null;
    lines.push({ runId: run.series.runId, raw, smoothed: smoothIndex });
  }
  return { columns, lines };
}
