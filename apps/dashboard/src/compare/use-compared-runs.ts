import type { Run } from "@labtrack/schemas";
import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { useApi } from "../api/api-context.tsx";
import { useAfterFirstChart } from "../charts/first-chart-paint.ts";
import { useSeriesAppender } from "../charts/series-query.ts";
import { type LiveState, useLiveRuns } from "../live/use-live-runs.tsx";

/**
 * The runs (one batched request), their metric keys, and live updates for both and their curves.
 * The runs are asked for once the first chart is painted (or the runs have no metric, or 2 s
 * passed): 50 `runs.get` calls in one batch kept the server busy for 300-700 ms while the keys
 * and the first chart's series waited behind them. `runsFirst` (the curves are grouped by the
 * runs' config) asks for them at once.
 */
export function useComparedRuns(
  runIds: readonly string[],
  opts: { runsFirst?: boolean } = {},
): {
  runs: Run[];
  pending: boolean;
  errors: unknown[];
  keys: ReturnType<typeof useMetricKeys>;
  live: LiveState;
} {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const keys = useMetricKeys(runIds);
  const afterFirstChart = useAfterFirstChart(2000);
  const runsMayLoad = opts.runsFirst || afterFirstChart || keys.isError || keys.data?.length === 0;
  const combined = useQueries({
    queries: runIds.map((runId) => ({
      queryKey: ["runs.get", runId],
      queryFn: () => client.runs.get.query({ runId }),
      enabled: runsMayLoad,
    })),
    combine: combineRuns,
  });
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refreshKeys = () => {
    if (refetchTimer.current) return;
    refetchTimer.current = setTimeout(() => {
      refetchTimer.current = null;
      void keys.refetch();
    }, 1500);
  };
  const append = useSeriesAppender(refreshKeys);
  const live = useLiveRuns(runIds.length > 0 ? { runIds: [...runIds] } : null, (event) => {
    if (event.kind === "resync") {
      void queryClient.invalidateQueries({ queryKey: ["metrics.series"] });
      for (const id of runIds) void queryClient.invalidateQueries({ queryKey: ["runs.get", id] });
      return;
    }
    if (event.kind === "metric") append(event);
    if (event.kind === "status") void queryClient.invalidateQueries({ queryKey: ["runs.get", event.runId] });
  });
  return { ...combined, keys, live };
}

/**
 * Module-level, so TanStack Query hands back the same object (and the same `runs` array) until a
 * run changes: the tables below the charts then skip re-rendering on a smoothing drag.
 */
function combineRuns(results: { data?: Run; isPending: boolean; error: unknown }[]) {
  return {
    runs: results.flatMap((r) => (r.data ? [r.data] : [])),
    pending: results.some((r) => r.isPending),
    errors: results.flatMap((r) => (r.error ? [r.error] : [])),
  };
}

function useMetricKeys(runIds: readonly string[]) {
  const { client } = useApi();
  return useQuery({
    queryKey: ["metrics.keys", [...runIds].sort().join(",")],
    enabled: runIds.length > 0,
    queryFn: () => client.metrics.keys.query({ runIds: [...runIds] }),
  });
}
