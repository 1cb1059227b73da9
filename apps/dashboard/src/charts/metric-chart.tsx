import { useEffect, useId, useMemo, useRef } from "react";
import uPlot, { type AlignedData, type Options } from "uplot";
import type { XAxis } from "../compare/compare-url-state.ts";
import { useTheme } from "../components/theme.tsx";
import { attemptAt, attemptMarks } from "./attempt-marks.ts";
import { attemptPlugin } from "./attempt-plugin.ts";
import { axisWidthFor, DURATION_INCREMENTS, WHOLE_NUMBER_INCREMENTS } from "./axis-format.ts";
import { alignSeries, buildChartData, columnsForWidth, nonFinitePoints, rawColumns } from "./chart-data.ts";
import { readChartTheme } from "./chart-theme.ts";
import { queueChartWork } from "./chart-work-queue.ts";
import { formatDuration, formatMetric } from "./format-number.ts";
import { buildGroupedChartData, type GroupedChartData, groupedSeries } from "./grouped-chart.ts";
import { useHighlightStore } from "./highlight-store.ts";
import { nonFinitePlugin } from "./non-finite-plugin.ts";
import { withAlpha } from "./run-colors.ts";
import type { SeriesData } from "./series-data.ts";
import { tooltipPlugin } from "./tooltip-plugin.ts";
import { UplotChart } from "./uplot-chart.tsx";
import { outlierFreeRange } from "./y-range.ts";
import { selectedWindow, type XWindow } from "./zoom-window.ts";

export interface ChartSettings {
  xAxis: XAxis;
  smoothing: number;
  logScale: boolean;
  /** Scale y to the 1st-99th percentile of the values, so a spike does not flatten the rest. */
  ignoreOutliers: boolean;
}

export interface MetricChartProps {
  metric: string;
  series: readonly SeriesData[];
  runNames: ReadonlyMap<string, string>;
  colors: ReadonlyMap<string, string>;
  hidden: ReadonlySet<string>;
  settings: ChartSettings;
  height?: number;
  /** CSS pixels the chart is wide (0 while unknown): the curves get no more columns than it shows. */
  width?: number;
  /** Crosshair sync group: charts of one page move their cursors together. */
  syncKey?: string;
  /** The x window every chart of the page shows (in `settings.xAxis` units), null for all of it. */
  zoom?: XWindow | null;
  /** Called with the window a drag selected, or null on a double-click (reset). */
  onZoom?: (window: XWindow | null) => void;
  /**
   * Draw each group's mean with a min-max band instead of every run: label -> run ids. Colours
   * and names of the groups are in `colors` and `runNames` under `group:<label>`.
   */
  groups?: ReadonlyMap<string, readonly string[]> | null;
}

const X_LABELS: Record<XAxis, string> = {
  step: "step",
  epoch: "epoch",
  relative: "time since start",
  wall: "wall time",
};

const AXIS_FONT = "11px system-ui, sans-serif";
/** The most runs whose raw curves are drawn faint behind their smoothed ones. */
const RAW_BEHIND_MAX_RUNS = 20;
let measureContext: CanvasRenderingContext2D | null | undefined;
function labelWidth(label: string): number {
  if (measureContext === undefined) measureContext = document.createElement("canvas").getContext("2d");
  if (!measureContext) return label.length * 7;
  measureContext.font = AXIS_FONT;
  return measureContext.measureText(label).width;
}

function formatXValue(axis: XAxis, x: number): string {
  if (axis === "relative") return formatDuration(x * 1000);
  if (axis === "wall") return new Date(x * 1000).toLocaleString();
  return `${X_LABELS[axis]} ${formatMetric(x)}`;
}

/**
 * One metric, every shown run overlaid in its colour: faint raw curve behind the smoothed one,
 * NaN and infinities marked, the page's highlighted run in front of the others.
 */
