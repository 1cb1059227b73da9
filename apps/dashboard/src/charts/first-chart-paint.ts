import { useEffect, useState } from "react";
import type uPlot from "uplot";

const FIRST_PAINT = "labtrack:first-chart-painted";
const listeners = new Set<() => void>();
const painted = () => performance.getEntriesByName(FIRST_PAINT).length > 0;

/** A performance mark once the page's first chart with data is on screen (read by `pnpm bench`). */
export function markFirstPaint(chart: uPlot): void {
  if ((chart.data[0]?.length ?? 0) === 0 || painted()) return;
  requestAnimationFrame(() => {
    if (painted()) return;
    performance.mark(FIRST_PAINT);
    for (const listener of listeners) listener();
  });
}

/**
 * True once the first chart is painted, or `fallbackMs` after mounting: what the page can load
 * later (the parameter panels' ECharts chunk) waits, so it does not compete with the first chart.
 */
export function useAfterFirstChart(fallbackMs = 3000): boolean {
  const [ready, setReady] = useState(painted);
  useEffect(() => {
    if (ready) return;
    const done = () => setReady(true);
    listeners.add(done);
    // Painted between this render and this effect: the listener came too late to hear it.
    if (painted()) done();
    const timer = setTimeout(done, fallbackMs);
    return () => {
      listeners.delete(done);
      clearTimeout(timer);
    };
  }, [ready, fallbackMs]);
  return ready;
}
