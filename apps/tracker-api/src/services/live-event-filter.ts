import type { LiveEvent } from "@labtrack/schemas";

export interface LiveEventFilter {
  project?: string | undefined;
  runIds?: ReadonlySet<string> | undefined;
  kinds?: ReadonlySet<LiveEvent["kind"]> | undefined;
  /** Only events of these projects (what the subscriber's token may read); all when absent. */
  projects?: ReadonlySet<string> | undefined;
}

/** Whether a subscriber with `filter` is sent `event` (the SQL of readLiveEvents says the same). */
export function matchesLiveFilter(filter: LiveEventFilter, event: LiveEvent): boolean {
  if (event.kind === "resync") return true;
  if (filter.kinds && !filter.kinds.has(event.kind)) return false;
  if (filter.projects && !filter.projects.has(event.project)) return false;
  if (filter.runIds && filter.runIds.size > 0) return filter.runIds.has(event.runId);
  return filter.project === undefined || filter.project === event.project;
}