export function MetricChart(props: MetricChartProps) {
  const { series, settings, colors, runNames, hidden, metric } = props;
  const { theme } = useTheme();
  const highlight = useHighlightStore();
  const chartId = useId();
  const chart = useRef<uPlot | null>(null);
  const hiddenKey = [...hidden].sort().join(",");
  // Hidden runs are left out of the data altogether: they must not set the x range either.
  // biome-ignore lint/correctness/useExhaustiveDependencies: hiddenKey summarises hidden
  const visible = useMemo(() => series.filter((s) => !hidden.has(s.runId)), [series, hiddenKey]);
  const columns = columnsForWidth(props.width ?? 0);
  const aligned = useMemo(
    () => alignSeries(visible, settings.xAxis, columns),
    [visible, settings.xAxis, columns],
  );
  const raw = useMemo(() => rawColumns(aligned, settings.logScale), [aligned, settings.logScale]);
  const groups = props.groups ?? null;
  const data = useMemo(() => {
    const opts = { smoothing: settings.smoothing, logScale: settings.logScale };
    return groups ? buildGroupedChartData(aligned, groups, opts) : buildChartData(aligned, opts, raw);
  }, [aligned, raw, groups, settings.smoothing, settings.logScale]);
  const curves = "curves" in data ? (data as GroupedChartData).curves : null;
  const marks = useMemo(() => (groups ? [] : nonFinitePoints(aligned.runs)), [aligned, groups]);
  const attempts = useMemo(
    () => (groups ? [] : attemptMarks(visible, settings.xAxis)),
    [visible, groups, settings.xAxis],
  );
  const yRange = useMemo(
    () =>
      settings.ignoreOutliers
        ? outlierFreeRange(groups ? data.columns.slice(1) : raw, { logScale: settings.logScale })
        : null,
    [raw, data, groups, settings.ignoreOutliers, settings.logScale],
  );
  const live = useRef({ data, marks, attempts, yRange, runNames, colors });
  live.current = { data, marks, attempts, yRange, runNames, colors };
  const onZoom = useRef(props.onZoom);
  onZoom.current = props.onZoom;
  const zoom = props.zoom ?? null;
  const zoomRef = useRef(zoom);
  zoomRef.current = zoom;
  // The page's zoom applies to every chart: a new window moves this chart's x scale, whoever set it.
  useEffect(() => {
    const u = chart.current;
    const xs = u?.data[0];
    if (!u || !xs || xs.length === 0) return;
    u.setScale("x", { min: zoom?.min ?? (xs[0] as number), max: zoom?.max ?? (xs[xs.length - 1] as number) });
  }, [zoom]);

  const focusHighlighted = useRef(() => {});
  focusHighlighted.current = () => {
    const u = chart.current;
    // The queued focus may run after the chart was rebuilt or unmounted.
    if (!u || !u.root.isConnected) return;
    const runId = highlight?.get() ?? null;
    const line = live.current.data.lines.find((l) => l.runId === runId);
    u.setSeries(line ? (line.smoothed ?? line.raw) : null, { focus: true });
  };
  useEffect(
    () => highlight?.subscribe(() => queueChartWork(`${chartId}:focus`, () => focusHighlighted.current())),
    [highlight, chartId],
  );

  // Options depend on the curve layout, not on the values: live points only call setData.
  const layout = `${curves ? "groups:" : ""}${data.lines.map((l) => `${l.runId}:${l.smoothed !== null}`).join("|")}`;
  // Moving the smoothing slider only changes the data; the chart is rebuilt only when it turns on or off.
  const smoothingOn = settings.smoothing > 0;
  // Past 20 runs the faint raw curves behind the smoothed ones are a haze that costs as much to
  // paint as the curves themselves; they are left out (the smoothed curve and tooltip remain).
  const rawBehind = data.lines.length <= RAW_BEHIND_MAX_RUNS;
  // Past 20 runs the curves are 1 px wide: Skia draws those as hairlines, without building a
  // stroke outline for each of the 50 paths on every redraw (and 50 thin curves read better).
  const curveWidth = rawBehind ? 1.75 : 1;
  // biome-ignore lint/correctness/useExhaustiveDependencies: layout and theme summarise what the options read
  const options = useMemo((): Omit<Options, "width" | "height"> => {
    const palette = readChartTheme();
    const colorOf = (runId: string) => live.current.colors.get(runId) ?? "#888";
    const grouped = curves ? groupedSeries(curves, colorOf) : null;
    const lineSeries: uPlot.Series[] = grouped ? grouped.series : [{}];
    for (const line of grouped ? [] : data.lines) {
      const color = colors.get(line.runId) ?? "#888";
      lineSeries.push({
        stroke: smoothingOn ? withAlpha(color, 0.22) : color,
        width: smoothingOn || !rawBehind ? 1 : 1.5,
        show: !smoothingOn || rawBehind,
        spanGaps: true,
        points: { show: false },
      });
      if (line.smoothed !== null) {
        lineSeries.push({ stroke: color, width: curveWidth, spanGaps: true, points: { show: false } });
      }
    }
    let ownDrag = false;
    const axis = (extra: Partial<uPlot.Axis> = {}): uPlot.Axis => ({
      stroke: palette.text,
      grid: { stroke: palette.grid, width: 1 },
      ticks: { stroke: palette.grid, width: 1 },
      font: AXIS_FONT,
      ...extra,
    });
    return {
      series: lineSeries,
      ...(grouped && { bands: grouped.bands }),
      legend: { show: false },
      focus: { alpha: 0.18 },
      scales: {
        x: {
          time: settings.xAxis === "wall",
          // Every rescale (new data, a double-click) lands on the page's zoom while there is one.
          range: (_u: uPlot, min: number, max: number): uPlot.Range.MinMax => {
            const window = zoomRef.current;
            if (window) return [window.min, window.max];
            return min === max ? [min - 1, max + 1] : [min, max];
          },
        },
        y: {
          distr: settings.logScale ? 3 : 1,
          ...(settings.ignoreOutliers && {
            range: (_u: uPlot, min: number, max: number): uPlot.Range.MinMax =>
              live.current.yRange ?? uPlot.rangeNum(min, max, 0.1, true),
          }),
        },
      },
      axes: [
        axis(
          settings.xAxis === "relative"
            ? {
                incrs: DURATION_INCREMENTS,
                values: (_u, splits) => splits.map((s) => formatDuration(s * 1000)),
              }
            : settings.xAxis === "wall"
              ? {}
              : {
                  incrs: WHOLE_NUMBER_INCREMENTS,
                  values: (_u, splits) => splits.map((s) => formatMetric(s)),
                },
        ),
        axis({
          size: (_u, values) => axisWidthFor(values, labelWidth),
          values: (_u, splits) => splits.map((s) => formatMetric(s)),
        }),
      ],
      cursor: {
        sync: props.syncKey ? { key: props.syncKey, setSeries: false } : undefined,
        // A drag selects a window for the page (every chart), not for this chart's scale alone.
        drag: { x: true, y: false, setScale: false },
        points: { show: false },
        focus: { prox: -1 },
      },
      plugins: [
        tooltipPlugin({
          lines: () => live.current.data.lines,
          label: (runId) => live.current.runNames.get(runId) ?? runId.slice(0, 8),
          color: colorOf,
          formatX: (x) => formatXValue(settings.xAxis, x),
          attemptAt: (runId, x) => attemptAt(live.current.attempts, runId, x),
          highlight,
        }),
        nonFinitePlugin(() => live.current.marks, colorOf),
        attemptPlugin(() => live.current.attempts, colorOf),
      ],
      hooks: {
        init: [
          (u) => {
            u.over.addEventListener("dblclick", () => onZoom.current?.(null));
            u.over.addEventListener("mousedown", () => {
              ownDrag = true;
            });
          },
        ],
        // The x range shown, on the element, for tests and for whoever inspects the page.
        setScale: [
          (u, key) => {
            if (key === "x") u.root.dataset.xRange = `${u.scales.x?.min},${u.scales.x?.max}`;
          },
        ],
        setSelect: [
          (u) => {
            const { left, width } = u.select;
            // The box goes at once, here and on the charts synced to this one (they get it too).
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            // Only the chart dragged on reports the window.
            if (!ownDrag) return;
            ownDrag = false;
            if (width < 2) return;
            const window = selectedWindow(
              settings.xAxis,
              u.posToVal(left, "x"),
              u.posToVal(left + width, "x"),
            );
            if (window) onZoom.current?.(window);
          },
        ],
      },
    };
  }, [
    layout,
    theme,
    settings.xAxis,
    settings.logScale,
    settings.ignoreOutliers,
    smoothingOn,
    rawBehind,
    props.syncKey,
    highlight,
  ]);

  return (
    <UplotChart
      options={options}
      data={data.columns as AlignedData}
      height={props.height ?? 220}
      workKey={chartId}
      onCreate={(u) => {
        chart.current = u;
        focusHighlighted.current();
      }}
      className="metric-chart-canvas"
      aria-label={`chart of ${metric}`}
    />
  );
}
