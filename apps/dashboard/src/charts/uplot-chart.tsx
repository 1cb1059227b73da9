import { useEffect, useRef, useState } from "react";
import uPlot, { type AlignedData, type Options } from "uplot";
import "uplot/dist/uPlot.min.css";
import { cancelChartWork, queueChartWork } from "./chart-work-queue.ts";
import { markFirstPaint } from "./first-chart-paint.ts";

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

  // A chart scrolled out of view takes new data only once it is back: a smoothing drag then
  // redraws the charts on screen, not every chart of the page.
  const onScreen = useRef(true);
  const [shown, setShown] = useState(0);
  useEffect(() => {
    const element = container.current;
    if (!element || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver(
      (entries) => {
        const now = entries.some((e) => e.isIntersecting);
        if (now && !onScreen.current) setShown((n) => n + 1);
        onScreen.current = now;
      },
      { rootMargin: "100px" },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: shown re-runs it when the chart is back on screen
  useEffect(() => {
    const current = chart.current;
    if (!current || current.data === data || !onScreen.current) return;
    const draw = () => {
      // Scales are reset to the data; a zoomed chart's x range function keeps the zoom.
      if (chart.current === current && current.data !== data) current.setData(data, true);
    };
    if (workKey) queueChartWork(`${workKey}:data`, draw);
    else draw();
  }, [data, workKey, shown]);
  useEffect(() => () => (workKey ? cancelChartWork(`${workKey}:data`) : undefined), [workKey]);

  return <div ref={container} className={className} role="img" {...rest} />;
}
