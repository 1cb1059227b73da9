import { formatZoomParam, parseZoomParam, type XWindow } from "../charts/zoom-window.ts";
import { readableQuery } from "../routing/query-string.ts";
import {
  BRUSH_PARAM,
  formatBrushParam,
  NO_BRUSHES,
  parseBrushParam,
  type StoredBrushes,
} from "../sweeps/brush-url-state.ts";

/** The x-axis of a metric chart: training step, epoch, seconds since the run's first point, wall clock. */
export const X_AXES = ["step", "epoch", "relative", "wall"] as const;
export type XAxis = (typeof X_AXES)[number];

export const MAX_COMPARE_RUNS = 50;
export const MAX_SMOOTHING = 0.99;

/** Everything a shared Compare link must reproduce. */
export interface CompareState {
  runIds: string[];
  /** EMA weight in [0, 0.99]; 0 shows raw curves only. */
  smoothing: number;
  xAxis: XAxis;
  logScale: boolean;
  /** Y ranges leave out the 1 % most extreme values at either end. */
  ignoreOutliers: boolean;
  /** Runs whose curves are toggled off in the legend. */
  hidden: string[];
  /** Only metrics whose key contains this text. */
  metricFilter: string;
  /** Draw groups (by `group` or `config.<key>`) as mean and min-max band; "" draws every run. */
  groupBy: string;
  /** The x window every chart shows, in `xAxis` units; null shows all of it. */
  zoom: XWindow | null;
  /** The parameter panels' brushes (parallel coordinates), by axis. */
  brushes: StoredBrushes;
}

export const DEFAULT_COMPARE_STATE: CompareState = {
  runIds: [],
  smoothing: 0.6,
  xAxis: "step",
  logScale: false,
  ignoreOutliers: false,
  hidden: [],
  metricFilter: "",
  groupBy: "",
  zoom: null,
  brushes: NO_BRUSHES,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function idList(text: string | null): string[] {
  if (!text) return [];
  const ids = text
    .split(",")
    .map((id) => id.trim().toLowerCase())
    .filter((id) => UUID.test(id));
  return [...new Set(ids)];
}

/** Reads the state from a query string; anything missing or malformed falls back to the default. */
export function parseCompareState(search: URLSearchParams | string): CompareState {
  const params = typeof search === "string" ? new URLSearchParams(search) : search;
  const runIds = idList(params.get("runs")).slice(0, MAX_COMPARE_RUNS);
  const smoothText = params.get("smooth");
  const smoothNumber = smoothText === null || smoothText === "" ? Number.NaN : Number(smoothText);
  const smoothing = Number.isFinite(smoothNumber)
    ? Math.min(MAX_SMOOTHING, Math.max(0, smoothNumber))
    : DEFAULT_COMPARE_STATE.smoothing;
  const xText = params.get("x");
  const xAxis = (X_AXES as readonly string[]).includes(xText ?? "")
    ? (xText as XAxis)
    : DEFAULT_COMPARE_STATE.xAxis;
  const hidden = idList(params.get("hide")).filter((id) => runIds.includes(id));
  return {
    runIds,
    smoothing,
    xAxis,
    logScale: params.get("log") === "1",
    ignoreOutliers: params.get("outliers") === "ignore",
    hidden,
    metricFilter: params.get("metric") ?? "",
    groupBy: /^(group|config\..+)$/.test(params.get("group") ?? "") ? (params.get("group") ?? "") : "",
    zoom: parseZoomParam(params.get("zoom")),
    brushes: parseBrushParam(params.get(BRUSH_PARAM)),
  };
}

/** The query string (with `?`) for a state; default values are left out to keep links short. */
export function formatCompareState(state: CompareState): string {
  const params = new URLSearchParams();
  params.set("runs", state.runIds.join(","));
  if (state.smoothing !== DEFAULT_COMPARE_STATE.smoothing) params.set("smooth", String(state.smoothing));
  if (state.xAxis !== DEFAULT_COMPARE_STATE.xAxis) params.set("x", state.xAxis);
  if (state.logScale) params.set("log", "1");
  if (state.ignoreOutliers) params.set("outliers", "ignore");
  const hidden = state.hidden.filter((id) => state.runIds.includes(id));
  if (hidden.length > 0) params.set("hide", hidden.join(","));
  if (state.metricFilter) params.set("metric", state.metricFilter);
  if (state.groupBy) params.set("group", state.groupBy);
  if (state.zoom) params.set("zoom", formatZoomParam(state.zoom));
  const brushes = formatBrushParam(state.brushes);
  if (brushes) params.set(BRUSH_PARAM, brushes);
  return `?${readableQuery(params)}`;
}
