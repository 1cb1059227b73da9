import {
  fromWireNumber,
  type LiveEvent,
  type MetricSummary,
  type Run,
  toWireNumber,
} from "@labtrack/schemas";
import { type InfiniteData, useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo, useRef } from "react";
import { useApi } from "../api/api-context.tsx";
import { useLiveRuns } from "../live/use-live-runs.tsx";

export interface RunsQuery {
  project: string;
  filter: string;
  sort: { field: string; direction: "asc" | "desc" };
}

type Page = { runs: Run[]; nextCursor: string | null; total: number };

// Small pages: each arrives as a short task, so scrolling through thousands of runs never stalls.
const PAGE_SIZE = 250;

/** Folds live metric points into a run's summary, so the table's metric columns move without a refetch. */
export function foldSummary(
  summary: Record<string, MetricSummary>,
  chunks: Extract<LiveEvent, { kind: "metric" }>["series"],
): Record<string, MetricSummary> {
  const next = { ...summary };
  for (const chunk of chunks) {
    let current = next[chunk.key];
    chunk.steps.forEach((step, i) => {
      const value = fromWireNumber(chunk.values[i] ?? "NaN");
      const min = current?.min === null || current?.min === undefined ? null : fromWireNumber(current.min);
      const max = current?.max === null || current?.max === undefined ? null : fromWireNumber(current.max);
      const finite = Number.isFinite(value);
      const newMin = finite && (min === null || value < min);
      const newMax = finite && (max === null || value > max);
      const isLast = !current || step >= current.lastStep;
      current = {
        last: isLast ? toWireNumber(value) : (current?.last ?? toWireNumber(value)),
        lastStep: isLast ? step : (current?.lastStep ?? step),
        min: newMin ? value : (current?.min ?? null),
        minStep: newMin ? step : (current?.minStep ?? null),
        max: newMax ? value : (current?.max ?? null),
        maxStep: newMax ? step : (current?.maxStep ?? null),
        count: (current?.count ?? 0) + 1,
      };
    });
    if (current) next[chunk.key] = current;
  }
  return next;
}

/**
 * A project's runs, page by page (250 per request), kept current by the project's live events:
 * status and metric events patch the rows in place; a run we have not seen, or a resync, refetches.
 */
export function useRunsList(query: RunsQuery) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const queryKey = useMemo(() => ["runs.list", query] as const, [query]);
  const list = useInfiniteQuery({
    queryKey,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      client.runs.list.query(
        {
          project: query.project,
          filter: query.filter || undefined,
          sort: query.sort,
          limit: PAGE_SIZE,
          cursor: pageParam ?? undefined,
        },
        { signal },
      ),
    getNextPageParam: (last) => last.nextCursor,
    // Thousands of runs: a deep compare of every refetch costs more than re-rendering changed rows.
    structuralSharing: false,
  });

  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refetchSoon = useCallback(() => {
    if (refetchTimer.current) return;
    refetchTimer.current = setTimeout(() => {
      refetchTimer.current = null;
      void queryClient.invalidateQueries({ queryKey: ["runs.list", { project: query.project }] });
    }, 1000);
  }, [queryClient, query.project]);

  const patchRun = useCallback(
    (runId: string, patch: (run: Run) => Run): boolean => {
      let found = false;
      queryClient.setQueryData<InfiniteData<Page>>(queryKey, (data) => {
        if (!data) return data;
        return {
          ...data,
          pages: data.pages.map((page) => ({
            ...page,
            runs: page.runs.map((run) => {
              if (run.id !== runId) return run;
              found = true;
              return patch(run);
            }),
          })),
        };
      });
      return found;
    },
    [queryClient, queryKey],
  );

  const live = useLiveRuns({ project: query.project }, (event) => {
    if (event.kind === "resync") return refetchSoon();
    if (event.kind === "metric") {
      patchRun(event.runId, (run) => ({ ...run, summary: foldSummary(run.summary, event.series) }));
      return;
    }
    if (event.kind !== "status" && event.kind !== "details") return;
    // A status shows at once; a rename, retag or note (`details`) once the run is read again.
    const known = patchRun(event.runId, (run) =>
      event.kind === "status" ? { ...run, status: event.status } : run,
    );
    // A new run (or one this filter may now match) needs the list; a known one only itself, for its
    // start and finish times, runner, name and tags: one small read instead of refetching thousands of rows.
    if (!known || query.filter) return refetchSoon();
    void client.runs.get.query({ runId: event.runId }).then(
      (fresh) => patchRun(fresh.id, () => fresh),
      () => refetchSoon(),
    );
  });

  const runs = useMemo(() => list.data?.pages.flatMap((page) => page.runs) ?? [], [list.data]);
  const total = list.data?.pages[0]?.total ?? null;
  return { list, runs, total, live };
}
