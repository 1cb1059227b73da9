import { type LiveEvent, MAX_SERIES_RUNS, type MetricSeries } from "@labtrack/schemas";
import { type QueryClient, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef } from "react";
import { useApi } from "../api/api-context.tsx";
import { appendChunk, fromWireSeries, type SeriesData } from "./series-data.ts";
import { createSeriesRequestQueue } from "./series-request-queue.ts";

const inTurn = createSeriesRequestQueue();

/**
 * Points per series asked of the server: min and max of ~500 buckets, about two per pixel of a
 * chart card, for up to 20 runs; with more runs overlaid each gets fewer (400 at 50 runs), which
 * keeps a redraw of 50 curves short. Extremes survive downsampling; zooming in fetches more.
 */
export function chartPointsFor(runCount: number): number {
  return Math.max(400, Math.min(1000, Math.floor(20_000 / Math.max(1, runCount))));
}

export function seriesKey(metric: string, runIds: readonly string[]) {
  return ["metrics.series", metric, [...runIds].sort().join(","), chartPointsFor(runIds.length)] as const;
}

/** One metric of several runs, downsampled on the server; kept growing by live events. */
export function useMetricSeries(metric: string, runIds: readonly string[], enabled: boolean) {
  const { client } = useApi();
  return useQuery({
    queryKey: seriesKey(metric, runIds),
    enabled,
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: async ({ signal }) => {
      const series = await inTurn(
        () =>
          client.metrics.series.query(
            {
              runIds: runIds.slice(0, MAX_SERIES_RUNS),
              keys: [metric],
              maxPoints: chartPointsFor(runIds.length),
            },
            { signal },
          ),
        signal,
      );
      return series.map((s: MetricSeries) => fromWireSeries(s));
    },
  });
}

/** Detail for a zoomed-in step window, only when the full series was downsampled. */
export function useZoomedSeries(
  metric: string,
  runIds: readonly string[],
  window: { min: number; max: number } | null,
) {
  const { client } = useApi();
  return useQuery({
    queryKey: ["metrics.series.window", metric, [...runIds].sort().join(","), window?.min, window?.max],
    enabled: window !== null,
    staleTime: 60_000,
    queryFn: async ({ signal }) => {
      const series = await client.metrics.series.query(
        {
          runIds: runIds.slice(0, MAX_SERIES_RUNS),
          keys: [metric],
          maxPoints: chartPointsFor(runIds.length),
          stepMin: window?.min,
          stepMax: window?.max,
        },
        { signal },
      );
      return series.map((s: MetricSeries) => fromWireSeries(s));
    },
  });
}

function appendEvent(queryClient: QueryClient, event: Extract<LiveEvent, { kind: "metric" }>): string[] {
  const unknownKeys: string[] = [];
  for (const chunk of event.series) {
    const matching = queryClient.getQueriesData<SeriesData[]>({ queryKey: ["metrics.series", chunk.key] });
    const relevant = matching.filter(([key]) => String(key[2]).split(",").includes(event.runId));
    if (relevant.length === 0) unknownKeys.push(chunk.key);
    for (const [key, data] of relevant) {
      if (!data) continue;
      const index = data.findIndex((s) => s.runId === event.runId);
      const base: SeriesData =
        index >= 0
          ? (data[index] as SeriesData)
          : {
              runId: event.runId,
              key: chunk.key,
              steps: [],
              values: [],
              times: [],
              epochs: [],
              attempts: [],
              total: 0,
              downsampled: false,
            };
      const grown = appendChunk(base, chunk);
      const next = index >= 0 ? data.map((s, i) => (i === index ? grown : s)) : [...data, grown];
      queryClient.setQueryData(key, next);
    }
  }
  return unknownKeys;
}

/**
 * Folds live metric events into the cached series (no refetch); calls `onNewKeys` when a run
 * starts logging a metric no chart shows yet.
 */
export function useSeriesAppender(onNewKeys: () => void) {
  const queryClient = useQueryClient();
  const newKeys = useRef(onNewKeys);
  newKeys.current = onNewKeys;
  return useCallback(
    (event: LiveEvent) => {
      if (event.kind !== "metric") return;
      if (appendEvent(queryClient, event).length > 0) newKeys.current();
    },
    [queryClient],
  );
}

/** Every whole (downsampled) series of these runs the page has loaded, of any metric. */
export function loadedSeries(queryClient: QueryClient, runIds: readonly string[]): SeriesData[] {
  const wanted = new Set(runIds);
  const cached = queryClient.getQueriesData<SeriesData[]>({ queryKey: ["metrics.series"] });
  return cached.flatMap(([, data]) => (data ?? []).filter((s) => wanted.has(s.runId)));
}

/** Zoomed detail with relative time counted from each run's first point, as the whole series does. */
export function withOrigins(detail: readonly SeriesData[], overview: readonly SeriesData[]): SeriesData[] {
  const origins = new Map(overview.map((s) => [s.runId, s.origin ?? s.times[0]]));
  return detail.map((s) => {
    const origin = origins.get(s.runId);
    return origin === undefined ? s : { ...s, origin };
  });
}
