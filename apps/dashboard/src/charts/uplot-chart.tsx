import { useEffect, useRef } from "react";
import uPlot, { type AlignedData, type Options } from "uplot";
import "uplot/dist/uPlot.min.css";
import { cancelChartWork, queueChartWork } from "./chart-work-queue.ts";

export interface UplotChartProps {
  /** Options without size; a new object re-creates the chart, so memoise it. */
  options: Omit<Options, "width" | "height">;
  data: AlignedData;
  height: number;
  onCreate?: (chart: uPlot) => void;
  /** Names this chart's queued redraws: new data is drawn in a task of its own, one chart at a time. */
  workKey?: string;
  className?: string;
  "aria-label"?: string;
}

const FIRST_PAINT = "labtrack:first-chart-painted";

/** A performance mark once the page's first chart with data is on screen (read by `pnpm bench`). */
function markFirstPaint(chart: uPlot): void {
  if ((chart.data[0]?.length ?? 0) === 0 || performance.getEntriesByName(FIRST_PAINT).length > 0) return;
  requestAnimationFrame(() => {
    if (performance.getEntriesByName(FIRST_PAINT).length === 0) performance.mark(FIRST_PAINT);
  });
}

/** A uPlot canvas that follows its container's width. */
export function UplotChart({
  options,
  data,
  height,
  onCreate,
  workKey,
  className,
  ...rest
}: UplotChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef({ data, onCreate });
  latest.current = { data, onCreate };

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const width = Math.max(200, element.clientWidth);
    const created = new uPlot({ ...options, width, height }, latest.current.data, element);
    chart.current = created;
    latest.current.onCreate?.(created);
    markFirstPaint(created);
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const next = Math.max(200, element.clientWidth);
        if (next !== created.width) created.setSize({ width: next, height });
      });
    });
    observer.observe(element);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      created.destroy();
      chart.current = null;
    };
  }, [options, height]);

  useEffect(() => {
    const current = chart.current;
    if (!current || current.data === data) return;
    const draw = () => {
      // Scales are reset to the data; a zoomed chart's x range function keeps the zoom.
      if (chart.current === current && current.data !== data) current.setData(data, true);
    };
    if (workKey) queueChartWork(`${workKey}:data`, draw);
    else draw();
  }, [data, workKey]);
  useEffect(() => () => (workKey ? cancelChartWork(`${workKey}:data`) : undefined), [workKey]);

  return <div ref={container} className={className} role="img" {...rest} />;
}
