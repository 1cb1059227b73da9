import type { LineSeriesOption, ParallelSeriesOption, ScatterSeriesOption } from "echarts/charts";
import { LineChart, ParallelChart, ScatterChart } from "echarts/charts";
import {
  GridComponent,
  type GridComponentOption,
  ParallelComponent,
  type ParallelComponentOption,
  TooltipComponent,
  type TooltipComponentOption,
  type VisualMapComponentOption,
  VisualMapContinuousComponent,
} from "echarts/components";
import { type ComposeOption, type ECharts, init, use } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

// Only what the sweep panels draw, so the chunk stays a fraction of the whole of ECharts.
use([
  ParallelChart,
  ScatterChart,
  LineChart,
  ParallelComponent,
  GridComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
  CanvasRenderer,
]);

export type EChartOption = ComposeOption<
  | ParallelSeriesOption
  | ScatterSeriesOption
  | LineSeriesOption
  | ParallelComponentOption
  | GridComponentOption
  | TooltipComponentOption
  | VisualMapComponentOption
>;

/** Handlers by ECharts event name (`axisareaselected`, `click`); they may change between renders. */
export type EChartEvents = Record<string, (params: unknown) => void>;

export interface EChartProps {
  option: EChartOption;
  height: number;
  events?: EChartEvents;
  /** Components replaced rather than merged on an update (series whose data changed length). */
  replaceMerge?: string[];
  className?: string;
  "aria-label"?: string;
  /** Called with the chart once it is made, and with null once it is disposed. */
  onChart?: (chart: ECharts | null) => void;
}

/** An ECharts canvas that follows its container's width and keeps its state (brushes) across updates. */
export function EChart({ option, height, events, replaceMerge, className, onChart, ...rest }: EChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const handlers = useRef(events);
  handlers.current = events;
  const chartCallback = useRef(onChart);
  chartCallback.current = onChart;
  const eventNames = Object.keys(events ?? {})
    .sort()
    .join(",");

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const created = init(element, undefined, { renderer: "canvas", height });
    chart.current = created;
    const observer = new ResizeObserver(() => created.resize());
    observer.observe(element);
    chartCallback.current?.(created);
    return () => {
      observer.disconnect();
      created.dispose();
      chart.current = null;
      chartCallback.current?.(null);
    };
  }, [height]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new height is a new chart, whose handlers are registered again
  useEffect(() => {
    const created = chart.current;
    if (!created || !eventNames) return;
    const names = eventNames.split(",");
    for (const name of names) created.on(name, (params: unknown) => handlers.current?.[name]?.(params));
    return () => {
      for (const name of names) created.off(name);
    };
  }, [eventNames, height]);

  const replaceKey = replaceMerge?.join(",") ?? "";
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new height is a new chart to fill; replaceKey stands for replaceMerge
  useEffect(() => {
    chart.current?.setOption(option, replaceKey ? { replaceMerge: replaceKey.split(",") } : {});
  }, [option, replaceKey, height]);

  return <div ref={container} className={className} style={{ height }} role="img" {...rest} />;
}
