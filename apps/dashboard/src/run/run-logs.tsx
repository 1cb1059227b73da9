import type { StoredLogLine } from "@labtrack/schemas";
import { useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { EmptyState, ErrorState, Spinner } from "../components/states.tsx";

export const LOG_TAIL_LINES = 2000;

export function logsKey(runId: string, search: string) {
  return ["logs.tail", runId, search] as const;
}

/** The run's output, newest at the bottom; follow keeps the view pinned to new lines. */
export function RunLogs({ runId }: { runId: string }) {
  const { client } = useApi();
  const [draft, setDraft] = useState("");
  const [search, setSearch] = useState("");
  const [follow, setFollow] = useState(true);
  const logs = useQuery({
    queryKey: logsKey(runId, search),
    queryFn: async () =>
      (await client.logs.tail.query({ runId, limit: LOG_TAIL_LINES, search: search || undefined })).lines,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const scroller = useRef<HTMLDivElement>(null);
  const lines: StoredLogLine[] = logs.data ?? [];
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 18,
    overscan: 30,
  });
  useEffect(() => {
    if (follow && lines.length > 0) virtualizer.scrollToIndex(lines.length - 1, { align: "end" });
  }, [follow, lines.length, virtualizer]);

  return (
    <div className="logs">
      <div className="toolbar">
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            setSearch(draft.trim());
          }}
        >
          <input
            type="search"
            aria-label="Search logs"
            placeholder="Search logs…"
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
          />
          <button type="submit" className="btn">
            Search
          </button>
        </form>
        <label className="inline-field">
          <input type="checkbox" checked={follow} onChange={(event) => setFollow(event.target.checked)} />
          <span>Follow</span>
        </label>
      </div>
      {logs.isPending ? (
        <Spinner label="Loading logs" />
      ) : logs.error ? (
        <ErrorState error={logs.error} retry={() => void logs.refetch()} />
      ) : lines.length === 0 ? (
        <EmptyState title={search ? `No line contains “${search}”` : "No output yet"} />
      ) : (
        <div
          className="log-view"
          ref={scroller}
          onWheel={(event) => {
            if (event.deltaY < 0 && follow) setFollow(false);
          }}
        >
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {virtualizer.getVirtualItems().map((item) => {
              const line = lines[item.index];
              if (!line) return null;
              return (
                <div
                  key={line.seq}
                  className={`log-line log-${line.stream}`}
                  style={{ transform: `translateY(${item.start}px)` }}
                >
                  <span className="log-time">{new Date(line.time).toLocaleTimeString()}</span>
                  <span className="log-text">{line.text}</span>
                </div>
              );
            })}
          </div>
        </div>
      )}
    </div>
  );
}
