import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { ErrorState } from "../components/states.tsx";
import { ExportCsvButton } from "./export-csv-button.tsx";
import { type ChartSettings, MetricChart } from "./metric-chart.tsx";
import { useMetricSeries, useZoomedSeries, withOrigins } from "./series-query.ts";
import { stepWindowOf, type XWindow } from "./zoom-window.ts";

export interface MetricPanelProps {
  metric: string;
  runIds: readonly string[];
  runNames: ReadonlyMap<string, string>;
  colors: ReadonlyMap<string, string>;
  hidden: ReadonlySet<string>;
  settings: ChartSettings;
  syncKey?: string;
  /** Group label -> run ids: draw each group's mean and min-max band instead of every run. */
  groups?: ReadonlyMap<string, readonly string[]> | null;
  /** The x window every chart of the page shows (in `settings.xAxis` units); null for all. */
  zoom: XWindow | null;
  onZoom: (window: XWindow | null) => void;
}

/** How far outside the window a chart counts as in view (it loads before it is scrolled to). */
const NEAR_PX = 300;

/**
 * Loads when scrolled into view, so a page with a hundred metrics asks only for what is seen. A
 * chart already in the window when it mounts asks at once, not a frame later when the
 * IntersectionObserver first reports.
 */
function useVisible<T extends Element>(): [React.RefObject<T | null>, boolean] {
  const ref = useRef<T>(null);
  const [visible, setVisible] = useState(false);
  useLayoutEffect(() => {
    const box = ref.current?.getBoundingClientRect();
    if (box && box.height > 0 && box.top < window.innerHeight + NEAR_PX && box.bottom > -NEAR_PX)
      setVisible(true);
  }, []);
  useEffect(() => {
    const element = ref.current;
    if (!element || visible) return;
    if (typeof IntersectionObserver === "undefined") {
      setVisible(true);
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setVisible(true);
      },
      { rootMargin: `${NEAR_PX}px` },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [visible]);
  return [ref, visible];
}

/** The element's width, rounded up to 100 px (a resize by a few pixels does not redo the curves). */
function useWidth(ref: React.RefObject<Element | null>): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setWidth(Math.ceil(element.clientWidth / 100) * 100);
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/** A chart card for one metric: title, point counts, zoom detail, loading and error states. */
export function MetricPanel(props: MetricPanelProps) {
  const { metric, runIds, settings } = props;
  const [ref, visible] = useVisible<HTMLElement>();
  const width = useWidth(ref);
  const series = useMetricSeries(metric, runIds, visible);
  const zoom = props.zoom;
  const downsampled = series.data?.some((s) => s.downsampled) ?? false;
  // Detail of the zoomed window is asked for by steps, whatever the x axis.
  const steps = useMemo(
    () => stepWindowOf(zoom, settings.xAxis, series.data),
    [zoom, settings.xAxis, series.data],
  );
  const detail = useZoomedSeries(metric, runIds, downsampled ? steps : null);
  const shown = useMemo(
    () => (zoom && detail.data && series.data ? withOrigins(detail.data, series.data) : series.data),
    [zoom, detail.data, series.data],
  );
  const points = series.data?.reduce((n, s) => n + s.total, 0) ?? 0;

  return (
    <section ref={ref} className="chart-card" aria-label={metric} data-metric={metric}>
      <header className="chart-card-head">
        <span className="chart-title truncate" title={metric}>
          {metric}
        </span>
        <span className="muted small">
          {zoom
            ? detail.isFetching
              ? "loading detail…"
              : `zoomed${detail.data ? ` · ${detail.data.reduce((n, s) => n + s.steps.length, 0).toLocaleString("en-US")} pts` : ""} · double-click to reset`
            : ""}
          {!zoom && series.data
            ? `${points.toLocaleString("en-US")} pts${downsampled ? " · downsampled" : ""}`
            : ""}
        </span>
        {series.data && series.data.length > 0 && (
          <ExportCsvButton
            metric={metric}
            overview={series.data.filter((s) => !props.hidden.has(s.runId))}
            runNames={props.runNames}
            smoothing={settings.smoothing}
            steps={zoom ? steps : null}
            groups={props.groups}
          />
        )}
      </header>
      {series.error ? (
        <ErrorState
          error={series.error}
          title={`Could not load ${metric}`}
          retry={() => void series.refetch()}
        />
      ) : !shown ? (
        <div className="chart-placeholder">{visible ? "Loading…" : ""}</div>
      ) : shown.length === 0 ? (
        <div className="chart-placeholder">No points</div>
      ) : (
        <MetricChart
          metric={metric}
          series={shown}
          runNames={props.runNames}
          colors={props.colors}
          hidden={props.hidden}
          settings={settings}
          syncKey={props.syncKey}
          groups={props.groups}
          zoom={zoom}
          onZoom={props.onZoom}
          width={width}
        />
      )}
    </section>
  );
}
