import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { useApi } from "../api/api-context.tsx";
import { type LiveState, useLiveRuns } from "../live/use-live-runs.tsx";

/** Refetches at most this often while the sweep's runs report: a burst of metrics is one request. */
const REFRESH_MS = 1000;

/**
 * The sweep with its runs, refetched as its project's runs change state or report points (a new run
 * of the sweep is only known by its project, so the subscription is the project's).
 */
export function useSweep(project: string, sweepId: string) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const sweep = useQuery({
    queryKey: ["sweeps.get", sweepId],
    queryFn: () => client.sweeps.get.query({ sweepId }),
    // The controller marks the sweep finished on its own pass, after the last run's event.
    refetchInterval: (query) => (query.state.data?.status === "running" ? 5000 : false),
  });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refresh = () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      void queryClient.invalidateQueries({ queryKey: ["sweeps.get", sweepId] });
    }, REFRESH_MS);
  };
  const runIds = new Set(sweep.data?.runs.map((r) => r.runId));
  const active = sweep.data?.status === "running" || sweep.data?.status === "paused";
  // The sweep's own project once it is known (the path's could name another).
  const liveProject = sweep.data?.project ?? project;
  const live: LiveState = useLiveRuns(
    active || !sweep.data ? { project: liveProject, kinds: ["status", "metric"] } : null,
    (event) => {
      if (event.kind === "resync" || event.kind === "status") refresh();
      else if (event.kind === "metric" && runIds.has(event.runId)) refresh();
    },
  );
  return { sweep, live };
}

/** The project's sweeps, newest first. */
export function useSweepList(project: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: ["sweeps.list", project],
    queryFn: () => client.sweeps.list.query({ project }),
  });
}
