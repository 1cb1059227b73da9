import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { ChartControls } from "../charts/chart-controls.tsx";
import type { ChartSettings } from "../charts/metric-chart.tsx";
import { groupMetricsByPrefix } from "../charts/metric-groups.ts";
import { MetricSections } from "../charts/metric-sections.tsx";
import { assignRunColors } from "../charts/run-colors.ts";
import { useUrlZoom } from "../charts/use-url-zoom.ts";
import { parseCompareState } from "../compare/compare-url-state.ts";
import { EmptyState, ErrorState, Spinner } from "../components/states.tsx";
import { useLocation } from "../routing/location.tsx";
import { RetriedRunNote } from "./run-attempts.tsx";

export function useRunMetricKeys(runId: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: ["metrics.keys", runId],
    queryFn: () => client.metrics.keys.query({ runIds: [runId] }),
  });
}

/** Every metric of one run, by section (train/, val/, sys/ …), growing live while it runs. */
export function RunCharts({
  runId,
  runName,
  running,
  attempt,
}: {
  runId: string;
  runName: string;
  running: boolean;
  attempt: number;
}) {
  const keys = useRunMetricKeys(runId);
  const { search } = useLocation();
  // The x axis is in the URL beside the zoom (whose numbers are in its units).
  const xAxis = parseCompareState(search).xAxis;
  const [local, setLocal] = useState({ smoothing: 0, logScale: false, ignoreOutliers: false });
  const settings = useMemo((): ChartSettings => ({ ...local, xAxis }), [local, xAxis]);
  const runIds = useMemo(() => [runId], [runId]);
  const { zoom, setZoom, convert } = useUrlZoom(runIds);
  const onSettings = ({ xAxis: nextAxis, ...rest }: ChartSettings) => {
    if (nextAxis !== xAxis) setZoom(convert(zoom, xAxis, nextAxis), { replace: true, xAxis: nextAxis });
    setLocal(rest);
  };
  const colors = useMemo(() => assignRunColors(runIds), [runIds]);
  const names = useMemo(() => new Map([[runId, runName]]), [runId, runName]);
  const hidden = useMemo(() => new Set<string>(), []);
  const sections = useMemo(() => groupMetricsByPrefix((keys.data ?? []).map((k) => k.key)), [keys.data]);

  if (keys.isPending) return <Spinner label="Loading metrics" />;
  if (keys.error) return <ErrorState error={keys.error} retry={() => void keys.refetch()} />;
  if (sections.length === 0) {
    return (
      <EmptyState title={running ? "Waiting for the first metric" : "This run logged no metrics"}>
        {running && <p>Charts appear here as soon as the run reports a point.</p>}
      </EmptyState>
    );
  }
  return (
    <div>
      <div className="toolbar">
        <ChartControls settings={settings} onChange={onSettings} />
      </div>
      <RetriedRunNote runId={runId} attempt={attempt} />
      <MetricSections
        sections={sections}
        runIds={runIds}
        runNames={names}
        colors={colors}
        hidden={hidden}
        settings={settings}
        syncKey={`run-${runId}`}
        zoom={zoom}
        onZoom={setZoom}
      />
    </div>
  );
}
