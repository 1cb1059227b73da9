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
      const start = series.origin ?? series.times[0] ?? 0;
      return series.times.map((time) => (time - start) / 1000);
    }
    case "wall":
      return series.times.map((time) => time / 1000);
  }
}

/**
 * Past this many distinct x values (50 runs downsampled at different steps), every run is put on
 * one shared grid instead: a redraw walks every column of every curve, and 50 curves x 20,000
 * columns is what made each step of the smoothing slider a long task.
 */
export const MAX_ALIGNED_COLUMNS = 2400;

/**
 * Columns for a plot `width` CSS pixels wide: a bucket per pixel, its lowest and highest value
 * (more could not be told apart on screen); MAX_ALIGNED_COLUMNS before the width is known.
 */
export function columnsForWidth(width: number): number {
  if (!(width > 0)) return MAX_ALIGNED_COLUMNS;
  return Math.max(400, Math.min(MAX_ALIGNED_COLUMNS, 2 * Math.ceil(width)));
}

function unionOf(runs: readonly { xs: readonly number[] }[]): number[] {
  const all = new Float64Array(runs.reduce((n, run) => n + run.xs.length, 0));
  let offset = 0;
  for (const run of runs) {
    all.set(run.xs, offset);
    offset += run.xs.length;
  }
  all.sort();
  const xs: number[] = [];
  for (const x of all) if (xs.length === 0 || xs[xs.length - 1] !== x) xs.push(x);
  return xs;
}

/**
 * A run's points on a grid of `buckets` equal buckets over [first, last], two slots each: per
 * bucket its lowest and highest value (in their order, so spikes and the envelope survive), or a
 * NaN/infinity it logged there (those are what must not vanish).
 */
export function onGrid(
  run: { xs: readonly number[]; values: readonly number[] },
  first: number,
  last: number,
  buckets: number,
): { xs: number[]; values: number[] } {
  const width = (last - first) / buckets || 1;
  const slot = (b: number, second: boolean) => first + (b + (second ? 0.5 : 0)) * width;
  const xs: number[] = [];
  const values: number[] = [];
  let bucket = -1;
  let lo = -1;
  let hi = -1;
  let odd = -1;
  const flush = () => {
    if (bucket < 0) return;
    const picks = odd >= 0 ? [odd] : lo === hi ? [lo] : [Math.min(lo, hi), Math.max(lo, hi)];
    picks.forEach((i, n) => {
      xs.push(slot(bucket, n === 1 || (picks.length === 1 && (run.xs[i] ?? 0) >= slot(bucket, true))));
      values.push(run.values[i] ?? Number.NaN);
    });
  };
  for (let i = 0; i < run.xs.length; i++) {
    const b = Math.min(buckets - 1, Math.floor(((run.xs[i] ?? 0) - first) / width));
    if (b !== bucket) {
      flush();
      bucket = b;
      lo = -1;
      hi = -1;
      odd = -1;
    }
    const value = run.values[i] ?? Number.NaN;
    if (!Number.isFinite(value)) {
      if (odd < 0) odd = i;
      continue;
    }
    if (lo < 0 || value < (run.values[lo] ?? 0)) lo = i;
    if (hi < 0 || value > (run.values[hi] ?? 0)) hi = i;
  }
  flush();
  return { xs, values };
}

/** One run's points placed on the shared x column. */
export interface AlignedRun {
  runId: string;
  /** Index in the shared x column of each of the run's points, ascending. */
  at: Int32Array;
  /** The run's values at those points, NaN and ±Infinity kept. */
  values: number[];
}

export interface AlignedSeries {
  xs: number[];
  runs: AlignedRun[];
}

/**
 * Several runs' series of one metric on one shared, sorted x column (uPlot draws aligned data).
 * Independent of smoothing, so moving the smoothing slider does not redo it.
 */
