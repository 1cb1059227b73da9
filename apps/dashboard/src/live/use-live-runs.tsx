import type { LiveEvent, LiveRunsInput } from "@labtrack/schemas";
import { useEffect, useRef, useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { errorMessage } from "../api/error-message.ts";

export type LiveState = { status: "connecting" } | { status: "live" } | { status: "error"; message: string };

/**
 * Subscribes to `live.runs` (over the WebSocket) while mounted. The client resends the last event
 * id when it reconnects, so nothing is missed; a `resync` event means the caller should refetch.
 * `onEvent` may change between renders without resubscribing.
 */
export function useLiveRuns(
  input: Omit<LiveRunsInput, "lastEventId"> | null,
  onEvent: (event: LiveEvent) => void,
): LiveState {
  const { client } = useApi();
  const [state, setState] = useState<LiveState>({ status: "connecting" });
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const key = input ? JSON.stringify(input) : null;

  useEffect(() => {
    if (key === null) return;
    const parsed = JSON.parse(key) as Omit<LiveRunsInput, "lastEventId">;
    setState({ status: "connecting" });
    const subscription = client.live.runs.subscribe(parsed, {
      onStarted: () => setState({ status: "live" }),
      onData: (tracked) => {
        setState((current) => (current.status === "live" ? current : { status: "live" }));
        handler.current(tracked.data);
      },
      onError: (error) => setState({ status: "error", message: errorMessage(error) }),
    });
    return () => subscription.unsubscribe();
  }, [client, key]);

  return state;
}

export function LiveIndicator({ state }: { state: LiveState }) {
  const label = state.status === "live" ? "Live" : state.status === "connecting" ? "Connecting" : "Offline";
  return (
    <span
      className={`live live-${state.status}`}
      title={state.status === "error" ? `live updates stopped: ${state.message}` : "updates as runs report"}
    >
      <span className="live-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
