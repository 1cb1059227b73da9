import { fromWireNumber, type MetricSeries, type MetricSeriesChunk } from "@labtrack/schemas";

/** One run's points of one metric, with values as JS numbers (NaN and ±Infinity kept). */
export interface SeriesData {
  runId: string;
  key: string;
  steps: number[];
  values: number[];
  times: number[];
  epochs: (number | null)[];
  /** The run's attempt that wrote each point (1 unless the run was retried). */
  attempts: number[];
  /** Points on the server for the requested window, before downsampling. */
  total: number;
  downsampled: boolean;
  /**
   * Wall time (ms) that relative time counts from, when the series is a window of a longer one
   * (zoomed detail): its first point's time otherwise.
   */
  origin?: number;
}

export function fromWireSeries(series: MetricSeries): SeriesData {
  return {
    runId: series.runId,
    key: series.key,
    steps: series.steps,
    values: series.values.map(fromWireNumber),
    times: series.times,
    epochs: series.epochs,
    attempts: series.attempts,
    total: series.total,
    downsampled: series.downsampled,
  };
}

/**
 * Appends live points (step order) to a series without refetching it. A point at a step already
 * present is ignored (within one attempt the server keeps the first), unless it comes from a later
 * attempt of the run: then it replaces the one shown, as it did on the server.
 */
export function appendChunk(series: SeriesData, chunk: MetricSeriesChunk): SeriesData {
  const lastStep = series.steps.at(-1) ?? Number.NEGATIVE_INFINITY;
  const lastAttempt = series.attempts.at(-1) ?? 1;
  const rewinds = chunk.steps.some((step, i) => step <= lastStep && (chunk.attempts[i] ?? 1) > lastAttempt);
  if (rewinds) return mergeReplacing(series, chunk);
  const start = chunk.steps.findIndex((step) => step > lastStep);
  if (start === -1) return series;
  const added = chunk.steps.length - start;
  return {
    ...series,
    steps: series.steps.concat(chunk.steps.slice(start)),
    values: series.values.concat(chunk.values.slice(start).map(fromWireNumber)),
    times: series.times.concat(chunk.times.slice(start)),
    epochs: series.epochs.concat(chunk.epochs.slice(start)),
    attempts: series.attempts.concat(chunk.attempts.slice(start)),
    total: series.total + added,
  };
}

interface Point {
  step: number;
  value: number;
  time: number;
  epoch: number | null;
  attempt: number;
}

function mergeReplacing(series: SeriesData, chunk: MetricSeriesChunk): SeriesData {
  const byStep = new Map<number, Point>();
  series.steps.forEach((step, i) => {
    byStep.set(step, {
      step,
      value: series.values[i]!,
      time: series.times[i]!,
      epoch: series.epochs[i] ?? null,
      attempt: series.attempts[i] ?? 1,
    });
  });
  let added = 0;
  chunk.steps.forEach((step, i) => {
    const attempt = chunk.attempts[i] ?? 1;
    const shown = byStep.get(step);
    if (shown && shown.attempt >= attempt) return;
    if (!shown) added += 1;
    const value = chunk.values[i];
    byStep.set(step, {
      step,
      value: value === undefined ? Number.NaN : fromWireNumber(value),
      time: chunk.times[i]!,
      epoch: chunk.epochs[i] ?? null,
      attempt,
    });
  });
  const points = [...byStep.values()].sort((a, b) => a.step - b.step);
  return {
    ...series,
    steps: points.map((p) => p.step),
    values: points.map((p) => p.value),
    times: points.map((p) => p.time),
    epochs: points.map((p) => p.epoch),
    attempts: points.map((p) => p.attempt),
    total: series.total + added,
  };
}
