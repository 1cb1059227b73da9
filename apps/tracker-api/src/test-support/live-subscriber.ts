import type { LiveEventBus, LiveEventFilter, StampedEvent } from "../services/live-events.ts";

/** Collects what a subscriber of `bus` is sent, until stopped. */
export function collectLiveEvents(
  bus: LiveEventBus,
  filter: LiveEventFilter,
  lastEventId: string | null = null,
): { seen: StampedEvent[]; stop: () => void } {
  const seen: StampedEvent[] = [];
  const abort = new AbortController();
  void (async () => {
    for await (const stamped of bus.subscribe(filter, lastEventId, abort.signal)) seen.push(stamped);
  })();
  return { seen, stop: () => abort.abort() };
}
