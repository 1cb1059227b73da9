import { useMemo, useRef } from "react";
import type uPlot from "uplot";
import type { AlignedData, Options } from "uplot";
import type { XAxis } from "../compare/compare-url-state.ts";
import { useTheme } from "../components/theme.tsx";
import { buildChartData } from "./chart-data.ts";
import { readChartTheme } from "./chart-theme.ts";
import { formatDuration, formatMetric } from "./format-number.ts";
import { withAlpha } from "./run-colors.ts";
import type { SeriesData } from "./series-data.ts";
import { type TooltipLine, tooltipPlugin } from "./tooltip-plugin.ts";
import { UplotChart } from "./uplot-chart.tsx";
import { zoomWindowOf } from "./zoom-window.ts";

export interface ChartSettings {
  xAxis: XAxis;
  smoothing: number;
  logScale: boolean;
}

export interface MetricChartProps {
  metric: string;
  series: readonly SeriesData[];
  runNames: ReadonlyMap<string, string>;
  colors: ReadonlyMap<string, string>;
  hidden: ReadonlySet<string>;
  settings: ChartSettings;
  height?: number;
  /** Crosshair sync group: charts of one page move their cursors together. */
  syncKey?: string;
  /** Called with the step window the user zoomed to, or null when the zoom is reset. */
  onZoom?: (window: { min: number; max: number } | null) => void;
  zoomed?: boolean;
}

/** Steps and epochs are whole numbers: ticks 1, 2, 5, 10, 20, 50 … apart, never 0.5. */
const WHOLE_NUMBER_STEPS = Array.from({ length: 10 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

const X_LABELS: Record<XAxis, string> = {
  step: "step",
  epoch: "epoch",
  relative: "time since start",
  wall: "wall time",
};

function formatXValue(axis: XAxis, x: number): string {
  if (axis === "relative") return formatDuration(x * 1000);
  if (axis === "wall") return new Date(x * 1000).toLocaleString();
  return `${X_LABELS[axis]} ${formatMetric(x)}`;
}

/** One metric, every run overlaid in its colour: faint raw curve behind the smoothed one. */
export function MetricChart(props: MetricChartProps) {
  const { series, settings, colors, runNames, hidden, metric } = props;
  const { theme } = useTheme();
  const chart = useRef<uPlot | null>(null);
  const data = useMemo(() => buildChartData(series, settings), [series, settings]);
  const tooltipLines = useRef<TooltipLine[]>([]);
  tooltipLines.current = data.lines
    .filter((line) => !hidden.has(line.runId))
    .map((line) => ({
      label: runNames.get(line.runId) ?? line.runId.slice(0, 8),
      color: colors.get(line.runId) ?? "#888",
      column: line.smoothed ?? line.raw,
    }));
  const onZoom = useRef(props.onZoom);
  onZoom.current = props.onZoom;

  // Options depend on the curve layout, not on the values: live points only call setData.
  const layout = data.lines.map((l) => `${l.runId}:${l.smoothed !== null}`).join("|");
  const hiddenKey = [...hidden].sort().join(",");
  // Moving the smoothing slider only changes the data; the chart is rebuilt only when it turns on or off.
  const smoothingOn = settings.smoothing > 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: layout, hiddenKey and theme summarise what the options read
  const options = useMemo((): Omit<Options, "width" | "height"> => {
    const palette = readChartTheme();
    const smoothing = smoothingOn;
    const lineSeries: uPlot.Series[] = [{}];
    for (const line of data.lines) {
      const color = colors.get(line.runId) ?? "#888";
      const show = !hidden.has(line.runId);
      lineSeries.push({
        stroke: smoothing ? withAlpha(color, 0.22) : color,
        width: smoothing ? 1 : 1.5,
        show,
        spanGaps: true,
        points: { show: false },
      });
      if (line.smoothed !== null) {
        lineSeries.push({ stroke: color, width: 1.75, show, spanGaps: true, points: { show: false } });
      }
    }
    const axis = (extra: Partial<uPlot.Axis> = {}): uPlot.Axis => ({
      stroke: palette.text,
      grid: { stroke: palette.grid, width: 1 },
      ticks: { stroke: palette.grid, width: 1 },
      font: "11px system-ui, sans-serif",
      ...extra,
    });
    return {
      series: lineSeries,
      legend: { show: false },
      scales: {
        x: { time: settings.xAxis === "wall" },
        y: { distr: settings.logScale ? 3 : 1 },
      },
      axes: [
        axis(
          settings.xAxis === "relative"
            ? { values: (_u, splits) => splits.map((s) => formatDuration(s * 1000)) }
            : settings.xAxis === "wall"
              ? {}
              : { incrs: WHOLE_NUMBER_STEPS, values: (_u, splits) => splits.map((s) => formatMetric(s)) },
        ),
        axis({ size: 56, values: (_u, splits) => splits.map((s) => formatMetric(s)) }),
      ],
      cursor: {
        sync: props.syncKey ? { key: props.syncKey } : undefined,
        drag: { x: true, y: false },
        points: { size: 5 },
      },
      plugins: [
        tooltipPlugin(
          () => tooltipLines.current,
          (x) => formatXValue(settings.xAxis, x),
        ),
      ],
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== "x" || settings.xAxis !== "step") return;
            const visible = zoomWindowOf(u.data[0], u.scales.x?.min, u.scales.x?.max);
            if (visible !== undefined) onZoom.current?.(visible);
          },
        ],
      },
    };
  }, [layout, hiddenKey, theme, settings.xAxis, settings.logScale, smoothingOn, props.syncKey]);

  return (
    <UplotChart
      options={options}
      data={data.columns as AlignedData}
      height={props.height ?? 220}
      keepScale={props.zoomed}
      onCreate={(u) => {
        chart.current = u;
      }}
      className="metric-chart-canvas"
      aria-label={`chart of ${metric}`}
    />
  );
}
