import type { XAxis } from "../compare/compare-url-state.ts";
import { xValues } from "./chart-data.ts";
import type { SeriesData } from "./series-data.ts";

/** The x range every chart of a page shows while zoomed, in the units of the page's x axis. */
export interface XWindow {
  min: number;
  max: number;
}

/**
 * The window a drag across a chart selects: whole steps (or epochs) around it, outwards; times to
 * the millisecond. Null when it is empty (a click, not a drag).
 */
export function selectedWindow(axis: XAxis, from: number, to: number): XWindow | null {
  if (!Number.isFinite(from) || !Number.isFinite(to)) return null;
  const lo = Math.min(from, to);
  const hi = Math.max(from, to);
  const window =
    axis === "step" || axis === "epoch"
      ? { min: Math.max(0, Math.floor(lo)), max: Math.max(0, Math.ceil(hi)) }
      : { min: Math.floor(lo * 1000) / 1000, max: Math.ceil(hi * 1000) / 1000 };
  return window.max > window.min ? window : null;
}

/** `1200,5000` in a URL; anything else (missing, reversed, not numbers) is no zoom. */
export function parseZoomParam(text: string | null): XWindow | null {
  const match = /^(-?[\d.]+(?:e[+-]?\d+)?),(-?[\d.]+(?:e[+-]?\d+)?)$/i.exec(text ?? "");
  if (!match) return null;
  const min = Number(match[1]);
  const max = Number(match[2]);
  return Number.isFinite(min) && Number.isFinite(max) && max > min ? { min, max } : null;
}

export function formatZoomParam(window: XWindow): string {
  return `${window.min},${window.max}`;
}

export function sameWindow(a: XWindow | null, b: XWindow | null): boolean {
  return a === b || (a !== null && b !== null && a.min === b.min && a.max === b.max);
}

/** `target` at the point where `source` (ascending) reaches `x`, linearly between two points. */
function interpolate(source: readonly number[], target: readonly number[], x: number): number {
  let i = 0;
  while (i < source.length - 2 && (source[i + 1] ?? x) < x) i++;
  const x0 = source[i] ?? x;
  const x1 = source[i + 1] ?? x0;
  const y0 = target[i] ?? Number.NaN;
  const y1 = target[i + 1] ?? y0;
  return x1 > x0 ? y0 + ((y1 - y0) * (x - x0)) / (x1 - x0) : y0;
}

/**
 * The same zoom on another x axis: where each run is at the window's two ends (between its
 * points), from the earliest to the latest of the runs. Relative and wall time differ per run, so
 * the new window spans what the old one showed of every run. Null when no run reaches into the
 * window or there is nothing to convert with (the zoom is then dropped).
 */
export function convertWindow(
  window: XWindow,
  from: XAxis,
  to: XAxis,
  seriesList: readonly SeriesData[],
): XWindow | null {
  if (from === to) return window;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const series of seriesList) {
    const source = xValues(series, from);
    const target = xValues(series, to);
    const first = source[0];
    const last = source[source.length - 1];
    if (first === undefined || last === undefined || window.max < first || window.min > last) continue;
    min = Math.min(min, interpolate(source, target, Math.max(window.min, first)));
    max = Math.max(max, interpolate(source, target, Math.min(window.max, last)));
  }
  if (!(max > min)) return null;
  return selectedWindow(to, min, max);
}

/** The steps a window covers, to ask the server for detail or export there (null: everything). */
export function stepWindowOf(
  window: XWindow | null,
  axis: XAxis,
  seriesList: readonly SeriesData[] | undefined,
): XWindow | null {
  if (window === null) return null;
  if (axis === "step") return window;
  return seriesList ? convertWindow(window, axis, "step", seriesList) : null;
}
