import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { errorMessage } from "../api/error-message.ts";
import { formatRelativeTime } from "../charts/format-number.ts";
import { EmptyState, ErrorState, SkeletonRows } from "../components/states.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { Link } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";
import { useQueueActivity } from "./use-queue-activity.ts";

/** Queued runs in start order, and what the runners are running now; moves live. */
export function QueueTable() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const { queue, runners, running } = useQueueActivity({ includeOfflineRunners: false });
  // Cancel asks first: the button turns into "Cancel run? Yes / Keep" for that row.
  const [confirming, setConfirming] = useState<string | null>(null);
  const cancel = useMutation({
    mutationFn: (runId: string) =>
      client.runs.cancel.mutate({ runId, reason: "canceled from the queue page" }),
    onSettled: () => {
      setConfirming(null);
      void queryClient.invalidateQueries({ queryKey: ["queue.list"] });
    },
  });

  return (
    <>
      <section className="panel">
        <h2>
          Running <span className="muted small">{running.length}</span>
        </h2>
        {runners.error ? (
          <ErrorState error={runners.error} />
        ) : running.length === 0 ? (
          <p className="muted">
            Nothing is running. Start a runner with <code>pnpm --filter @labtrack/gpu-runner start</code>.
          </p>
        ) : (
          <table className="kv-table">
            <tbody>
              {running.map(({ runner, slot, run }) => (
                <tr key={run.id}>
                  <td>
                    <StatusBadge status={run.status} />
                  </td>
                  <td>
                    <Link href={paths.run(run.id)}>{run.name}</Link>{" "}
                    <span className="muted">{run.project}</span>
                  </td>
                  <td className="muted">
                    {runner} · slot {slot}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="panel">
        <h2>
          Queued <span className="muted small">{queue.data?.length ?? ""}</span>
        </h2>
        {cancel.error && (
          <p className="field-error" role="alert">
            {errorMessage(cancel.error)}
          </p>
        )}
        {queue.isPending ? (
          <SkeletonRows rows={3} />
        ) : queue.error ? (
          <ErrorState error={queue.error} retry={() => void queue.refetch()} />
        ) : queue.data.length === 0 ? (
          <EmptyState title="The queue is empty">
            <p>
              Queued experiments wait here, in order, until a runner with the right resources picks them up.
            </p>
          </EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="kv-table queue-table">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">run</th>
                  <th scope="col">queue</th>
                  <th scope="col">needs</th>
                  <th scope="col">queued</th>
                  <th scope="col">
                    <span className="sr-only">Cancel</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {queue.data.map((entry) => (
                  <tr key={entry.id}>
                    <td className="mono">{entry.position}</td>
                    <td>
                      <Link href={paths.run(entry.id)}>{entry.name}</Link>{" "}
                      <span className="muted small">{entry.project}</span>
                      {entry.attempt > 1 && <span className="pill">attempt {entry.attempt}</span>}
                    </td>
                    <td className="muted">
                      {entry.queue}
                      {entry.priority !== 0 ? ` · p${entry.priority}` : ""}
                    </td>
                    <td className="muted small">
                      {entry.requirements.gpus ? `${entry.requirements.gpus} GPU` : "any slot"}
                      {entry.requirements.backend ? ` · ${entry.requirements.backend}` : ""}
                      {entry.requirements.labels.length ? ` · ${entry.requirements.labels.join(", ")}` : ""}
                    </td>
                    <td className="muted">{formatRelativeTime(entry.createdAt)}</td>
                    <td className="queue-cancel">
                      {confirming === entry.id ? (
                        <span className="inline-form">
                          <span className="small">Cancel {entry.name}?</span>
                          <button
                            type="button"
                            className="btn btn-small btn-danger"
                            disabled={cancel.isPending && cancel.variables === entry.id}
                            onClick={() => cancel.mutate(entry.id)}
                          >
                            Yes, cancel
                          </button>
                          <button type="button" className="btn btn-small" onClick={() => setConfirming(null)}>
                            Keep
                          </button>
                        </span>
                      ) : (
                        <button
                          type="button"
                          className="btn btn-small btn-danger"
                          aria-label={`Cancel ${entry.name}`}
                          onClick={() => setConfirming(entry.id)}
                        >
                          Cancel
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
