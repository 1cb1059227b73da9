import type { SeriesData } from "./series-data.ts";
import type { XWindow } from "./zoom-window.ts";

/** The most points metrics.series returns per series in one call. */
export const SERIES_MAX_POINTS = 20_000;
/** Points asked for in one call (all runs together), so that no answer is tens of megabytes. */
export const POINTS_PER_CALL = 200_000;
/** The most points one export holds in the browser; past it, zoom in first. */
export const MAX_EXPORT_POINTS = 2_000_000;

export type SeriesFetch = (request: {
  runIds: string[];
  stepMin: number;
  stepMax: number;
  maxPoints: number;
}) => Promise<SeriesData[]>;

export interface ExportExtent {
  min: number;
  max: number;
  /** About how many points all runs hold there, and the run that holds most. */
  points: number;
  densest: number;
}

/** The steps to export and about how many points they hold, from the (downsampled) series shown. */
export function exportExtent(overview: readonly SeriesData[], steps: XWindow | null): ExportExtent | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let points = 0;
  let densest = 0;
  for (const series of overview) {
    const first = series.steps[0];
    const last = series.steps[series.steps.length - 1];
    if (first === undefined || last === undefined) continue;
    const lo = Math.max(first, steps?.min ?? first);
    const hi = Math.min(last, steps?.max ?? last);
    if (hi < lo) continue;
    min = Math.min(min, lo);
    max = Math.max(max, hi);
    // Points are taken to be spread evenly over a run's steps.
    const inside =
      last > first ? Math.ceil((series.total * (hi - lo + 1)) / (last - first + 1)) : series.total;
    points += inside;
    densest = Math.max(densest, inside);
  }
  return max >= min ? { min, max, points, densest } : null;
}

/**
 * Every point of the runs' series between two steps, not a downsampled curve: the steps are asked
 * for in windows of about POINTS_PER_CALL points, and a window the server still had to downsample
 * is asked for again in two halves. `onProgress` gets the fraction of steps done.
 */
export async function fetchFullSeries(
  fetchSeries: SeriesFetch,
  runIds: readonly string[],
  extent: ExportExtent,
  onProgress: (fraction: number) => void = () => {},
): Promise<SeriesData[]> {
  const span = extent.max - extent.min + 1;
  const calls = Math.max(1, Math.ceil(extent.points / POINTS_PER_CALL));
  // No run may have more than SERIES_MAX_POINTS in a window, or the server downsamples it.
  const width = Math.max(
    1,
    Math.min(Math.ceil(span / calls), Math.floor((SERIES_MAX_POINTS * span) / Math.max(1, extent.densest))),
  );
  // Windows still to read, the next one last.
  const windows: XWindow[] = [];
  for (let from = extent.min; from <= extent.max; from += width) {
    windows.push({ min: from, max: Math.min(extent.max, from + width - 1) });
  }
  windows.reverse();
  const byRun = new Map<string, SeriesData>();
  let done = 0;
  for (let window = windows.pop(); window; window = windows.pop()) {
    const part = await fetchSeries({
      runIds: [...runIds],
      stepMin: window.min,
      stepMax: window.max,
      maxPoints: SERIES_MAX_POINTS,
    });
    if (part.some((s) => s.downsampled) && window.max > window.min) {
      const middle = Math.floor((window.min + window.max) / 2);
      windows.push({ min: middle + 1, max: window.max }, { min: window.min, max: middle });
      continue;
    }
    for (const series of part) {
      const kept = byRun.get(series.runId);
      byRun.set(
        series.runId,
        kept
          ? {
              ...kept,
              steps: kept.steps.concat(series.steps),
              values: kept.values.concat(series.values),
              times: kept.times.concat(series.times),
              epochs: kept.epochs.concat(series.epochs),
              attempts: kept.attempts.concat(series.attempts),
              total: kept.total + series.total,
            }
          : series,
      );
    }
    done += window.max - window.min + 1;
    onProgress(done / span);
  }
  return runIds.flatMap((id) => byRun.get(id) ?? []);
}