export function alignSeries(
  seriesList: readonly SeriesData[],
  xAxis: XAxis,
  maxColumns = MAX_ALIGNED_COLUMNS,
): AlignedSeries {
  const perRun = seriesList.map((series) => {
    const xs = xValues(series, xAxis);
    const order = xs.every((x, i) => i === 0 || x >= (xs[i - 1] ?? x))
      ? null
      : xs.map((_, i) => i).sort((a, b) => (xs[a] ?? 0) - (xs[b] ?? 0));
    const pick = <T>(column: T[]) => (order ? order.map((i) => column[i] as T) : column);
    return { runId: series.runId, xs: pick(xs), values: pick(series.values) };
  });
  let xs = unionOf(perRun);
  if (xs.length > maxColumns) {
    const first = xs[0] ?? 0;
    const last = xs[xs.length - 1] ?? first;
    for (const run of perRun) Object.assign(run, onGrid(run, first, last, Math.floor(maxColumns / 2)));
    xs = unionOf(perRun);
  }

  const runs = perRun.map((run): AlignedRun => {
    const at = new Int32Array(run.xs.length);
    let j = 0;
    for (let i = 0; i < run.xs.length; i++) {
      const x = run.xs[i] ?? 0;
      while (j < xs.length && (xs[j] ?? 0) < x) j++;
      at[i] = j;
    }
    return { runId: run.runId, at, values: run.values };
  });
  return { xs, runs };
}

/** Non-finite values (and non-positive ones on a log scale) cannot be drawn: they become gaps. */
function drawable(value: number | undefined, logScale: boolean): number | null {
  if (value === undefined || !Number.isFinite(value)) return null;
  if (logScale && value <= 0) return null;
  return value;
}

/** A curve's y column: undefined where it has no point (and where it cannot be drawn). */
export type CurveColumn = (number | null | undefined)[];

/**
 * A curve's y column as a holey array of doubles: V8 then stores the values unboxed, where a
 * column filled with null first holds every value as a heap object of its own (50 curves x 2,400
 * of them per chart on each step of the smoothing slider made 50-70 ms garbage-collection pauses).
 * uPlot skips undefined; every line bridges gaps anyway (`spanGaps`).
 */
function column(length: number, run: AlignedRun, values: readonly number[], logScale: boolean): CurveColumn {
  const out: CurveColumn = new Array(length);
  for (let k = 0; k < run.at.length; k++) {
    const value = drawable(values[k], logScale);
    if (value !== null) out[run.at[k] ?? 0] = value;
  }
  return out;
}

export interface ChartLine extends AlignedRun {
  /** Index in the aligned data of the raw curve. */
  raw: number;
  /** Index of the smoothed curve, or null when smoothing is off. */
  smoothed: number | null;
  /** Smoothed values at the run's points, or null when smoothing is off. */
  smoothedValues: number[] | null;
}

export interface ChartData {
  /** uPlot's aligned columns: shared x first, then one y column per curve. */
  columns: [number[], ...CurveColumn[]];
  lines: ChartLine[];
}

/** Raw curves' columns: they change with the data and the scale, not with smoothing. */
export function rawColumns(aligned: AlignedSeries, logScale: boolean): CurveColumn[] {
  return aligned.runs.map((run) => column(aligned.xs.length, run, run.values, logScale));
}

/**
 * The chart's columns: per run its raw curve and, when `smoothing` > 0, a debiased-EMA smoothed
 * one. Where a run has no point at an x its column holds null, which uPlot bridges for that curve.
 */
export function buildChartData(
  aligned: AlignedSeries,
  opts: { smoothing: number; logScale: boolean },
  raw: CurveColumn[] = rawColumns(aligned, opts.logScale),
): ChartData {
  const columns: ChartData["columns"] = [aligned.xs];
  const lines = aligned.runs.map((run, r): ChartLine => {
    const rawIndex = columns.push(raw[r] ?? []) - 1;
    if (opts.smoothing <= 0) return { ...run, raw: rawIndex, smoothed: null, smoothedValues: null };
    const smoothedValues = smoothEma(run.values, opts.smoothing);
    const smoothed = columns.push(column(aligned.xs.length, run, smoothedValues, opts.logScale)) - 1;
    return { ...run, raw: rawIndex, smoothed, smoothedValues };
  });
  return { columns, lines };
}

export type NonFiniteKind = "nan" | "+inf" | "-inf";

/** Every NaN and ±Infinity point of the lines, to be marked on the chart where the curve breaks. */
export function nonFinitePoints(
  lines: readonly AlignedRun[],
): { runId: string; index: number; kind: NonFiniteKind }[] {
  const marks: { runId: string; index: number; kind: NonFiniteKind }[] = [];
  for (const line of lines) {
    for (let k = 0; k < line.values.length; k++) {
      const value = line.values[k] ?? 0;
      if (Number.isFinite(value)) continue;
      const kind: NonFiniteKind = Number.isNaN(value) ? "nan" : value > 0 ? "+inf" : "-inf";
      marks.push({ runId: line.runId, index: line.at[k] ?? 0, kind });
    }
  }
  return marks;
}
