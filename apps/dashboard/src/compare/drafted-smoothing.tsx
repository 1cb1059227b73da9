import { useDeferredValue, useMemo, useSyncExternalStore } from "react";
import { ChartControls } from "../charts/chart-controls.tsx";
import type { ChartSettings } from "../charts/metric-chart.tsx";
import { MetricSections } from "../charts/metric-sections.tsx";
import type { SmoothingDraft } from "./smoothing-draft.ts";

/** The chart controls, with the slider at the value being dragged. */
export function DraftedChartControls({
  draft,
  settings,
  onChange,
}: {
  draft: SmoothingDraft;
  settings: ChartSettings;
  onChange: (next: ChartSettings) => void;
}) {
  const dragged = useSyncExternalStore(draft.subscribeNow, draft.now);
  const shown = useMemo(
    () => (dragged === null ? settings : { ...settings, smoothing: dragged }),
    [settings, dragged],
  );
  return <ChartControls settings={shown} onChange={onChange} />;
}

type SectionsProps = Parameters<typeof MetricSections>[0];

/**
 * The charts, at the smoothing being dragged: once per frame, in a background render that yields
 * between charts (each chart then redraws in a task of its own).
 */
export function DraftedMetricSections({
  draft,
  settings,
  ...sections
}: SectionsProps & { draft: SmoothingDraft }) {
  const dragged = useSyncExternalStore(draft.subscribe, draft.get);
  const smoothing = useDeferredValue(dragged ?? settings.smoothing);
  const drawn = useMemo(() => ({ ...settings, smoothing }), [settings, smoothing]);
  return <MetricSections {...sections} settings={drawn} />;
}
