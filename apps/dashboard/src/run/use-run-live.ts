import type { StoredLogLine } from "@labtrack/schemas";
import { useQueryClient } from "@tanstack/react-query";
import { useSeriesAppender } from "../charts/series-query.ts";
import { useLiveRuns } from "../live/use-live-runs.tsx";
import { LOG_TAIL_LINES, logsKey } from "./run-logs.tsx";

/**
 * One subscription for a run page: status and edits refresh the run, metrics grow charts, logs
 * append.
 */
export function useRunLive(runId: string) {
  const queryClient = useQueryClient();
  const append = useSeriesAppender(
    () => void queryClient.invalidateQueries({ queryKey: ["metrics.keys", runId] }),
  );
  return useLiveRuns({ runIds: [runId] }, (event) => {
    if (event.kind === "resync") {
      void queryClient.invalidateQueries({ queryKey: ["runs.get", runId] });
      void queryClient.invalidateQueries({ queryKey: ["metrics.series"] });
      void queryClient.invalidateQueries({ queryKey: ["logs.tail", runId] });
      return;
    }
    if (event.kind === "details") {
      // Renamed, retagged or notes edited (here in another tab, or by someone else).
      void queryClient.invalidateQueries({ queryKey: ["runs.get", runId] });
    } else if (event.kind === "status") {
      void queryClient.invalidateQueries({ queryKey: ["runs.get", runId] });
      void queryClient.invalidateQueries({ queryKey: ["runs.events", runId] });
      void queryClient.invalidateQueries({ queryKey: ["artifacts.list", runId] });
    } else if (event.kind === "metric") {
      append(event);
      void queryClient.invalidateQueries({ queryKey: ["runs.get", runId], refetchType: "none" });
    } else if (event.kind === "log") {
      // Unfiltered view: append; searches are refreshed when the user searches again.
      queryClient.setQueryData<StoredLogLine[]>(logsKey(runId, ""), (lines) => {
        if (!lines) return lines;
        const last = lines.at(-1)?.seq ?? -1;
        const fresh = event.lines.filter((line) => line.seq > last);
        return fresh.length ? [...lines, ...fresh].slice(-LOG_TAIL_LINES * 2) : lines;
      });
    }
  });
}
