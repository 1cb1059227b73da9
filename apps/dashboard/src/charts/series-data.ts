import { fromWireNumber, type MetricSeries, type MetricSeriesChunk } from "@labtrack/schemas";

/** One run's points of one metric, with values as JS numbers (NaN and ±Infinity kept). */
export interface SeriesData {
  runId: string;
  key: string;
  steps: number[];
  values: number[];
  times: number[];
  epochs: (number | null)[];
  /** Points on the server for the requested window, before downsampling. */
  total: number;
  downsampled: boolean;
}

export function fromWireSeries(series: MetricSeries): SeriesData {
  return {
    runId: series.runId,
    key: series.key,
    steps: series.steps,
    values: series.values.map(fromWireNumber),
    times: series.times,
    epochs: series.epochs,
    total: series.total,
    downsampled: series.downsampled,
  };
}

/**
 * Appends live points (step order) to a series without refetching it; points at steps already
 * present are ignored, as the server's upsert keeps the first.
 */
export function appendChunk(series: SeriesData, chunk: MetricSeriesChunk): SeriesData {
  const lastStep = series.steps.at(-1) ?? Number.NEGATIVE_INFINITY;
  const start = chunk.steps.findIndex((step) => step > lastStep);
  if (start === -1) return series;
  const added = chunk.steps.length - start;
  return {
    ...series,
    steps: series.steps.concat(chunk.steps.slice(start)),
    values: series.values.concat(chunk.values.slice(start).map(fromWireNumber)),
    times: series.times.concat(chunk.times.slice(start)),
    epochs: series.epochs.concat(chunk.epochs.slice(start)),
    total: series.total + added,
  };
}
