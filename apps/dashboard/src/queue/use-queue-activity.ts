import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useApi } from "../api/api-context.tsx";

/** How often the queue is read again: new runs queued elsewhere have no event for us yet. */
const POLL_MS = 5000;

/**
 * The queue and the runners, kept current by the status events of every queued and running run:
 * a claim, a finish or a cancel shows at once (the poll is only a backstop).
 */
export function useQueueActivity(opts: { includeOfflineRunners: boolean }) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const queue = useQuery({
    queryKey: ["queue.list"],
    queryFn: () => client.queue.list.query({}),
    refetchInterval: POLL_MS,
  });
  const runners = useQuery({
    queryKey: ["runners.list", opts.includeOfflineRunners ? "all" : "online"],
    queryFn: () => client.runners.list.query({ includeOffline: opts.includeOfflineRunners }),
    refetchInterval: POLL_MS,
  });
  const running = (runners.data ?? []).flatMap((r) =>
    r.slots.flatMap((slot) => (slot.run ? [{ runner: r.name, slot: slot.index, run: slot.run }] : [])),
  );
  // Every project's status events: a run queued and claimed within the same second never shows up
  // in a poll of the queue, so watching only the queued runs would miss its claim.
  const projects = useQuery({ queryKey: ["projects.list"], queryFn: () => client.projects.list.query() });
  const slugs = (projects.data ?? []).map((p) => p.slug).join(",");
  useEffect(() => {
    if (!slugs) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const refresh = () => {
      timer ??= setTimeout(() => {
        timer = null;
        void queryClient.invalidateQueries({ queryKey: ["queue.list"] });
        void queryClient.invalidateQueries({ queryKey: ["runners.list"] });
      }, 100);
    };
    const subscriptions = slugs
      .split(",")
      .map((project) => client.live.runs.subscribe({ project, kinds: ["status"] }, { onData: refresh }));
    return () => {
      if (timer) clearTimeout(timer);
      for (const s of subscriptions) s.unsubscribe();
    };
  }, [client, queryClient, slugs]);
  return { queue, runners, running };
}
